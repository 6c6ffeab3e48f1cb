package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"marquee/catalog/library"
	"marquee/player"
	"marquee/session"
	"marquee/torrent"
)

// playSession is what plays behind the player view, with no widget in it: it opens the
// film through the session package (as the CLI does), runs the player, samples its
// status, loads the torrent's subtitles and feeds the library. It tells the view what
// happens through sessionView.
type playSession struct {
	svc         *services
	hooks       *testHooks
	uploadState func() uploadState
	view        sessionView
	video       videoOutput
	req         playRequest

	ctx      context.Context
	cancel   context.CancelFunc
	stopOnce sync.Once
	stopped  chan struct{}
	wg       sync.WaitGroup // the opener and status goroutines

	// Set once by the opener goroutine, then read anywhere.
	mu     sync.Mutex
	player *player.Player
	tor    *torrent.Torrent
	media  *session.Media
	reader io.ReadSeekCloser // what the player reads: the stream, or the local file
	stream *torrent.Stream   // the reader, when it is a torrent's stream
	file   torrent.File
	info   player.MediaInfo
	// addedHere: the torrent was not in the engine before this session.
	addedHere bool

	// tracks is the audio and subtitle choice saved for the title (tracks.go): loaded by the
	// opener, applied and changed by the view.
	tracks trackMemory

	// lastStatus is the latest sample of the watch goroutine.
	lastStatus atomic.Pointer[playStatus]
	// Library feeding state, used by the watch goroutine only.
	watchedMarked bool
	lastSaved     time.Time
}

// sessionView is what a playSession tells its view. say, showWaitCancel and onEvent may
// be called on any goroutine and return at once; the others run on the UI goroutine.
type sessionView interface {
	say(text string)
	showWaitCancel(on bool)
	onEvent(ev player.Event)
	playerReady()
	failed(err error)
	showStatus(st playStatus)
	showNoSource(text, opening string)
	// whilePlaying is the view's own background work for the film (the seek bar's
	// thumbnails); it runs on its own goroutine until ctx ends, and stop waits for it.
	whilePlaying(ctx context.Context, m *session.Media)
}

// videoOutput is where the session's pictures and subtitles go.
type videoOutput interface {
	player.FrameSink
	player.SubtitleSink
	sizeInPixels() (int, int)
	painted() int64
	pacingOf(playerDropped int) framePacing
}

// newPlaySession makes the session of view; its video output is set before start.
func newPlaySession(u *ui, req playRequest, view sessionView) *playSession {
	ctx, cancel := context.WithCancel(u.ctx)
	return &playSession{
		svc: u.svc, hooks: u.hooks, uploadState: u.currentUploadState, view: view, req: req,
		ctx: ctx, cancel: cancel, stopped: make(chan struct{}),
	}
}

// start runs the opener (engine, metadata, file, stream, player), then the status
// sampler and the loading of the torrent's subtitle files.
func (s *playSession) start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		p, err := s.open()
		if err != nil {
			s.forgetFailedTorrent()
			if s.ctx.Err() == nil {
				runOnUI(func() { s.view.failed(err) })
			}
			return
		}
		s.wg.Add(3)
		go func() {
			defer s.wg.Done()
			s.watch()
		}()
		go func() {
			defer s.wg.Done()
			s.view.whilePlaying(s.ctx, s.currentMedia())
		}()
		go func() {
			defer s.wg.Done()
			s.loadTorrentSubtitles(p)
		}()
	}()
}

// forgetFailedTorrent drops a torrent this session added but could not play, so that a
// dead magnet is not re-added (and announced) at every start.
func (s *playSession) forgetFailedTorrent() {
	s.mu.Lock()
	t, added := s.tor, s.addedHere
	s.mu.Unlock()
	if t != nil && added {
		if err := t.Drop(true); err != nil {
			s.svc.log.Info("drop unplayable torrent", "err", err)
		}
	}
}

