package poster_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/catalog/catalogtest"
	"marquee/catalog/poster"
)

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 0x80, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngBomb is a tiny PNG whose header claims w×h pixels: only the header is valid, as
// in a decompression bomb, the rest never gets read.
func pngBomb(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&buf, binary.BigEndian, uint32(len(ihdr)))
	buf.Write(chunk)
	binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	buf.WriteString("\x00\x00\x10\x00IDAT") // and a claim of more to come
	return buf.Bytes()
}

// server serves posters and counts requests; /slow never answers.
type server struct {
	*httptest.Server
	requests atomic.Int32
	active   atomic.Int32
	peak     atomic.Int32
	gate     chan struct{} // when set, /gated/* waits for it
}

func newServer(t *testing.T, files map[string][]byte) *server {
	s := &server{gate: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		n := s.active.Add(1)
		defer s.active.Add(-1)
		for {
			peak := s.peak.Load()
			if n <= peak || s.peak.CompareAndSwap(peak, n) {
				break
			}
		}
		switch {
		case r.URL.Path == "/slow":
			<-r.Context().Done()
			return
		case strings.HasPrefix(r.URL.Path, "/gated/"):
			select {
			case <-s.gate:
			case <-r.Context().Done():
				return
			}
			w.Write(files["/poster.png"])
			return
		case r.URL.Path == "/chunked-huge":
			w.(http.Flusher).Flush() // no Content-Length
			w.Write(pngBytes(t, 8, 8))
			w.Write(make([]byte, 3<<20))
			return
		}
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func loader(t *testing.T, s *server, opts poster.Options) *poster.Loader {
	opts.Client = s.Client()
	l := poster.NewLoader(opts)
	t.Cleanup(l.Close)
	return l
}

func TestFetchDecodesAndScales(t *testing.T) {
	s := newServer(t, map[string][]byte{"/wide.png": pngBytes(t, 1200, 1800), "/small.jpg": jpegBytes(t, 120, 180)})
	l := loader(t, s, poster.Options{MaxWidth: 300})
	img, err := l.Fetch(context.Background(), s.URL+"/wide.png")
	if err != nil {
		t.Fatal(err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect != image.Rect(0, 0, 300, 450) || rgba.Stride != 4*300 {
		t.Fatalf("got %T %v stride %d; want a tight 300×450 RGBA at the origin", img, img.Bounds(), rgba.Stride)
	}
	if small, err := l.Fetch(context.Background(), s.URL+"/small.jpg"); err != nil || small.Bounds() != image.Rect(0, 0, 120, 180) {
		t.Errorf("small jpeg: %v, %v", small.Bounds(), err)
	}
	// Memory cache: no new request.
	before := s.requests.Load()
	l.Fetch(context.Background(), s.URL+"/wide.png")
	if s.requests.Load() != before {
		t.Error("a poster in memory was downloaded again")
	}
}

func TestLimits(t *testing.T) {
	big := append(pngBytes(t, 8, 8), make([]byte, 2<<20)...) // a valid PNG with 2 MiB of trailing junk
	s := newServer(t, map[string][]byte{
		"/big.png":  big,
		"/bomb.png": pngBomb(100_000, 100_000),
		"/page":     []byte("<!DOCTYPE html><html><body>404 poster not found</body></html>"),
		"/empty":    {},
	})
	l := loader(t, s, poster.Options{MaxBytes: 1 << 20, Timeout: 150 * time.Millisecond})
	ctx := context.Background()
	for path, check := range map[string]func(error) bool{
		"/big.png":      func(err error) bool { return errors.Is(err, poster.ErrTooLarge) },
		"/chunked-huge": func(err error) bool { return errors.Is(err, poster.ErrTooLarge) },
		"/bomb.png": func(err error) bool {
			return errors.Is(err, poster.ErrTooManyPixels) && strings.Contains(err.Error(), "100000×100000")
		},
		"/page": func(err error) bool {
			return errors.Is(err, poster.ErrNotImage) && strings.Contains(err.Error(), "text/html")
		},
		"/empty": func(err error) bool {
			return errors.Is(err, poster.ErrNotImage) && strings.Contains(err.Error(), "empty body")
		},
		"/slow":          func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		"/missing.png":   func(err error) bool { return strings.Contains(err.Error(), "HTTP 404") },
		"/../etc/passwd": func(err error) bool { return err != nil },
	} {
		done := make(chan error, 1)
		go func() {
			_, err := l.Fetch(ctx, s.URL+path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !check(err) {
				t.Errorf("%s: %v", path, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: Fetch hung", path)
		}
	}
}

func TestDecompressionBombAllocatesNothing(t *testing.T) {
	bomb := pngBomb(100_000, 100_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := poster.Decode(bomb, 25_000_000, 600)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, poster.ErrTooManyPixels) {
		t.Fatalf("Decode = %v", err)
	}
	// Decoding would need 40 GB; the header check must stop it at kilobytes.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("rejecting the bomb allocated %d bytes", grew)
	}
}

func TestDiskCacheServesWithoutNetwork(t *testing.T) {
	cache := t.TempDir()
	s := newServer(t, map[string][]byte{"/poster.png": pngBytes(t, 40, 60)})
	url := s.URL + "/poster.png"
	first := loader(t, s, poster.Options{CacheDir: cache})
	if _, err := first.Fetch(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A new loader (a restart) gets it from disk, with the server gone.
	second := poster.NewLoader(poster.Options{CacheDir: cache, Client: s.Client()})
	defer second.Close()
	img, err := second.Fetch(context.Background(), url)
	if err != nil || img.Bounds() != image.Rect(0, 0, 40, 60) {
		t.Errorf("from disk: %v, %v", img, err)
	}
	if s.requests.Load() != 1 {
		t.Errorf("%d requests, want 1", s.requests.Load())
	}
}

func TestDamagedCacheFileIsFetchedAgain(t *testing.T) {
	cache := t.TempDir()
	s := newServer(t, map[string][]byte{"/poster.png": pngBytes(t, 40, 60)})
	url := s.URL + "/poster.png"
	l := loader(t, s, poster.Options{CacheDir: cache})
	l.Fetch(context.Background(), url)
	files, _ := filepath.Glob(filepath.Join(cache, "*.img"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v", files)
	}
	os.WriteFile(files[0], []byte("garbage"), 0o644)
	fresh := loader(t, s, poster.Options{CacheDir: cache})
	if _, err := fresh.Fetch(context.Background(), url); err != nil || s.requests.Load() != 2 {
		t.Errorf("after damage: %v, %d requests", err, s.requests.Load())
	}
}

func TestDiskCacheLimit(t *testing.T) {
	cache := t.TempDir()
	files := map[string][]byte{}
	for _, name := range []string{"/a.png", "/b.png", "/c.png", "/d.png"} {
		files[name] = pngBytes(t, 200, 300) // ~90 KB of noise-free gradient each
	}
	size := int64(len(files["/a.png"]))
	s := newServer(t, files)
	l := loader(t, s, poster.Options{CacheDir: cache, CacheLimit: 2*size + size/2})
	for _, name := range []string{"/a.png", "/b.png", "/c.png", "/d.png"} {
		if _, err := l.Fetch(context.Background(), s.URL+name); err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		info, _ := e.Info()
		total += info.Size()
	}
	if total > 2*size+size/2 || len(entries) == 0 {
		t.Errorf("cache holds %d bytes in %d files, limit %d", total, len(entries), 2*size+size/2)
	}
}

func TestLoadCallsBackOnceWithPosterOrTitleCard(t *testing.T) {
	s := newServer(t, map[string][]byte{"/poster.png": pngBytes(t, 40, 60)})
	l := loader(t, s, poster.Options{Timeout: 100 * time.Millisecond, PlaceholderWidth: 200, PlaceholderHeight: 300})
	type result struct {
		img image.Image
	}
	got := make(chan result, 8)
	cb := func(img image.Image) { got <- result{img} }
	ctx := context.Background()
	l.Load(ctx, s.URL+"/poster.png", "Sintel", 2010, cb)
	if r := <-got; r.img.Bounds() != image.Rect(0, 0, 40, 60) {
		t.Errorf("poster: %v", r.img.Bounds())
	}
	want := poster.Placeholder("Sintel", 2010, 200, 300).(*image.RGBA)
	for _, url := range []string{"", s.URL + "/slow", s.URL + "/missing.png"} {
		l.Load(ctx, url, "Sintel", 2010, cb)
		select {
		case r := <-got:
			if card, ok := r.img.(*image.RGBA); !ok || !bytes.Equal(card.Pix, want.Pix) {
				t.Errorf("%q: did not get the title card", url)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%q: no callback", url)
		}
	}
	select {
	case r := <-got:
		t.Errorf("an extra callback with %v", r.img.Bounds())
	default:
	}
}

func TestConcurrencyLimitAndSharedDownloads(t *testing.T) {
	s := newServer(t, map[string][]byte{"/poster.png": pngBytes(t, 10, 10)})
	l := loader(t, s, poster.Options{Concurrency: 2})
	var wg sync.WaitGroup
	var delivered atomic.Int32
	for i := range 6 {
		for range 3 { // three tiles want each poster
			wg.Add(1)
			l.Load(context.Background(), s.URL+"/gated/"+string(rune('a'+i)), "x", 0, func(image.Image) {
				delivered.Add(1)
				wg.Done()
			})
		}
	}
	// Let the loader queue up, then open the gate.
	for deadline := time.Now().Add(30 * time.Second); s.active.Load() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no downloads started")
		}
	}
	close(s.gate)
	wg.Wait()
	if peak := s.peak.Load(); peak > 2 {
		t.Errorf("%d downloads at once, limit 2", peak)
	}
	if n := s.requests.Load(); n != 6 {
		t.Errorf("%d requests for 6 distinct posters wanted by 18 tiles", n)
	}
	if delivered.Load() != 18 {
		t.Errorf("%d callbacks, want 18", delivered.Load())
	}
}

func TestCancelledLoadAndCloseCallNothing(t *testing.T) {
	s := newServer(t, nil)
	catalogtest.CheckGoroutines(t) // after the server: its goroutines end in its own cleanup
	l := poster.NewLoader(poster.Options{Client: s.Client()})
	called := make(chan struct{}, 4)
	ctx, cancel := context.WithCancel(context.Background())
	l.Load(ctx, s.URL+"/slow", "A", 1, func(image.Image) { called <- struct{}{} })
	l.Load(context.Background(), s.URL+"/slow", "B", 2, func(image.Image) { called <- struct{}{} })
	for deadline := time.Now().Add(30 * time.Second); s.active.Load() < 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("download never started")
		}
	}
	cancel()
	closed := make(chan struct{})
	go func() { l.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung on a stuck download")
	}
	l.Load(context.Background(), s.URL+"/slow", "C", 3, func(image.Image) { called <- struct{}{} })
	select {
	case <-called:
		t.Error("a callback ran after cancel or Close")
	default:
	}
	if _, err := l.Fetch(context.Background(), s.URL+"/x.png"); err == nil {
		t.Error("Fetch after Close succeeded")
	}
}

func TestDecodeFormats(t *testing.T) {
	var g bytes.Buffer
	gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White}), nil)
	for name, data := range map[string][]byte{"png": pngBytes(t, 30, 20), "jpeg": jpegBytes(t, 30, 20), "gif": g.Bytes()} {
		img, err := poster.Decode(data, 1000, 600)
		if err != nil || img.Bounds() != image.Rect(0, 0, 30, 20) {
			t.Errorf("%s: %v, %v", name, img, err)
		}
		if _, err := poster.Decode(data, 599, 600); !errors.Is(err, poster.ErrTooManyPixels) {
			t.Errorf("%s over the pixel cap: %v", name, err)
		}
	}
	truncated := pngBytes(t, 30, 20)
	if _, err := poster.Decode(truncated[:len(truncated)-30], 1000, 600); !errors.Is(err, poster.ErrNotImage) {
		t.Errorf("truncated png: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngBytes(f, 4, 4))
	f.Add(jpegBytes(f, 4, 4))
	f.Add(pngBomb(100_000, 100_000))
	f.Add([]byte("GIF89a\x10\x00\x10\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := poster.Decode(data, 1<<16, 64)
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Min != (image.Point{}) || b.Dx() > 64 || b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > 1<<16 {
			t.Fatalf("decoded to %v", b)
		}
	})
}
