package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/cast"
	"marquee/httpstream"
)

// castPollInterval paces the renderer's status polls; tests shorten it.
var castPollInterval = cast.PollInterval

// castControls are the player's Cast button and its "Playing on <TV>" view, which covers
// the local picture while a renderer plays the film. The local player stays open, paused,
// so that stopping the cast resumes it where the renderer was.
type castControls struct {
	pb     *playback
	button *widget.Button // Cast, in the player's controls

	view       *fyne.Container
	heading    *canvas.Text
	state      *widget.Label
	stats      *statusLabel
	seek       *seekBar
	playBtn    *widget.Button
	clock      *statusLabel
	volume     *widget.Slider
	volumeBox  *fyne.Container // the slider and its icon, hidden for a renderer without volume control
	stopBtn    *widget.Button
	controls   *fyne.Container
	middle     *fyne.Container // heading, state, message: laid out again when they change
	message    *widget.Label
	messageBox *fyne.Container
	resumeBtn  *widget.Button

	// UI goroutine state.
	run     *castRun       // the cast going on, nil when none
	pending *cast.Renderer // chosen before the film had opened
	// position is the renderer's last known place in the film (a poll or a seek sent).
	position, duration time.Duration
	paused             bool
	settingVolume      bool // the slider is moved by a poll, not by the user
}

// castRun is one cast: the goroutine that starts it, polls the renderer and runs the
// user's commands, and ends it (Stop on the renderer, then the server).
type castRun struct {
	renderer *cast.Renderer
	mime     string // the film's, as the server announces it
	ctx      context.Context
	cancel   context.CancelFunc
	commands chan func(context.Context, *cast.Renderer) error
	done     chan struct{} // the renderer was stopped and the server closed
}