// open finds the film and starts the player, through the session package as the CLI does.
// It runs on its own goroutine.
func (s *playSession) open() (*player.Player, error) {
	req := s.req
	sreq := session.Request{Source: req.path, FileIndex: req.fileIndex}
	if req.path == "" {
		sreq.Source = req.source.URI()
		s.view.say("Looking for peers…")
	}
	m, err := session.Open(s.ctx, s.svc.engine, sreq, session.Options{
		MetadataTimeout: s.svc.metadataTimeout,
		OnAdded: func(t *torrent.Torrent, addedHere bool) {
			s.mu.Lock()
			s.tor, s.addedHere = t, addedHere
			s.mu.Unlock()
		},
		WaitMetadata: s.waitMetadata,
	})
	if err != nil {
		if s.svc.engine == nil && !sreq.IsLocal() {
			return nil, errEngineUnavailable
		}
		return nil, err
	}
	r, err := m.Reader()
	if err != nil {
		return nil, err
	}
	stream, _ := r.(*torrent.Stream)
	s.mu.Lock()
	s.media, s.reader, s.stream, s.file = m, r, stream, m.File
	s.mu.Unlock()
	size, name := m.Size, m.Name

	var resumeAt time.Duration
	lib, id := s.svc.library, req.libraryID()
	if id != "" {
		s.tracks.load(lib, id)
		if req.resume {
			if pos, ok := lib.Resume(id, s.file.Index); ok && !pos.Finished() && !lib.IsWatched(id) {
				resumeAt = pos.Position
			}
		}
		if err := lib.RememberTitle(req.title); err != nil {
			s.svc.log.Warn("remember title", "id", req.title.ID, "err", err)
		}
		if err := lib.MarkPlayed(id, s.file.Index); err != nil {
			s.svc.log.Warn("mark played", "id", id, "err", err)
		}
	}

	opening := "Opening " + name + "…"
	s.view.say(opening)
	if t := m.Torrent; t != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.watchSources(t, opening)
		}()
	}
	w, h := s.video.sizeInPixels()
	p, err := session.Play(s.ctx, r, player.Options{
		Size:        size,
		Name:        name,
		Video:       s.video,
		Subtitles:   s.video,
		Audio:       s.svc.audio,
		OnEvent:     s.view.onEvent,
		VideoWidth:  w,
		VideoHeight: h,
		// A Seek after Open raced the film's first picture to the screen.
		StartAt: func(info player.MediaInfo) time.Duration {
			if resumeAt > 0 && (info.Duration == 0 || resumeAt < info.Duration) {
				return resumeAt
			}
			return 0
		},
	})
	if err != nil {
		return nil, err
	}
	p.SetVolume(s.svc.settings.volume())
	info := p.Info()
	s.mu.Lock()
	s.player, s.info = p, info
	s.mu.Unlock()
	if s.ctx.Err() != nil {
		return nil, s.ctx.Err()
	}
	runOnUI(s.view.playerReady)
	return p, nil
}

// errOffline is a wait for peers that ended with no network on this computer.
var errOffline = errors.New("this computer has no network connection")

// waitMetadata waits for the torrent's details with the centre saying what is going on
// (offline at once; otherwise the peers found and connected and the web seeds) and a
// Cancel beside it.
func (s *playSession) waitMetadata(ctx context.Context, t *torrent.Torrent) error {
	s.view.showWaitCancel(true)
	defer s.view.showWaitCancel(false)
	err := session.WaitMetadataReporting(ctx, t, func(st torrent.Stats) {
		// A peer found is proof enough of a network, whatever the check says.
		s.view.say(metadataWaitText(st, st.PeersFound > 0 || s.svc.networkUp()))
	})
	switch {
	case err == nil:
		return nil
	case s.ctx.Err() != nil:
		return s.ctx.Err()
	case !s.svc.networkUp():
		return fmt.Errorf("%w: %w", errOffline, err)
	}
	return err
}

