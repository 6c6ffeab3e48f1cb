package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/catalog/library"
	"marquee/player"
	"marquee/session"
	"marquee/torrent"
	"marquee/torrent/source"
)

const (
	// statusInterval paces the clock, seek bar and status overlay while playing: 4 Hz is
	// smooth enough for a clock. Paused or ended, only the download figures can change,
	// and they are sampled once every statusIdleInterval.
	statusInterval     = 250 * time.Millisecond
	statusIdleInterval = time.Second
	// keySeekStep is what ←/→ move; volumeStep is what ↑/↓ change.
	keySeekStep = 10 * time.Second
	volumeStep  = 0.1
	// saveEvery is how often the resume position is written while playing.
	saveEvery = 10 * time.Second
	// subtitleOffsetStep is what one press of "later"/"earlier" shifts subtitles by.
	subtitleOffsetStep = 250 * time.Millisecond
	// maxTorrentSubtitles and maxSubtitleBytes bound the subtitle files loaded from a
	// torrent alongside the film.
	maxTorrentSubtitles = 8
	maxSubtitleBytes    = session.MaxSubtitleBytes
)

// nextEpisodeDelay is the "Up next" countdown; tests shorten it.
var nextEpisodeDelay = 5 * time.Second

// controlsHideAfter is how long the controls stay after the last mouse move or key;
// tests shorten it.
var controlsHideAfter = 3 * time.Second

// playRequest says what to play.
type playRequest struct {
	title           catalog.Title
	season, episode int // an episode of a series; 0 for a movie
	source          catalog.Source
	fileIndex       int    // file inside the torrent, or catalog.MainFile
	path            string // a local media file instead of a torrent
	// resume starts from the saved position of the file, once the file is known.
	resume bool
}

// libraryID is the key of the title or episode in the user's library; "" for a local file
// that belongs to no title.
func (r playRequest) libraryID() string {
	switch {
	case r.title.ID == "":
		return ""
	case r.episode > 0:
		return catalog.EpisodeID(r.title.ID, r.season, r.episode)
	}
	return r.title.ID
}

// episodeLabel is "S1:E2" for an episode, "" for a movie.
func (r playRequest) episodeLabel() string {
	if r.episode == 0 {
		return ""
	}
	return fmt.Sprintf("S%d:E%d", r.season, r.episode)
}

func (r playRequest) displayName() string {
	name := r.title.Name
	if name == "" {
		name = filepath.Base(r.path)
	}
	return joinNonEmpty(" · ", name, r.episodeLabel())
}

// splitEpisodeID undoes catalog.EpisodeID: "<title id>/s<season>e<episode>".
func splitEpisodeID(id string) (titleID string, season, episode int, ok bool) {
	i := strings.LastIndex(id, "/s")
	if i < 0 {
		return "", 0, 0, false
	}
	if _, err := fmt.Sscanf(id[i+1:], "s%de%d", &season, &episode); err != nil {
		return "", 0, 0, false
	}
	// The round trip rejects trailing text and odd spellings such as "s01e2".
	if catalog.EpisodeID(id[:i], season, episode) != id {
		return "", 0, 0, false
	}
	return id[:i], season, episode, true
}

// play opens the player view for req, replacing a player view already open.
func (u *ui) play(req playRequest) {
	fullScreen := u.win.FullScreen()
	if u.playback != nil {
		// Pages opened over the player (settings) go too: the new film takes its place.
		u.nav.popTo(pagePlayer)
	}
	pb := newPlayback(u, req)
	p := page{name: pagePlayer, content: pb.content, keys: pb.typedKey, leave: pb.leave}
	if u.nav.top().name == pagePlayer {
		u.nav.replaceTop(p) // the old session's leave stops it
		u.win.SetFullScreen(fullScreen)
	} else {
		u.nav.push(p)
	}
	u.playback = pb
	pb.start()
}

// playLocalFile plays a video file from disk.
func (u *ui) playLocalFile(path string) {
	u.play(playRequest{path: path, fileIndex: catalog.MainFile})
}

// playSource plays what the user pasted, dropped or passed on the command line. Magnets
// and .torrent files are kept in "My torrents".
func (u *ui) playSource(input string) {
	input = strings.TrimSpace(input)
	if source.IsLocalMedia(input) {
		u.playLocalFile(input)
		return
	}
	u.background(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		t, err := u.svc.myTorrents.Add(ctx, input)
		runOnUI(func() { u.playAdded(t, err) })
	})
}

