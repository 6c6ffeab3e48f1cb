package player

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// turnRGBA moves whole pixels: a 3×2 picture turned a quarter clockwise has its bottom-left
// pixel at the top left, as a picture turned by hand does.
func TestTurnRGBA(t *testing.T) {
	src := newRGBA(3, 2)
	for i := range 6 { // pixels a b c / d e f, one byte of each set to its letter
		src.Pix[4*i] = byte('a' + i)
	}
	for _, c := range []struct {
		turn orientation
		want string
		w, h int
	}{
		{90, "daebfc", 2, 3},
		{180, "fedcba", 3, 2},
		{270, "cfbead", 2, 3},
	} {
		dst := newRGBA(c.w, c.h)
		turnRGBA(dst, src, c.turn)
		got := ""
		for i := range 6 {
			got += string(rune(dst.Pix[4*i]))
		}
		if got != c.want {
			t.Errorf("turned %d°: %q, want %q", c.turn, got, c.want)
		}
	}
}

// A film whose display matrix turns it (a phone's portrait video) is shown upright: its
// size is the turned one, and its first picture matches ffmpeg's, which turns it too.
func TestTurnedFilmIsShownUpright(t *testing.T) {
	t.Parallel()
	for _, turn := range []int{90, 180, 270} {
		t.Run(fmt.Sprint(turn), func(t *testing.T) {
			t.Parallel()
			spec := mediagen.Spec{Label: "turned", Container: "mp4", Video: "h264", Width: 320, Height: 240, Duration: time.Second, Rotate: turn}
			path := media(t, spec)
			p, _, got, ref := firstPictureAndFFmpegs(t, path)
			w, h := 320, 240
			if turn != 180 {
				w, h = 240, 320
			}
			if v := p.Info().Video; v == nil || v.DisplayWidth != w || v.DisplayHeight != h || v.Rotation != turn {
				t.Fatalf("video info %+v, want %dx%d turned %d°", v, w, h, turn)
			}
			if got.Rect != image.Rect(0, 0, w, h) || len(ref) != len(got.Pix) {
				t.Fatalf("picture %v, %d bytes against ffmpeg's %d", got.Rect, len(got.Pix), len(ref))
			}
			// ffmpeg turns the YUV picture before converting it, so chroma edges differ a
			// little; a picture turned the wrong way differs by tens.
			var sum int
			for i := range ref {
				sum += max(int(got.Pix[i])-int(ref[i]), int(ref[i])-int(got.Pix[i]))
			}
			if mean := float64(sum) / float64(len(ref)); mean > 2 {
				t.Errorf("differs from ffmpeg's upright picture by %.2f a byte on average", mean)
			}

			// The seek bar's previews stand upright too.
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			th, err := NewThumbnailer(f, st.Size(), filepath.Base(path))
			if err != nil {
				t.Fatal(err)
			}
			defer th.Close()
			thumb, _, err := th.At(0, w/2)
			if err != nil {
				t.Fatal(err)
			}
			if thumb.Rect != image.Rect(0, 0, w/2, h/2) {
				t.Errorf("thumbnail %v, want %dx%d", thumb.Rect, w/2, h/2)
			}
		})
	}
}
