package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
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
	p := page{name: pagePlayer, content: pb.content, keys: pb.typedKey, leave: pb.leave, fullBleed: true}
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

// playback is the player view: the controls, the picture, the centre text, the end
// panel. What plays behind it is its playSession.
type playback struct {
	*playSession
	u *ui

	controlBar
	centrePanel
	failurePanel
	endPanel

	video    *videoView
	activity *activityArea // the picture: a move shows the controls, a double tap fills the screen
	cast     *castControls
	preview  *seekPreview // the time and thumbnail over the seek bar (thumbs.go)
	content  fyne.CanvasObject

	state          player.State
	opened         bool
	lastActivity   time.Time
	controlsHidden bool
	// infoPinned keeps the status overlay on screen when the controls hide (the I key).
	infoPinned     bool
	subOffset      time.Duration
	chosenSubtitle int // the subtitle track shown, -1 for none
}

// controlBar is the title bar on top and the controls under the picture.
type controlBar struct {
	title      *widget.Label
	statusText *statusLabel
	indicator  *seedingIndicator
	seek       *seekBar
	playBtn    *widget.Button
	clock      *statusLabel
	volume     *widget.Slider
	muteBtn    *widget.Button
	fullBtn    *widget.Button
	audioBtn   *widget.Button
	subsBtn    *widget.Button
	controls   fyne.CanvasObject
	top        fyne.CanvasObject
}

// centrePanel is the text in the middle of the picture: opening, buffering, no source.
type centrePanel struct {
	centre        *canvas.Text
	centreBox     *fyne.Container
	waitCancel    *widget.Button // under the centre while the film's details are fetched
	noSourceShown bool           // the centre says nobody shares the film (watchSources)
}

// failurePanel says why playback failed, with Retry and the raw error behind Details.
type failurePanel struct {
	message        *fyne.Container
	messageLbl     *widget.Label
	messageDetails *fyne.Container
	retryBtn       *widget.Button
}

// endPanel is shown at the end: Replay, and for a series the next episode's countdown.
type endPanel struct {
	upNext        *fyne.Container
	upNextLbl     *widget.Label
	replayBtn     *widget.Button
	playNextBtn   *widget.Button
	cancelNextBtn *widget.Button
	upNextTimer   *time.Timer
}

func newPlayback(u *ui, req playRequest) *playback {
	pb := &playback{u: u, lastActivity: time.Now(), chosenSubtitle: -1}
	pb.playSession = newPlaySession(u, req, pb)
	pb.build()
	pb.playSession.video = pb.video
	return pb
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