// playTorrentFrom plays a .torrent the user opened. Reading it and keeping its copy in My
// torrents touch the disk, so they run off the UI goroutine; r is closed.
func (u *ui) playTorrentFrom(r fyne.URIReadCloser) {
	u.background(func(context.Context) {
		data, err := source.ReadTorrent(r, r.URI().Name())
		r.Close()
		var t catalog.Title
		if err == nil {
			t, err = u.svc.myTorrents.AddTorrentFile(data)
		}
		runOnUI(func() { u.playAdded(t, err) })
	})
}

func (u *ui) playAdded(t catalog.Title, err error) {
	if err != nil {
		showErrorDialog(u.win, err)
		return
	}
	u.home.reloadRows()
	if len(t.Sources) == 0 {
		return
	}
	u.playAsking(playRequest{title: t, source: t.Sources[0], fileIndex: t.Sources[0].FileIndex, resume: true})
}

// resumePrompt is the question playAsking puts up; tests press its buttons.
type resumePrompt struct {
	dialog            *dialog.CustomDialog
	resume, startOver *widget.Button
}

// playAsking plays req, first asking "Resume from 0:51" or "Start over" when the title or
// episode stopped part-way: for Play buttons that do not already say which they do (the
// detail page's main button does, and has Start over beside it).
func (u *ui) playAsking(req playRequest) {
	pos, _, ok := u.savedPosition(req.libraryID())
	if !req.resume || !ok {
		u.play(req)
		return
	}
	choose := func(resume bool) func() {
		return func() {
			u.resumePrompt.dialog.Hide()
			u.resumePrompt = nil
			req.resume = resume
			u.play(req)
		}
	}
	rp := &resumePrompt{
		resume:    newButton("Resume from "+formatClock(pos.Position), theme.MediaPlayIcon(), choose(true)),
		startOver: newButton("Start over", theme.MediaReplayIcon(), choose(false)),
	}
	rp.resume.Importance = widget.HighImportance
	text := widget.NewLabel(fmt.Sprintf("You stopped at %s.", formatClock(pos.Position)))
	if pos.Duration > 0 {
		text.SetText(fmt.Sprintf("You stopped at %s of %s.", formatClock(pos.Position), formatClock(pos.Duration)))
	}
	rp.dialog = dialog.NewCustomWithoutButtons(req.displayName(), text, u.win)
	rp.dialog.SetButtons([]fyne.CanvasObject{rp.startOver, rp.resume})
	u.resumePrompt = rp
	rp.dialog.Show()
}

func isVideoFile(ext string) bool    { return torrent.KindOf("f"+ext) == torrent.KindVideo }
func isSubtitleFile(ext string) bool { return torrent.KindOf("f"+ext) == torrent.KindSubtitle }

// playback is the player view and the session behind it: it finds the film (engine,
// metadata, file), opens the player, shows its pictures and state, and feeds the
// library.
type playback struct {
	u   *ui
	req playRequest

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

	// lastStatus is the latest sample of the watch goroutine.
	lastStatus atomic.Pointer[playStatus]
	// Library feeding state, used by the watch goroutine only.
	watchedMarked bool
	lastSaved     time.Time

	// Widgets and UI-goroutine state.
	video      *videoView
	activity   *activityArea
	seek       *seekBar
	playBtn    *widget.Button
	clock      *statusLabel
	volume     *widget.Slider
	muteBtn    *widget.Button
	fullBtn    *widget.Button
	audioBtn   *widget.Button
	subsBtn    *widget.Button
	cast       *castControls
	title      *widget.Label
	statusText *statusLabel
	indicator  *seedingIndicator
	centre     *canvas.Text
	centreBox  *fyne.Container
	message    *fyne.Container
	messageLbl *widget.Label
	// messageDetails holds the failure's raw error behind a Details fold.
	messageDetails *fyne.Container
	retryBtn       *widget.Button
	waitCancel     *widget.Button  // under the centre while the film's details are fetched
	upNext         *fyne.Container // the end panel
	upNextLbl      *widget.Label
	replayBtn      *widget.Button
	playNextBtn    *widget.Button
	cancelNextBtn  *widget.Button
	controls       fyne.CanvasObject
	top            fyne.CanvasObject
	content        fyne.CanvasObject

	state          player.State
	opened         bool
	lastActivity   time.Time
	controlsHidden bool
	// infoPinned keeps the status overlay on screen when the controls hide (the I key).
	infoPinned     bool
	subOffset      time.Duration
	chosenSubtitle int  // the subtitle track shown, -1 for none
	noSourceShown  bool // the centre says nobody shares the film (watchSources)
	upNextTimer    *time.Timer
}