// metadataWaitText is the centre's line while a magnet's details are fetched.
func metadataWaitText(st torrent.Stats, online bool) string {
	if !online {
		return "You're offline. The film starts when the connection is back."
	}
	text := "Fetching the film's details… " + plural(st.PeersFound, "peer") + " found, " + strconv.Itoa(st.Peers) + " connected"
	if st.WebseedsKnown > 0 {
		text += ", " + plural(st.WebseedsKnown, "web seed")
	}
	return text
}

// loadTorrentSubtitles adds the torrent's subtitle files as tracks, in the background of
// playback: they are small, but each may need a piece from a peer.
func (s *playSession) loadTorrentSubtitles(p *player.Player) {
	s.mu.Lock()
	t := s.tor
	s.mu.Unlock()
	if t == nil {
		return
	}
	n := 0
	for _, f := range t.Files() {
		if f.Kind != torrent.KindSubtitle || f.Length > maxSubtitleBytes || n == maxTorrentSubtitles {
			continue
		}
		n++
		sub, err := t.NewStream(f.Index)
		if err != nil {
			continue
		}
		data, err := readAllContext(s.ctx, sub, f.Length)
		sub.Close()
		if err != nil {
			continue
		}
		if _, err := p.LoadSubtitles(bytes.NewReader(data), filepath.Base(f.Path)); err != nil {
			s.svc.log.Info("subtitle file in torrent", "file", f.Path, "err", err)
		}
	}
}

