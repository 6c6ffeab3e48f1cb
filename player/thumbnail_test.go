package player

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// thumbnailSpec has a keyframe every second, so the keyframe before t is t truncated to
// the second.
var thumbnailSpec = mediagen.Spec{Label: "thumbs", Container: "mp4", Video: "h264", Duration: 8 * time.Second, Timecode: true}

// prefixHave has the first n bytes of a file.
type prefixHave struct{ n int64 }

func (h prefixHave) DownloadedAhead(off int64) int64 { return max(h.n-off, 0) }

// readRecorder remembers the furthest byte its reader was asked for.
type readRecorder struct {
	r       io.ReadSeeker
	mu      sync.Mutex
	pos     int64
	highest int64
}

func (c *readRecorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.mu.Lock()
	c.highest = max(c.highest, c.pos+int64(len(p)))
	c.pos += int64(n)
	c.mu.Unlock()
	return n, err
}

func (c *readRecorder) Seek(off int64, whence int) (int64, error) {
	pos, err := c.r.Seek(off, whence)
	if err == nil {
		c.mu.Lock()
		c.pos = pos
		c.mu.Unlock()
	}
	return pos, err
}

func (c *readRecorder) furthest() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.highest
}

// thumbnailAt runs At with a hang guard: a read that waited would stop the test here.
func thumbnailAt(t *testing.T, th *Thumbnailer, at time.Duration) (*image.RGBA, time.Duration, error) {
	t.Helper()
	type result struct {
		img *image.RGBA
		pts time.Duration
		err error
	}
	done := make(chan result, 1)
	go func() {
		img, pts, err := th.At(at, 160)
		done <- result{img, pts, err}
	}()
	select {
	case r := <-done:
		return r.img, r.pts, r.err
	case <-time.After(time.Minute):
		t.Fatalf("thumbnail at %v hung", at)
		return nil, 0, nil
	}
}

func TestThumbnailIsTheKeyframeBeforeTheTime(t *testing.T) {
	f, size := openFile(t, media(t, thumbnailSpec))
	th, err := NewThumbnailer(DownloadedOnly(f, size, prefixHave{size}), size, "thumbs.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	var pictures [][]byte
	for _, at := range []time.Duration{2500 * time.Millisecond, 5500 * time.Millisecond, 2500 * time.Millisecond} {
		img, pts, err := thumbnailAt(t, th, at)
		if err != nil {
			t.Fatalf("thumbnail at %v: %v", at, err)
		}
		if got := img.Rect; got != image.Rect(0, 0, 160, 120) || img.Stride != 4*160 {
			t.Fatalf("thumbnail of a 320×240 film at width 160 is %v with stride %d, want 160×120 with stride 640", got, img.Stride)
		}
		if keyframe := at.Truncate(time.Second); pts < keyframe-50*time.Millisecond || pts > at {
			t.Errorf("thumbnail at %v shows the picture at %v, want the keyframe at %v", at, pts, keyframe)
		}
		pictures = append(pictures, img.Pix)
	}
	if bytes.Equal(pictures[0], pictures[1]) {
		t.Error("the thumbnails at 2.5 s and 5.5 s are the same picture")
	}
	if !bytes.Equal(pictures[0], pictures[2]) {
		t.Error("two thumbnails at 2.5 s differ")
	}
}

func TestThumbnailNeverReadsMissingBytes(t *testing.T) {
	f, size := openFile(t, media(t, thumbnailSpec))
	have := prefixHave{size / 2} // about the first four seconds, with the index (faststart)
	rec := &readRecorder{r: f}
	th, err := NewThumbnailer(DownloadedOnly(rec, size, have), size, "thumbs.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()

	if _, _, err := thumbnailAt(t, th, 7*time.Second); !errors.Is(err, ErrNotDownloaded) {
		t.Fatalf("thumbnail past the downloaded half: err = %v, want ErrNotDownloaded", err)
	}
	if _, pts, err := thumbnailAt(t, th, 1500*time.Millisecond); err != nil || pts > 1500*time.Millisecond {
		t.Fatalf("thumbnail at 1.5 s after a missing one: pts %v, err %v", pts, err)
	}
	if _, _, err := thumbnailAt(t, th, 7500*time.Millisecond); !errors.Is(err, ErrNotDownloaded) {
		t.Fatalf("second thumbnail past the downloaded half: err = %v, want ErrNotDownloaded", err)
	}
	if got := rec.furthest(); got > have.n {
		t.Errorf("the thumbnailer asked for bytes up to %d; only %d are downloaded", got, have.n)
	}
}

func TestThumbnailerNeedsTheHeader(t *testing.T) {
	f, size := openFile(t, media(t, thumbnailSpec))
	rec := &readRecorder{r: f}
	_, err := NewThumbnailer(DownloadedOnly(rec, size, prefixHave{1000}), size, "thumbs.mp4")
	if !errors.Is(err, ErrNotDownloaded) {
		t.Fatalf("thumbnailer over the first 1000 bytes: err = %v, want ErrNotDownloaded", err)
	}
	if got := rec.furthest(); got > 1000 {
		t.Errorf("the thumbnailer asked for bytes up to %d; only 1000 are downloaded", got)
	}
}

// BenchmarkThumbnailAt is the cost of one seek-bar thumbnail (seek, one keyframe decoded,
// scaled to 160 px), at 320×240 and 1080p.
func BenchmarkThumbnailAt(b *testing.B) {
	for _, spec := range []mediagen.Spec{thumbnailSpec,
		{Label: "thumbs-1080", Container: "mp4", Video: "h264", Width: 1920, Height: 1080, Duration: 8 * time.Second}} {
		b.Run(fmt.Sprintf("%dp", max(spec.Height, 240)), func(b *testing.B) {
			f, size := openFile(b, media(b, spec))
			th, err := NewThumbnailer(DownloadedOnly(f, size, prefixHave{size}), size, "film.mp4")
			if err != nil {
				b.Fatal(err)
			}
			defer th.Close()
			for i := 0; b.Loop(); i++ {
				if _, _, err := th.At(time.Duration(i%7)*time.Second+500*time.Millisecond, 160); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
