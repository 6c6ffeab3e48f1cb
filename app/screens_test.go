package app

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/torrent"
)

// outsideWindow lists the visible objects that stick out of a window of size, and the
// labels too narrow for their text. Scrolls clip their content, so only the scroll itself
// is checked. Run it on the UI goroutine.
func outsideWindow(root fyne.CanvasObject, size fyne.Size) []string {
	var bad []string
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		p, s := at.Add(o.Position()), o.Size()
		if s.Width > 0 && s.Height > 0 && (p.X < -0.5 || p.Y < -0.5 || p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5) {
			bad = append(bad, fmt.Sprintf("%T at %v size %v", o, p, s))
		}
		if l, ok := o.(*widget.Label); ok && l.Truncation == fyne.TextTruncateOff && l.Wrapping == fyne.TextWrapOff && l.Text != "" && s.Width+0.5 < l.MinSize().Width {
			bad = append(bad, fmt.Sprintf("label %q cut: %v wide, needs %v", l.Text, s.Width, l.MinSize().Width))
		}
		switch c := o.(type) {
		case *container.Scroll, *rowScroll:
			return
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch, p)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch, p)
			}
		}
	}
	walk(root, fyne.Position{})
	return bad
}

// Home, a title's page, Sharing and Settings fit windows from 1280×800 down to 800×500:
// each page's minimum size is within the window, nothing sticks out of it and no label is
// cut. A picture of each is kept under artifacts/screens/.
func TestScreensFitTheWindow(t *testing.T) {
	var titles []catalog.Title
	for i := range 8 {
		titles = append(titles, movie(fmt.Sprint("f", i), fmt.Sprint("A Film Called Number ", i), 1950+i*9, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + fmt.Sprintf("%040x", i+1)}))
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("films", "Films", titles...)})
	if _, err := env.svc.engine.Seed(film(t, tinyFilm), torrent.SeedOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rows", 20*time.Second, func() bool { return len(rowCards(env.u, "films")) == 8 && env.u.home.hero.box.Visible() })
	artifacts, err := filepath.Abs(filepath.Join("..", "artifacts", "screens"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	screens := []struct {
		name  string
		open  func()
		ready func() bool
	}{
		{"home", func() {}, func() bool { return true }},
		{"detail", func() { env.u.openDetail(rowCards(env.u, "films")[0].Title()) }, func() bool {
			d := env.u.currentDetail
			return d != nil && d.more.box.Visible() && len(d.more.cards.Objects) > 0
		}},
		{"sharing", env.u.openSharing, func() bool { s := env.u.currentSharing; return s != nil && len(s.list.Objects) == 1 }},
		{"settings", env.u.openSettings, func() bool { return true }},
	}
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(900, 600), fyne.NewSize(800, 500)} {
		for _, sc := range screens {
			onUI(func() {
				env.u.nav.popTo(pageHome)
				sc.open()
				env.win.Resize(size)
			})
			waitFor(t, sc.name+" ready", 20*time.Second, sc.ready)
			onUI(func() { env.win.Content().Refresh() })
			if got := uiValue(func() fyne.Size { return env.win.Content().MinSize() }); got.Width > size.Width || got.Height > size.Height {
				t.Errorf("at %v the %s page needs %v", size, sc.name, got)
			}
			if bad := uiValue(func() []string { return outsideWindow(env.win.Content(), size) }); len(bad) > 0 {
				t.Errorf("at %v on the %s page: %v", size, sc.name, bad)
			}
			shot := uiValue(env.win.Canvas().Capture)
			f, err := os.Create(filepath.Join(artifacts, fmt.Sprintf("%s-%vx%v.png", sc.name, size.Width, size.Height)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, shot); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	// The check sees what sticks out: the last page, measured against a smaller window.
	if bad := uiValue(func() []string { return outsideWindow(env.win.Content(), fyne.NewSize(400, 300)) }); len(bad) == 0 {
		t.Fatal("nothing sticks out of a 400×300 window from an 800×500 page: the check sees nothing")
	}
}
