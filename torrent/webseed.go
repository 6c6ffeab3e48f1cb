package torrent

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	anacrolix "github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"

	"marquee/torrent/source"
)

// Web seeds (BEP 19) are fetched by the engine, not by anacrolix: v1.61 sends its web seed
// requests on a 5 s timer and in its own order (for a single-file torrent, one GET of the whole
// file), so the planner's head, tail and window never reached them. Here every connection of a
// web seed takes the most wanted missing part of a piece as the planner ranks it, a seek cancels
// the requests for the old position at once, each piece is hash-checked in memory before a byte
// of it is stored, and anacrolix is then told that the piece is complete, so readers, peers
// (HAVE) and the planner carry on as if a peer had sent it.
const (
	// defaultWebseedConns is the number of parallel requests per web seed: a slow response
	// then holds up one slice, and the Internet Archive's per-connection rate (often 1–3 MiB/s)
	// adds up to what a film needs.
	defaultWebseedConns = 4
	maxWebseedConns     = 16
	// webseedSliceSize is the largest range one request asks for. Large pieces (IA uses up to
	// 16 MiB) are split so that several connections fetch one piece at once. A piece a read
	// waits for is split further, into one slice per connection (at least
	// webseedMinSlice): with a per-connection cap, its first byte then arrives conns times
	// sooner. Other pieces keep large slices, since every request costs a round trip.
	webseedSliceSize = 1 << 20
	webseedMinSlice  = 64 << 10
	// webseedBufferBudget bounds the memory of pieces being assembled (at least one piece).
	webseedBufferBudget = 64 << 20
	// A response must start within webseedHeaderTimeout and never pause for longer than
	// webseedIdleTimeout.
	webseedHeaderTimeout = 15 * time.Second
	webseedIdleTimeout   = 15 * time.Second
	// After a failure a web seed waits 1 s, 2 s, 4 s… up to webseedMaxBackoff; it is dropped
	// for the torrent after webseedMaxFailures failures in a row, or at once when it answers
	// that the file is not there or sends bytes that fail the hash.
	webseedMaxBackoff  = 60 * time.Second
	webseedMaxFailures = 6
	// webseedHedgeAfter is the least time a slice of a piece the player waits for must be in
	// flight before an idle connection asks for it too.
	webseedHedgeAfter = time.Second
	// webseedActiveWindow: a web seed counts as in use while it delivered bytes this recently
	// or has a request open.
	webseedActiveWindow = 3 * time.Second
	// webseedPeersIdleAfter: peers that sent nothing for this long leave every piece to the
	// web seeds.
	webseedPeersIdleAfter = 2 * time.Second
)

// webseedRank orders what the planner wants for the web seeds: the pieces a read waits for,
// then the next ones, then head and tail (anacrolix ranks High below Readahead, but a player
// opening a file reads the tail next), then the rest of the window, then the background.
func webseedRank(p anacrolix.PiecePriority) int {
	switch p {
	case anacrolix.PiecePriorityNow:
		return 5
	case anacrolix.PiecePriorityNext:
		return 4
	case anacrolix.PiecePriorityHigh:
		return 3
	case anacrolix.PiecePriorityReadahead:
		return 2
	case anacrolix.PiecePriorityNormal:
		return 1
	}
	return 0
}

const rankNow = 5

// webseedFile is one file of the torrent as the web seeds serve it.
type webseedFile struct {
	offset, length int64
	pad            bool
	path           string // BEP 19 path below a base URL: name, or name/dir/file, escaped
}

// webseed is one BEP 19 URL of a torrent.
type webseed struct {
	url string

	// The fields below are guarded by webseeds.mu.
	failures     int // in a row
	backoffUntil time.Time
	dropped      bool
	noRange      bool // answers 200 with the whole file to a Range request
	busy         int  // requests open
	lastData     time.Time
	rate         float64 // bytes/s of one connection, from the last response
	started      bool
}

// sliceJob is one range request for part of a piece.
type sliceJob struct {
	piece   *pieceFetch
	slice   int
	seed    *webseed
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time
}

type pieceSlice struct {
	off, n   int64 // piece-relative
	file     int
	fileOff  int64
	done     bool
	jobs     []*sliceJob
	fromSeed *webseed
}

