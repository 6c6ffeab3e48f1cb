package poster

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Placeholder sizes are clamped to this range; 0 or less means the default 2:3 poster.
const (
	DefaultPlaceholderWidth  = 400
	DefaultPlaceholderHeight = 600
	minSide, maxSide         = 32, 4096
)

var (
	fontsOnce         sync.Once
	boldFont, regular *opentype.Font
	fontsErr          error
)

func fonts() (*opentype.Font, *opentype.Font, error) {
	fontsOnce.Do(func() {
		boldFont, fontsErr = opentype.Parse(gobold.TTF)
		if fontsErr == nil {
			regular, fontsErr = opentype.Parse(goregular.TTF)
		}
	})
	return boldFont, regular, fontsErr
}

// Placeholder draws a title card for a title without a poster: a dark two-colour
// gradient chosen from the name (so each title keeps its own colours), the name in big
// letters wrapped to fit, and the year under it. The name also picks where the words sit
// (high, middle or low, the gradient's bright corner away from them), so that a row of
// cards does not look like one card repeated. The image is an *image.RGBA at the
// origin with a tight stride, as Fyne wants.
func Placeholder(name string, year int, w, h int) image.Image {
	if w <= 0 || h <= 0 {
		w, h = DefaultPlaceholderWidth, DefaultPlaceholderHeight
	}
	w, h = min(max(w, minSide), maxSide), min(max(h, minSide), maxSide)
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = "Untitled"
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	layout := layoutFor(name)
	paintGradient(img, name, layout)

	bold, reg, err := fonts()
	if err != nil { // the fonts are compiled in; this cannot happen short of a broken build
		return img
	}
	margin := w / 12
	maxWidth := w - 2*margin
	// Start big and shrink until the name fits in five lines and half the height without
	// breaking a word (down to a size where a very long word must break anyway).
	var lines []string
	var face font.Face
	for size := float64(w) / 6.5; ; size *= 0.88 {
		face = newFace(bold, size)
		lines = wrap(face, name, maxWidth)
		lineHeight := face.Metrics().Height.Ceil()
		fits := len(lines) <= 5 && len(lines)*lineHeight <= h/2
		wordsWhole := widestWord(face, name) <= fixed.I(maxWidth) || size < float64(w)/12
		if (fits && wordsWhole) || size < 8 {
			break
		}
		face.Close()
	}
	defer face.Close()
	if len(lines) > 5 {
		lines = append(lines[:4], ellipsize(face, strings.Join(lines[4:], " "), maxWidth))
	}

	lineHeight := face.Metrics().Height.Ceil()
	ascent := face.Metrics().Ascent.Ceil()
	yearFace := newFace(reg, float64(w)/14)
	defer yearFace.Close()
	yearHeight := yearFace.Metrics().Height.Ceil()
	block := len(lines)*lineHeight + yearHeight*3/2
	var top int
	switch layout {
	case layoutHigh:
		top = h/14 + lineHeight/2
	case layoutLow:
		top = h - h/14 - block
	default:
		top = (h-block)/2 + h/10 // a little below centre, like a poster's title
	}
	top = max(top, lineHeight/2+max(2, h/150))
	white := image.NewUniform(color.RGBA{0xff, 0xff, 0xff, 0xff})
	for i, line := range lines {
		drawCentered(img, face, white, line, w, top+i*lineHeight+ascent)
	}
	if year > 0 {
		y := top + len(lines)*lineHeight + yearHeight*3/2 - yearFace.Metrics().Descent.Ceil()
		drawCentered(img, yearFace, image.NewUniform(color.RGBA{0xd8, 0xd8, 0xd8, 0xff}), strconv.Itoa(year), w, y)
	}
	// An accent bar above the name, in the card's brighter colour.
	accent := lighter(colorsFor(name)[0])
	barWidth, barHeight := w/6, max(2, h/150)
	barTop := top - lineHeight/2
	for y := max(barTop, 0); y < min(barTop+barHeight, h); y++ {
		for x := (w - barWidth) / 2; x < (w+barWidth)/2; x++ {
			img.SetRGBA(x, y, accent)
		}
	}
	return img
}

func newFace(f *opentype.Font, size float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(fmt.Sprintf("poster: font face of size %v: %v", size, err)) // only for invalid sizes, which we never pass
	}
	return face
}

