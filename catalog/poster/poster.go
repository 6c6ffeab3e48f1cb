// Package poster loads poster images for the catalog without ever holding up the UI:
// loads run in the background, a limited number at a time, through a memory cache and
// a disk cache. Every download has a time limit and a byte limit, and an image is
// decoded only after its header has shown that its pixel count is within bounds, so a
// small file that claims to be 100,000 pixels square (a decompression bomb) is turned
// away before any pixel memory is allocated. When a poster is missing or fails, a
// generated title card (Placeholder) stands in.
package poster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders posters come in
	_ "image/jpeg"
	_ "image/png"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	lru "github.com/hashicorp/golang-lru/v2"

	"marquee/internal/diskcache"
	"marquee/internal/httpget"
)

var (
	// ErrTooLarge means the download is bigger than Options.MaxBytes.
	ErrTooLarge = errors.New("poster file is too large")
	// ErrTooManyPixels means the image's header declares more than Options.MaxPixels.
	ErrTooManyPixels = errors.New("poster image has too many pixels")
	// ErrNotImage means the data is not a PNG, JPEG, GIF or WebP image.
	ErrNotImage = errors.New("not an image")
)

// Options tune a Loader. Zero values pick the defaults.
type Options struct {
	CacheDir    string        // downloaded posters are kept here; "" = memory only
	CacheLimit  int64         // bytes on disk, default 256 MiB; the oldest go first
	Client      *http.Client  // default: httpget.Client
	Timeout     time.Duration // per download, default 15 seconds
	MaxBytes    int64         // per download, default 8 MiB
	MaxPixels   int64         // width × height before decoding, default 25 megapixels
	MaxWidth    int           // wider posters are scaled down to this, default 600
	Concurrency int           // downloads at once, default 4
	MemoryItems int           // decoded images kept in memory, default 200
	// PlaceholderWidth and PlaceholderHeight size the title cards Load hands out;
	// default 400×600.
	PlaceholderWidth, PlaceholderHeight int
	Logger                              *slog.Logger
}

// Loader fetches posters. It is safe for concurrent use.
type Loader struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	memory   *lru.Cache[string, image.Image] // safe for concurrent use
	inFlight map[string]*call
	disk     *diskcache.Cache
}

type call struct {
	done chan struct{}
	img  image.Image
	err  error
}