// pieceFetch is a piece being assembled from slices.
type pieceFetch struct {
	index   int
	offset  int64
	buf     []byte
	slices  []pieceSlice
	pending int // slices not done
	got     int64
	// onlySeed fetches every slice of a piece that failed its hash check with bytes from
	// several web seeds, so that the next failure names the seed that sent wrong bytes.
	onlySeed *webseed
	// reserved: the web seeds can deliver the piece well before a reader needs it, so it is
	// taken away from the peers (see held).
	reserved bool
}

// webseeds fetches the pieces a torrent's planner wants from its web seeds.
type webseeds struct {
	t      *Torrent
	log    *slog.Logger
	client *http.Client
	conns  int
	// disabled keeps the URLs (they belong to the torrent) but never fetches from them.
	disabled bool

	mu         sync.Mutex
	seeds      []*webseed
	files      []webseedFile
	info       *metainfo.Info
	wanted     []int // pieces by rank, then index
	rank       map[int]int
	slack      slackFunc // time until a reader needs a piece
	background [][2]int  // piece ranges of files downloading in the background
	done       []bool    // verified pieces, kept while there is a background download
	fetches    map[int]*pieceFetch
	suspect    map[int]bool // pieces that failed their hash with bytes from several seeds
	buffered   int64
	changed    chan struct{} // closed and replaced whenever there may be new work
	// heldChanged says the set of pieces with requests on the wire changed since the planner
	// last looked: it hands those pieces to the web seeds (see held).
	heldChanged bool
	ctx         context.Context
	cancel      context.CancelFunc

	bytes     atomic.Int64 // payload received
	duplicate atomic.Int64 // received for pieces that completed from another source
	discarded atomic.Int64 // received for pieces dropped by a seek or failed
}

func newWebseeds(t *Torrent, client *http.Client, conns int, disabled bool) *webseeds {
	ctx, cancel := context.WithCancel(t.e.ctx)
	return &webseeds{
		t:        t,
		log:      t.e.log,
		client:   client,
		conns:    min(cmpOr(conns, defaultWebseedConns), maxWebseedConns),
		disabled: disabled,
		rank:     map[int]int{},
		fetches:  map[int]*pieceFetch{},
		suspect:  map[int]bool{},
		changed:  make(chan struct{}),
		ctx:      ctx,
		cancel:   cancel,
	}
}

// newWebseedClient is the HTTP client of every web seed of an engine.
func newWebseedClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: webseedHeaderTimeout,
			MaxIdleConnsPerHost:   maxWebseedConns,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
	}
}

// add takes new web seed URLs (http and https only, each once).
func (w *webseeds) add(urls []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range source.KeepWebseeds(urls) {
		if !slices.ContainsFunc(w.seeds, func(s *webseed) bool { return s.url == u }) {
			w.seeds = append(w.seeds, &webseed{url: u})
		}
	}
	w.startLocked()
}

// urls lists the web seeds, dropped ones included (they are the torrent's, for magnets and
// .torrent files that Marquee writes).
func (w *webseeds) urls() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.seeds))
	for _, s := range w.seeds {
		out = append(out, s.url)
	}
	return out
}