func newPlayback(u *ui, req playRequest) *playback {
	ctx, cancel := context.WithCancel(u.ctx)
	pb := &playback{u: u, req: req, ctx: ctx, cancel: cancel, stopped: make(chan struct{}), lastActivity: time.Now(), chosenSubtitle: -1}
	pb.build()
	return pb
}

// start runs the opener (engine, metadata, file, stream, player), then the status
// sampler and the loading of the torrent's subtitle files.
func (pb *playback) start() {
	pb.wg.Add(1)
	go func() {
		defer pb.wg.Done()
		p, err := pb.open()
		if err != nil {
			pb.forgetFailedTorrent()
			if pb.ctx.Err() == nil {
				runOnUI(func() { pb.failed(err) })
			}
			return
		}
		pb.wg.Add(2)
		go func() {
			defer pb.wg.Done()
			pb.watch()
		}()
		go func() {
			defer pb.wg.Done()
			pb.loadTorrentSubtitles(p)
		}()
	}()
}

// forgetFailedTorrent drops a torrent this session added but could not play, so that a
// dead magnet is not re-added (and announced) at every start.
func (pb *playback) forgetFailedTorrent() {
	pb.mu.Lock()
	t, added := pb.tor, pb.addedHere
	pb.mu.Unlock()
	if t != nil && added {
		if err := t.Drop(true); err != nil {
			pb.u.svc.log.Info("drop unplayable torrent", "err", err)
		}
	}
}

// open finds the film and starts the player, through the session package as the CLI does.
// It runs on its own goroutine.
func (pb *playback) open() (*player.Player, error) {
	req := pb.req
	sreq := session.Request{Source: req.path, FileIndex: req.fileIndex}
	if req.path == "" {
		sreq.Source = req.source.URI()
		pb.say("Looking for peers…")
	}
	m, err := session.Open(pb.ctx, pb.u.svc.engine, sreq, session.Options{
		MetadataTimeout: pb.u.svc.metadataTimeout,
		OnAdded: func(t *torrent.Torrent, addedHere bool) {
			pb.mu.Lock()
			pb.tor, pb.addedHere = t, addedHere
			pb.mu.Unlock()
		},
		WaitMetadata: pb.waitMetadata,
	})
	if err != nil {
		if pb.u.svc.engine == nil && !sreq.IsLocal() {
			return nil, errEngineUnavailable
		}
		return nil, err
	}
	r, err := m.Reader()
	if err != nil {
		return nil, err
	}
	stream, _ := r.(*torrent.Stream)
	pb.mu.Lock()
	pb.media, pb.reader, pb.stream, pb.file = m, r, stream, m.File
	pb.mu.Unlock()
	size, name := m.Size, m.Name

	var resumeAt time.Duration
	lib, id := pb.u.svc.library, req.libraryID()
	if id != "" {
		if req.resume {
			if pos, ok := lib.Resume(id, pb.file.Index); ok && !pos.Finished() && !lib.IsWatched(id) {
				resumeAt = pos.Position
			}
		}
		if err := lib.RememberTitle(req.title); err != nil {
			pb.u.svc.log.Warn("remember title", "id", req.title.ID, "err", err)
		}
		if err := lib.MarkPlayed(id, pb.file.Index); err != nil {
			pb.u.svc.log.Warn("mark played", "id", id, "err", err)
		}
	}

	opening := "Opening " + name + "…"
	pb.say(opening)
	if t := m.Torrent; t != nil {
		pb.wg.Add(1)
		go func() {
			defer pb.wg.Done()
			pb.watchSources(t, opening)
		}()
	}
	w, h := pb.video.sizeInPixels()
	p, err := session.Play(pb.ctx, r, player.Options{
		Size:        size,
		Name:        name,
		Video:       pb.video,
		Subtitles:   pb.video,
		Audio:       pb.u.svc.audio,
		OnEvent:     pb.onEvent,
		VideoWidth:  w,
		VideoHeight: h,
		StartPaused: resumeAt > 0,
	})
	if err != nil {
		return nil, err
	}
	p.SetVolume(pb.u.svc.settings.volume())
	if resumeAt > 0 && (p.Duration() == 0 || resumeAt < p.Duration()) {
		p.Seek(resumeAt)
	}
	if resumeAt > 0 {
		p.Play()
	}
	info := p.Info()
	pb.mu.Lock()
	pb.player, pb.info = p, info
	pb.mu.Unlock()
	if pb.ctx.Err() != nil {
		return nil, pb.ctx.Err()
	}
	runOnUI(pb.playerReady)
	return p, nil
}

