package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// detailInfoMaxWidth bounds the column of name, synopsis, pickers and buttons beside the
// poster.
const detailInfoMaxWidth = 960

// detailLayout puts the detail page's poster (objects[0]) beside its information
// (objects[1]) when the page is wide enough for both, and above it when not, so that the
// window can be narrower than poster plus buttons (issue 17: it could not go below 972 px).
// Fyne asks MinSize without a width, so the layout remembers the last width it was given
// to say how tall it is; onChange runs when that flips the arrangement.
type detailLayout struct {
	wide     bool
	laidOut  bool
	onChange func()
}

func (l *detailLayout) fitsBeside(objects []fyne.CanvasObject, width float32) bool {
	return width >= objects[0].MinSize().Width+theme.Padding()+max(objects[1].MinSize().Width, detailInfoMinWidth)
}

func (l *detailLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	poster, info := objects[0].MinSize(), objects[1].MinSize()
	w := max(poster.Width, info.Width)
	if l.wide {
		return fyne.NewSize(w, max(poster.Height, info.Height))
	}
	return fyne.NewSize(w, poster.Height+theme.Padding()+info.Height)
}

func (l *detailLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	poster, info := objects[0], objects[1]
	wide := l.fitsBeside(objects, size.Width)
	pad := theme.Padding()
	ps := poster.MinSize()
	if wide {
		poster.Move(fyne.NewPos(0, 0))
		poster.Resize(ps)
		info.Move(fyne.NewPos(ps.Width+pad, 0))
		// Capped, so that a 4K window keeps the synopsis readable and the pickers near
		// their labels (they stretched 2,200 px at 2560 wide).
		w := max(min(size.Width-ps.Width-pad, detailInfoMaxWidth), info.MinSize().Width)
		info.Resize(fyne.NewSize(w, size.Height))
	} else {
		poster.Move(fyne.NewPos((size.Width-ps.Width)/2, 0))
		poster.Resize(ps)
		info.Move(fyne.NewPos(0, ps.Height+pad))
		info.Resize(fyne.NewSize(size.Width, max(size.Height-ps.Height-pad, info.MinSize().Height)))
	}
	if changed := wide != l.wide || !l.laidOut; changed {
		l.wide, l.laidOut = wide, true
		if l.onChange != nil {
			l.onChange() // the page's height changed with the arrangement
		}
	}
}

// detailInfoMinWidth is the narrowest column of text the page keeps beside the poster;
// below it the poster goes above. The buttons wrap, so they no longer set that width:
// "Resume from 0:45 / Start over / Cast / My list / Mark watched" is about 590 px, and at
// 800 px it pushed the poster above and Play 300 px below the fold.
const detailInfoMinWidth = 480

// wrapRow lays its objects out in a row at their minimum sizes, going on to a new line
// when the next one does not fit. Like detailLayout it remembers the width it was last
// given to say how tall it is, and runs onChange when its number of lines changes.
type wrapRow struct {
	width    float32
	lines    int
	onChange func()
}

// place puts the visible objects as they would be laid out in width (at may be nil),
// and returns the widest object, the line height and the number of lines.
func (l *wrapRow) place(objects []fyne.CanvasObject, width float32, at func(o fyne.CanvasObject, p fyne.Position)) (widest, lineH float32, lines int) {
	for _, o := range objects {
		if o.Visible() {
			s := o.MinSize()
			widest, lineH = max(widest, s.Width), max(lineH, s.Height)
		}
	}
	pad := theme.Padding()
	var x float32
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if lines == 0 {
			lines = 1
		} else if x+w > width {
			x = 0
			lines++
		}
		if at != nil {
			at(o, fyne.NewPos(x, float32(lines-1)*(lineH+pad)))
		}
		x += w + pad
	}
	return widest, lineH, lines
}

// MinSize is as wide as the widest object, so that the row never widens the column, and
// as tall as the lines at the last width (one line before the first layout).
func (l *wrapRow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	width := l.width
	if width <= 0 {
		width = float32(1 << 30)
	}
	widest, lineH, lines := l.place(objects, width, nil)
	if lines == 0 {
		return fyne.Size{}
	}
	return fyne.NewSize(widest, float32(lines)*lineH+float32(lines-1)*theme.Padding())
}

func (l *wrapRow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	_, _, lines := l.place(objects, size.Width, func(o fyne.CanvasObject, p fyne.Position) {
		o.Move(p)
		o.Resize(o.MinSize())
	})
	if lines != l.lines {
		l.lines = lines
		if l.onChange != nil {
			l.onChange() // the row's height changed
		}
	}
}
