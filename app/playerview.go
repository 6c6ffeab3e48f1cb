package app

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/player"
)

func (pb *playback) build() {
	u := pb.u
	pb.video = newVideoView()
	pb.video.subtitles.SetTextSize(u.svc.settings.subtitleSize())
	pb.video.onResize = func(w, h int) {
		if p := pb.currentPlayer(); p != nil {
			p.SetVideoSize(w, h)
		}
	}
	pb.activity = newActivityArea(pb.activityNoticed, pb.togglePause, pb.toggleFullscreen)
	pb.seek = newSeekBar(pb.seekToFraction)
	pb.preview = newSeekPreview(pb.seek, pb.filmDuration, pb.activityNoticed)

	pb.playBtn = newButton("", theme.MediaPauseIcon(), pb.togglePause)
	pb.clock = newStatusLabel("0:00 / 0:00")
	pb.volume = widget.NewSlider(0, 100)
	pb.volume.Step = 1
	pb.volume.SetValue(u.svc.settings.volume() * 100)
	pb.volume.OnChanged = guarded1("the volume", func(v float64) { pb.setVolume(v / 100) })
	pb.volume.OnChangeEnded = func(float64) { u.win.Canvas().Unfocus() }
	pb.muteBtn = newButton("", theme.VolumeUpIcon(), pb.toggleMute)
	pb.fullBtn = newButton("", theme.ViewFullScreenIcon(), pb.toggleFullscreen)
	pb.audioBtn = newButton("Audio", theme.MediaMusicIcon(), pb.showAudioMenu)
	pb.subsBtn = newButton("Subtitles", theme.DocumentIcon(), pb.showSubtitleMenu)
	pb.audioBtn.Disable()
	pb.subsBtn.Disable()
	pb.cast = newCastControls(pb)
	for _, b := range []*widget.Button{pb.playBtn, pb.muteBtn, pb.fullBtn, pb.audioBtn, pb.subsBtn} {
		b.Importance = widget.LowImportance
	}
	volumeBox := container.NewGridWrap(fyne.NewSize(110, pb.volume.MinSize().Height), pb.volume)
	buttons := container.NewHBox(pb.playBtn, pb.clock, layout.NewSpacer(), pb.muteBtn, volumeBox, pb.audioBtn, pb.subsBtn, pb.cast.button, pb.fullBtn)
	shade := canvas.NewRectangle(color.NRGBA{A: 0xB0})
	pb.controls = container.NewStack(shade, container.NewVBox(container.NewPadded(pb.seek), buttons))

	back := newButton("Back", theme.NavigateBackIcon(), u.nav.back)
	back.Importance = widget.LowImportance
	pb.title = widget.NewLabelWithStyle(pb.req.displayName(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	pb.statusText = newStatusLabel("")
	topShade := canvas.NewRectangle(color.NRGBA{A: 0x90})
	pb.top = container.NewStack(topShade, container.NewVBox(container.NewHBox(back, pb.title), pb.statusText))
	// The seeding indicator never hides: whether we upload is always visible.
	pb.indicator = u.newSeedingIndicator()
	seeding := container.NewVBox(container.NewHBox(layout.NewSpacer(), container.NewPadded(pb.indicator)))

	pb.centre = canvas.NewText("Connecting…", color.White)
	pb.centre.TextSize = 22
	pb.centre.Alignment = fyne.TextAlignCenter
	centreBg := canvas.NewRectangle(color.NRGBA{A: 0x99})
	centreBg.CornerRadius = 8
	pb.waitCancel = newTextButton("Cancel", u.nav.back)
	pb.waitCancel.Hide()
	pb.centreBox = container.NewCenter(container.NewVBox(
		container.NewStack(centreBg, container.NewPadded(pb.centre)),
		container.NewCenter(pb.waitCancel)))

	pb.messageLbl = widget.NewLabel("")
	pb.messageLbl.Wrapping = fyne.TextWrapWord
	msgBg := canvas.NewRectangle(color.NRGBA{R: 0x1F, G: 0x1F, B: 0x1F, A: 0xF0})
	pb.messageDetails = container.NewVBox()
	pb.retryBtn = newButton("Retry", theme.ViewRefreshIcon(), pb.retry)
	pb.retryBtn.Importance = widget.HighImportance
	pb.message = container.NewCenter(container.NewStack(msgBg, container.NewPadded(container.NewVBox(
		container.NewGridWrap(fyne.NewSize(460, 200), pb.messageLbl),
		pb.messageDetails,
		container.NewHBox(layout.NewSpacer(), newTextButton("Back", u.nav.back), pb.retryBtn)))))
	pb.message.Hide()

	// The end panel: Replay, and for a series the next episode with its countdown.
	pb.upNextLbl = widget.NewLabel("")
	pb.replayBtn = newButton("Replay", theme.MediaReplayIcon(), pb.replay)
	pb.playNextBtn = newButton("Next episode", theme.MediaSkipNextIcon(), pb.playNextNow)
	pb.playNextBtn.Importance = widget.HighImportance
	pb.cancelNextBtn = newTextButton("Cancel", pb.cancelUpNext)
	upBg := canvas.NewRectangle(color.NRGBA{R: 0x1F, G: 0x1F, B: 0x1F, A: 0xF0})
	pb.upNext = container.NewVBox(layout.NewSpacer(), container.NewHBox(layout.NewSpacer(), container.NewStack(upBg, container.NewPadded(container.NewVBox(
		pb.upNextLbl,
		container.NewHBox(pb.replayBtn, pb.playNextBtn, pb.cancelNextBtn),
	)))), layout.NewSpacer())
	pb.upNext.Hide()

	overlay := container.NewBorder(pb.top, pb.controls, nil, nil)
	pb.content = container.NewStack(pb.video, pb.activity, pb.centreBox, overlay, pb.preview.overlay, seeding, pb.upNext, pb.cast.view, pb.message)
}

// say shows progress before the first picture ("Looking for peers…").
func (pb *playback) say(text string) {
	runOnUI(func() {
		if !pb.opened {
			pb.showCentre(text)
		}
	})
}

// showWaitCancel shows or hides the Cancel under the centre while the film's details are
// fetched.
func (pb *playback) showWaitCancel(on bool) {
	runOnUI(func() {
		if on {
			pb.waitCancel.Show()
		} else {
			pb.waitCancel.Hide()
		}
	})
}

// showCentre puts text in the middle of the picture; "" takes it away.
func (pb *playback) showCentre(text string) {
	if text == "" {
		pb.centreBox.Hide()
		return
	}
	pb.centre.Text = text
	pb.centre.Refresh()
	pb.centreBox.Show()
}

// CentreText is what the middle of the player view says, "" when nothing (tests read it).
func (pb *playback) CentreText() string {
	if !pb.centreBox.Visible() {
		return ""
	}
	return pb.centre.Text
}

// playerReady enables the controls once the player knows the film.
func (pb *playback) playerReady() {
	p := pb.currentPlayer()
	if p == nil {
		return
	}
	pb.audioBtn.Enable()
	pb.subsBtn.Enable()
	if len(p.AudioTracks()) < 2 {
		pb.audioBtn.Disable()
	}
	pb.muteBtn.SetIcon(muteIcon(p.Muted()))
	pb.restoreTracks()
	if pb.state == player.StateOpening {
		pb.showCentre("Buffering…")
	}
	pb.cast.playerReady()
}

// failed shows why the film cannot play, and what to do.
func (pb *playback) failed(err error) {
	pb.u.svc.log.Warn("playback failed", "title", pb.req.displayName(), "err", err)
	p := explain(err)
	pb.showCentre("")
	pb.messageLbl.SetText(p.Title + "\n\n" + p.What + "\n\n" + p.Todo)
	pb.messageDetails.RemoveAll()
	if fold := detailsFold(p.Details); fold != nil {
		pb.messageDetails.Add(fold)
	}
	pb.message.Show()
	pb.showControls()
}

func (pb *playback) setState(s player.State) {
	pb.state = s
	switch s {
	case player.StatePlaying:
		pb.playBtn.SetIcon(theme.MediaPauseIcon())
		pb.cancelUpNext() // playing again after the end: Replay or Space
		if pb.opened {
			pb.showCentre("")
		}
	case player.StatePaused, player.StateEnded:
		pb.playBtn.SetIcon(theme.MediaPlayIcon())
		pb.showControls()
		if pb.opened {
			pb.showCentre("")
		}
	case player.StateBuffering:
		pb.showCentre("Buffering…")
	}
}

// showStatus updates the clock, seek bar and status overlay, and hides idle controls.
func (pb *playback) showStatus(st playStatus) {
	if pb.ctx.Err() != nil {
		return
	}
	pb.clock.SetText(formatClock(st.position) + " / " + formatClock(st.duration))
	if st.duration > 0 {
		pb.seek.SetPosition(float64(st.position) / float64(st.duration))
	}
	pb.seek.SetDownloaded(st.spans)
	if st.State == player.StateBuffering.String() && pb.opened {
		pb.showCentre(st.bufferingText())
	}
	if st.torrent {
		pb.statusText.SetText(st.summary())
	} else {
		pb.statusText.SetText("Playing a file from this computer")
	}
	if st.State == player.StatePlaying.String() && !pb.controlsHidden && time.Since(pb.lastActivity) > controlsHideAfter {
		pb.hideControls()
	}
}

// summary is the status overlay's line: speeds, peers, buffer, progress and seeding.
func (st playStatus) summary() string {
	buffered := formatBytes(st.BufferedAhead) + " buffered"
	if st.bitrate > 0 {
		buffered = fmt.Sprintf("%.0f s buffered", float64(st.BufferedAhead*8)/float64(st.bitrate))
	}
	done := 0
	if st.Length > 0 {
		done = int(100 * st.BytesComplete / st.Length)
	}
	seeding := "seeding off"
	switch {
	case st.Uploading:
		seeding = "seeding: uploading now"
	case st.Seeding:
		seeding = "seeding on"
	}
	return strings.Join([]string{
		"↓ " + formatRate(st.DownloadRate), "↑ " + formatRate(st.UploadRate), plural(st.Peers, "peer"),
		plural(st.Webseeds, "web seed"),
		buffered, fmt.Sprintf("%d%% downloaded", done), seeding,
	}, "  ·  ")
}

// bufferingText is the centre's line while playback waits for data: how far the buffer is
// and which sources it waits on.
func (st playStatus) bufferingText() string {
	text := fmt.Sprintf("Buffering %d%%", min(max(st.BufferPercent, 0), 100))
	if !st.torrent {
		return text
	}
	// Only the kinds of source there are: the demo's one peer read "and 0 web seeds".
	var sources []string
	if st.Peers > 0 {
		sources = append(sources, plural(st.Peers, "peer"))
	}
	if st.Webseeds > 0 {
		sources = append(sources, plural(st.Webseeds, "web seed"))
	}
	if len(sources) == 0 {
		return text + " · looking for peers and web seeds"
	}
	return text + " · waiting for " + strings.Join(sources, " and ") + " at " + formatRate(st.DownloadRate)
}

// toggleInfo pins the status overlay on screen, or lets it hide with the controls again.
func (pb *playback) toggleInfo() {
	pb.infoPinned = !pb.infoPinned
	pb.top.Show()
	if !pb.infoPinned && pb.controlsHidden {
		pb.top.Hide()
	}
}

// activityNoticed brings the controls back on mouse movement.
func (pb *playback) activityNoticed() {
	pb.lastActivity = time.Now()
	if pb.controlsHidden {
		pb.showControls()
	}
}

func (pb *playback) showControls() {
	pb.lastActivity = time.Now()
	pb.controlsHidden = false
	pb.controls.Show()
	pb.top.Show()
	pb.video.subtitles.KeepAbove(pb.controls.MinSize().Height)
}

func (pb *playback) hideControls() {
	pb.controlsHidden = true
	pb.controls.Hide()
	pb.video.subtitles.KeepAbove(0)
	pb.preview.leave()
	if !pb.infoPinned {
		pb.top.Hide()
	}
}

// typedKey is the player's keyboard: Space, ←/→, ↑/↓, F, M, S, I and Esc.
func (pb *playback) typedKey(ev *fyne.KeyEvent) bool {
	if pb.cast.typedKey(ev) {
		return true
	}
	pb.activityNoticed()
	switch ev.Name {
	case fyne.KeySpace:
		pb.togglePause()
	case fyne.KeyLeft:
		pb.seekBy(-keySeekStep)
	case fyne.KeyRight:
		pb.seekBy(keySeekStep)
	case fyne.KeyUp:
		pb.volume.SetValue(min(pb.volume.Value+volumeStep*100, 100))
	case fyne.KeyDown:
		pb.volume.SetValue(max(pb.volume.Value-volumeStep*100, 0))
	case fyne.KeyF:
		pb.toggleFullscreen()
	case fyne.KeyM:
		pb.toggleMute()
	case fyne.KeyS:
		pb.cycleSubtitles()
	case fyne.KeyI:
		pb.toggleInfo()
	case fyne.KeyEscape:
		if pb.u.win.FullScreen() {
			pb.toggleFullscreen()
		} else {
			pb.u.nav.back()
		}
	default:
		return false
	}
	return true
}

// retry opens the same film again in a new session, after a failure or a Cancel.
func (pb *playback) retry() {
	pb.u.play(pb.req)
}

// replay starts the film over from its end screen (the player restarts on Play after the
// end).
func (pb *playback) replay() {
	pb.cancelUpNext()
	if p := pb.currentPlayer(); p != nil {
		p.Play()
	}
}

func (pb *playback) togglePause() {
	if p := pb.currentPlayer(); p != nil {
		p.TogglePause()
		pb.activityNoticed()
	}
}

func (pb *playback) seekBy(d time.Duration) {
	p := pb.currentPlayer()
	if p == nil {
		return
	}
	target := max(p.Position()+d, 0)
	if dur := p.Duration(); dur > 0 {
		target = min(target, dur)
	}
	p.Seek(target)
	if dur := p.Duration(); dur > 0 {
		pb.seek.SetPosition(float64(target) / float64(dur))
	}
}

func (pb *playback) seekToFraction(f float64) {
	p := pb.currentPlayer()
	if p == nil || p.Duration() <= 0 {
		return
	}
	p.Seek(time.Duration(f * float64(p.Duration())))
	pb.activityNoticed()
}

func (pb *playback) setVolume(v float64) {
	pb.u.svc.settings.setFloat(prefVolume, v)
	if p := pb.currentPlayer(); p != nil {
		p.SetVolume(v)
		if v > 0 && p.Muted() {
			p.SetMuted(false)
			pb.muteBtn.SetIcon(muteIcon(false))
		}
	}
}

func (pb *playback) toggleMute() {
	if p := pb.currentPlayer(); p != nil {
		p.SetMuted(!p.Muted())
		pb.muteBtn.SetIcon(muteIcon(p.Muted()))
	}
}

func muteIcon(muted bool) fyne.Resource {
	if muted {
		return theme.VolumeMuteIcon()
	}
	return theme.VolumeUpIcon()
}

func (pb *playback) toggleFullscreen() {
	full := !pb.u.win.FullScreen()
	pb.u.win.SetFullScreen(full)
	if full {
		pb.fullBtn.SetIcon(theme.ViewRestoreIcon())
	} else {
		pb.fullBtn.SetIcon(theme.ViewFullScreenIcon())
	}
}

// trackName describes an audio or subtitle track for a menu.
func trackName(t player.TrackInfo) string {
	lang := languageName(t.Language)
	if strings.EqualFold(lang, t.Title) {
		lang = "" // a track titled "English" in English
	}
	name := joinNonEmpty(" · ", t.Title, lang)
	if name == "" {
		name = "Track " + fmt.Sprint(t.ID)
	}
	if t.Channels > 0 {
		name += fmt.Sprintf(" (%d ch)", t.Channels)
	}
	if !t.Playable {
		name += " — cannot be played"
	}
	return name
}

func (pb *playback) showAudioMenu() {
	if items := pb.audioMenu(); items != nil {
		pb.popUpMenu(pb.audioBtn, items)
	}
}

// audioMenu lists the audio tracks, the one playing checked.
func (pb *playback) audioMenu() []*fyne.MenuItem {
	p := pb.currentPlayer()
	if p == nil {
		return nil
	}
	var items []*fyne.MenuItem
	current := p.AudioTrack()
	for _, t := range p.AudioTracks() {
		t := t
		item := newMenuItem(trackName(t), func() {
			if err := p.SetAudioTrack(t.ID); err != nil {
				showErrorDialog(pb.u.win, err)
				return
			}
			pb.audioPicked(t)
		})
		item.Checked = t.ID == current
		item.Disabled = !t.Playable
		items = append(items, item)
	}
	return items
}

func (pb *playback) showSubtitleMenu() {
	if items := pb.subtitleMenu(); items != nil {
		pb.popUpMenu(pb.subsBtn, items)
	}
}

// subtitleMenu lists Off and the subtitle tracks, then loading a file and the timing.
func (pb *playback) subtitleMenu() []*fyne.MenuItem {
	p := pb.currentPlayer()
	if p == nil {
		return nil
	}
	// The player lists the tracks but not which is on, so the view keeps its own choice.
	current := pb.chosenSubtitle
	off := newMenuItem("Off", func() { pb.setSubtitleTrack(-1) })
	off.Checked = current == -1
	items := []*fyne.MenuItem{off}
	for _, t := range p.SubtitleTracks() {
		t := t
		item := newMenuItem(trackName(t), func() { pb.setSubtitleTrack(t.ID) })
		item.Checked = t.ID == current
		items = append(items, item)
	}
	items = append(items,
		fyne.NewMenuItemSeparator(),
		newMenuItem("Load a subtitle file…", pb.askForSubtitleFile),
		fyne.NewMenuItemSeparator(),
		newMenuItem(fmt.Sprintf("Show earlier (now %+.2f s)", pb.subOffset.Seconds()), func() { pb.shiftSubtitles(-subtitleOffsetStep) }),
		newMenuItem(fmt.Sprintf("Show later (now %+.2f s)", pb.subOffset.Seconds()), func() { pb.shiftSubtitles(subtitleOffsetStep) }),
		newMenuItem("Reset timing", func() { pb.shiftSubtitles(-pb.subOffset) }),
	)
	return items
}

func (pb *playback) popUpMenu(anchor fyne.CanvasObject, items []*fyne.MenuItem) {
	c := pb.u.win.Canvas()
	m := widget.NewPopUpMenu(fyne.NewMenu("", items...), c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor)
	m.ShowAtPosition(fyne.NewPos(pos.X, max(pos.Y-m.MinSize().Height, 0)))
	pb.activityNoticed()
}

func (pb *playback) setSubtitleTrack(id int) {
	p := pb.currentPlayer()
	if p == nil {
		return
	}
	if err := p.SetSubtitleTrack(id); err != nil {
		showErrorDialog(pb.u.win, err)
		return
	}
	pb.chosenSubtitle = id
	pb.subtitlePicked(id)
	if id < 0 {
		pb.video.ShowSubtitle("")
	}
}

// cycleSubtitles is the S key: off → each track in turn → off.
func (pb *playback) cycleSubtitles() {
	p := pb.currentPlayer()
	if p == nil {
		return
	}
	tracks := p.SubtitleTracks()
	next := -1
	if pb.chosenSubtitle < 0 {
		if len(tracks) > 0 {
			next = tracks[0].ID
		}
	} else {
		for i, t := range tracks {
			if t.ID == pb.chosenSubtitle && i+1 < len(tracks) {
				next = tracks[i+1].ID
			}
		}
	}
	pb.setSubtitleTrack(next)
}

func (pb *playback) shiftSubtitles(d time.Duration) {
	pb.subOffset += d
	if p := pb.currentPlayer(); p != nil {
		p.SetSubtitleOffset(pb.subOffset)
	}
}

func (pb *playback) askForSubtitleFile() {
	d := dialog.NewFileOpen(guarded2("the subtitle file dialog", func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showErrorDialog(pb.u.win, err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		pb.loadSubtitleFile(path)
	}), pb.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".srt", ".vtt", ".ass", ".ssa"}))
	d.Show()
}