// setInfo is called once the torrent's info is known.
func (w *webseeds) setInfo(info *metainfo.Info) {
	var files []webseedFile
	for _, fi := range info.UpvertedFiles() {
		f := webseedFile{offset: fi.TorrentOffset, length: fi.Length, pad: source.IsPadFile(fi)}
		parts := []string{url.PathEscape(info.BestName())}
		if info.IsDir() {
			for _, c := range fi.BestPath() {
				parts = append(parts, url.PathEscape(c))
			}
		}
		f.path = strings.Join(parts, "/")
		files = append(files, f)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.info, w.files = info, files
	w.startLocked()
}

// plan takes the planner's priorities and the files downloading in the background, and
// cancels the requests for pieces no longer wanted. completed is the planner's snapshot of
// verified pieces. It reports whether the torrent has web seeds to fetch from; without
// any (most torrents) a plan costs nothing here.
func (w *webseeds) plan(desired map[int]anacrolix.PiecePriority, backgroundFiles map[int]bool, completed func() []bool, slack slackFunc) bool {
	w.mu.Lock()
	active := w.info != nil && !w.disabled && len(w.seeds) > 0
	w.mu.Unlock()
	if !active {
		return false
	}
	var done []bool
	if len(backgroundFiles) > 0 {
		done = completed()
	}
	w.mu.Lock()
	rank := make(map[int]int, len(desired))
	wanted := make([]int, 0, len(desired))
	for i, p := range desired {
		if r := webseedRank(p); r > 0 {
			rank[i] = r
			wanted = append(wanted, i)
		}
	}
	slices.SortFunc(wanted, func(a, b int) int {
		if rank[a] != rank[b] {
			return rank[b] - rank[a]
		}
		return a - b
	})
	var background [][2]int
	pl := w.info.PieceLength
	for i := range backgroundFiles {
		if i < len(w.files) && w.files[i].length > 0 {
			f := w.files[i]
			background = append(background, [2]int{int(f.offset / pl), int((f.offset + f.length + pl - 1) / pl)})
		}
	}
	slices.SortFunc(background, func(a, b [2]int) int { return a[0] - b[0] })
	w.wanted, w.rank, w.background, w.done, w.slack = wanted, rank, background, done, slack
	var dropped []*pieceFetch
	for i, f := range w.fetches {
		if rank[i] == 0 && !inRanges(background, i) {
			dropped = append(dropped, f)
			w.dropFetchLocked(f)
		}
	}
	w.startLocked()
	w.wakeLocked()
	w.mu.Unlock()
	for _, f := range dropped {
		w.countUnused(f.index, f.got)
	}
	return true
}

// countUnused accounts for bytes received for a piece that will not be used: duplicates when
// another source completed it, discarded when it was dropped by a seek.
func (w *webseeds) countUnused(piece int, n int64) {
	if n == 0 {
		return
	}
	if w.t.t.PieceState(piece).Complete {
		w.duplicate.Add(n)
	} else {
		w.discarded.Add(n)
	}
}

func inRanges(ranges [][2]int, i int) bool {
	for _, r := range ranges {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

func (w *webseeds) dropFetchLocked(f *pieceFetch) {
	for i := range f.slices {
		for _, j := range f.slices[i].jobs {
			j.cancel()
		}
	}
	delete(w.fetches, f.index)
	w.buffered -= int64(len(f.buf))
}

func (w *webseeds) wakeLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// startLocked starts the connections of each web seed once the info is known.
func (w *webseeds) startLocked() {
	if w.info == nil || w.ctx.Err() != nil || w.disabled {
		return
	}
	for _, s := range w.seeds {
		if s.started {
			continue
		}
		s.started = true
		for range w.conns {
			go w.worker(s)
		}
	}
}

// close stops every connection; called when the torrent is dropped or the engine closes.
func (w *webseeds) close() {
	w.cancel()
	w.mu.Lock()
	for _, f := range w.fetches {
		w.dropFetchLocked(f)
	}
	w.wakeLocked()
	w.mu.Unlock()
}

func (w *webseeds) worker(s *webseed) {
	for {
		job := w.next(s)
		if job == nil {
			return
		}
		w.replanIfHeldChanged()
		data, received, err := w.fetch(job)
		w.finish(job, data, received, err)
		w.replanIfHeldChanged()
	}
}

// held lists the pieces that web seed requests are fetching now. The planner takes them away
// from the peers (priority None at anacrolix), so that peers and web seeds work on different
// pieces instead of racing for the same ones; the piece a read waits for stays wanted by
// anacrolix's reader itself, so for that one the faster source wins.
func (w *webseeds) held() map[int]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.heldChanged = false
	out := make(map[int]bool, len(w.fetches))
	for i, f := range w.fetches {
		if f.reserved && f.inFlight() {
			out[i] = true
		}
	}
	return out
}

func (f *pieceFetch) inFlight() bool {
	for _, sl := range f.slices {
		if len(sl.jobs) > 0 {
			return true
		}
	}
	return false
}

func (w *webseeds) replanIfHeldChanged() {
	w.mu.Lock()
	changed := w.heldChanged
	w.mu.Unlock()
	if changed {
		w.t.replan()
	}
}

// next blocks until there is a slice for a connection of s, and returns nil when s is dropped
// or the torrent closes.
func (w *webseeds) next(s *webseed) *sliceJob {
	for {
		stalled := append(w.t.stalledReads(time.Now().Add(-webseedHedgeAfter)), w.t.startupReads()...)
		w.mu.Lock()
		if w.ctx.Err() != nil || s.dropped {
			w.mu.Unlock()
			return nil
		}
		changed := w.changed
		var wait time.Duration
		if d := time.Until(s.backoffUntil); d > 0 {
			wait = d
		} else if !s.noRange || s.busy == 0 {
			if job := w.pickLocked(s, stalled); job != nil {
				s.busy++
				w.mu.Unlock()
				return job
			}
		}
		w.mu.Unlock()
		var timer <-chan time.Time
		if wait > 0 {
			timer = time.After(wait)
		}
		select {
		case <-w.ctx.Done():
			return nil
		case <-changed:
		case <-timer:
		}
	}
}

// pickLocked chooses the most wanted slice that no connection is fetching: in a piece being
// assembled, or in a new piece when the buffer budget allows. A slice of a piece the player
// waits for that has been in flight for long is asked for again (hedged), and the first
// answer wins. stalled lists the pieces reads have waited for since webseedHedgeAfter, and
// those that reads starting up (the first frame, a seek) wait for at all: the web seeds fetch
// these beside the peers.
func (w *webseeds) pickLocked(s *webseed, stalled []int) *sliceJob {
	budget := max(int64(webseedBufferBudget), w.info.PieceLength)
	peersDelivering := w.t.e.peerReqs.delivering(w.t.t, webseedPeersIdleAfter)
	var hedge *sliceJob
	try := func(i, rank int) *sliceJob {
		if f := w.fetches[i]; f != nil {
			if f.onlySeed != nil && f.onlySeed != s {
				return nil
			}
			for k := range f.slices {
				sl := &f.slices[k]
				if sl.done {
					continue
				}
				if len(sl.jobs) == 0 {
					return w.startJobLocked(f, k, s)
				}
				if hedge == nil && rank == rankNow && len(sl.jobs) == 1 && w.slow(sl.jobs[0]) {
					hedge = &sliceJob{piece: f, slice: k}
				}
			}
			return nil
		}
		if w.buffered+w.info.PieceLength > budget && len(w.fetches) > 0 {
			return nil
		}
		// A piece a peer is already sending, or has been asked for, is left to the peer,
		// unless a read has waited for it for long: then the faster source wins.
		st := w.t.t.PieceState(i)
		if st.Complete {
			return nil
		}
		waited := slices.Contains(stalled, i)
		if (st.Partial || w.t.e.peerReqs.fetching(w.t.t, i)) && !waited {
			return nil
		}
		// While peers deliver, a web seed takes only the pieces it can bring in time; the
		// ones playback needs sooner are theirs, as racing them for it only wasted the web
		// seed's bytes (18 of 22 MiB in 90 s of a mixed swarm).
		inTime := w.inTimeLocked(s, i, rank)
		if !inTime && !waited && peersDelivering {
			return nil
		}
		f := w.newFetchLocked(i, rank == rankNow && !w.suspect[i])
		if f == nil {
			return nil
		}
		if w.suspect[i] {
			f.onlySeed = s
		}
		f.reserved = inTime
		return w.startJobLocked(f, 0, s)
	}
	for _, i := range w.wanted {
		if j := try(i, w.rank[i]); j != nil {
			return j
		}
	}
	if hedge != nil {
		return w.startJobLocked(hedge.piece, hedge.slice, s)
	}
	for _, r := range w.background {
		for i := r[0]; i < r[1]; i++ {
			if w.rank[i] > 0 || (i < len(w.done) && w.done[i]) {
				continue
			}
			if j := try(i, 1); j != nil {
				return j
			}
		}
	}
	return nil
}

// inTimeLocked says whether web seed s can deliver piece i comfortably before a reader needs
// it. Only such pieces are taken from the peers: a piece held for a web seed that is slower
// than the player (a capped archive server, four connections sharing its cap) stalled playback
// while the peers that could have sent it were told not to, and the peers then sent it anyway
// once the read had waited, so the web seed's bytes were thrown away. Without a known player
// rate, the window's far part (below Next) counts as in time.
func (w *webseeds) inTimeLocked(s *webseed, i, rank int) bool {
	slack, known := time.Duration(0), false
	if w.slack != nil {
		slack, known = w.slack(i)
	}
	if !known {
		return rank < webseedRank(anacrolix.PiecePriorityNext)
	}
	if s.rate <= 0 {
		return false
	}
	expected := time.Duration(float64(w.info.PieceLength) / s.rate * float64(time.Second))
	return 2*expected+webseedHedgeAfter < slack
}

// slow says whether a request has been open long enough to be asked of another connection.
func (w *webseeds) slow(j *sliceJob) bool {
	n := j.piece.slices[j.slice].n
	expected := time.Duration(0)
	if j.seed.rate > 0 {
		expected = time.Duration(float64(n) / j.seed.rate * float64(time.Second))
	}
	return time.Since(j.started) > max(webseedHedgeAfter, 3*expected)
}

func (w *webseeds) usableSeedsLocked() int {
	n := 0
	for _, s := range w.seeds {
		if !s.dropped {
			n++
		}
	}
	return n
}

// newFetchLocked splits piece i into slices that stay within one file and one slice size.
// Padding and gaps between aligned files are zeros and need no request.
func (w *webseeds) newFetchLocked(i int, urgent bool) *pieceFetch {
	p := w.info.Piece(i)
	f := &pieceFetch{index: i, offset: p.Offset(), buf: make([]byte, p.V1Length())}
	end := f.offset + int64(len(f.buf))
	sliceSize := int64(webseedSliceSize)
	if urgent {
		sliceSize = min(sliceSize, max(int64(len(f.buf))/int64(w.conns*max(1, w.usableSeedsLocked())), webseedMinSlice))
	}
	for fi, file := range w.files {
		lo, hi := max(file.offset, f.offset), min(file.offset+file.length, end)
		if lo >= hi || file.pad {
			continue
		}
		for off := lo; off < hi; off += sliceSize {
			n := min(sliceSize, hi-off)
			f.slices = append(f.slices, pieceSlice{off: off - f.offset, n: n, file: fi, fileOff: off - file.offset})
		}
	}
	if len(f.slices) == 0 {
		return nil
	}
	f.pending = len(f.slices)
	w.fetches[i] = f
	w.buffered += int64(len(f.buf))
	return f
}

func (w *webseeds) startJobLocked(f *pieceFetch, k int, s *webseed) *sliceJob {
	ctx, cancel := context.WithCancel(w.ctx)
	j := &sliceJob{piece: f, slice: k, seed: s, ctx: ctx, cancel: cancel, started: time.Now()}
	if !f.inFlight() {
		w.heldChanged = true
	}
	f.slices[k].jobs = append(f.slices[k].jobs, j)
	return j
}

// webseedError is a failed request, with whether the web seed should be dropped at once.
type webseedError struct {
	err       error
	permanent bool
}

func (e *webseedError) Error() string { return e.err.Error() }
func (e *webseedError) Unwrap() error { return e.err }

// fileURL is the BEP 19 URL of a file: a base ending in "/" gets the torrent's name (and the
// file's path in a multi-file torrent) appended; a single-file torrent's URL may name the file.
func (w *webseeds) fileURL(s *webseed, file int) string {
	if len(w.files) == 1 && !w.info.IsDir() && !strings.HasSuffix(s.url, "/") {
		return s.url
	}
	base := s.url
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + w.files[file].path
}

// fetch performs one range request and returns its bytes.
func (w *webseeds) fetch(j *sliceJob) (data []byte, received int64, err error) {
	w.mu.Lock()
	sl := j.piece.slices[j.slice]
	u := w.fileURL(j.seed, sl.file)
	w.mu.Unlock()
	defer j.cancel()
	req, reqErr := http.NewRequestWithContext(j.ctx, http.MethodGet, u, nil)
	if reqErr != nil {
		return nil, 0, &webseedError{err: reqErr, permanent: true}
	}
	last := sl.fileOff + sl.n - 1
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", sl.fileOff, last))
	req.Header.Set("User-Agent", "Marquee")
	// An idle response is cancelled; a slow but moving one is left to the hedging.
	idle := time.AfterFunc(webseedIdleTimeout, j.cancel)
	defer idle.Stop()
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, 0, &webseedError{err: err}
	}
	defer resp.Body.Close()
	body := io.Reader(resp.Body)
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, ok := contentRangeStart(resp.Header.Get("Content-Range"))
		if !ok || start != sl.fileOff {
			return nil, 0, &webseedError{err: fmt.Errorf("asked for bytes from %d, got Content-Range %q", sl.fileOff, resp.Header.Get("Content-Range")), permanent: true}
		}
	case http.StatusOK:
		// The server ignores Range: the body is the whole file, read up to the slice.
		w.mu.Lock()
		first := !j.seed.noRange
		j.seed.noRange = true
		w.mu.Unlock()
		if first {
			w.log.Warn("web seed ignores Range requests; it is read from the start of the file, one request at a time",
				"url", j.seed.url, "torrent", w.t.Name())
		}
		if resp.ContentLength >= 0 && resp.ContentLength < sl.fileOff+sl.n {
			return nil, 0, &webseedError{err: fmt.Errorf("the file is %d bytes, shorter than the torrent says", resp.ContentLength), permanent: true}
		}
		if _, err := io.CopyN(io.Discard, idleReader{body, idle}, sl.fileOff); err != nil {
			return nil, 0, &webseedError{err: fmt.Errorf("skip to %d: %w", sl.fileOff, err)}
		}
	case http.StatusNotFound, http.StatusGone, http.StatusForbidden, http.StatusUnauthorized, http.StatusRequestedRangeNotSatisfiable:
		return nil, 0, &webseedError{err: fmt.Errorf("HTTP %s", resp.Status), permanent: true}
	default:
		return nil, 0, &webseedError{err: fmt.Errorf("HTTP %s", resp.Status)}
	}
	data = make([]byte, sl.n)
	began := time.Now()
	n, err := io.ReadFull(idleReader{body, idle}, data)
	w.bytes.Add(int64(n))
	if n > 0 {
		w.mu.Lock()
		j.seed.lastData = time.Now()
		if d := time.Since(began); d > 0 && n == len(data) {
			j.seed.rate = float64(n) / d.Seconds()
		}
		w.mu.Unlock()
	}
	if err != nil {
		return nil, int64(n), &webseedError{err: fmt.Errorf("read %d of %d bytes: %w", n, sl.n, err)}
	}
	return data, int64(n), nil
}

