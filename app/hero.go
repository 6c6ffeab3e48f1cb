package app

import (
	"image"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/draw"

	"marquee/catalog"
	"marquee/catalog/builtin"
)

const (
	// The featured area is 30% as tall as it is wide, within these bounds: a 500 px tall
	// window still shows the first row's posters under it, and 4K does not give it all.
	heroMinHeight = 230
	heroMaxHeight = 460
	// heroTextWidth bounds the column of name, synopsis and buttons, so lines stay short
	// enough to read on a wide window.
	heroTextWidth = 560
	// heroSynopsisRunes keeps the synopsis to about three lines of the column.
	heroSynopsisRunes = 240
	// heroBlurWidth is the width a poster or title card is shrunk to before it is
	// stretched over the hero: a blur for the price of a resize, with no text left legible.
	heroBlurWidth = 12
)

// hero is the top of the home page: the featured title (the one being watched, else the
// most popular built-in one) over a blurred, darkened backdrop, with its name, year,
// licence, synopsis, Play or Resume, and More info.
type hero struct {
	u     *ui
	title catalog.Title

	backdrop *canvas.Image
	name     *widget.Label
	facts    *widget.Label
	synopsis *widget.Label
	play     *widget.Button
	info     *widget.Button
	rings    []*canvas.Rectangle // the keyboard's rings around play and info (herokeys.go)
	box      *fyne.Container
	layout   *heroLayout

	// shownID is the title whose backdrop belongs on screen, checked when one arrives.
	shownID string
}

func newHero(u *ui) *hero {
	h := &hero{u: u}
	h.backdrop = canvas.NewImageFromImage(nil)
	h.backdrop.FillMode = canvas.ImageFillCover
	h.backdrop.ScaleMode = canvas.ImageScaleSmooth
	h.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.name.SizeName = theme.SizeNameHeadingText
	h.name.Truncation = fyne.TextTruncateEllipsis
	h.facts = widget.NewLabel("")
	h.facts.Truncation = fyne.TextTruncateEllipsis
	h.synopsis = widget.NewLabel("")
	h.synopsis.Wrapping = fyne.TextWrapWord
	h.play = newButton("Play", theme.MediaPlayIcon(), h.playFeatured)
	h.play.Importance = widget.HighImportance
	h.info = newButton("More info", theme.InfoIcon(), func() { h.u.openDetail(h.title) })
	text := container.NewVBox(h.name, h.facts, h.synopsis, h.heroButtons())
	bg := theme.Color(theme.ColorNameBackground)
	clear := color.NRGBA{}
	if c, ok := bg.(color.NRGBA); ok {
		clear = color.NRGBA{R: c.R, G: c.G, B: c.B}
	}
	// Dark on the left under the words, fading into the page at the bottom.
	left := canvas.NewHorizontalGradient(color.NRGBA{A: 0xD0}, color.NRGBA{A: 0x20})
	bottom := canvas.NewVerticalGradient(clear, bg)
	h.layout = &heroLayout{}
	h.box = container.New(h.layout, h.backdrop, left, bottom, text)
	h.box.Hide()
	return h
}

// show features t (a zero title hides the area).
func (h *hero) show(t catalog.Title) {
	if t.ID == "" {
		h.title = t
		h.box.Hide()
		return
	}
	same := t.ID == h.title.ID
	h.title = t
	h.name.SetText(t.Name)
	h.facts.SetText(joinNonEmpty("  ·  ", yearText(t.Year), formatRuntime(t.Runtime), strings.Join(t.Genres, ", "), t.Licence))
	h.synopsis.SetText(shortened(t.Synopsis, heroSynopsisRunes))
	h.refreshPlay()
	h.box.Show()
	if !same {
		h.loadBackdrop(t)
	}
}

// refreshPlay names the Play button after what it would do, from the library.
func (h *hero) refreshPlay() {
	req, at, ok := h.u.titleRequest(h.title)
	switch {
	case !ok || !h.title.Playable():
		h.play.SetText("Play")
		h.play.Disable()
		return
	case at > 0:
		h.play.SetText(joinNonEmpty(" ", "Resume", req.episodeLabel()))
	default:
		h.play.SetText(joinNonEmpty(" ", "Play", req.episodeLabel()))
	}
	h.play.Enable()
}

func (h *hero) playFeatured() {
	if req, _, ok := h.u.titleRequest(h.title); ok {
		h.u.play(req)
	}
}

// loadBackdrop puts the featured title's backdrop behind the hero.
func (h *hero) loadBackdrop(t catalog.Title) {
	h.shownID = t.ID
	h.u.showBackdrop(h.backdrop, t, func() bool { return h.shownID == t.ID })
}

