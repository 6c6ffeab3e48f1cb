package app

import (
	"image"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
)

// Poster cards are 2:3, like film posters, with two lines of text below.
const (
	cardPosterWidth  = 150
	cardPosterHeight = 225
	cardTextHeight   = 40
)

var (
	cardEmptyColour = color.NRGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xFF}
	cardHoverColour = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x22}
	cardYearColour  = color.NRGBA{R: 0xAA, G: 0xAA, B: 0xAA, A: 0xFF}
)

// card is a poster with the title's name and year. It shows a generated title card at
// once and swaps in the real poster when it arrives. Cards are recycled by the grid, so
// a poster that arrives for a title the card no longer shows is dropped.
type card struct {
	widget.BaseWidget

	title    catalog.Title
	progress float64 // fraction watched, shown as a bar; 0 hides it
	hovered  bool
	focused  bool // the keyboard's ring is on it
	onTap    func(catalog.Title)
	onHover  func(in bool) // the row's arrows follow the pointer; nil in the grid
	posters  *posterCache

	// shownID is the title whose poster belongs on the card, checked when one arrives.
	shownID string
	poster  image.Image
}

var (
	_ fyne.Tappable     = (*card)(nil)
	_ desktop.Hoverable = (*card)(nil)
)

func newCard(posters *posterCache, onTap func(catalog.Title)) *card {
	c := &card{posters: posters, onTap: onTap}
	c.ExtendBaseWidget(c)
	return c
}

// setTitle shows t (a zero Title shows an empty slot, for a grid page still loading).
func (c *card) setTitle(t catalog.Title, progress float64) {
	samePicture := t.ID == c.title.ID && t.Poster == c.title.Poster && c.poster != nil
	c.title, c.progress = t, progress
	if samePicture {
		c.Refresh()
		return
	}
	c.shownID = t.ID
	c.poster = nil
	if t.ID != "" && c.posters != nil {
		c.poster = c.posters.titleCard(t)
		id := t.ID
		c.posters.load(t.Poster, func(img image.Image) {
			if c.shownID != id {
				return
			}
			c.poster = img
			c.Refresh()
		})
	}
	c.Refresh()
}

// Title is the title the card shows.
func (c *card) Title() catalog.Title { return c.title }

func (c *card) Tapped(*fyne.PointEvent) {
	if c.title.ID != "" && c.onTap != nil {
		guard("a film's poster", func() { c.onTap(c.title) })
	}
}

// setFocused shows or hides the keyboard's ring around the poster.
func (c *card) setFocused(on bool) {
	if c.focused != on {
		c.focused = on
		c.Refresh()
	}
}

func (c *card) MouseIn(*desktop.MouseEvent) {
	c.hovered = true
	c.Refresh()
	if c.onHover != nil {
		c.onHover(true)
	}
}

func (c *card) MouseMoved(*desktop.MouseEvent) {}

func (c *card) MouseOut() {
	c.hovered = false
	c.Refresh()
	if c.onHover != nil {
		c.onHover(false)
	}
}

func (c *card) Cursor() desktop.Cursor {
	if c.title.ID == "" {
		return desktop.DefaultCursor
	}
	return desktop.PointerCursor
}

func (c *card) MinSize() fyne.Size {
	return fyne.NewSize(cardPosterWidth, cardPosterHeight+cardTextHeight)
}

func (c *card) CreateRenderer() fyne.WidgetRenderer {
	r := &cardRenderer{
		card:     c,
		empty:    canvas.NewRectangle(cardEmptyColour),
		image:    canvas.NewImageFromImage(nil),
		hover:    canvas.NewRectangle(cardHoverColour),
		ring:     canvas.NewRectangle(color.Transparent),
		track:    canvas.NewRectangle(color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xFF}),
		progress: canvas.NewRectangle(marqueeRed),
		name:     canvas.NewText("", theme.Color(theme.ColorNameForeground)),
		year:     canvas.NewText("", cardYearColour),
	}
	r.image.FillMode = canvas.ImageFillCover
	r.empty.CornerRadius = 4
	r.ring.StrokeColor = marqueeRed
	r.ring.StrokeWidth = 3
	r.name.TextStyle.Bold = true
	r.name.TextSize = 13
	r.year.TextSize = 12
	r.Refresh()
	return r
}

type cardRenderer struct {
	card            *card
	empty           *canvas.Rectangle
	image           *canvas.Image
	hover           *canvas.Rectangle
	ring            *canvas.Rectangle
	track, progress *canvas.Rectangle
	name, year      *canvas.Text
}

func (r *cardRenderer) Destroy() {}

func (r *cardRenderer) MinSize() fyne.Size { return r.card.MinSize() }

func (r *cardRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.empty, r.image, r.hover, r.track, r.progress, r.ring, r.name, r.year}
}

func (r *cardRenderer) Layout(size fyne.Size) {
	posterH := size.Height - cardTextHeight
	for _, o := range []fyne.CanvasObject{r.empty, r.image, r.hover, r.ring} {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(size.Width, posterH))
	}
	barH := float32(4)
	r.track.Move(fyne.NewPos(0, posterH-barH))
	r.track.Resize(fyne.NewSize(size.Width, barH))
	r.progress.Move(fyne.NewPos(0, posterH-barH))
	r.progress.Resize(fyne.NewSize(size.Width*float32(clamp01(r.card.progress)), barH))
	r.name.Move(fyne.NewPos(0, posterH+4))
	r.name.Resize(fyne.NewSize(size.Width, 18))
	r.year.Move(fyne.NewPos(0, posterH+22))
	r.year.Resize(fyne.NewSize(size.Width, 16))
}

func (r *cardRenderer) Refresh() {
	c := r.card
	r.image.Image = c.poster
	r.image.Refresh()
	r.hover.Hidden = !c.hovered || c.title.ID == ""
	r.ring.Hidden = !c.focused
	r.track.Hidden = c.progress <= 0
	r.progress.Hidden = c.progress <= 0
	r.name.Text = truncateText(c.title.Name, r.name.TextSize, r.name.TextStyle, cardPosterWidth)
	r.year.Text = ""
	if c.title.Year > 0 {
		r.year.Text = strconv.Itoa(c.title.Year)
	}
	r.name.Color = theme.Color(theme.ColorNameForeground)
	r.name.Refresh()
	r.year.Refresh()
	r.hover.Refresh()
	r.ring.Refresh()
	r.Layout(c.Size())
}

// truncateText shortens s with an ellipsis so it fits in width at the given size.
func truncateText(s string, size float32, style fyne.TextStyle, width float32) string {
	fits := func(t string) bool { return fyne.MeasureText(t, size, style).Width <= width }
	if fits(s) {
		return s
	}
	runes := []rune(s)
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(runes[:mid]) + "…") {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo]) + "…"
}
