package torrent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/source"
)

// Torrent is one torrent of an Engine.
type Torrent struct {
	e        *Engine
	t        *anacrolix.Torrent
	ih       metainfo.Hash
	kind     torrentKind
	seedPath string
	added    time.Time
	magnet   string

	storage    atomic.Pointer[diskTorrent]
	metaFailed chan struct{} // closed when the metadata was rejected
	metaErr    error         // why; set before metaFailed is closed

	mu            sync.Mutex
	directPeers   []string // from x.pe and AddPeers; redialled while disconnected
	streams       map[*Stream]struct{}
	indexFirst    map[int]bool // files whose first bytes showed their index: no tail prefetch
	dropped       bool
	downloadAll   bool
	uploadAllowed bool
	lastUsed      time.Time

	// notShared is the user's "stop sharing" for this torrent; guarded by e.mu, as the
	// upload policy reads it.
	notShared bool

	planner  planner
	webseeds *webseeds

	stats statsSampler

	// writeFailure ends, with the failure as its cause, at the next failure to store
	// downloaded data; a new one is made for the reads after it.
	writeFailure struct {
		sync.Mutex
		ctx    context.Context
		cancel context.CancelCauseFunc
		err    error // set while downloading is stopped by a failure; a new stream retries
	}
}

func newTorrent(e *Engine, spec addSpec) *Torrent {
	t := &Torrent{
		e:          e,
		ih:         spec.ih,
		kind:       spec.kind,
		seedPath:   spec.seedPath,
		added:      time.Now(),
		magnet:     spec.magnet,
		metaFailed: make(chan struct{}),
		streams:    make(map[*Stream]struct{}),
		lastUsed:   time.Now(),
	}
	t.webseeds = newWebseeds(t, e.webseedClient, e.cfg.WebseedConns, e.cfg.DisableWebseeds)
	return t
}

// storageWriteFailed handles a failure to store downloaded data (a full disk, a folder made
// read-only): the torrent stops downloading, so that it does not fetch data only to drop it,
// and reads waiting for data end with err instead of waiting for ever. A new stream retries.
func (t *Torrent) storageWriteFailed(err error) {
	t.writeFailure.Lock()
	first := t.writeFailure.err == nil
	t.writeFailure.err = err
	cancel := t.writeFailure.cancel
	t.writeFailure.ctx, t.writeFailure.cancel = nil, nil
	t.writeFailure.Unlock()
	if cancel != nil {
		cancel(err)
	}
	if first {
		t.e.log.Error("cannot store downloaded data; stopped downloading", "torrent", t.Name(), "err", err)
		// The storage may call here with anacrolix's client lock held; replanning takes it.
		go t.replan()
	}
}

// writeError is the failure that stopped downloading, or nil.
func (t *Torrent) writeError() error {
	t.writeFailure.Lock()
	defer t.writeFailure.Unlock()
	return t.writeFailure.err
}

// retryWrites lets a torrent stopped by a write failure download again.
func (t *Torrent) retryWrites() {
	if t.writeError() == nil {
		return
	}
	// The epoch moves first: from then on a write begun before cannot report, and only
	// then is the failure cleared, so no late report of an old write outlives the retry.
	if dt := t.disk(); dt != nil {
		dt.restartWrites()
	}
	t.writeFailure.Lock()
	t.writeFailure.err = nil
	t.writeFailure.Unlock()
}

// writeFailureContext ends at the next failure to store downloaded data.
func (t *Torrent) writeFailureContext() context.Context {
	t.writeFailure.Lock()
	defer t.writeFailure.Unlock()
	if t.writeFailure.ctx == nil {
		t.writeFailure.ctx, t.writeFailure.cancel = context.WithCancelCause(context.Background())
	}
	return t.writeFailure.ctx
}

// storageOpened runs under the anacrolix client lock when the info arrives.
func (t *Torrent) storageOpened(dt *diskTorrent, err error) {
	if err != nil {
		select {
		case <-t.metaFailed:
		default:
			t.metaErr = err
			close(t.metaFailed)
			// Dropping needs the client lock we are called under.
			go t.rejectMetadata()
		}
		return
	}
	t.storage.Store(dt)
}