// showBackdrop fills img with t's backdrop: its generated title card blurred at once,
// then its backdrop art darkened (or, without one, its poster blurred) when the loader has
// it. Blurring runs off the UI goroutine; current reports, on the UI goroutine, whether
// img still belongs to t when a picture is ready.
func (u *ui) showBackdrop(img *canvas.Image, t catalog.Title, current func() bool) {
	img.Image = nil
	img.Refresh()
	set := func(src image.Image, blur, card bool) {
		if src == nil {
			return
		}
		go func() {
			var dark *image.RGBA
			if card {
				dark = cardBackdrop(src)
			} else {
				dark = darkenedBackdrop(src, blur)
			}
			runOnUI(func() {
				if current() {
					img.Image = dark
					img.Refresh()
				}
			})
		}()
	}
	posters := u.svc.posters
	set(posters.titleCard(t), true, true)
	if t.Backdrop != "" {
		// Wide art made to sit behind a title: darkened, kept sharp.
		posters.load(t.Backdrop, func(src image.Image) { set(src, false, false) })
		return
	}
	posters.load(t.Poster, func(src image.Image) { set(src, true, false) })
}

// darkenedBackdrop darkens a copy of img so the words stay legible on it. With blur it is
// first shrunk to a few pixels wide: stretched back over the hero, a poster or title card
// becomes a soft wash of its colours. The result is tightly packed at the origin, as Fyne
// needs.
func darkenedBackdrop(img image.Image, blur bool) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if blur && w > heroBlurWidth {
		h = max(1, h*heroBlurWidth/max(w, 1))
		w = heroBlurWidth
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Rect, img, b, draw.Src, nil)
	for i := 0; i < len(dst.Pix); i += 4 {
		for c := range 3 {
			dst.Pix[i+c] = uint8(uint16(dst.Pix[i+c]) * 3 / 5)
		}
	}
	return dst
}

// heroCardLevel is the average of a generated card backdrop's brightest channel.
const heroCardLevel = 0xC8

// cardBackdrop blurs a generated title card into a backdrop. The cards are dark gradients
// (navy, wine, forest): darkened like art and then shaded under the words, they read as an
// empty black band, so the blur's colour is brought to heroCardLevel instead; the hero's
// shade keeps the words on the left readable.
func cardBackdrop(card image.Image) *image.RGBA {
	dst := darkenedBackdrop(card, true)
	var sum, n float64
	for i := 0; i < len(dst.Pix); i += 4 {
		sum += float64(max(dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2]))
		n++
	}
	if sum == 0 {
		return dst // black stays black
	}
	f := heroCardLevel * n / sum
	for i := 0; i < len(dst.Pix); i += 4 {
		for c := range 3 {
			dst.Pix[i+c] = uint8(min(255, float64(dst.Pix[i+c])*f))
		}
	}
	return dst
}

// shortened cuts s at a word boundary to at most n runes, with an ellipsis.
func shortened(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// heroLayout stretches the backdrop and shades over the whole area and puts the words in
// a column on the left, anchored to the bottom. Its height follows its width; Fyne asks
// MinSize without a width, so the layout remembers the last width it was given, and
// onChange runs when that changes the height.
//
// Objects, in order: backdrop, left shade, bottom shade, text column.
type heroLayout struct {
	width    float32
	onChange func()
}

func heroHeightFor(width float32) float32 {
	return min(max(width*0.3, heroMinHeight), heroMaxHeight)
}

func (l *heroLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects[:2] {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	shade := size.Height / 3
	objects[2].Move(fyne.NewPos(0, size.Height-shade))
	objects[2].Resize(fyne.NewSize(size.Width, shade))
	pad := 4 * theme.Padding()
	text := objects[3]
	w := max(min(heroTextWidth, size.Width*0.6), min(text.MinSize().Width, size.Width-2*pad))
	text.Resize(fyne.NewSize(w, size.Height)) // a wrapped label's height follows its width
	h := min(text.MinSize().Height, size.Height-pad)
	text.Move(fyne.NewPos(pad, size.Height-h-pad))
	text.Resize(fyne.NewSize(w, h))
	if old := l.width; heroHeightFor(old) != heroHeightFor(size.Width) {
		l.width = size.Width
		if l.onChange != nil {
			l.onChange()
		}
	}
	l.width = size.Width
}

func (l *heroLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	// The column's height is left out: a wrapped label reports the height it has at its
	// last width, and the synopsis is kept short enough to fit.
	return fyne.NewSize(objects[3].MinSize().Width+8*theme.Padding(), heroHeightFor(l.width))
}

// featuredTitle picks the hero's title from the rows: the first in Continue watching,
// else the most popular built-in title (whatever order the rows are sorted in), else the
// first title of any row.
func (h *home) featuredTitle() catalog.Title {
	if r := h.rows[rowContinue]; r != nil && len(r.items) > 0 {
		return r.items[0].title
	}
	if r := h.rows[builtin.ID]; r != nil && len(r.items) > 0 {
		best := r.items[0].title
		for _, it := range r.items[1:] {
			if it.title.Popularity > best.Popularity {
				best = it.title
			}
		}
		return best
	}
	for _, key := range h.rowKeys {
		if r := h.rows[key]; r != nil && len(r.items) > 0 {
			return r.items[0].title
		}
	}
	return catalog.Title{}
}
