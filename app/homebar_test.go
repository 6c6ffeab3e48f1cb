package app

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/player"
	"marquee/torrent"
)

// barControls are the home bar's controls shown now, by name, on the UI goroutine.
func barControls(env *testEnv) map[string]fyne.CanvasObject {
	h := env.u.home
	found := map[string]fyne.CanvasObject{}
	for name, o := range map[string]fyne.CanvasObject{"search box": h.search, "genre menu": h.genre, "sort menu": h.sort, "search button": h.searchButton} {
		if onScreen(env, o) {
			found[name] = o
		}
	}
	for _, o := range test.LaidOutObjects(h.bar) {
		if !onScreen(env, o) {
			continue
		}
		switch w := o.(type) {
		case *widget.Button:
			switch {
			case w.Text == "Paste magnet" || w.Text == "Open .torrent":
				found[w.Text] = w
			case w.Text == "" && w.Icon != nil && strings.Contains(w.Icon.Name(), "settings"):
				found["settings"] = w
			case w.Text == "" && w.Icon != nil && strings.Contains(w.Icon.Name(), "paste"):
				found["paste icon"] = w
			case w.Text == "" && w.Icon != nil && strings.Contains(w.Icon.Name(), "folder"):
				found["open icon"] = w
			}
		case *seedingIndicator:
			found["seeding indicator"] = w
		}
	}
	return found
}

// assertBarFits checks that every control shown lies inside a window w px wide, none
// overlapping another, and that the page's minimum size fits the window.
func assertBarFits(t *testing.T, env *testEnv, size fyne.Size, want []string) {
	t.Helper()
	if got := uiValue(func() fyne.Size { return env.win.Content().MinSize() }); got.Width > size.Width || got.Height > size.Height {
		t.Fatalf("at %v the home page needs %v", size, got)
	}
	type box struct {
		name     string
		pos, end fyne.Position
	}
	var boxes []box
	var names []string
	onUI(func() {
		d := fyne.CurrentApp().Driver()
		for name, o := range barControls(env) {
			p := d.AbsolutePositionForObject(o)
			boxes = append(boxes, box{name, p, p.Add(fyne.NewPos(o.Size().Width, o.Size().Height))})
			names = append(names, name)
		}
	})
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("at %v the bar shows %v, want %v", size, names, want)
	}
	for i, a := range boxes {
		if a.pos.X < 0 || a.pos.Y < 0 || a.end.X > size.Width || a.end.X-a.pos.X < 1 {
			t.Errorf("at %v the %s spans %v–%v, outside the window", size, a.name, a.pos, a.end)
		}
		for _, b := range boxes[i+1:] {
			if a.pos.X < b.end.X && b.pos.X < a.end.X && a.pos.Y < b.end.Y && b.pos.Y < a.end.Y {
				t.Errorf("at %v the %s (%v–%v) overlaps the %s (%v–%v)", size, a.name, a.pos, a.end, b.name, b.pos, b.end)
			}
		}
	}
}

