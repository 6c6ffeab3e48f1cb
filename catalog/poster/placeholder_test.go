package poster_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marquee/catalog/poster"
)

// bright counts near-white pixels (text) in a band of rows.
func bright(img *image.RGBA, fromRow, toRow int) int {
	n := 0
	for y := fromRow; y < toRow; y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			i := y*img.Stride + 4*x
			if img.Pix[i] > 200 && img.Pix[i+1] > 200 && img.Pix[i+2] > 200 {
				n++
			}
		}
	}
	return n
}

func TestPlaceholderDrawsATitleCard(t *testing.T) {
	card := poster.Placeholder("Night of the Living Dead", 1968, 400, 600).(*image.RGBA)
	if card.Rect != image.Rect(0, 0, 400, 600) || card.Stride != 1600 {
		t.Fatalf("rect %v stride %d", card.Rect, card.Stride)
	}
	// The name is drawn in the middle of the card, nothing at the very top or bottom.
	if n := bright(card, 150, 500); n < 2000 {
		t.Errorf("only %d text pixels in the middle of the card", n)
	}
	if n := bright(card, 0, 40) + bright(card, 580, 600); n != 0 {
		t.Errorf("%d text pixels at the edges", n)
	}
	without := poster.Placeholder("Night of the Living Dead", 0, 400, 600).(*image.RGBA)
	if bytes.Equal(card.Pix, without.Pix) {
		t.Error("the year is not drawn")
	}
	again := poster.Placeholder("Night of the Living Dead", 1968, 400, 600).(*image.RGBA)
	if !bytes.Equal(card.Pix, again.Pix) {
		t.Error("the same title gives different cards")
	}
	other := poster.Placeholder("Detour", 1945, 400, 600).(*image.RGBA)
	if bytes.Equal(card.Pix[:4], other.Pix[:4]) {
		t.Error("two titles share a background colour")
	}
	if dir := os.Getenv("MARQUEE_POSTER_DUMP"); dir != "" { // for looking at the cards
		for name, img := range map[string]image.Image{"notld.png": card, "detour.png": other} {
			f, _ := os.Create(filepath.Join(dir, name))
			png.Encode(f, img)
			f.Close()
		}
	}
}

// The cards of a row differ in more than colour: the words sit high, in the middle or low.
func TestPlaceholderLayoutsVary(t *testing.T) {
	heights := map[int]bool{}
	for _, name := range []string{"Sintel", "Big Buck Bunny", "Tears of Steel", "Detour", "His Girl Friday", "Nosferatu", "Metropolis", "The General", "Cosmos Laundromat", "Elephants Dream"} {
		card := poster.Placeholder(name, 2000, 200, 300).(*image.RGBA)
		// Where the text is: the first band of rows, in thirds, holding most of it.
		best, at := -1, 0
		for third := range 3 {
			if n := bright(card, third*100, third*100+100); n > best {
				best, at = n, third
			}
		}
		heights[at] = true
	}
	if len(heights) < 3 {
		t.Fatalf("the words of ten cards sit in %d of the 3 thirds, want all three", len(heights))
	}
}

func TestPlaceholderHandlesAnyInput(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h int
		want image.Rectangle
	}{
		{"", 0, 0, image.Rect(0, 0, 400, 600)},
		{"   ", 200, 300, image.Rect(0, 0, 200, 300)},
		{strings.Repeat("Supercalifragilistic", 20), 200, 300, image.Rect(0, 0, 200, 300)},
		{strings.Repeat("word ", 100), 200, 300, image.Rect(0, 0, 200, 300)},
		{"Амели 千と千尋 🎬", 300, 450, image.Rect(0, 0, 300, 450)},
		{"Tiny", 1, 1, image.Rect(0, 0, 32, 32)},
		{"Huge", 100000, 5, image.Rect(0, 0, 4096, 32)},
	} {
		img := poster.Placeholder(c.name, 2000, c.w, c.h).(*image.RGBA)
		if img.Rect != c.want || img.Stride != 4*c.want.Dx() {
			t.Errorf("%.20q %dx%d: rect %v stride %d", c.name, c.w, c.h, img.Rect, img.Stride)
		}
	}
	long := poster.Placeholder(strings.Repeat("word ", 100), 0, 400, 600).(*image.RGBA)
	if bright(long, 0, 600) == 0 {
		t.Error("a long name draws nothing")
	}
}

func BenchmarkPlaceholder(b *testing.B) {
	for b.Loop() {
		poster.Placeholder("The Little Shop of Horrors", 1960, 400, 600)
	}
}