// idleReader pushes back an idle timer with every read that returns data.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
}

func (r idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(webseedIdleTimeout)
	}
	return n, err
}

// contentRangeStart parses the first byte of "bytes a-b/c".
func contentRangeStart(v string) (int64, bool) {
	v, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, false
	}
	a, _, ok := strings.Cut(v, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	return n, err == nil && n >= 0
}

// finish records a request's outcome; a piece whose slices are all in is verified and stored.
func (w *webseeds) finish(j *sliceJob, data []byte, received int64, err error) {
	w.mu.Lock()
	s := j.seed
	s.busy--
	f := j.piece
	sl := &f.slices[j.slice]
	sl.jobs = slices.DeleteFunc(sl.jobs, func(x *sliceJob) bool { return x == j })
	if w.fetches[f.index] == f && !f.inFlight() {
		w.heldChanged = true
	}
	cancelled := j.ctx.Err() != nil && w.fetches[f.index] != f || w.ctx.Err() != nil
	if err != nil {
		if cancelled || (errors.Is(err, context.Canceled) && sl.done) {
			// Dropped by a seek, done by a faster request, or the piece came from a peer.
			w.mu.Unlock()
			w.countUnused(f.index, received)
			return
		}
		w.discarded.Add(received)
		w.failLocked(s, err)
		w.wakeLocked()
		w.mu.Unlock()
		return
	}
	s.failures = 0
	if w.fetches[f.index] != f || sl.done {
		w.mu.Unlock()
		w.duplicate.Add(int64(len(data)))
		return
	}
	copy(f.buf[sl.off:], data)
	sl.done, sl.fromSeed = true, s
	f.got += int64(len(data))
	for _, other := range sl.jobs {
		other.cancel()
	}
	f.pending--
	if f.pending > 0 {
		w.mu.Unlock()
		return
	}
	// Whole: the piece leaves the set of fetches now, so no connection adds to it meanwhile.
	delete(w.fetches, f.index)
	w.buffered -= int64(len(f.buf))
	w.mu.Unlock()
	w.complete(f)
	w.mu.Lock()
	w.wakeLocked()
	w.mu.Unlock()
}

