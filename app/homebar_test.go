package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
)

// barControls are the home bar's controls, on the UI goroutine.
func barControls(env *testEnv) map[string]fyne.CanvasObject {
	h := env.u.home
	found := map[string]fyne.CanvasObject{"search": h.search, "genre menu": h.genre, "sort menu": h.sort}
	for _, o := range test.LaidOutObjects(env.win.Content()) {
		switch w := o.(type) {
		case *widget.Button:
			switch {
			case w.Text == "Paste magnet" || w.Text == "Open .torrent":
				found[w.Text] = w
			case w.Text == "" && w.Icon != nil && strings.Contains(w.Icon.Name(), "settings"):
				found["settings"] = w
			}
		case *seedingIndicator:
			found["seeding indicator"] = w
		}
	}
	return found
}

// The window can be made 640 px wide: the home bar takes two rows, every control stays
// inside the window without overlapping another, and Settings fits too. One row needed
// 972 px.
func TestHomeAndSettingsFitA640PxWindow(t *testing.T) {
	env := newTestEnv(t, nil)
	const width = 640
	for _, w := range []float32{1280, width} {
		onUI(func() { env.win.Resize(fyne.NewSize(w, 600)) })
		if got := uiValue(func() float32 { return env.win.Content().MinSize().Width }); got > width {
			t.Fatalf("the home page needs %v px; want at most %d", got, width)
		}
		type box struct {
			name     string
			pos, end fyne.Position
		}
		var boxes []box
		onUI(func() {
			d := fyne.CurrentApp().Driver()
			for name, o := range barControls(env) {
				p := d.AbsolutePositionForObject(o)
				boxes = append(boxes, box{name, p, p.Add(fyne.NewPos(o.Size().Width, o.Size().Height))})
			}
		})
		if len(boxes) != 7 {
			t.Fatalf("found %d of the 7 bar controls: %v", len(boxes), boxes)
		}
		for i, a := range boxes {
			if a.pos.X < 0 || a.pos.Y < 0 || a.end.X > w || a.end.X-a.pos.X < 1 {
				t.Errorf("at %v px the %s spans %v–%v, outside the window", w, a.name, a.pos, a.end)
			}
			for _, b := range boxes[i+1:] {
				if a.pos.X < b.end.X && b.pos.X < a.end.X && a.pos.Y < b.end.Y && b.pos.Y < a.end.Y {
					t.Errorf("at %v px the %s (%v–%v) overlaps the %s (%v–%v)", w, a.name, a.pos, a.end, b.name, b.pos, b.end)
				}
			}
		}
		if search := uiValue(func() float32 { return env.u.home.search.Size().Width }); search < minSearchWidth {
			t.Errorf("at %v px the search box is %v px wide", w, search)
		}
	}
	onUI(env.u.openSettings)
	if got := uiValue(func() float32 { return env.win.Content().MinSize().Width }); got > width {
		t.Fatalf("the settings page needs %v px; want at most %d", got, width)
	}
}

// The detail page fits a 640 px window too: below poster plus information its poster
// moves above the information, and beside it again when the window is wide.
func TestDetailPageFitsA640PxWindow(t *testing.T) {
	title := movie("narrow", "A Film With A Rather Long Name For A Narrow Window", 1999, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("cd", 20)})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	for _, w := range []float32{1280, 640, 1280} {
		onUI(func() { env.win.Resize(fyne.NewSize(w, 700)) })
		if got := uiValue(func() float32 { return env.win.Content().MinSize().Width }); got > 640 {
			t.Fatalf("the detail page needs %v px; want at most 640", got)
		}
		var poster, play fyne.Position
		onUI(func() {
			drv := fyne.CurrentApp().Driver()
			poster, play = drv.AbsolutePositionForObject(d.poster), drv.AbsolutePositionForObject(d.play)
		})
		beside := play.X > poster.X+detailPosterWidth
		if want := w == 1280; beside != want {
			t.Errorf("at %v px the Play button is at %v and the poster at %v: beside %v, want %v", w, play, poster, beside, want)
		}
		if end := play.X + uiValue(func() float32 { return d.play.Size().Width }); end > w {
			t.Errorf("at %v px the Play button ends at %v, outside the window", w, end)
		}
	}
}