func (t *Torrent) metadataError() error {
	select {
	case <-t.metaFailed:
		return t.metaErr
	default:
		return nil
	}
}

func (t *Torrent) rejectMetadata() {
	t.e.log.Warn("rejected torrent metadata", "infohash", t.InfoHash(), "err", t.metaErr)
	if err := t.Drop(true); err != nil && !errors.Is(err, ErrClosed) {
		t.e.log.Warn("drop rejected torrent", "infohash", t.InfoHash(), "err", err)
	}
}

func (t *Torrent) disk() *diskTorrent { return t.storage.Load() }

// storageClosed reports whether the torrent's storage has been closed (dropped or engine closed).
func (t *Torrent) storageClosed() bool {
	dt := t.disk()
	return dt != nil && dt.isClosed()
}

// merge adds the trackers, web seeds, metainfo sources and peers of a later Add.
func (t *Torrent) merge(spec addSpec) {
	// Web seeds are fetched by the engine (webseed.go), never handed to anacrolix.
	t.webseeds.add(spec.webseeds)
	ts := &anacrolix.TorrentSpec{
		DisplayName: spec.name,
		Sources:     spec.sources,
		PeerAddrs:   spec.peers,
	}
	if len(spec.trackers) > 0 && !t.e.cfg.DisableTrackers {
		ts.Trackers = [][]string{spec.trackers}
	}
	if err := t.t.MergeSpec(ts); err != nil {
		t.e.log.Warn("merge torrent sources", "infohash", t.InfoHash(), "err", err)
	}
	t.rememberPeers(spec.peers)
}

func (t *Torrent) rememberPeers(addrs []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range addrs {
		if len(t.directPeers) < maxDirectPeers && !slices.Contains(t.directPeers, a) {
			t.directPeers = append(t.directPeers, a)
		}
	}
}

// maxDirectPeers bounds the remembered explicit peer addresses of a torrent.
const maxDirectPeers = 200

// redialDirectPeers offers the explicitly given peers to anacrolix again. anacrolix forgets an
// address after one failed attempt (a handshake timeout on a busy machine, a peer restarting),
// and explicit peers may be the only source there is. Connected addresses are skipped by
// anacrolix itself.
func (t *Torrent) redialDirectPeers() {
	t.mu.Lock()
	peers := slices.Clone(t.directPeers)
	t.mu.Unlock()
	if len(peers) == 0 || len(t.t.PeerConns()) >= len(peers) {
		return
	}
	if t.HasMetadata() && t.Complete() && !t.uploading() {
		return
	}
	infos := make([]anacrolix.PeerInfo, 0, len(peers))
	for _, a := range peers {
		infos = append(infos, anacrolix.PeerInfo{Addr: anacrolix.StringAddr(a), Source: anacrolix.PeerSourceDirect, Trusted: true})
	}
	t.t.AddPeers(infos)
}

func (t *Torrent) uploading() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.uploadAllowed
}

// watch waits for metadata, records it for restarts and then keeps the piece priorities in step
// with completed pieces until the torrent closes.
func (t *Torrent) watch() {
	defer t.webseeds.close()
	select {
	case <-t.t.GotInfo():
	case <-t.t.Closed():
		return
	case <-t.metaFailed:
		return
	}
	t.webseeds.setInfo(t.t.Info())
	mi := t.metainfo()
	var b []byte
	if mi.InfoBytes != nil {
		b, _ = encodeMetainfo(mi)
	}
	if b != nil {
		err := t.e.db.updateRecord(t.ih, func(r *torrentRecord) {
			if len(r.Metainfo) == 0 {
				r.Metainfo = b
			}
		})
		if err != nil {
			t.e.log.Warn("save metadata", "infohash", t.InfoHash(), "err", err)
		}
	}
	t.replan()
	sub := t.t.SubscribePieceStateChanges()
	defer sub.Close()
	for {
		select {
		case ch, ok := <-sub.Values:
			if !ok {
				return
			}
			if ch.Complete {
				t.pieceCompleted()
			}
		case <-t.t.Closed():
			return
		}
	}
}

