// Command fynefloor is the least a Fyne 2.7 app can cost, the limit BenchmarkAppCPU
// measures Marquee against in the same run:
//
//	fynefloor idle        a 1280×800 window with one label, doing nothing
//	fynefloor video W H   the same window showing 30 W×H RGBA pictures a second in a
//	                      canvas.Image, set up as Marquee's player sets up its picture
//
// An idle Fyne window is not free: the GLFW driver's event loop ticks 60 times a second
// (internal/driver/glfw/loop.go), and each tick wakes the goroutine locked to the main
// thread.
package main

import (
	"fmt"
	"image"
	"os"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.New()
	w := a.NewWindow("fynefloor")
	w.Resize(fyne.NewSize(1280, 800))
	switch {
	case len(os.Args) == 2 && os.Args[1] == "idle":
		w.SetContent(widget.NewLabel("idle"))
	case len(os.Args) == 4 && os.Args[1] == "video":
		width, errW := strconv.Atoi(os.Args[2])
		height, errH := strconv.Atoi(os.Args[3])
		if errW != nil || errH != nil || width <= 0 || height <= 0 {
			usage()
		}
		w.SetPadded(false)
		w.SetContent(showPictures(width, height))
	default:
		usage()
	}
	w.ShowAndRun()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fynefloor idle | fynefloor video WIDTH HEIGHT")
	os.Exit(2)
}

// showPictures cycles three buffers, as the player's presenter does, so that each
// picture is a new texture upload.
func showPictures(width, height int) *canvas.Image {
	picture := canvas.NewImageFromImage(nil)
	picture.FillMode = canvas.ImageFillContain
	picture.ScaleMode = canvas.ImageScaleFastest
	var buffers [3]*image.RGBA
	for i := range buffers {
		buffers[i] = image.NewRGBA(image.Rect(0, 0, width, height))
		for j := range buffers[i].Pix {
			buffers[i].Pix[j] = byte(j*7 + i*50)
		}
	}
	go func() {
		tick := time.NewTicker(time.Second / 30)
		for n := 0; ; n++ {
			<-tick.C
			next := buffers[n%len(buffers)]
			fyne.Do(func() {
				picture.Image = next
				picture.Refresh()
			})
		}
	}()
	return picture
}
