package app

import (
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

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