// InfoHash is the lowercase hex v1 info hash.
func (t *Torrent) InfoHash() string { return t.ih.HexString() }

// Name is the torrent's name, or the magnet's display name until metadata arrives ("" if
// there is none).
func (t *Torrent) Name() string {
	n := t.t.Name()
	if strings.HasPrefix(n, "infohash:") {
		// anacrolix's placeholder for a torrent with neither info nor display name.
		return ""
	}
	return n
}

// Magnet returns a magnet link for the torrent, with its trackers and web seeds.
func (t *Torrent) Magnet() string {
	mi := t.metainfo()
	m := metainfo.Magnet{InfoHash: t.ih, DisplayName: t.Name()}
	m.Trackers = mi.UpvertedAnnounceList().DistinctValues()
	if len(mi.UrlList) > 0 {
		m.Params = map[string][]string{"ws": mi.UrlList}
	}
	return m.String()
}

// HasMetadata reports whether the info (file list, piece hashes) is known.
func (t *Torrent) HasMetadata() bool { return t.t.Info() != nil }

// WaitMetadata blocks until the torrent's metadata is known. When ctx ends first the error
// wraps ErrMetadataTimeout; rejected metadata (hostile paths, no files) gives a *ParseError.
func (t *Torrent) WaitMetadata(ctx context.Context) error {
	select {
	case <-t.t.GotInfo():
		return nil
	default:
	}
	select {
	case <-t.t.GotInfo():
		return nil
	case <-t.metaFailed:
		return t.metaErr
	case <-t.t.Closed():
		if err := t.metadataError(); err != nil {
			return err
		}
		return ErrClosed
	case <-ctx.Done():
		if err := t.metadataError(); err != nil {
			return err
		}
		return fmt.Errorf("%w for %s after %s: %v", ErrMetadataTimeout, t.describe(), t.metadataSources(), context.Cause(ctx))
	}
}

// describe names the torrent for messages.
func (t *Torrent) describe() string {
	if n := t.Name(); n != "" {
		return fmt.Sprintf("%q (%s)", n, t.InfoHash())
	}
	return t.InfoHash()
}

func (t *Torrent) info() (*metainfo.Info, error) {
	if info := t.t.Info(); info != nil {
		return info, nil
	}
	return nil, fmt.Errorf("torrent %s: metadata not known yet; call WaitMetadata first", t.describe())
}

// PieceLength is the torrent's piece size in bytes; 0 before metadata.
func (t *Torrent) PieceLength() int64 {
	if info := t.t.Info(); info != nil {
		return info.PieceLength
	}
	return 0
}

// NumPieces is the number of pieces; 0 before metadata.
func (t *Torrent) NumPieces() int {
	if t.t.Info() == nil {
		return 0
	}
	return t.t.NumPieces()
}

// Length is the total size of the torrent's files; 0 before metadata.
func (t *Torrent) Length() int64 {
	if t.t.Info() == nil {
		return 0
	}
	return t.t.Length()
}

// Files lists the torrent's files (without BEP 47 padding files); nil before metadata.
func (t *Torrent) Files() []File {
	info := t.t.Info()
	if info == nil {
		return nil
	}
	return infoFiles(info)
}

// MainFile is the largest file with a video extension, else the largest with an audio one;
// ErrNoPlayableFile if there is neither.
func (t *Torrent) MainFile() (File, error) {
	if _, err := t.info(); err != nil {
		return File{}, err
	}
	return mainFile(t.Files())
}

// file returns the anacrolix file for a File.Index.
func (t *Torrent) file(index int) (*anacrolix.File, error) {
	if _, err := t.info(); err != nil {
		return nil, err
	}
	files := t.t.Files()
	if index < 0 || index >= len(files) {
		return nil, fmt.Errorf("torrent %s has no file %d", t.describe(), index)
	}
	if source.IsPadFile(files[index].FileInfo()) {
		return nil, fmt.Errorf("file %d of torrent %s is padding, not data", index, t.describe())
	}
	return files[index], nil
}

