package app

import (
	"context"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"

	"marquee/player"
)

// hoverSeekBar moves the pointer onto the bar at fraction f of its width.
func hoverSeekBar(bar *seekBar, f float64, first bool) {
	onUI(func() {
		ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(f)*bar.Size().Width, bar.Size().Height/2)}}
		if first {
			bar.MouseIn(ev)
		} else {
			bar.MouseMoved(ev)
		}
	})
}

// Hovering the player's seek bar shows the time under the pointer and the picture there,
// above the bar; leaving it takes the box away.
func TestSeekBarHoverShowsTimeAndThumbnail(t *testing.T) {
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, film(t, shortFilm))
	p := pb.currentPlayer()
	typeKey(env, fyne.KeySpace) // paused, the controls stay
	waitFor(t, "pause", 10*time.Second, func() bool { return p.State() == player.StatePaused })

	hoverSeekBar(pb.seek, 0.5, true)
	want := formatClock(p.Duration() / 2)
	if got := uiValue(func() string { return pb.preview.time.Text }); got != want {
		t.Fatalf("hovering the middle of a %v film shows %q, want %q", p.Duration(), got, want)
	}
	if !uiValue(func() bool { return onScreen(env, pb.preview.box) }) {
		t.Fatal("the hover box is not on screen")
	}
	waitFor(t, "the thumbnail", 30*time.Second, func() bool {
		return pb.preview.picture.Visible() && pb.preview.picture.Image != nil
	})
	if w := uiValue(func() int { return pb.preview.picture.Image.Bounds().Dx() }); w != thumbnailWidth {
		t.Fatalf("thumbnail is %d px wide, want %d", w, thumbnailWidth)
	}
	// The box floats above the bar, inside the window.
	box, bar := uiValue(func() fyne.Position { return fyne.CurrentApp().Driver().AbsolutePositionForObject(pb.preview.box) }),
		uiValue(func() fyne.Position { return fyne.CurrentApp().Driver().AbsolutePositionForObject(pb.seek) })
	boxSize := uiValue(pb.preview.box.Size)
	if box.Y+boxSize.Height > bar.Y || box.X < 0 || box.X+boxSize.Width > env.win.Canvas().Size().Width {
		t.Fatalf("hover box at %v size %v, seek bar at %v: the box must sit above the bar inside the window", box, boxSize, bar)
	}

	onUI(pb.seek.MouseOut)
	if uiValue(pb.preview.box.Visible) {
		t.Fatal("the hover box stays after the pointer left the seek bar")
	}
}

// Where the film's bytes are not downloaded, hovering shows only the time, and the
// thumbnail decoder is refused those bytes at once rather than waiting for them.
func TestSeekBarHoverWithoutTheBytesShowsOnlyTheTime(t *testing.T) {
	test.NewTempApp(t)
	path := film(t, shortFilm)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	size := st.Size()
	have := halfHave{size / 2}
	open := func() (thumbnailSource, func(), error) {
		th, err := player.NewThumbnailer(player.DownloadedOnly(f, size, have), size, path)
		if err != nil {
			return nil, nil, err
		}
		return th, func() { th.Close() }, nil
	}
	var bar *seekBar
	var preview *seekPreview
	onUI(func() {
		bar = newSeekBar(nil)
		preview = newSeekPreview(bar, func() time.Duration { return shortFilm.Duration }, nil)
		w := test.NewTempWindow(t, container.NewStack(container.NewVBox(layout.NewSpacer(), bar), preview.overlay))
		w.Resize(fyne.NewSize(800, 400))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		preview.worker.run(ctx, open)
	}()
	defer func() { cancel(); <-done }()

	hoverSeekBar(bar, 0.9, true)
	waitFor(t, "the worker to answer", 30*time.Second, func() bool { return preview.worker.finished.Load() == 1 })
	if got, want := uiValue(func() string { return preview.time.Text }), formatClock(shortFilm.Duration*9/10); got != want {
		t.Fatalf("hover at 90%% shows %q, want %q", got, want)
	}
	if uiValue(preview.picture.Visible) || !uiValue(preview.box.Visible) {
		t.Fatal("hovering where the bytes are missing must show the time alone")
	}

	hoverSeekBar(bar, 0.1, false)
	waitFor(t, "the thumbnail of the downloaded part", 30*time.Second, func() bool {
		return preview.picture.Visible() && preview.picture.Image != nil
	})
}

type halfHave struct{ n int64 }

func (h halfHave) DownloadedAhead(off int64) int64 { return max(h.n-off, 0) }