// readAllContext reads a whole stream, giving up when ctx ends.
func readAllContext(ctx context.Context, s *torrent.Stream, size int64) ([]byte, error) {
	buf := make([]byte, 0, size)
	chunk := make([]byte, 64<<10)
	for int64(len(buf)) < size {
		n, err := s.ReadContext(ctx, chunk)
		buf = append(buf, chunk[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf[:min(int64(len(buf)), size)], nil
}

func (s *playSession) currentTorrent() (*torrent.Torrent, torrent.File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tor, s.file
}

func (s *playSession) currentMedia() *session.Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.media
}

func (s *playSession) currentPlayer() *player.Player {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.player
}

// playStatus is one sample of the session for the overlay, the seek bar and the test
// status hook.
type playStatus struct {
	State         string  `json:"state"`
	PositionMS    int64   `json:"position_ms"`
	DurationMS    int64   `json:"duration_ms"`
	FramesPainted int64   `json:"frames_painted"`
	FramesShown   int     `json:"frames_shown"`
	BytesComplete int64   `json:"bytes_complete"`
	Length        int64   `json:"length"`
	DownloadRate  float64 `json:"download_rate"`
	UploadRate    float64 `json:"upload_rate"`
	Peers         int     `json:"peers"`
	Webseeds      int     `json:"webseeds"`
	BufferedAhead int64   `json:"buffered_ahead"`
	BufferPercent int     `json:"buffer_percent"` // of the player's goal, while buffering
	Seeding       bool    `json:"seeding"`
	Uploading     bool    `json:"uploading"`
	framePacing

	position, duration time.Duration
	spans              []span
	torrent            bool
	bitrate            int64
}

// watch samples the session at statusInterval until it stops, and saves the position.
func (s *playSession) watch() {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		st := s.sample()
		if st.State == player.StatePlaying.String() || st.State == player.StateBuffering.String() || st.State == player.StateSeeking.String() {
			tick.Reset(statusInterval)
		} else {
			tick.Reset(statusIdleInterval)
		}
		s.lastStatus.Store(&st)
		s.hooks.writeStatus(st)
		s.feedLibrary(st)
		runOnUI(func() { s.view.showStatus(st) })
	}
}

func (s *playSession) sample() playStatus {
	s.mu.Lock()
	p, t, stream, file, info := s.player, s.tor, s.stream, s.file, s.info
	s.mu.Unlock()
	st := playStatus{
		position:      p.Position(),
		duration:      p.Duration(),
		State:         p.State().String(),
		FramesPainted: s.video.painted(),
		FramesShown:   p.Stats().FramesShown,
		framePacing:   s.video.pacingOf(p.Stats().FramesDropped),
		BufferPercent: int(100 * p.Stats().BufferPercent),
		bitrate:       info.Bitrate,
	}
	st.PositionMS, st.DurationMS = st.position.Milliseconds(), st.duration.Milliseconds()
	up := s.uploadState()
	st.Seeding, st.Uploading = up.seeding, up.upload.Active
	if t == nil {
		st.spans = []span{{0, 1}}
		st.BytesComplete, st.Length = file.Length, file.Length
		return st
	}
	st.torrent = true
	ts := t.Stats()
	st.BytesComplete, st.Length = ts.BytesComplete, ts.Length
	st.DownloadRate, st.UploadRate, st.Peers, st.Webseeds = ts.DownloadRate, ts.UploadRate, ts.Peers, ts.Webseeds
	// What is buffered counts from the picture on screen, not from the reader, which runs
	// ahead to fill the player's queues: estimate the byte under the playback position.
	offset := stream.Position()
	if st.duration > 0 && file.Length > 0 {
		offset = min(int64(float64(file.Length)*(float64(st.position)/float64(st.duration))), offset)
	}
	st.BufferedAhead = t.ContiguousAhead(file.Index, offset)
	if st.bitrate <= 0 && st.duration > 0 {
		st.bitrate = int64(float64(file.Length*8) / st.duration.Seconds())
	}
	if file.Length > 0 {
		for _, r := range t.Availability(file.Index) {
			st.spans = append(st.spans, span{float64(r.Start) / float64(file.Length), float64(r.End) / float64(file.Length)})
		}
	}
	return st
}

// feedLibrary saves the position now and then, and marks the film watched at 90%.
func (s *playSession) feedLibrary(st playStatus) {
	id := s.req.libraryID()
	if id == "" || st.duration <= 0 || st.State != player.StatePlaying.String() {
		return
	}
	lib := s.svc.library
	if !s.watchedMarked && (library.Position{Position: st.position, Duration: st.duration}).Finished() {
		s.watchedMarked = true
		if err := lib.SetWatched(id, true); err != nil {
			s.svc.log.Warn("mark watched", "id", id, "err", err)
		}
	}
	if time.Since(s.lastSaved) >= saveEvery {
		s.lastSaved = time.Now()
		if err := lib.SetResume(id, s.file.Index, st.position, st.duration); err != nil {
			s.svc.log.Warn("save position", "id", id, "err", err)
		}
	}
}

// stop ends the session: it saves the position, closes the player and the stream, and
// waits for the session's goroutines. It may be called from any goroutine, any number
// of times; every call returns once the session is stopped.
func (s *playSession) stop() {
	s.stopOnce.Do(func() {
		defer close(s.stopped)
		s.cancel()
		s.wg.Wait()
		s.mu.Lock()
		p, reader, file := s.player, s.reader, s.file
		s.mu.Unlock()
		if p != nil {
			s.saveFinalPosition(p, file)
			p.Close()
		}
		if reader != nil {
			reader.Close()
		}
	})
	<-s.stopped
}

func (s *playSession) saveFinalPosition(p *player.Player, file torrent.File) {
	id := s.req.libraryID()
	if id == "" {
		return
	}
	lib := s.svc.library
	pos, dur := p.Position(), p.Duration()
	var err error
	switch {
	case p.State() == player.StateEnded || (library.Position{Position: pos, Duration: dur}).Finished():
		if err = lib.SetWatched(id, true); err == nil {
			err = lib.ClearResume(id, file.Index)
		}
	case pos > 0:
		err = lib.SetResume(id, file.Index, pos, dur)
	}
	if err != nil {
		s.svc.log.Warn("save position", "id", id, "err", err)
	}
}
