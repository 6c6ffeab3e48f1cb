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
	return width >= objects[0].MinSize().Width+theme.Padding()+objects[1].MinSize().Width
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