// Below collapseWidth the bar collapses: Paste and Open become icons, the search box a
// search button that opens it on a row of its own, where what is typed shows whole.
// Nothing lies outside the window or overlaps, down to 640 px (one row needed 972).
func TestHomeBarCollapsesWhenNarrow(t *testing.T) {
	env := newTestEnv(t, nil)
	wide := []string{"search box", "genre menu", "sort menu", "Paste magnet", "Open .torrent", "settings", "seeding indicator"}
	collapsed := []string{"search button", "genre menu", "sort menu", "paste icon", "open icon", "settings", "seeding indicator"}
	const typed = "night of the living dead 1968"
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(900, 600), fyne.NewSize(800, 500), fyne.NewSize(640, 500)} {
		onUI(func() { env.win.Resize(size) })
		if size.Width >= collapseWidth {
			assertBarFits(t, env, size, wide)
			if search := uiValue(func() float32 { return env.u.home.search.Size().Width }); search < minSearchWidth {
				t.Errorf("at %v the search box is %v px wide", size, search)
			}
			continue
		}
		assertBarFits(t, env, size, collapsed)
		onUI(func() { test.Tap(env.u.home.searchButton) })
		assertBarFits(t, env, size, append(collapsed, "search box"))
		if f := uiValue(env.win.Canvas().Focused); f != env.u.home.search {
			t.Fatalf("at %v the search button left the focus on %v", size, f)
		}
		onUI(func() { env.u.home.search.SetText(typed) })
		need := fyne.MeasureText(typed, theme.TextSize(), fyne.TextStyle{}).Width + 4*theme.InnerPadding()
		if got := uiValue(func() float32 { return env.u.home.search.Size().Width }); got < need {
			t.Errorf("at %v the open search box is %v px wide; %q needs %v", size, got, typed, need)
		}
		onUI(func() { env.u.home.search.SetText("") })
		onUI(func() { env.u.home.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
		if uiValue(func() bool { return onScreen(env, env.u.home.search) }) {
			t.Errorf("at %v Esc in the empty search box left it open", size)
		}
	}
	onUI(env.u.openSettings)
	if got := uiValue(func() float32 { return env.win.Content().MinSize().Width }); got > 640 {
		t.Fatalf("the settings page needs %v px; want at most 640", got)
	}
}

// The detail page fits a 640 px window too: below poster plus information its poster
// moves above the information, and beside it again when the window is wide.
func TestDetailPageFitsA640PxWindow(t *testing.T) {
	title := movie("narrow", "A Film With A Rather Long Name For A Narrow Window", 1999, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("cd", 20)})
	env := newTestEnv(t, nil)
	// A resume position makes the buttons row its widest: "Resume from 0:45" and "Start over".
	if err := env.svc.library.MarkPlayed(title.ID, catalog.MainFile); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.library.SetResume(title.ID, catalog.MainFile, 45*time.Second, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if got := uiValue(func() string { return d.play.Text }); got != "Resume from 0:45" {
		t.Fatalf("the Play button says %q", got)
	}
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
	// At 800×500 the poster stays beside the text and Resume shows without scrolling: the
	// row of buttons wraps instead of pushing the poster above it.
	onUI(func() { env.win.Resize(fyne.NewSize(800, 500)) })
	waitFor(t, "Resume beside the poster and above the fold at 800×500", 5*time.Second, func() bool {
		drv := fyne.CurrentApp().Driver()
		p := drv.AbsolutePositionForObject(d.play)
		return p.Y+d.play.Size().Height <= 500 && p.X > drv.AbsolutePositionForObject(d.poster).X+detailPosterWidth
	})
	for _, b := range []*widget.Button{d.play, d.startOver, d.cast, d.fav, d.watched} {
		if end := uiValue(func() float32 { return fyne.CurrentApp().Driver().AbsolutePositionForObject(b).X + b.Size().Width }); end > 800 {
			t.Errorf("at 800 px the %q button ends at %v, outside the window", b.Text, end)
		}
	}
}

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

// Home, a title's page, Sharing, Settings and the player (playing, controls and status
// overlay shown) fit windows from 1280×800 down to 800×500:
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
	filmPath := film(t, shortFilm)
	screens := []struct {
		name  string
		open  func()
		ready func() bool
		// shown runs on the UI goroutine once the page is ready, before it is measured.
		shown func()
	}{
		{"home", func() {}, func() bool { return true }, nil},
		{"detail", func() { env.u.openDetail(rowCards(env.u, "films")[0].Title()) }, func() bool {
			d := env.u.currentDetail
			return d != nil && d.more.box.Visible() && len(d.more.cards.Objects) > 0
		}, nil},
		{"sharing", env.u.openSharing, func() bool { s := env.u.currentSharing; return s != nil && len(s.list.Objects) == 1 }, nil},
		{"settings", env.u.openSettings, func() bool { return true }, nil},
		// The player with its controls and the status overlay on screen, playing.
		{"player", func() { env.u.playLocalFile(filmPath) }, func() bool {
			pb := env.u.playback
			if pb == nil || playerState(env.u) != player.StatePlaying || pb.video.framesPainted.Load() == 0 {
				return false
			}
			st := pb.lastStatus.Load() // the clock and the overlay's line have been filled in
			return st != nil && st.DurationMS > 0 && st.PositionMS > 0
		}, func() {
			pb := env.u.playback
			pb.showControls()
			if !pb.infoPinned {
				pb.toggleInfo()
			}
		}},
	}
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(900, 600), fyne.NewSize(800, 500)} {
		for _, sc := range screens {
			onUI(func() {
				env.u.nav.popTo(pageHome)
				sc.open()
				env.win.Resize(size)
			})
			waitFor(t, sc.name+" ready", 60*time.Second, sc.ready)
			if sc.shown != nil {
				onUI(sc.shown)
			}
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

// On a 4K-wide window a title's page keeps its column of text and pickers readable: the
// source picker stretched 2,200 px at 2560 wide.
func TestDetailColumnIsBoundedOnAWideWindow(t *testing.T) {
	title := movie("wide", "A Wide Window", 2004, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20)})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { env.win.Resize(fyne.NewSize(2560, 1440)) })
	if w := uiValue(func() float32 { return d.sourceSel.Size().Width }); w > detailInfoMaxWidth {
		t.Fatalf("the source picker is %v px wide on a 2560 px window, want at most %v", w, detailInfoMaxWidth)
	}
	onUI(func() { env.win.Resize(fyne.NewSize(1100, 720)) })
	if w := uiValue(func() float32 { return d.sourceSel.Size().Width }); w < 300 {
		t.Fatalf("the source picker is %v px wide on a 1100 px window", w)
	}
}