// loadSubtitleFile adds a subtitle file from disk (dropped or picked) and shows it.
func (pb *playback) loadSubtitleFile(path string) {
	p := pb.currentPlayer()
	if p == nil {
		pb.u.banners.show("subtitles", problem{
			Title: "The film is still opening",
			What:  "Subtitles can be added once the film has started.",
			Todo:  "Drop " + filepath.Base(path) + " again in a moment.",
		})
		return
	}
	go func() {
		track, err := loadSubtitles(p, path)
		runOnUI(func() {
			if err != nil {
				showErrorDialog(pb.u.win, err)
				return
			}
			pb.setSubtitleTrack(track.ID)
		})
	}()
}

func loadSubtitles(p *player.Player, path string) (player.TrackInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return player.TrackInfo{}, err
	}
	defer f.Close()
	track, err := p.LoadSubtitles(io.LimitReader(f, maxSubtitleBytes), filepath.Base(path))
	if err != nil {
		return player.TrackInfo{}, fmt.Errorf("subtitles %s: %w", filepath.Base(path), err)
	}
	return track, nil
}

// statusLabel is a label that samples update several times a second: setting the text it
// already shows does nothing, since every Refresh repaints the whole window (with software
// GL, a repaint costs tens of milliseconds of CPU), and a paused player must cost none.
type statusLabel struct {
	widget.Label
	updates atomic.Int64 // text changes, each one a repaint
}

