package app

import (
	"sync/atomic"

	"fyne.io/fyne/v2"
)

// uiDo hands f to Fyne's UI goroutine and returns at once.
//
// Fyne's test driver runs fyne.Do synchronously on the calling goroutine, which would
// let player goroutines and the test race on widgets; the tests replace uiDo with a
// queue drained by one goroutine, the way the real driver behaves.
var uiDo = fyne.Do

// uiStopped is set once the window's event loop has ended: from then on there is no UI
// goroutine, and work for it is dropped rather than run on the caller's goroutine.
var uiStopped atomic.Bool

// runOnUI runs f on the UI goroutine without waiting. Every widget change made from a
// background goroutine (player events, stats, catalog answers, posters) goes through it.
func runOnUI(f func()) {
	if uiStopped.Load() {
		return
	}
	uiDo(func() { guard("an update of the window", f) })
}