// AddPeers adds peer addresses ("host:port"); malformed ones are ignored.
func (t *Torrent) AddPeers(addrs ...string) {
	valid := source.KeepPeers(addrs)
	peers := make([]anacrolix.PeerInfo, len(valid))
	for i, a := range valid {
		peers[i] = anacrolix.PeerInfo{Addr: anacrolix.StringAddr(a), Source: anacrolix.PeerSourceDirect, Trusted: true}
	}
	t.rememberPeers(valid)
	t.t.AddPeers(peers)
}

// DownloadAll fetches every file completely in the background, below streaming priorities.
func (t *Torrent) DownloadAll() error {
	if _, err := t.info(); err != nil {
		return err
	}
	t.mu.Lock()
	t.downloadAll = true
	t.mu.Unlock()
	t.replan()
	return nil
}

// Complete reports whether every piece is verified.
func (t *Torrent) Complete() bool {
	return t.HasMetadata() && t.t.Complete().Bool()
}

// Drop removes the torrent from the engine, closing its streams. With deleteData, downloaded
// data and every record of the torrent are deleted; files seeded in place are never deleted.
func (t *Torrent) Drop(deleteData bool) error {
	e := t.e
	e.mu.Lock()
	if e.torrents[t.ih] == t {
		delete(e.torrents, t.ih)
	}
	e.mu.Unlock()
	t.mu.Lock()
	already := t.dropped
	t.dropped = true
	t.mu.Unlock()
	t.closeStreams()
	if !already {
		t.t.Drop()
		e.peerReqs.forget(t.t)
	}
	var err error
	if deleteData {
		err = e.deleteTorrentData(t)
	} else if !already {
		err = e.db.updateRecord(t.ih, func(r *torrentRecord) { r.Active = false })
	}
	return err
}

// deleteTorrentData removes a dropped torrent's data and records.
func (e *Engine) deleteTorrentData(t *Torrent) error {
	var errs []error
	if t.kind == kindCache {
		if err := os.RemoveAll(e.torrentDataDir(t.ih)); err != nil {
			errs = append(errs, fmt.Errorf("delete data of %s: %w", t.describe(), err))
		}
	}
	if err := e.db.forget(t.ih); err != nil {
		errs = append(errs, fmt.Errorf("forget %s: %w", t.describe(), err))
	}
	return errors.Join(errs...)
}

// touch marks the torrent as just used, for least-recently-used eviction.
func (t *Torrent) touch() {
	now := time.Now()
	t.mu.Lock()
	t.lastUsed = now
	t.mu.Unlock()
	if err := t.e.db.updateRecord(t.ih, func(r *torrentRecord) { r.LastUsed = now }); err != nil {
		t.e.log.Warn("save last use", "infohash", t.InfoHash(), "err", err)
	}
}

func (t *Torrent) closeStreams() {
	t.mu.Lock()
	streams := make([]*Stream, 0, len(t.streams))
	for s := range t.streams {
		streams = append(streams, s)
	}
	t.mu.Unlock()
	for _, s := range streams {
		s.Close()
	}
}

func (t *Torrent) openStreams() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.streams)
}

// Metainfo returns the torrent as .torrent file bytes (info, trackers, web seeds); an error
// before metadata is known.
func (t *Torrent) Metainfo() ([]byte, error) {
	if _, err := t.info(); err != nil {
		return nil, err
	}
	return encodeMetainfo(t.metainfo())
}

// metainfo is anacrolix's metainfo of the torrent with the web seeds, which the engine keeps.
func (t *Torrent) metainfo() metainfo.MetaInfo {
	mi := t.t.Metainfo()
	mi.UrlList = t.webseeds.urls()
	return mi
}

// noTailNeeded records that a file's index is at its start (mp4IndexFirst): its tail is no
// longer fetched ahead, for this stream and every later one.
func (t *Torrent) noTailNeeded(file int) {
	t.mu.Lock()
	already := t.indexFirst[file]
	if t.indexFirst == nil {
		t.indexFirst = make(map[int]bool)
	}
	t.indexFirst[file] = true
	t.mu.Unlock()
	if !already {
		t.replan()
	}
}

// tailWanted is how much of file's tail to fetch ahead: tail, or nothing once its index was
// found at the start.
func (t *Torrent) tailWanted(file int, tail int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.indexFirst[file] {
		return 0
	}
	return tail
}
