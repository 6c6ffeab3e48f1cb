package app

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// bannerUIFailure is the banner that says a control failed and the session went on.
const bannerUIFailure = "ui-failure"

// uiFailed reports a recovered UI panic. newUI points it at the window's log and banners;
// without a window the panic goes to the default logger.
var uiFailed atomic.Pointer[func(what string, v any, stack []byte)]

// guard runs f and turns a panic into a log line and a banner. Fyne calls widget
// callbacks straight from its event loop, where a panic ends the process: the library
// and the downloads would survive that, but the user's session would not. Every callback
// the app hands to Fyne or to runOnUI goes through here, so this is the one place a UI
// failure is handled.
func guard(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			stack := debug.Stack()
			if report := uiFailed.Load(); report != nil {
				// Telling the user must not become the next crash.
				defer func() { _ = recover() }()
				(*report)(what, v, stack)
				return
			}
			slog.Error("UI callback panicked; the session goes on", "what", what, "panic", v, "stack", string(stack))
		}
	}()
	f()
}

// guarded is f wrapped in guard, for callback fields (OnTapped, OnChanged …).
func guarded(what string, f func()) func() {
	if f == nil {
		return nil
	}
	return func() { guard(what, f) }
}

// guarded1 is guarded for callbacks that take a value.
func guarded1[T any](what string, f func(T)) func(T) {
	if f == nil {
		return nil
	}
	return func(v T) { guard(what, func() { f(v) }) }
}

// guarded2 is guarded for callbacks that take two values (Fyne's file dialogs).
func guarded2[A, B any](what string, f func(A, B)) func(A, B) {
	if f == nil {
		return nil
	}
	return func(a A, b B) { guard(what, func() { f(a, b) }) }
}

// reportUIFailure tells the user that something they did failed, without taking the
// rest of the window with it.
func (u *ui) reportUIFailure(what string, v any, stack []byte) {
	u.svc.log.Error("UI callback panicked; the session goes on", "what", what, "panic", v, "stack", string(stack))
	u.banners.show(bannerUIFailure, problem{
		Title: "Something went wrong in Marquee",
		What:  fmt.Sprintf("An internal error stopped %s (%v). Your library and downloads are not affected.", what, v),
		Todo:  "Try again; if it keeps happening, restart Marquee and report the message in its log.",
	})
}

// menuSelect is a Select whose pop-up never opens against a canvas the driver does not
// know. Fyne's Select asks the driver for its canvas when tapped, and the GL driver
// learns an object's canvas only when it first lays the object out for painting: a tap
// (or a key) that reaches a Select on a page swapped in after the last frame, or on a
// page already taken down, got a nil canvas and Fyne panicked in NewPopUpMenu.
type menuSelect struct {
	widget.Select
}

func newMenuSelect(options []string, changed func(string)) *menuSelect {
	s := &menuSelect{}
	s.Options = options
	s.OnChanged = guarded1("a drop-down menu", changed)
	s.PlaceHolder = "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// attached reports whether the driver knows which canvas s is on.
func (s *menuSelect) attached() bool {
	return fyne.CurrentApp().Driver().CanvasForObject(s) != nil
}

// Tapped opens the pop-up without taking the keyboard. Fyne's Select takes the focus when
// tapped and keeps it after the pick, painted red, and then eats the page's keys: Esc no
// longer went back, `/` no longer searched, and the arrows changed the pick (the sort
// order, from A–Z back to Popular) instead of moving between posters. A drop-down reached
// with Tab keeps the focus as Fyne gives it.
func (s *menuSelect) Tapped(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(s)
	if c == nil {
		return
	}
	guard("a drop-down menu", func() {
		if c.Focused() == fyne.Focusable(s) {
			s.Select.Tapped(ev)
			return
		}
		c.Unfocus() // as a tap anywhere else does
		// Select.Tapped asks for the focus only when it thinks it lacks it.
		s.Select.FocusGained()
		defer s.Select.FocusLost()
		s.Select.Tapped(ev)
	})
}

func (s *menuSelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.attached() {
		return
	}
	if ev.Name == fyne.KeyEscape {
		giveKeyToPage(s, ev)
		return
	}
	guard("a drop-down menu", func() { s.Select.TypedKey(ev) })
}

// switchCheck is a Check that does not keep the keyboard after a tap, for the reason
// menuSelect does not: a switch tapped on Settings or Sharing kept the focus and Esc no
// longer left the page.
type switchCheck struct {
	widget.Check
}

func (c *switchCheck) Tapped(ev *fyne.PointEvent) {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c)
	had := cv != nil && cv.Focused() == fyne.Focusable(c)
	c.Check.Tapped(ev)
	if cv != nil && !had && cv.Focused() == fyne.Focusable(c) {
		cv.Unfocus()
	}
}

// TypedKey hands Esc to the page; Space, which toggles, arrives as a rune.
func (c *switchCheck) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		giveKeyToPage(c, ev)
	}
}

// giveKeyToPage takes the focus from o and gives ev to the window's own key handler, as
// if nothing had been focused.
func giveKeyToPage(o fyne.CanvasObject, ev *fyne.KeyEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	c.Unfocus()
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// minSizer is the part of the GL driver's canvas that lays out its whole tree and, in
// doing so, records the canvas of every object on it.
type minSizer interface{ EnsureMinSize() bool }

// attachContent makes the driver know the canvas of everything now in the window, so a
// page swapped in or rebuilt is fully usable before the next frame is painted rather than
// only after it. Drivers without the method fall back on menuSelect's check. Every
// container the app fills or swaps while it may be on screen calls it afterwards.
func (u *ui) attachContent() {
	if u.win.Canvas().Content() == nil {
		return
	}
	if c, ok := u.win.Canvas().(minSizer); ok && c.EnsureMinSize() {
		// The frame that would have grown the window to its new minimum now sees no
		// change, so grow it here.
		u.win.Resize(u.win.Canvas().Size())
	}
}

// The constructors below are Fyne's, with the callback run through guard.

func newButton(label string, icon fyne.Resource, tapped func()) *widget.Button {
	return widget.NewButtonWithIcon(label, icon, guarded(controlName("button", label), tapped))
}

func newTextButton(label string, tapped func()) *widget.Button {
	return widget.NewButton(label, guarded(controlName("button", label), tapped))
}

func newCheck(label string, changed func(bool)) *switchCheck {
	c := &switchCheck{}
	c.Text = label
	c.OnChanged = guarded1(controlName("switch", label), changed)
	c.ExtendBaseWidget(c)
	return c
}

func newMenuItem(label string, action func()) *fyne.MenuItem {
	return fyne.NewMenuItem(label, guarded(controlName("menu item", label), action))
}

func controlName(kind, label string) string {
	if label == "" {
		return "a " + kind
	}
	return "the “" + label + "” " + kind
}