// NewLoader returns a loader. Close it to stop its downloads.
func NewLoader(opts Options) *Loader {
	if opts.CacheLimit <= 0 {
		opts.CacheLimit = 256 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 8 << 20
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = 25_000_000
	}
	if opts.MaxWidth <= 0 {
		opts.MaxWidth = 600
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.MemoryItems <= 0 {
		opts.MemoryItems = 200
	}
	if opts.PlaceholderWidth <= 0 || opts.PlaceholderHeight <= 0 {
		opts.PlaceholderWidth, opts.PlaceholderHeight = DefaultPlaceholderWidth, DefaultPlaceholderHeight
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Loader{
		opts: opts, ctx: ctx, cancel: cancel,
		slots:    make(chan struct{}, opts.Concurrency),
		memory:   mustLRU(opts.MemoryItems),
		inFlight: make(map[string]*call),
		disk:     diskcache.New(diskcache.Options{Dir: opts.CacheDir, Ext: ".img", MaxEntry: opts.MaxBytes, Limit: opts.CacheLimit}),
	}
}

// Load fetches the poster at url in the background and calls cb exactly once, from a
// loader goroutine, with the poster or, when there is none or it fails, with a title
// card for name and year. If ctx ends first (the tile scrolled away) or the loader is
// closed, cb is not called. A UI hands the image to its own goroutine from cb (in
// Fyne, fyne.Do).
func (l *Loader) Load(ctx context.Context, url, name string, year int, cb func(image.Image)) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.wg.Add(1)
	l.mu.Unlock()
	go func() {
		defer l.wg.Done()
		img, err := l.Fetch(ctx, url)
		if ctx.Err() != nil || l.ctx.Err() != nil {
			return
		}
		if err != nil {
			if url != "" {
				l.opts.Logger.Debug("poster unavailable; using a title card", "url", url, "err", err)
			}
			img = l.placeholder(name, year)
		}
		cb(img)
	}()
}

func (l *Loader) placeholder(name string, year int) image.Image {
	key := "\x00placeholder\x00" + name + "\x00" + strconv.Itoa(year)
	if img, ok := l.memory.Get(key); ok {
		return img
	}
	img := Placeholder(name, year, l.opts.PlaceholderWidth, l.opts.PlaceholderHeight)
	l.memory.Add(key, img)
	return img
}

// Cached returns the poster at url if it is decoded in memory, without waiting.
func (l *Loader) Cached(url string) (image.Image, bool) {
	return l.memory.Get(url)
}

// mustLRU is an LRU of n entries (n > 0, as NewLoader guarantees).
func mustLRU(n int) *lru.Cache[string, image.Image] {
	c, err := lru.New[string, image.Image](n)
	if err != nil {
		panic(err)
	}
	return c
}

// Fetch returns the poster at url, from memory, disk or the network. Concurrent
// fetches of one URL share a single download.
func (l *Loader) Fetch(ctx context.Context, url string) (image.Image, error) {
	if url == "" {
		return nil, errors.New("poster: no URL")
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, errors.New("poster: loader closed")
	}
	if img, ok := l.memory.Get(url); ok {
		l.mu.Unlock()
		return img, nil
	}
	c, running := l.inFlight[url]
	if !running {
		c = &call{done: make(chan struct{})}
		l.inFlight[url] = c
		l.wg.Add(1)
	}
	l.mu.Unlock()

	if !running {
		// The shared fetch runs under the loader's context, not this caller's: another
		// caller may still want it after this one gives up.
		go func() {
			defer l.wg.Done()
			c.img, c.err = l.fetch(url)
			l.mu.Lock()
			delete(l.inFlight, url)
			if c.err == nil {
				l.memory.Add(url, c.img)
			}
			l.mu.Unlock()
			close(c.done)
		}()
	}
	select {
	case <-c.done:
		return c.img, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *Loader) fetch(url string) (image.Image, error) {
	if data, _, ok := l.disk.Get(url); ok {
		l.disk.Touch(url) // recently used posters are evicted last
		img, err := l.decode(data)
		if err == nil {
			return img, nil
		}
		l.disk.Remove(url) // damaged or from older limits: fetch it again
	}
	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
	case <-l.ctx.Done():
		return nil, l.ctx.Err()
	}
	data, err := l.download(url)
	if err != nil {
		return nil, fmt.Errorf("poster %s: %w", url, err)
	}
	img, err := l.decode(data)
	if err != nil {
		return nil, fmt.Errorf("poster %s: %w", url, err)
	}
	if err := l.disk.Put(url, data, time.Time{}); err != nil {
		l.opts.Logger.Warn("cannot cache poster", "url", url, "err", err)
	}
	return img, nil
}

func (l *Loader) download(url string) ([]byte, error) {
	data, err := httpget.Get(l.ctx, url, httpget.Request{
		Client: l.opts.Client, Accept: "image/webp,image/png,image/jpeg,image/gif",
		MaxBytes: l.opts.MaxBytes, Timeout: l.opts.Timeout,
	})
	if errors.Is(err, httpget.ErrTooLarge) {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.opts.MaxBytes)
	}
	return data, err
}

// decode checks the header's dimensions before decoding, then returns the image as a
// tightly packed *image.RGBA at the origin (Fyne ignores Stride), scaled down to
// MaxWidth.
func (l *Loader) decode(data []byte) (image.Image, error) {
	return Decode(data, l.opts.MaxPixels, l.opts.MaxWidth)
}

// Decode is the loader's decoding step on its own: it rejects data that is not an
// image or whose header declares more than maxPixels pixels, decodes the rest, and
// scales images wider than maxWidth down.
func Decode(data []byte, maxPixels int64, maxWidth int) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", ErrNotImage, sniff(data))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("%w: %s of %d×%d, limit %d pixels", ErrTooManyPixels, format, cfg.Width, cfg.Height, maxPixels)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: broken %s: %v", ErrNotImage, format, err)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if maxWidth > 0 && w > maxWidth {
		h = max(1, h*maxWidth/w)
		w = maxWidth
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() {
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
	} else {
		draw.ApproxBiLinear.Scale(dst, dst.Rect, src, b, draw.Src, nil)
	}
	return dst, nil
}

// sniff names what the data looks like, for the error message.
func sniff(data []byte) string {
	if len(data) == 0 {
		return "empty body"
	}
	return "looks like " + http.DetectContentType(data)
}

// Close stops downloads and waits for the background loads to finish; their callbacks
// are not called.
func (l *Loader) Close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
}
