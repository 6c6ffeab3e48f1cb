package app

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"marquee/catalog"
	"marquee/catalog/builtin"
)

// The hero features the most popular built-in title, in any sort order, until something is being watched;
// then it features that, offers to resume it, and More info opens its page.
func TestHeroFeaturesTheResumableTitle(t *testing.T) {
	first := movie("first", "First Film", 2001, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20)})
	watching := movie("watching", "Half Watched", 2002, catalog.Source{Magnet: "magnet:?xt=urn:btih:" + strings.Repeat("cd", 20)})
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("test", "Test films", first, watching)})
	id := catalog.JoinID("test", "watching")
	h := env.u.home.hero

	waitFor(t, "a built-in title in the hero", 20*time.Second, func() bool {
		return h.box.Visible() && strings.HasPrefix(h.title.ID, builtin.ID+":") && onScreen(env, h.box)
	})
	builtinFirst := uiValue(func() string { return rowCards(env.u, builtin.ID)[0].Title().ID })
	if got := uiValue(func() string { return h.title.ID }); got != builtinFirst {
		t.Fatalf("the hero features %s, want the built-in row's first title %s", got, builtinFirst)
	}

	// Sorted newest first, the rows change order; the hero keeps the most popular title.
	onUI(func() { env.u.home.sort.SetSelected(sortLabels[1]) })
	waitFor(t, "the built-in row sorted newest first", 20*time.Second, func() bool {
		cards := rowCards(env.u, builtin.ID)
		return len(cards) > 1 && cards[0].Title().ID != builtinFirst
	})
	if got := uiValue(func() string { return h.title.ID }); got != builtinFirst {
		t.Fatalf("sorted newest first the hero features %s, want the most popular %s", got, builtinFirst)
	}
	onUI(func() { env.u.home.sort.SetSelected(sortLabels[0]) })

	if err := env.svc.library.SetResume(id, 0, 30*time.Second, 100*time.Second); err != nil {
		t.Fatal(err)
	}
	onUI(env.u.home.refreshLibraryRows)
	waitFor(t, "the title being watched in the hero", 20*time.Second, func() bool { return h.title.ID == id })
	if got := uiValue(func() string { return h.name.Text }); got != "Half Watched" {
		t.Fatalf("the hero's name says %q", got)
	}
	if got := uiValue(func() string { return h.facts.Text }); !strings.Contains(got, "2002") || !strings.Contains(got, "CC0") {
		t.Fatalf("the hero's facts say %q, want the year and licence", got)
	}
	if got := uiValue(func() string { return h.play.Text }); got != "Resume" || uiValue(h.play.Disabled) {
		t.Fatalf("the hero's play button says %q (disabled %v), want Resume", got, uiValue(h.play.Disabled))
	}
	waitFor(t, "the hero's backdrop", 20*time.Second, func() bool { return h.backdrop.Image != nil })

	onUI(func() { test.Tap(h.info) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageDetail || d == nil || d.title.ID != id {
		t.Fatalf("More info led to %q showing %v, want the detail page of %s", top, d, id)
	}
}

// A poster behind the hero is shrunk to a blur and darkened; wide backdrop art is only
// darkened. Both come out tightly packed at the origin.
func TestDarkenedBackdrop(t *testing.T) {
	src := image.NewRGBA(image.Rect(10, 10, 410, 610))
	for i := range src.Pix {
		src.Pix[i] = 200
		if i%4 == 3 {
			src.Pix[i] = 255
		}
	}
	for _, blur := range []bool{true, false} {
		got := darkenedBackdrop(src, blur)
		want := image.Rect(0, 0, 400, 600)
		if blur {
			want = image.Rect(0, 0, heroBlurWidth, heroBlurWidth*3/2)
		}
		if got.Rect != want || got.Stride != 4*got.Rect.Dx() {
			t.Fatalf("blur %v: backdrop is %v with stride %d, want %v tightly packed", blur, got.Rect, got.Stride, want)
		}
		if c := got.RGBAAt(got.Rect.Dx()/2, got.Rect.Dy()/2); c.R >= 200 || c.R < 100 || c.A != 255 {
			t.Fatalf("blur %v: backdrop pixel %v, want darker than the artwork's %v", blur, c, color.RGBA{200, 200, 200, 255})
		}
	}
}

// Offline, the hero's backdrop is the title's generated card: it must read as a colour,
// not as an empty black band, while the words on its left stay readable.
func TestGeneratedHeroBackdropIsColoured(t *testing.T) {
	env := newTestEnv(t, nil)
	h := env.u.home.hero
	onUI(func() { env.win.Resize(fyne.NewSize(1280, 800)) })
	waitFor(t, "the hero's backdrop", 20*time.Second, func() bool {
		return h.box.Visible() && h.backdrop.Image != nil && onScreen(env, h.box)
	})
	onUI(func() { env.win.Content().Refresh() }) // lays out the hero shown after the resize
	// The test environment loads no art (its poster source is nil), so the backdrop is the
	// title's generated card, as for a user offline.
	shot := uiValue(env.win.Canvas().Capture)
	box, syn := uiValue(func() fyne.Position { return fyne.CurrentApp().Driver().AbsolutePositionForObject(h.box) }), uiValue(func() fyne.Position { return fyne.CurrentApp().Driver().AbsolutePositionForObject(h.synopsis) })
	size, synSize := uiValue(h.box.Size), uiValue(h.synopsis.Size)
	scale := float32(shot.Bounds().Dx()) / uiValue(func() float32 { return env.win.Canvas().Size().Width })
	mean := func(x0, y0, x1, y1 float32) (r, g, b float64) {
		n := 0.0
		for y := int(y0 * scale); y < int(y1*scale); y += 2 {
			for x := int(x0 * scale); x < int(x1*scale); x += 2 {
				c := color.NRGBAModel.Convert(shot.At(x, y)).(color.NRGBA)
				r, g, b, n = r+float64(c.R), g+float64(c.G), b+float64(c.B), n+1
			}
		}
		if n == 0 {
			t.Fatalf("no pixels between %v,%v and %v,%v", x0, y0, x1, y1)
		}
		return r / n, g / n, b / n
	}
	// The right of the hero, above the fade into the page.
	r, g, b := mean(box.X+size.Width*0.65, box.Y+size.Height*0.1, box.X+size.Width*0.95, box.Y+size.Height*0.5)
	if hi := max(r, g, b); hi < 0x50 {
		t.Errorf("the right of the hero is %.0f,%.0f,%.0f: too dark to read as a picture", r, g, b)
	}
	// Behind the synopsis, white text keeps a contrast of at least 4.5:1.
	r, g, b = mean(syn.X, syn.Y, syn.X+synSize.Width, syn.Y+synSize.Height)
	if l := relativeLuminance(r, g, b); 1.05/(l+0.05) < 4.5 {
		t.Errorf("behind the synopsis the hero is %.0f,%.0f,%.0f: white text on it has a contrast of %.1f", r, g, b, 1.05/(l+0.05))
	}
}

// relativeLuminance is WCAG's luminance of an sRGB colour given in 0–255.
func relativeLuminance(r, g, b float64) float64 {
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
