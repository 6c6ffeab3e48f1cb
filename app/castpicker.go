package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/cast"
)

// rendererSearchEvery is how often the background search for renderers runs while the
// app is open; opening the picker searches at once.
var rendererSearchEvery = 30 * time.Second

// rendererSearchWait is how long one search listens for answers.
const rendererSearchWait = 3 * time.Second

// discoverRenderers is the search on the local network (SSDP).
func discoverRenderers(ctx context.Context) ([]*cast.Renderer, error) {
	return cast.Discover(ctx, rendererSearchWait)
}

// rendererFinder keeps the list of renderers on the network fresh, off the UI goroutine.
type rendererFinder struct {
	wake chan struct{}

	mu        sync.Mutex
	discover  func(context.Context) ([]*cast.Renderer, error) // nil: no search (tests over loopback)
	found     []*cast.Renderer
	err       error
	searching bool
	searched  bool // a search has finished

	// changed runs on the UI goroutine after each search: the open picker redraws.
	changed func()
}

func newRendererFinder(discover func(context.Context) ([]*cast.Renderer, error)) *rendererFinder {
	return &rendererFinder{discover: discover, wake: make(chan struct{}, 1)}
}

// setDiscover replaces the search and runs it at once.
func (f *rendererFinder) setDiscover(discover func(context.Context) ([]*cast.Renderer, error)) {
	f.mu.Lock()
	f.discover = discover
	f.mu.Unlock()
	f.searchNow()
}

// searchNow asks for a search without waiting for it.
func (f *rendererFinder) searchNow() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// run searches every rendererSearchEvery, and when woken, until ctx ends.
func (f *rendererFinder) run(ctx context.Context) {
	for {
		f.mu.Lock()
		discover := f.discover
		f.searching = discover != nil
		f.mu.Unlock()
		if discover != nil {
			f.notify()
			found, err := discover(ctx)
			if ctx.Err() != nil {
				return
			}
			f.mu.Lock()
			f.found, f.err, f.searching, f.searched = found, err, false, true
			f.mu.Unlock()
			f.notify()
		}
		timer := time.NewTimer(rendererSearchEvery)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-f.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (f *rendererFinder) notify() {
	runOnUI(func() {
		if f.changed != nil {
			f.changed()
		}
	})
}

// snapshot is what the last search found, and whether one is running.
func (f *rendererFinder) snapshot() (found []*cast.Renderer, err error, searching, searched bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.found, f.err, f.searching, f.searched
}

// castPicker is the "Cast to" dialog; tests press its buttons.
type castPicker struct {
	dialog  *dialog.CustomDialog
	status  *widget.Label
	list    *fyne.Container // one button per renderer
	address *widget.Entry
	connect *widget.Button
}

// pickRenderer asks which renderer to cast to and hands it to chosen (on the UI
// goroutine). The list is the background search's, refreshed at once; a renderer can
// also be given by its description URL.
func (u *ui) pickRenderer(chosen func(*cast.Renderer)) {
	cp := &castPicker{status: widget.NewLabel(""), list: container.NewVBox(), address: widget.NewEntry()}
	cp.status.Wrapping = fyne.TextWrapWord
	cp.address.SetPlaceHolder("http://192.168.1.20:49152/description.xml")
	done := func(r *cast.Renderer) {
		cp.dialog.Hide()
		chosen(r)
	}
	cp.connect = newButton("Connect", theme.LoginIcon(), func() { u.openRendererAt(cp, done) })
	cp.address.OnSubmitted = func(string) { u.openRendererAt(cp, done) }
	content := container.NewBorder(cp.status, container.NewVBox(
		widget.NewSeparator(),
		widget.NewLabel("Not listed? Enter its description URL:"),
		container.NewBorder(nil, nil, nil, cp.connect, cp.address),
	), nil, nil, container.NewVScroll(cp.list))
	cp.dialog = dialog.NewCustomWithoutButtons("Cast to a TV or renderer", container.NewGridWrap(fyne.NewSize(460, 320), content), u.win)
	cp.dialog.SetButtons([]fyne.CanvasObject{newTextButton("Cancel", func() { cp.dialog.Hide() })})
	cp.dialog.SetOnClosed(func() {
		if u.castPicker == cp {
			u.castPicker, u.renderers.changed = nil, nil
		}
	})
	u.castPicker = cp
	u.renderers.changed = func() { cp.show(u.renderers, done) }
	cp.show(u.renderers, done)
	u.renderers.searchNow()
	cp.dialog.Show()
}

// show lists what the finder found.
func (cp *castPicker) show(f *rendererFinder, chosen func(*cast.Renderer)) {
	found, err, searching, searched := f.snapshot()
	cp.list.RemoveAll()
	for _, r := range found {
		label := r.Name
		if model := strings.TrimSpace(r.Manufacturer + " " + r.Model); model != "" {
			label += "  (" + model + ")"
		}
		b := newButton(label, theme.MediaPlayIcon(), func() { chosen(r) })
		b.Alignment = widget.ButtonAlignLeading
		cp.list.Add(b)
	}
	switch {
	case len(found) > 0 && searching:
		cp.status.SetText("Pick where to play. Still looking for more…")
	case len(found) > 0:
		cp.status.SetText("Pick where to play.")
	case searching || !searched:
		cp.status.SetText("Looking for TVs and media renderers on this network…")
	default:
		cp.status.SetText(noRendererText(err))
	}
}

// noRendererText says why the list is empty, in the user's words.
func noRendererText(err error) string {
	text := "No TV or media renderer answered on this network. Check that it is switched on, on the same network as this computer, and that its DLNA or media-sharing setting is on."
	if err != nil && !errors.Is(err, cast.ErrNoRenderer) {
		text = "The search for TVs failed: " + err.Error() + "."
	}
	return text + " Where the network blocks the search, enter the renderer's description URL below."
}

// openRendererAt reads the renderer at the typed URL in the background.
func (u *ui) openRendererAt(cp *castPicker, chosen func(*cast.Renderer)) {
	loc := strings.TrimSpace(cp.address.Text)
	if loc == "" {
		return
	}
	cp.connect.Disable()
	cp.status.SetText("Connecting to " + loc + "…")
	u.background(func(ctx context.Context) {
		r, err := cast.Open(ctx, loc)
		runOnUI(func() {
			cp.connect.Enable()
			if err != nil {
				cp.status.SetText("No renderer there: " + err.Error() + ".")
				return
			}
			chosen(r)
		})
	})
}