// errOffline is a wait for peers that ended with no network on this computer.
var errOffline = errors.New("this computer has no network connection")

// waitMetadata waits for the torrent's details with the centre saying what is going on
// (offline at once; otherwise the peers found and connected and the web seeds) and a
// Cancel beside it.
func (pb *playback) waitMetadata(ctx context.Context, t *torrent.Torrent) error {
	runOnUI(func() { pb.waitCancel.Show() })
	defer runOnUI(func() { pb.waitCancel.Hide() })
	done := make(chan error, 1)
	go func() { done <- t.WaitMetadata(ctx) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		online := pb.u.svc.networkUp()
		pb.say(metadataWaitText(t.Stats(), online))
		select {
		case err := <-done:
			switch {
			case err == nil:
				return nil
			case pb.ctx.Err() != nil:
				return pb.ctx.Err()
			case !pb.u.svc.networkUp():
				return fmt.Errorf("%w: %w", errOffline, err)
			}
			return err
		case <-tick.C:
		}
	}
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
func (pb *playback) loadTorrentSubtitles(p *player.Player) {
	pb.mu.Lock()
	t := pb.tor
	pb.mu.Unlock()
	if t == nil {
		return
	}
	n := 0
	for _, f := range t.Files() {
		if f.Kind != torrent.KindSubtitle || f.Length > maxSubtitleBytes || n == maxTorrentSubtitles {
			continue
		}
		n++
		s, err := t.NewStream(f.Index)
		if err != nil {
			continue
		}
		data, err := readAllContext(pb.ctx, s, f.Length)
		s.Close()
		if err != nil {
			continue
		}
		if _, err := p.LoadSubtitles(bytes.NewReader(data), filepath.Base(f.Path)); err != nil {
			pb.u.svc.log.Info("subtitle file in torrent", "file", f.Path, "err", err)
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

func (pb *playback) currentTorrent() (*torrent.Torrent, torrent.File) {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return pb.tor, pb.file
}

func (pb *playback) currentPlayer() *player.Player {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	return pb.player
}

// onEvent receives the player's events on the player's event goroutine.
func (pb *playback) onEvent(ev player.Event) {
	runOnUI(func() { pb.handleEvent(ev) })
}

func (pb *playback) handleEvent(ev player.Event) {
	if pb.ctx.Err() != nil {
		return
	}
	switch ev.Kind {
	case player.EventState:
		pb.setState(ev.State)
	case player.EventFirstFrame:
		pb.opened = true
		pb.setState(ev.State)
	case player.EventBuffering:
		if (pb.state == player.StateBuffering || !pb.opened) && !pb.noSourceShown {
			pb.showCentre(fmt.Sprintf("Buffering %d%%", int(ev.Buffer*100)))
		}
	case player.EventEnded:
		pb.setState(player.StateEnded)
		pb.ended()
	case player.EventError:
		pb.setState(player.StateError)
		pb.failed(ev.Err)
	case player.EventTracks:
		pb.playerReady()
	}
}

// ended shows the end panel (Replay) and queues the next episode of a series.
func (pb *playback) ended() {
	pb.showControls()
	next, ok := nextEpisode(pb.req.title, pb.req.season, pb.req.episode)
	if pb.req.episode == 0 || !ok {
		pb.upNextLbl.SetText("Finished: " + pb.req.displayName() + episodeName(pb.req))
		pb.playNextBtn.Hide()
		pb.cancelNextBtn.Hide()
		pb.upNext.Show()
		return
	}
	next.resume = false
	pb.upNextLbl.SetText("Up next: " + next.displayName() + episodeName(next))
	pb.playNextBtn.Show()
	pb.cancelNextBtn.Show()
	pb.upNext.Show()
	pb.upNextTimer = time.AfterFunc(nextEpisodeDelay, func() {
		runOnUI(func() {
			if pb.ctx.Err() == nil && pb.upNext.Visible() {
				pb.u.play(next)
			}
		})
	})
}

func episodeName(r playRequest) string {
	for _, s := range r.title.Seasons {
		for _, ep := range s.Episodes {
			if s.Number == r.season && ep.Number == r.episode && ep.Name != "" {
				return " — " + ep.Name
			}
		}
	}
	return ""
}

func (pb *playback) playNextNow() {
	if next, ok := nextEpisode(pb.req.title, pb.req.season, pb.req.episode); ok {
		pb.cancelUpNext()
		next.resume = false
		pb.u.play(next)
	}
}

func (pb *playback) cancelUpNext() {
	if pb.upNextTimer != nil {
		pb.upNextTimer.Stop()
	}
	pb.upNext.Hide()
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
func (pb *playback) watch() {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	for {
		select {
		case <-pb.ctx.Done():
			return
		case <-tick.C:
		}
		st := pb.sample()
		if st.State == player.StatePlaying.String() || st.State == player.StateBuffering.String() || st.State == player.StateSeeking.String() {
			tick.Reset(statusInterval)
		} else {
			tick.Reset(statusIdleInterval)
		}
		pb.lastStatus.Store(&st)
		pb.u.hooks.writeStatus(st)
		pb.feedLibrary(st)
		runOnUI(func() { pb.showStatus(st) })
	}
}

func (pb *playback) sample() playStatus {
	pb.mu.Lock()
	p, t, stream, file, info := pb.player, pb.tor, pb.stream, pb.file, pb.info
	pb.mu.Unlock()
	st := playStatus{
		position:      p.Position(),
		duration:      p.Duration(),
		State:         p.State().String(),
		FramesPainted: pb.video.framesPainted.Load(),
		FramesShown:   p.Stats().FramesShown,
		framePacing:   pb.video.pacingOf(p.Stats().FramesDropped),
		BufferPercent: int(100 * p.Stats().BufferPercent),
		bitrate:       info.Bitrate,
	}
	st.PositionMS, st.DurationMS = st.position.Milliseconds(), st.duration.Milliseconds()
	up := pb.u.currentUploadState()
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
func (pb *playback) feedLibrary(st playStatus) {
	id := pb.req.libraryID()
	if id == "" || st.duration <= 0 || st.State != player.StatePlaying.String() {
		return
	}
	lib := pb.u.svc.library
	if !pb.watchedMarked && (library.Position{Position: st.position, Duration: st.duration}).Finished() {
		pb.watchedMarked = true
		if err := lib.SetWatched(id, true); err != nil {
			pb.u.svc.log.Warn("mark watched", "id", id, "err", err)
		}
	}
	if time.Since(pb.lastSaved) >= saveEvery {
		pb.lastSaved = time.Now()
		if err := lib.SetResume(id, pb.file.Index, st.position, st.duration); err != nil {
			pb.u.svc.log.Warn("save position", "id", id, "err", err)
		}
	}
}

// leave runs when the player view is popped: playback stops in the background.
func (pb *playback) leave() {
	if pb.u.playback == pb {
		pb.u.playback = nil
	}
	if pb.u.win.FullScreen() {
		pb.u.win.SetFullScreen(false)
	}
	pb.cancelUpNext()
	pb.u.dropSeedingIndicator(pb.indicator)
	pb.u.stopPlayback(pb, func() {
		// The final position is saved now: show it on the pages below.
		if d := pb.u.currentDetail; d != nil {
			d.refresh()
		}
		pb.u.home.refreshLibraryRows()
	})
}

// stop ends the session: it saves the position, closes the player and the stream, and
// waits for the session's goroutines. It may be called from any goroutine, any number
// of times; every call returns once the session is stopped.
func (pb *playback) stop() {
	pb.stopOnce.Do(func() {
		defer close(pb.stopped)
		pb.cancel()
		pb.wg.Wait()
		pb.mu.Lock()
		p, reader, file := pb.player, pb.reader, pb.file
		pb.mu.Unlock()
		if p != nil {
			pb.saveFinalPosition(p, file)
			p.Close()
		}
		if reader != nil {
			reader.Close()
		}
	})
	<-pb.stopped
}

func (pb *playback) saveFinalPosition(p *player.Player, file torrent.File) {
	id := pb.req.libraryID()
	if id == "" {
		return
	}
	lib := pb.u.svc.library
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
		pb.u.svc.log.Warn("save position", "id", id, "err", err)
	}
}
