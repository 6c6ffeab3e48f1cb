package app

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"
	"time"
)

// e2eScreenSizes are the window sizes the end-to-end test photographs each screen at.
var e2eScreenSizes = []image.Point{{1280, 800}, {900, 600}}

// photographScreens walks the real app from the playing film back to its page, then home,
// then Sharing (through the seeding indicator, as a user would), photographing each at
// every size of e2eScreenSizes into dir (player-1280x800.png …). It checks that each
// resize took and that each step changed the picture, so the photos show what they name.
func photographScreens(t *testing.T, display, win, dir string) []string {
	t.Helper()
	var names []string
	shots := map[string]image.Image{}
	photograph := func(screen string, prepare func(size image.Point)) {
		for _, size := range e2eScreenSizes {
			resizeWindow(t, display, win, size)
			if prepare != nil {
				prepare(size)
			}
			time.Sleep(time.Second) // a relayout and a few repaints
			name := fmt.Sprintf("%s-%dx%d.png", screen, size.X, size.Y)
			run(t, display, "import", "-window", win, filepath.Join(dir, name))
			names = append(names, name)
			shots[name] = readPNG(t, filepath.Join(dir, name))
		}
	}
	key := func(k string) { run(t, display, "xdotool", "key", "--window", win, k) }
	differ := func(a, b string) {
		t.Helper()
		ia, ib := shots[a], shots[b]
		if changed := changedFraction(ia, ib, ia.Bounds()); changed < 0.05 {
			t.Errorf("%s and %s differ in only %.1f%% of their pixels: the screen did not change", a, b, 100*changed)
		}
	}

	key("i") // pin the status overlay
	photograph("player", func(size image.Point) {
		// Mouse movement brings the controls back.
		run(t, display, "xdotool", "mousemove", "--window", win, fmt.Sprint(size.X/2), fmt.Sprint(size.Y/2))
		run(t, display, "xdotool", "mousemove_relative", "--", "5", "5")
	})
	key("Escape")
	photograph("detail", nil)
	differ("player-1280x800.png", "detail-1280x800.png")
	key("Escape")
	photograph("home", nil)
	differ("detail-1280x800.png", "home-1280x800.png")
	photograph("sharing", func(size image.Point) {
		if size == e2eScreenSizes[0] {
			// The seeding indicator sits left of the settings button at the top right.
			run(t, display, "xdotool", "mousemove", "--window", win, fmt.Sprint(size.X-150), "27", "click", "1")
		}
	})
	differ("home-1280x800.png", "sharing-1280x800.png")
	differ("home-900x600.png", "sharing-900x600.png")
	return names
}

// resizeWindow sizes the window and waits until X reports the size. The window is GLFW's,
// which acknowledges a resize on its next event-loop turn, so under load xdotool's --sync
// can return while the old size still holds; the request is repeated, since one can be lost
// while the app is busy painting.
func resizeWindow(t *testing.T, display, win string, size image.Point) {
	t.Helper()
	var got image.Point
	for attempt := 0; attempt < 20; attempt++ {
		if attempt%5 == 0 {
			run(t, display, "xdotool", "windowsize", "--sync", win, fmt.Sprint(size.X), fmt.Sprint(size.Y))
		}
		if got = windowGeometry(t, display, win).Size(); got == size {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("the window is %v after resizing it to %v", got, size)
}
