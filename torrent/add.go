package torrent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/internal/httpget"
	"marquee/torrent/source"
)

const (
	torrentFetchTimeout = 30 * time.Second
)

// Add adds a torrent from user input (see source.Parse): a magnet link, an info hash, a .torrent
// path or file:// URL, or an http(s) URL of a .torrent (at most 32 MiB, 30 s unless ctx ends
// sooner). It does not wait for metadata; call WaitMetadata.
func (e *Engine) Add(ctx context.Context, input string) (*Torrent, error) {
	src, err := source.Parse(input)
	if err != nil {
		return nil, err
	}
	switch src.Kind {
	case source.Magnet, source.InfoHash:
		return e.addSource(src, "")
	case source.TorrentFile:
		return e.AddTorrentFile(src.Path)
	case source.URL:
		b, err := fetchTorrent(ctx, src.URL)
		if err != nil {
			return nil, err
		}
		return e.AddTorrentBytes(b)
	}
	return nil, fmt.Errorf("add %q: unhandled source kind %v", source.Shorten(input), src.Kind)
}

// AddMagnet adds a torrent from a magnet link, using its tr, ws, xs/as and x.pe parameters.
func (e *Engine) AddMagnet(uri string) (*Torrent, error) {
	src, err := source.ParseMagnet(uri)
	if err != nil {
		return nil, err
	}
	return e.addSource(src, strings.TrimSpace(uri))
}

// AddInfoHash adds a torrent by v1 info hash (40 hex or 32 base32 characters) with optional
// web seeds and trackers; metadata comes from peers or trackers.
func (e *Engine) AddInfoHash(infoHash string, webseeds, trackers []string) (*Torrent, error) {
	ih, err := source.ParseInfoHash(infoHash)
	if err != nil {
		return nil, err
	}
	return e.addSource(source.Source{
		Kind:     source.InfoHash,
		InfoHash: ih,
		Webseeds: source.KeepWebseeds(webseeds),
		Trackers: source.KeepTrackers(trackers),
	}, "")
}