// palette holds the cards' colour pairs: a deep tone at the top left fading to near
// black at the bottom right, dark enough for white text, like a streaming service's
// artwork for a title it has no picture of.
var palette = [][2]color.RGBA{
	{{0x8e, 0x1b, 0x2b, 0xff}, {0x1a, 0x05, 0x08, 0xff}}, // crimson
	{{0x2b, 0x2f, 0x8e, 0xff}, {0x07, 0x08, 0x1f, 0xff}}, // indigo
	{{0x0f, 0x6b, 0x6b, 0xff}, {0x03, 0x1a, 0x1c, 0xff}}, // teal
	{{0x9a, 0x5a, 0x12, 0xff}, {0x1f, 0x10, 0x03, 0xff}}, // amber
	{{0x6b, 0x1f, 0x7a, 0xff}, {0x14, 0x05, 0x1a, 0xff}}, // purple
	{{0x2e, 0x6b, 0x2a, 0xff}, {0x07, 0x18, 0x06, 0xff}}, // forest
	{{0x1f, 0x4e, 0x79, 0xff}, {0x05, 0x0f, 0x1c, 0xff}}, // steel blue
	{{0x8a, 0x3a, 0x1a, 0xff}, {0x1c, 0x0a, 0x04, 0xff}}, // rust
	{{0x86, 0x20, 0x4f, 0xff}, {0x1a, 0x05, 0x10, 0xff}}, // magenta
	{{0x3e, 0x4a, 0x5c, 0xff}, {0x0b, 0x0e, 0x14, 0xff}}, // slate
	{{0x6b, 0x6a, 0x1f, 0xff}, {0x16, 0x16, 0x05, 0xff}}, // olive
	{{0x14, 0x5a, 0x8a, 0xff}, {0x04, 0x15, 0x25, 0xff}}, // ocean
}

// colorsFor picks the name's colour pair: the same name always gets the same card.
func colorsFor(name string) [2]color.RGBA {
	sum := sha256.Sum256([]byte(name))
	return palette[binary.BigEndian.Uint32(sum[:4])%uint32(len(palette))]
}

// cardLayout is where a card's words sit.
type cardLayout int

const (
	layoutMiddle cardLayout = iota
	layoutHigh
	layoutLow
	cardLayouts
)

// layoutFor picks the name's layout, from other bits of the hash than its colours.
func layoutFor(name string) cardLayout {
	sum := sha256.Sum256([]byte(name))
	return cardLayout(binary.BigEndian.Uint32(sum[4:8]) % uint32(cardLayouts))
}

// lighter is the accent colour: the pair's top colour, brightened.
func lighter(c color.RGBA) color.RGBA {
	up := func(v uint8) uint8 { return uint8(min(255, int(v)+(255-int(v))*2/5)) }
	return color.RGBA{up(c.R), up(c.G), up(c.B), 0xff}
}

func paintGradient(img *image.RGBA, name string, layout cardLayout) {
	c := colorsFor(name)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			// Diagonal from a bright corner, eased so the part where the text is stays
			// dark: top left for text in the middle, top right for text low, bottom left
			// for text high.
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			switch layout {
			case layoutLow:
				fx = 1 - fx
			case layoutHigh:
				fy = 1 - fy
			}
			t := (fx + 2*fy) / 3
			t = t * t * (3 - 2*t)
			row[4*x+0] = lerp(c[0].R, c[1].R, t)
			row[4*x+1] = lerp(c[0].G, c[1].G, t)
			row[4*x+2] = lerp(c[0].B, c[1].B, t)
			row[4*x+3] = 0xff
		}
	}
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5) }

func widestWord(face font.Face, text string) fixed.Int26_6 {
	var widest fixed.Int26_6
	for _, word := range strings.Fields(text) {
		widest = max(widest, font.MeasureString(face, word))
	}
	return widest
}

// wrap breaks text into lines no wider than maxWidth, splitting words that are too
// long on their own.
func wrap(face font.Face, text string, maxWidth int) []string {
	limit := fixed.I(maxWidth)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		for font.MeasureString(face, word) > limit {
			// Cut the longest prefix of the word that fits.
			cut := 1
			for cut < len([]rune(word)) && font.MeasureString(face, string([]rune(word)[:cut+1])) <= limit {
				cut++
			}
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			lines = append(lines, string([]rune(word)[:cut]))
			word = string([]rune(word)[cut:])
		}
		if line == "" {
			line = word
		} else if font.MeasureString(face, line+" "+word) <= limit {
			line += " " + word
		} else {
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func ellipsize(face font.Face, text string, maxWidth int) string {
	runes := []rune(text)
	for len(runes) > 0 && font.MeasureString(face, string(runes)+"…") > fixed.I(maxWidth) {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimSpace(string(runes)) + "…"
}

func drawCentered(img *image.RGBA, face font.Face, src image.Image, text string, width, baseline int) {
	d := font.Drawer{Dst: img, Src: src, Face: face}
	textWidth := d.MeasureString(text)
	d.Dot = fixed.Point26_6{X: (fixed.I(width) - textWidth) / 2, Y: fixed.I(baseline)}
	d.DrawString(text)
}