func newCastControls(pb *playback) *castControls {
	c := &castControls{pb: pb}
	c.button = newButton("Cast", theme.ComputerIcon(), c.pick)
	c.button.Importance = widget.LowImportance
	c.heading = canvas.NewText("", color.White)
	c.heading.TextSize = 26
	c.heading.Alignment = fyne.TextAlignCenter
	c.state = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.stats = newStatusLabel("")
	c.stats.Alignment = fyne.TextAlignCenter
	c.seek = newSeekBar(c.seekToFraction)
	c.playBtn = newButton("", theme.MediaPauseIcon(), c.togglePause)
	c.clock = newStatusLabel("0:00 / 0:00")
	c.volume = widget.NewSlider(0, 100)
	c.volume.Step = 1
	c.volume.OnChanged = guarded1("the TV's volume", c.setVolume)
	c.stopBtn = newButton("Stop casting", theme.MediaStopIcon(), c.stop)
	c.volumeBox = container.NewHBox(widget.NewIcon(theme.VolumeUpIcon()), container.NewGridWrap(fyne.NewSize(110, c.volume.MinSize().Height), c.volume))
	c.controls = container.NewVBox(container.NewPadded(c.seek),
		container.NewHBox(c.playBtn, c.clock, layout.NewSpacer(), c.volumeBox, c.stopBtn))

	c.message = widget.NewLabel("")
	c.message.Wrapping = fyne.TextWrapWord
	c.resumeBtn = newButton("Resume here", theme.MediaPlayIcon(), c.resumeHere)
	c.resumeBtn.Importance = widget.HighImportance
	c.messageBox = container.NewVBox(container.NewGridWrap(fyne.NewSize(460, 130), c.message), container.NewCenter(c.resumeBtn))
	c.messageBox.Hide()

	back := newButton("Back", theme.NavigateBackIcon(), pb.u.nav.back)
	back.Importance = widget.LowImportance
	title := widget.NewLabelWithStyle(pb.req.displayName(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.middle = container.NewCenter(container.NewVBox(c.heading, c.state, c.messageBox, c.stats))
	c.view = container.NewStack(canvas.NewRectangle(color.NRGBA{R: 0x10, G: 0x10, B: 0x14, A: 0xFF}),
		container.NewBorder(container.NewHBox(back, title), c.controls, nil, nil, c.middle))
	c.view.Hide()
	return c
}

// pick opens the renderer picker, then casts to the one chosen.
func (c *castControls) pick() {
	c.pb.u.pickRenderer(c.start)
}

// start casts to r: at once when the film is open, else once it is (playerReady).
func (c *castControls) start(r *cast.Renderer) {
	if c.run != nil {
		c.end(c.run)
	}
	c.show(r, "Connecting…")
	if c.pb.currentPlayer() == nil {
		c.pending = r
		return
	}
	c.begin(r)
}

// playerReady starts a cast asked for while the film was opening.
func (c *castControls) playerReady() {
	if r := c.pending; r != nil && c.pb.currentPlayer() != nil {
		c.pending = nil
		c.begin(r)
	}
}

func (c *castControls) show(r *cast.Renderer, state string) {
	c.heading.Text = "Playing on " + r.Name
	c.heading.Refresh()
	c.state.SetText(state)
	c.messageBox.Hide()
	c.controls.Show()
	c.view.Show()
	c.middle.Refresh()
}

// begin pauses the local player and hands the film to the renderer from where it is.
func (c *castControls) begin(r *cast.Renderer) {
	pb := c.pb
	p := pb.currentPlayer()
	if pb.ctx.Err() != nil {
		return
	}
	p.Pause()
	c.position, c.duration, c.paused = p.Position(), p.Duration(), false
	c.playBtn.SetIcon(theme.MediaPauseIcon())
	c.showPosition()
	_, file := pb.currentTorrent()
	duration := p.Duration()
	run := &castRun{renderer: r, mime: httpstream.MediaType(file.Path), commands: make(chan func(context.Context, *cast.Renderer) error, 16), done: make(chan struct{})}
	run.ctx, run.cancel = context.WithCancel(pb.ctx)
	c.run = run
	startAt := c.position
	previous := pb.u.castEnded
	pb.u.castEnded = run.done
	pb.wg.Add(1)
	go func() {
		defer pb.wg.Done()
		defer close(run.done)
		if previous != nil {
			select {
			case <-previous:
			case <-run.ctx.Done():
				return
			}
		}
		c.cast(run, pb.castFilm(duration), startAt)
	}()
}

// castFilm is the film for the renderer: the same media the local player reads, each of the
// renderer's requests through a stream of its own, and an SRT beside it. It runs off the UI
// goroutine (it looks at the disk for the subtitle).
func (pb *playback) castFilm(duration time.Duration) cast.Film {
	pb.mu.Lock()
	m := pb.media
	pb.mu.Unlock()
	return cast.Film{File: m.HTTPFile(), Subtitle: m.SRT(), Title: pb.req.displayName(), Duration: duration, Volume: -1}
}

// cast runs on its own goroutine for the whole cast.
func (c *castControls) cast(run *castRun, film cast.Film, startAt time.Duration) {
	s, err := cast.Start(run.ctx, run.renderer, film)
	if err != nil {
		if run.ctx.Err() == nil {
			runOnUI(func() { c.failed(run, err) })
		}
		return
	}
	defer s.Close()
	volume, volumeErr := run.renderer.Volume(run.ctx)
	runOnUI(func() {
		if volumeErr != nil {
			c.volumeBox.Hide()
			return
		}
		c.volumeBox.Show()
		c.showVolume(volume)
	})
	seeked := startAt < time.Second // a film cast from its start needs no seek
	tick := time.NewTicker(castPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-run.ctx.Done():
			return
		case err := <-s.Failed():
			runOnUI(func() { c.failed(run, fmt.Errorf("stopped serving the film: %w", err)) })
			return
		case cmd := <-run.commands:
			if err := cmd(run.ctx, run.renderer); err != nil && run.ctx.Err() == nil {
				runOnUI(func() { c.state.SetText(castProblem(run, err).What) })
			}
			continue
		case <-tick.C:
		}
		poll, err := s.Poll(run.ctx)
		if !seeked && poll.Status.State == cast.StatePlaying {
			// Renderers take a Seek only once they play: the cast continues where the
			// local picture stopped.
			seeked = true
			if err := run.renderer.Seek(run.ctx, startAt); err == nil {
				poll.Status.Position = startAt
			}
		}
		runOnUI(func() { c.polled(run, poll, err) })
		if err != nil || poll.Ended != "" {
			return
		}
	}
}

// polled shows one poll's answer.
func (c *castControls) polled(run *castRun, poll cast.Poll, err error) {
	if run != c.run {
		return
	}
	if poll.Answered {
		st := poll.Status
		c.position = st.Position
		if st.Duration > 0 {
			c.duration = st.Duration
		}
		c.paused = st.State == cast.StatePaused
		c.playBtn.SetIcon(castPlayIcon(c.paused))
		c.state.SetText(castStateText(st.State))
		c.showPosition()
	}
	if ls := c.pb.lastStatus.Load(); ls != nil {
		c.seek.SetDownloaded(ls.spans)
		if ls.torrent {
			c.stats.SetText(ls.summary())
		}
	}
	switch {
	case err != nil:
		c.failed(run, err)
	case poll.Ended != "":
		// Stopped on the TV itself (its remote), or the film ended there.
		c.end(run)
		c.backToLocal(false)
	}
}

func castPlayIcon(paused bool) fyne.Resource {
	if paused {
		return theme.MediaPlayIcon()
	}
	return theme.MediaPauseIcon()
}

func castStateText(state string) string {
	switch state {
	case cast.StatePlaying:
		return "Playing"
	case cast.StatePaused:
		return "Paused"
	case cast.StateTransitioning:
		return "Loading on the TV…"
	case cast.StateStopped, cast.StateNoMedia:
		return "Starting…"
	}
	return state
}

func (c *castControls) showPosition() {
	c.clock.SetText(formatClock(c.position) + " / " + formatClock(c.duration))
	if c.duration > 0 {
		c.seek.SetPosition(float64(c.position) / float64(c.duration))
	}
}

func (c *castControls) showVolume(v int) {
	c.settingVolume = true
	c.volume.SetValue(float64(v))
	c.settingVolume = false
}

// failed says what went wrong and offers to go on here, at the renderer's last place.
func (c *castControls) failed(run *castRun, err error) {
	if run != c.run {
		return
	}
	c.pb.u.svc.log.Warn("cast failed", "renderer", run.renderer.Name, "err", err)
	c.end(run)
	p := castProblem(run, err)
	c.heading.Text = p.Title
	c.heading.Refresh()
	c.message.SetText(p.What + "\n\n" + p.Todo)
	c.resumeBtn.SetText("Watch here")
	if errors.Is(err, cast.ErrRendererGone) {
		c.resumeBtn.SetText("Resume here from " + formatClock(c.position))
	}
	c.state.SetText("")
	c.controls.Hide()
	c.messageBox.Show()
	c.middle.Refresh()
}

// castProblem is a cast's failure in the user's words.
func castProblem(run *castRun, err error) problem {
	r := run.renderer
	p := problem{Details: err.Error()}
	switch {
	case errors.Is(err, cast.ErrRendererGone):
		p.Title = r.Name + " went away"
		p.What = "It stopped answering in the middle of the film: it may have been switched off or lost the network. The download goes on here."
		p.Todo = "Resume here to watch the rest on this computer, or cast again once it is back."
	case errors.Is(err, cast.ErrFormatRefused):
		p.Title = r.Name + " can't play this film"
		p.What = "It refused the film's format (" + run.mime + "). Many TVs play only some containers and codecs."
		p.Todo = "Watch it here, or try another renderer (Kodi and VLC play nearly everything)."
	default:
		p.Title = "Casting to " + r.Name + " stopped"
		p.What = err.Error() + "."
		p.Todo = "Watch it here, or try again."
	}
	return p
}

// end forgets run and has its goroutine stop the renderer and the server.
func (c *castControls) end(run *castRun) {
	if c.run == run {
		c.run = nil
	}
	run.cancel()
}

// stop is the Stop button: the renderer stops, and the film goes on here where it was.
func (c *castControls) stop() {
	c.pending = nil
	run := c.run
	if run == nil {
		c.backToLocal(true)
		return
	}
	c.end(run)
	c.state.SetText("Stopping…")
	c.stopBtn.Disable()
	go func() {
		<-run.done
		runOnUI(func() {
			c.stopBtn.Enable()
			c.backToLocal(true)
		})
	}()
}

// resumeHere goes on locally after a failed cast.
func (c *castControls) resumeHere() { c.backToLocal(true) }

// backToLocal hides the cast view and puts the local player at the renderer's place.
func (c *castControls) backToLocal(play bool) {
	c.view.Hide()
	c.messageBox.Hide()
	p := c.pb.currentPlayer()
	if p == nil || c.pb.ctx.Err() != nil {
		return
	}
	if c.position > 0 {
		p.Seek(c.position)
	}
	if play {
		p.Play()
	}
}

// casting reports whether the view is up (a cast going on, or its failure shown).
func (c *castControls) casting() bool { return c.view.Visible() }

// send queues a command for the renderer; the cast goroutine runs them in order.
func (c *castControls) send(cmd func(context.Context, *cast.Renderer) error) {
	if c.run == nil {
		return
	}
	select {
	case c.run.commands <- cmd:
	default: // a burst of drags: the renderer is behind, the last ones are dropped
	}
}

func (c *castControls) togglePause() {
	if c.run == nil {
		return
	}
	c.paused = !c.paused
	c.playBtn.SetIcon(castPlayIcon(c.paused))
	if c.paused {
		c.send(func(ctx context.Context, r *cast.Renderer) error { return r.Pause(ctx) })
	} else {
		c.send(func(ctx context.Context, r *cast.Renderer) error { return r.Play(ctx) })
	}
}

func (c *castControls) seekToFraction(f float64) {
	if c.duration <= 0 {
		return
	}
	c.seekTo(time.Duration(f * float64(c.duration)))
}

func (c *castControls) seekTo(target time.Duration) {
	if c.run == nil {
		return
	}
	target = max(target, 0)
	if c.duration > 0 {
		target = min(target, c.duration)
	}
	c.position = target
	c.showPosition()
	c.send(func(ctx context.Context, r *cast.Renderer) error { return r.Seek(ctx, target) })
}

func (c *castControls) setVolume(v float64) {
	if c.settingVolume {
		return
	}
	percent := int(v)
	c.send(func(ctx context.Context, r *cast.Renderer) error { return r.SetVolume(ctx, percent) })
}

// typedKey takes the player's keys while the cast view is up: Space and ←/→ go to the
// renderer, Esc leaves.
func (c *castControls) typedKey(ev *fyne.KeyEvent) bool {
	if !c.casting() {
		return false
	}
	switch ev.Name {
	case fyne.KeySpace:
		c.togglePause()
	case fyne.KeyLeft:
		c.seekTo(c.position - keySeekStep)
	case fyne.KeyRight:
		c.seekTo(c.position + keySeekStep)
	case fyne.KeyEscape:
		c.pb.u.nav.back()
	default:
		return true // the local player's keys do nothing while the TV plays
	}
	return true
}

// castMain is the detail page's Cast button: the film the Play button would play, on the
// renderer picked, from where Play would start.
func (d *detail) castMain() {
	req, _, ok := d.mainRequest()
	if !ok {
		return
	}
	d.u.pickRenderer(func(r *cast.Renderer) {
		d.u.play(req)
		if pb := d.u.playback; pb != nil {
			pb.cast.start(r)
		}
	})
}
