// Package app is Marquee's Fyne user interface: the home grid, the detail page, the
// player view and settings. It talks to the engine, the player and the catalog only
// through their public APIs.
package app

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Options configure the desktop app.
type Options struct {
	Demo   bool
	Source string // a magnet or .torrent to open at start
}

// Run opens the main window and blocks until it is closed.
func Run(opts Options) error {
	a := fyneapp.NewWithID("io.github.marquee_player.marquee")
	w := a.NewWindow("Marquee")
	w.SetContent(container.NewCenter(widget.NewLabel("Marquee")))
	w.Resize(fyne.NewSize(1024, 640))
	w.ShowAndRun()
	return nil
}
