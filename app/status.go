package app

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"marquee/torrent"
)

const (
	// engineWatchInterval paces the seeding indicator: often enough that it follows the
	// settings switch at once, rarely enough to cost nothing.
	engineWatchInterval = 500 * time.Millisecond
	// liveHealthEvery is how many engine watches pass between updates of the detail page's
	// swarm line.
	liveHealthEvery = 4
	// diskCheckEvery counts engine watch ticks between free-space checks.
	diskCheckEvery = 20
)

// lowDiskBytes is the free space under which the "disk full" banner goes up: the engine
// cannot report a failed write to the app, so the app watches the space itself.
var lowDiskBytes int64 = 256 << 20

// uploadState is what the seeding indicator shows.
type uploadState struct {
	engineDown bool
	seeding    bool
	upload     torrent.UploadStatus
}

func (s uploadState) text() string {
	switch {
	case s.engineDown:
		return "Not connected"
	case !s.seeding:
		return "Seeding off"
	case s.upload.Active:
		peers := "peer"
		if s.upload.Peers != 1 {
			peers = "peers"
		}
		return fmt.Sprintf("Uploading %s to %d %s", formatRate(s.upload.Rate), s.upload.Peers, peers)
	}
	return "Seeding on · not uploading now"
}

func (s uploadState) colour() color.Color {
	switch {
	case s.engineDown || !s.seeding:
		return color.NRGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xFF}
	case s.upload.Active:
		return color.NRGBA{R: 0x2E, G: 0xCC, B: 0x71, A: 0xFF}
	}
	return color.NRGBA{R: 0x1E, G: 0x7A, B: 0x46, A: 0xFF}
}

// seedingIndicator is the always-visible answer to "am I uploading right now?": a dot and
// a line of text, on the home bar and over the player. Tapping it opens the Sharing page.
type seedingIndicator struct {
	widget.BaseWidget
	state uploadState
	onTap func()
}

var _ fyne.Tappable = (*seedingIndicator)(nil)

func (u *ui) newSeedingIndicator() *seedingIndicator {
	s := &seedingIndicator{onTap: u.openSharing, state: u.currentUploadState()}
	s.ExtendBaseWidget(s)
	u.indicators = append(u.indicators, s)
	return s
}

// dropSeedingIndicator stops updating an indicator whose page is gone.
func (u *ui) dropSeedingIndicator(s *seedingIndicator) {
	u.indicators = slices.DeleteFunc(u.indicators, func(x *seedingIndicator) bool { return x == s })
}

func (s *seedingIndicator) set(st uploadState) {
	if st == s.state {
		return
	}
	s.state = st
	s.Refresh()
}

// Text is what the indicator says now.
func (s *seedingIndicator) Text() string { return s.state.text() }

func (s *seedingIndicator) Tapped(*fyne.PointEvent) {
	if s.onTap != nil {
		guard("the seeding indicator", s.onTap)
	}
}

func (s *seedingIndicator) CreateRenderer() fyne.WidgetRenderer {
	r := &seedingIndicatorRenderer{ind: s, dot: canvas.NewCircle(color.Transparent), text: canvas.NewText("", color.White)}
	r.text.TextSize = 13
	r.Refresh()
	return r
}

type seedingIndicatorRenderer struct {
	ind  *seedingIndicator
	dot  *canvas.Circle
	text *canvas.Text
}

func (r *seedingIndicatorRenderer) Destroy() {}

func (r *seedingIndicatorRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.dot, r.text}
}

func (r *seedingIndicatorRenderer) MinSize() fyne.Size {
	t := r.text.MinSize()
	return fyne.NewSize(t.Height+6+t.Width, t.Height)
}

func (r *seedingIndicatorRenderer) Layout(size fyne.Size) {
	d := float32(10)
	r.dot.Move(fyne.NewPos(0, (size.Height-d)/2))
	r.dot.Resize(fyne.NewSize(d, d))
	t := r.text.MinSize()
	r.text.Move(fyne.NewPos(d+6, (size.Height-t.Height)/2))
	r.text.Resize(t)
}

func (r *seedingIndicatorRenderer) Refresh() {
	r.dot.FillColor = r.ind.state.colour()
	r.text.Text = r.ind.state.text()
	r.dot.Refresh()
	r.text.Refresh()
	r.Layout(r.ind.Size())
}

// currentUploadState reads the engine. It never blocks for long: Seeding and Uploading
// take the engine's lock only.
func (u *ui) currentUploadState() uploadState {
	eng := u.svc.engine
	if eng == nil {
		return uploadState{engineDown: true}
	}
	return uploadState{seeding: eng.Seeding(), upload: eng.Uploading()}
}

// refreshSeedingIndicators updates every indicator now, on the UI goroutine.
func (u *ui) refreshSeedingIndicators() {
	st := u.currentUploadState()
	// The switch takes effect in the engine asynchronously; show what the user chose.
	if u.svc.engine != nil {
		st.seeding = u.svc.settings.seeding()
		if !st.seeding {
			st.upload = torrent.UploadStatus{}
		}
	}
	for _, ind := range u.indicators {
		ind.set(st)
	}
}

// watchEngine keeps the seeding indicators current and watches the cache's free space,
// until ctx ends.
func (u *ui) watchEngine(ctx context.Context) {
	tick := time.NewTicker(engineWatchInterval)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st := u.currentUploadState()
		low := false
		if n%diskCheckEvery == 0 && u.svc.engine != nil {
			free, err := freeBytes(u.svc.engine.DataDir())
			low = err == nil && free < lowDiskBytes
		}
		checkedDisk := n%diskCheckEvery == 0
		runOnUI(func() {
			for _, ind := range u.indicators {
				ind.set(st)
			}
			if d := u.currentDetail; d != nil && n%liveHealthEvery == 0 && u.nav.top().name == pageDetail {
				d.refreshHealth() // the peers the engine is connected to change as it plays or seeds
			}
			if !checkedDisk {
				return
			}
			if low {
				if !u.banners.has(bannerDiskFull) {
					u.banners.show(bannerDiskFull, diskFullProblem(u.svc.engine.DataDir()))
				}
			} else {
				u.banners.hide(bannerDiskFull)
			}
		})
	}
}

const bannerDiskFull = "disk-full"

func diskFullProblem(dir string) problem {
	return problem{
		Title: "Your disk is almost full",
		What:  "Less than " + formatBytes(lowDiskBytes) + " is free where Marquee keeps downloads (" + dir + "), so films will stop loading.",
		Todo:  "Free some space, or lower the cache size or choose Clear now in Settings → Cache.",
	}
}