func (w *webseeds) failLocked(s *webseed, err error) {
	var wsErr *webseedError
	permanent := errors.As(err, &wsErr) && wsErr.permanent
	if !permanent && time.Now().Before(s.backoffUntil) {
		// Requests that were on the wire together fail together: one failure.
		return
	}
	s.failures++
	if permanent || s.failures >= webseedMaxFailures {
		w.dropLocked(s, err.Error())
		return
	}
	backoff := min(time.Second<<(s.failures-1), webseedMaxBackoff)
	s.backoffUntil = time.Now().Add(backoff)
	w.log.Warn("web seed request failed; trying it again later", "url", s.url, "torrent", w.t.Name(),
		"err", err, "retry_in", backoff.String(), "failures", s.failures)
}

func (w *webseeds) dropLocked(s *webseed, why string) {
	if s.dropped {
		return
	}
	s.dropped = true
	w.log.Warn("web seed dropped for this torrent; streaming goes on from the other sources",
		"url", s.url, "torrent", w.t.Name(), "reason", why)
}

// complete checks an assembled piece against its hash and stores it. A piece that fails is
// fetched again. When its bytes came from one web seed, that seed is dropped; when from
// several, the piece is fetched from one seed only next time, which tells which one lies.
func (w *webseeds) complete(f *pieceFetch) {
	hash := w.info.Piece(f.index).V1Hash()
	sum := sha1.Sum(f.buf)
	if !hash.Ok || !bytes.Equal(sum[:], hash.Value[:]) {
		w.discarded.Add(f.got)
		w.mu.Lock()
		w.heldChanged = true
		var from []*webseed
		for _, sl := range f.slices {
			if !slices.Contains(from, sl.fromSeed) {
				from = append(from, sl.fromSeed)
			}
		}
		if len(from) == 1 {
			w.dropLocked(from[0], fmt.Sprintf("piece %d failed its hash check", f.index))
			delete(w.suspect, f.index)
		} else {
			w.suspect[f.index] = true
		}
		w.mu.Unlock()
		return
	}
	w.mu.Lock()
	delete(w.suspect, f.index)
	w.mu.Unlock()
	if w.t.t.PieceState(f.index).Complete {
		w.duplicate.Add(f.got)
		return
	}
	dt := w.t.disk()
	if dt == nil {
		return
	}
	// writeAt reports a failure to store (a full disk) to the torrent itself.
	if _, err := dt.writeAt(f.buf, f.offset); err != nil {
		return
	}
	if err := dt.markPiece(f.index, pieceComplete); err != nil {
		return
	}
	w.mu.Lock()
	if f.index < len(w.done) {
		w.done[f.index] = true
	}
	w.mu.Unlock()
	// Chunks peers sent for this piece are now duplicates: anacrolix drops them.
	w.duplicate.Add(int64(len(f.buf)) - w.t.t.PieceBytesMissing(f.index))
	w.t.t.Piece(f.index).UpdateCompletion()
}

// webseedStats is what the stats report of a torrent's web seeds.
type webseedStats struct {
	inUse, known, dropped       int
	bytes, duplicate, discarded int64
}

func (w *webseeds) stats() webseedStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := webseedStats{known: len(w.seeds), bytes: w.bytes.Load(), duplicate: w.duplicate.Load(), discarded: w.discarded.Load()}
	for _, s := range w.seeds {
		switch {
		case s.dropped:
			out.dropped++
		case s.busy > 0 || time.Since(s.lastData) < webseedActiveWindow:
			out.inUse++
		}
	}
	return out
}