func newStatusLabel(text string) *statusLabel {
	l := &statusLabel{}
	l.Text = text
	l.ExtendBaseWidget(l)
	return l
}

func (l *statusLabel) SetText(text string) {
	if text == l.Text {
		return
	}
	l.updates.Add(1)
	l.Label.SetText(text)
}

// activityArea lies over the video: mouse movement shows the controls, a click pauses,
// a double click toggles full screen.
type activityArea struct {
	widget.BaseWidget
	onMove, onTap, onDoubleTap func()
}

var (
	_ desktop.Hoverable   = (*activityArea)(nil)
	_ fyne.Tappable       = (*activityArea)(nil)
	_ fyne.DoubleTappable = (*activityArea)(nil)
)

func newActivityArea(onMove, onTap, onDoubleTap func()) *activityArea {
	a := &activityArea{onMove: onMove, onTap: onTap, onDoubleTap: onDoubleTap}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activityArea) MouseIn(*desktop.MouseEvent)    { a.onMove() }
func (a *activityArea) MouseMoved(*desktop.MouseEvent) { a.onMove() }
func (a *activityArea) MouseOut()                      {}
func (a *activityArea) Tapped(*fyne.PointEvent)        { a.onTap() }
func (a *activityArea) DoubleTapped(*fyne.PointEvent)  { a.onDoubleTap() }

func (a *activityArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