// AddTorrentFile adds a torrent from a .torrent file on disk.
func (e *Engine) AddTorrentFile(path string) (*Torrent, error) {
	b, err := source.ReadTorrentFile(path)
	if err != nil {
		return nil, err
	}
	t, err := e.AddTorrentBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// AddTorrentBytes adds a torrent from the contents of a .torrent file, validated by
// ParseTorrent first.
func (e *Engine) AddTorrentBytes(b []byte) (*Torrent, error) {
	mi, _, err := source.DecodeTorrent(b)
	if err != nil {
		return nil, err
	}
	spec := addSpec{
		ih:        mi.HashInfoBytes(),
		infoBytes: mi.InfoBytes,
		metainfo:  b,
		kind:      kindCache,
		webseeds:  source.KeepWebseeds(mi.UrlList),
	}
	for _, tier := range mi.UpvertedAnnounceList() {
		spec.trackers = append(spec.trackers, source.KeepTrackers(tier)...)
	}
	return e.addTorrent(spec)
}

func (e *Engine) addSource(src source.Source, magnet string) (*Torrent, error) {
	var ih metainfo.Hash
	if err := ih.FromHexString(src.InfoHash); err != nil {
		return nil, &ParseError{What: "info hash", Input: src.InfoHash, Reason: "not hex", Err: err}
	}
	return e.addTorrent(addSpec{
		ih:       ih,
		name:     src.Name,
		trackers: src.Trackers,
		webseeds: src.Webseeds,
		sources:  src.MetainfoURLs,
		peers:    src.Peers,
		magnet:   magnet,
		kind:     kindCache,
	})
}

// fetchTorrent downloads a .torrent over http(s), capped in size and time.
func fetchTorrent(ctx context.Context, url string) ([]byte, error) {
	b, err := httpget.Get(ctx, url, httpget.Request{
		Accept: "application/x-bittorrent", MaxBytes: source.MaxTorrentFileSize, Timeout: torrentFetchTimeout,
	})
	if errors.Is(err, httpget.ErrTooLarge) {
		return nil, fmt.Errorf("fetch torrent %s: larger than the %d MiB limit", url, source.MaxTorrentFileSize>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch torrent %s: %w", url, err)
	}
	return b, nil
}

// addSpec is everything needed to add or restore one torrent.
type addSpec struct {
	ih        metainfo.Hash
	infoBytes []byte // validated
	metainfo  []byte // whole .torrent, kept for restarts
	name      string
	trackers  []string
	webseeds  []string
	sources   []string
	peers     []string
	magnet    string
	kind      torrentKind
	seedPath  string
	seedIsDir bool
	restoring bool
}

func (e *Engine) addTorrent(spec addSpec) (*Torrent, error) {
	// anacrolix would fetch xs sources itself and decode them with no limit on size or
	// nesting (a deep one overflows the stack and kills the process), so they never reach
	// it: fetchSources takes them through the same checks as any other .torrent.
	sources := spec.sources
	spec.sources = nil
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if t := e.torrents[spec.ih]; t != nil {
		t.merge(spec)
		t.touch()
		if len(sources) > 0 && !t.HasMetadata() {
			go t.fetchSources(sources)
		}
		return t, nil
	}
	rec, known, err := e.db.record(spec.ih)
	if err != nil {
		e.log.Warn("read torrent record", "infohash", spec.ih.HexString(), "err", err)
	}
	if spec.infoBytes == nil && known && len(rec.Metainfo) > 0 {
		// Metadata from an earlier run: streaming can start without asking peers.
		if mi, _, err := source.DecodeTorrent(rec.Metainfo); err == nil && mi.HashInfoBytes() == spec.ih {
			spec.infoBytes, spec.metainfo = mi.InfoBytes, rec.Metainfo
			spec.webseeds = append(spec.webseeds, source.KeepWebseeds(mi.UrlList)...)
		}
	}
	if known && rec.Kind == kindSeed && spec.kind == kindCache && rec.SeedPath != "" {
		// Someone adds by magnet a torrent we seed from the user's files: keep seeding those.
		spec.kind, spec.seedPath = kindSeed, rec.SeedPath
		if st, err := os.Stat(rec.SeedPath); err == nil {
			spec.seedIsDir = st.IsDir()
		}
	}

	t := newTorrent(e, spec)
	ds := &diskStorage{db: e.db, opened: t.storageOpened, writeFailed: t.storageWriteFailed}
	if spec.kind == kindSeed {
		ds.root = filepath.Dir(spec.seedPath)
		if spec.seedIsDir {
			ds.root = spec.seedPath
		}
		ds.layout = seedLayout(spec.seedPath, spec.seedIsDir)
		ds.readOnly = true
	} else {
		ds.root = e.torrentDataDir(spec.ih)
		ds.layout = cacheLayout(ds.root)
		ds.unverifiedIsIncomplete = known && rec.Kind == kindCache
	}
	t.notShared = known && rec.NotShared
	t.uploadAllowed = e.uploadAllowedLocked(t, 0, 0)
	// anacrolix v1.61 ignores AddTorrentOpts.DisallowDataUpload. Until the info is set the
	// torrent has no pieces to upload, so switching it off before setting the info leaves no
	// window in which a peer could be served. Seeds are not DisallowDataDownload'ed: in v1.61
	// that breaks anacrolix's pending-pieces invariant and panics at a later check; nothing
	// gives their pieces a priority, so nothing is requested, and the storage is read-only.
	at, _ := e.client.AddTorrentOpt(anacrolix.AddTorrentOpts{InfoHash: spec.ih, Storage: ds})
	t.t = at
	if !t.uploadAllowed {
		at.DisallowDataUpload()
	}
	if spec.infoBytes != nil {
		if err := at.SetInfoBytes(spec.infoBytes); err != nil {
			at.Drop()
			if merr := t.metadataError(); merr != nil {
				return nil, merr
			}
			return nil, fmt.Errorf("add torrent %s: %w", spec.ih.HexString(), err)
		}
	}
	// A failed write (a full disk, a vanished folder) reaches storageWriteFailed from the
	// storage. anacrolix's default handler would also disallow downloading, which in v1.61
	// breaks its own pending-pieces invariant and panics the process at a later check.
	at.SetOnWriteChunkError(func(error) {})
	if e.maxConns > 0 {
		at.SetMaxEstablishedConns(e.maxConns)
	}
	t.merge(spec)
	e.torrents[spec.ih] = t
	err = e.db.updateRecord(spec.ih, func(r *torrentRecord) {
		r.Kind = spec.kind
		r.Active = true
		r.LastUsed = time.Now()
		r.SeedPath = spec.seedPath
		if spec.magnet != "" {
			r.Magnet = spec.magnet
		}
		if spec.metainfo != nil {
			r.Metainfo = spec.metainfo
		}
	})
	if err != nil {
		e.log.Warn("save torrent record", "infohash", spec.ih.HexString(), "err", err)
	}
	go t.watch()
	go func() {
		select {
		case <-at.GotInfo():
		case <-at.Closed():
		}
		e.peerMeta.forget(spec.ih)
	}()
	if len(sources) > 0 && spec.infoBytes == nil {
		go t.fetchSources(sources)
	}
	return t, nil
}

// maxSources bounds the xs URLs tried for one torrent.
const maxSources = 4

// fetchSources tries the metainfo URLs (a magnet's xs) in turn until one gives the
// torrent's metadata, the metadata comes from elsewhere, or the torrent closes. Each is
// fetched and validated like a .torrent URL given by hand (fetchTorrent, parseMetainfo).
func (t *Torrent) fetchSources(urls []string) {
	ctx, cancel := context.WithCancel(t.e.ctx)
	defer cancel()
	go func() {
		select {
		case <-t.t.GotInfo():
		case <-t.t.Closed():
		case <-ctx.Done():
		}
		cancel()
	}()
	for i, u := range urls {
		if i == maxSources || ctx.Err() != nil {
			return
		}
		t.e.xsTried.Store(t.ih, i+1)
		err := t.useSource(ctx, u)
		if err == nil {
			return
		}
		if ctx.Err() == nil {
			t.e.log.Warn("metainfo source (xs) refused", "infohash", t.InfoHash(), "url", u, "err", err)
		}
	}
}

// useSource fetches one metainfo URL and, if it is this torrent's, sets its metadata.
func (t *Torrent) useSource(ctx context.Context, url string) error {
	b, err := fetchTorrent(ctx, url)
	if err != nil {
		return err
	}
	mi, _, err := source.DecodeTorrent(b)
	if err != nil {
		return err
	}
	if ih := mi.HashInfoBytes(); ih != t.ih {
		return fmt.Errorf("it is the .torrent of %s, not of %s", ih.HexString(), t.InfoHash())
	}
	spec := addSpec{webseeds: source.KeepWebseeds(mi.UrlList)}
	for _, tier := range mi.UpvertedAnnounceList() {
		spec.trackers = append(spec.trackers, source.KeepTrackers(tier)...)
	}
	t.merge(spec)
	return t.t.SetInfoBytes(mi.InfoBytes)
}

// restore re-adds the torrents that were active when the engine last ran.
func (e *Engine) restore() {
	recs, err := e.db.records()
	if err != nil {
		e.log.Warn("read torrent records", "err", err)
		return
	}
	for ih, rec := range recs {
		if !rec.Active {
			continue
		}
		spec := addSpec{ih: ih, kind: rec.Kind, magnet: rec.Magnet, restoring: true}
		if rec.Kind == kindSeed {
			st, err := os.Stat(rec.SeedPath)
			if err != nil {
				e.log.Warn("seeded files are gone; not seeding them", "path", rec.SeedPath, "err", err)
				continue
			}
			spec.seedPath, spec.seedIsDir = rec.SeedPath, st.IsDir()
		}
		if rec.Magnet != "" {
			if src, err := source.Parse(rec.Magnet); err == nil {
				spec.name, spec.trackers, spec.webseeds = src.Name, src.Trackers, src.Webseeds
				spec.sources, spec.peers = src.MetainfoURLs, src.Peers
			}
		}
		t, err := e.addTorrent(spec)
		if err != nil {
			if !errors.Is(err, ErrClosed) {
				e.log.Warn("restore torrent", "infohash", ih.HexString(), "err", err)
			}
			continue
		}
		if rec.Kind == kindSeed && e.seedChanged(rec.SeedPath, ih) {
			// Serving edited files as the old torrent would feed peers bad pieces: rehash,
			// and only the pieces that still match are seeded.
			e.log.Warn("seeded files changed since last run; verifying them", "path", rec.SeedPath)
			go func() {
				if err := t.t.VerifyDataContext(e.ctx); err != nil && e.ctx.Err() == nil {
					e.log.Warn("verify seeded files", "path", rec.SeedPath, "err", err)
				}
			}()
		}
	}
}

// torrentDataDir is the folder holding one cached torrent's files.
func (e *Engine) torrentDataDir(ih metainfo.Hash) string {
	return filepath.Join(e.dataDir, "data", ih.HexString())
}

// seedChanged reports whether the files at path differ from when they were seeded as ih.
func (e *Engine) seedChanged(path string, ih metainfo.Hash) bool {
	rec, ok, err := e.db.seed(path)
	if err != nil || !ok || rec.InfoHash != ih.HexString() {
		return false
	}
	fp, err := fingerprint(path)
	return err != nil || fp != rec.Fingerprint
}

// metadataSources says where metadata was sought, for the timeout message: only sources that
// are switched on and were given, so that it never names trackers or the DHT when they are off.
func (t *Torrent) metadataSources() string {
	var tried []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if !t.e.cfg.DisableDHT {
		tried = append(tried, "the DHT")
	}
	mi := t.t.Metainfo()
	if n := len(mi.UpvertedAnnounceList().DistinctValues()); n > 0 && !t.e.cfg.DisableTrackers {
		tried = append(tried, plural(n, "tracker", "trackers"))
	}
	t.mu.Lock()
	direct := len(t.directPeers)
	t.mu.Unlock()
	if direct > 0 {
		tried = append(tried, plural(direct, "given peer", "given peers"))
	}
	if n, ok := t.e.xsTried.Load(t.ih); ok {
		tried = append(tried, plural(n.(int), ".torrent URL (xs)", ".torrent URLs (xs)"))
	}
	switch len(tried) {
	case 0:
		return "finding no source to ask: the DHT and trackers are off and no peer or .torrent URL was given"
	case 1:
		return "asking " + tried[0]
	}
	return "asking " + strings.Join(tried[:len(tried)-1], ", ") + " and " + tried[len(tried)-1]
}
