package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"marquee/catalog"
	"marquee/internal/diskcache"
	"marquee/internal/httpget"
)

// Options tune how feeds are fetched. Zero values pick the defaults.
type Options struct {
	Client   *http.Client  // default: httpget.Client
	Timeout  time.Duration // a whole fetch, default 15 seconds
	MaxSize  int64         // bytes, default MaxSize
	CacheDir string        // keeps the last good copy of remote feeds; "" = none
	MaxAge   time.Duration // a remote feed is fetched again after this; default 6 hours
	// RetryAfter is how long a failed fetch waits before the next try; default 1 minute.
	RetryAfter time.Duration
	Logger     *slog.Logger
	Now        func() time.Time // clock, for tests
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.MaxSize <= 0 || o.MaxSize > MaxSize {
		o.MaxSize = MaxSize
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 6 * time.Hour
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ProviderID is the provider ID of the feed at location: "feed-" and the first 12 hex
// digits of the location's SHA-256, so it is stable and never contains a ':'.
func ProviderID(location string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(location)))
	return "feed-" + hex.EncodeToString(sum[:6])
}

// Load fetches and parses the feed at location (an http(s) URL, a file:// URL or a
// local path) once, with no cache. The "Add feed" dialog calls it to tell the user what
// is wrong before the feed is saved.
func Load(ctx context.Context, location string, opts Options) (Feed, error) {
	opts = opts.withDefaults()
	data, _, err := fetch(ctx, strings.TrimSpace(location), opts)
	if err != nil {
		return Feed{}, err
	}
	f, err := Parse(data)
	if err != nil {
		return Feed{}, fmt.Errorf("feed %s: %w", location, err)
	}
	return f, nil
}

// fetch reads the feed's bytes and, for a local file, its modification stamp.
func fetch(ctx context.Context, location string, opts Options) (data []byte, stamp string, err error) {
	u, err := url.Parse(location)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		data, err := fetchHTTP(ctx, location, opts)
		return data, "", err
	}
	path := location
	if err == nil && u.Scheme == "file" {
		path = u.Path
	} else if err == nil && len(u.Scheme) > 1 {
		return nil, "", fmt.Errorf("feed %s: unsupported scheme %q: use https://, http://, file:// or a path", location, u.Scheme)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("feed %s: %w", location, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("feed %s: %w", location, err)
	}
	if !info.Mode().IsRegular() {
		return nil, "", fmt.Errorf("feed %s: not a regular file", location)
	}
	if info.Size() > opts.MaxSize {
		return nil, "", fmt.Errorf("feed %s is %d bytes, more than the limit of %d", location, info.Size(), opts.MaxSize)
	}
	data, err = io.ReadAll(io.LimitReader(f, opts.MaxSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("feed %s: %w", location, err)
	}
	if int64(len(data)) > opts.MaxSize {
		return nil, "", fmt.Errorf("feed %s grew past the limit of %d bytes while being read", location, opts.MaxSize)
	}
	return data, fileStamp(info), nil
}

func fileStamp(info os.FileInfo) string {
	return fmt.Sprintf("%d/%d", info.ModTime().UnixNano(), info.Size())
}

func fetchHTTP(ctx context.Context, location string, opts Options) ([]byte, error) {
	data, err := httpget.Get(ctx, location, httpget.Request{
		Client: opts.Client, Accept: "application/json", MaxBytes: opts.MaxSize, Timeout: opts.Timeout,
	})
	if httpget.IsTransport(err) {
		return nil, catalog.OfflineError("feed "+location, err)
	}
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", location, err)
	}
	return data, nil
}

// Provider serves one feed. It loads the feed on first use and again when it is older
// than MaxAge (a remote feed) or when the file changes (a local one). When a reload
// fails, the last good copy (in memory, else in CacheDir) keeps serving and the failure
// is logged; with no copy at all, Search returns the error.
type Provider struct {
	location string
	id       string
	remote   bool
	opts     Options
	cache    *diskcache.Cache // the last good copy of a remote feed

	mu       sync.Mutex
	index    *catalog.Index
	name     string
	loadedAt time.Time // of the data in index
	retryAt  time.Time // no remote fetch before this after a failure
	stamp    string    // a local file's modification stamp at the last load
	loadErr  error     // why there is no index
	loading  chan struct{}
}

var (
	_ catalog.Provider    = (*Provider)(nil)
	_ catalog.Getter      = (*Provider)(nil)
	_ catalog.GenreLister = (*Provider)(nil)
)

// New returns a provider for the feed at location. It does no I/O until first used.
func New(location string, opts Options) *Provider {
	location = strings.TrimSpace(location)
	u, err := url.Parse(location)
	opts = opts.withDefaults()
	return &Provider{
		location: location,
		id:       ProviderID(location),
		remote:   err == nil && (u.Scheme == "http" || u.Scheme == "https"),
		opts:     opts,
		cache:    diskcache.New(diskcache.Options{Dir: opts.CacheDir, Ext: ".json", MaxEntry: opts.MaxSize}),
	}
}

// ID is ProviderID(location).
func (p *Provider) ID() string { return p.id }

// Location is where the feed is read from.
func (p *Provider) Location() string { return p.location }

// Name is the feed's own name once loaded, else a short form of its location.
func (p *Provider) Name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.name != "" {
		return p.name
	}
	if u, err := url.Parse(p.location); err == nil && u.Host != "" {
		return u.Host + u.Path
	}
	return filepath.Base(p.location)
}

// Search answers q from the feed.
func (p *Provider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	idx, err := p.current(ctx, false)
	if err != nil {
		return catalog.Page{}, err
	}
	return idx.Search(ctx, q)
}

// Get looks up a title by its global ID.
func (p *Provider) Get(ctx context.Context, titleID string) (catalog.Title, error) {
	idx, err := p.current(ctx, false)
	if err != nil {
		return catalog.Title{}, err
	}
	if t, ok := idx.Get(titleID); ok {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s in feed %s: %w", titleID, p.location, catalog.ErrNotFound)
}

// Genres lists the feed's genres.
func (p *Provider) Genres(ctx context.Context) ([]string, error) {
	idx, err := p.current(ctx, false)
	if err != nil {
		return nil, err
	}
	return idx.Genres(), nil
}

// Refresh loads the feed again now and reports whether that worked. The previous copy
// keeps serving when it did not.
func (p *Provider) Refresh(ctx context.Context) error {
	_, err := p.current(ctx, true)
	return err
}

// current returns the index to answer from, loading it first when needed. One load runs
// at a time; concurrent callers wait for it (or for their context). With force, it
// returns the load's own error even when an older copy is still served.
func (p *Provider) current(ctx context.Context, force bool) (*catalog.Index, error) {
	for {
		p.mu.Lock()
		if p.loading != nil {
			wait := p.loading
			p.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if !force && !p.needsLoadLocked() {
			idx, err := p.index, p.loadErr
			p.mu.Unlock()
			if idx == nil {
				return nil, err
			}
			return idx, nil
		}
		done := make(chan struct{})
		p.loading = done
		p.mu.Unlock()

		idx, err := p.load(ctx)

		p.mu.Lock()
		p.loading = nil
		close(done)
		p.mu.Unlock()
		if force || idx == nil {
			return idx, err
		}
		return idx, nil
	}
}

func (p *Provider) needsLoadLocked() bool {
	if !p.remote {
		return p.localStamp() != p.stamp
	}
	now := p.opts.Now()
	if now.Before(p.retryAt) {
		return false
	}
	return p.index == nil || now.Sub(p.loadedAt) >= p.opts.MaxAge
}

// localStamp identifies the local file's version; a file that cannot be read has the
// stamp "missing", so that a vanished file is reported once, not on every query.
func (p *Provider) localStamp() string {
	info, err := os.Stat(p.localPath())
	if err != nil {
		return "missing"
	}
	return fileStamp(info)
}

func (p *Provider) localPath() string {
	if u, err := url.Parse(p.location); err == nil && u.Scheme == "file" {
		return u.Path
	}
	return p.location
}

// load fetches and parses the feed and installs it. It returns the index to serve (the
// new one, or the last good one) and the error of this attempt.
func (p *Provider) load(ctx context.Context) (*catalog.Index, error) {
	now := p.opts.Now()
	p.mu.Lock()
	empty := p.index == nil
	p.mu.Unlock()
	if p.remote && empty {
		// A fresh copy on disk starts the app without waiting for the network.
		if f, savedAt, err := p.readCache(); err == nil && now.Sub(savedAt) < p.opts.MaxAge {
			return p.install(f, savedAt, ""), nil
		}
	}
	data, stamp, err := fetch(ctx, p.location, p.opts)
	var f Feed
	if err == nil {
		f, err = Parse(data)
		if err != nil {
			err = fmt.Errorf("feed %s: %w", p.location, err)
		}
	}
	if err == nil {
		if p.remote {
			p.writeCache(data)
		}
		return p.install(f, now, stamp), nil
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if ctx.Err() == nil {
		// Not the caller giving up: remember the failure so that it is not retried on
		// every query.
		p.retryAt = now.Add(p.opts.RetryAfter)
		if !p.remote {
			p.stamp = p.localStamp()
		}
	}
	if p.index != nil {
		p.opts.Logger.Warn("feed reload failed; serving the previous copy", "feed", p.location, "err", err)
		return p.index, err
	}
	if p.remote {
		if cached, savedAt, cacheErr := p.readCache(); cacheErr == nil {
			p.opts.Logger.Warn("feed unreachable; serving the saved copy", "feed", p.location, "saved", savedAt, "err", err)
			p.setLocked(cached, time.Time{})
			return p.index, err
		}
	}
	if ctx.Err() == nil {
		p.loadErr = err
	}
	return nil, err
}

func (p *Provider) install(f Feed, at time.Time, stamp string) *catalog.Index {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(f, at)
	p.stamp, p.retryAt, p.loadErr = stamp, time.Time{}, nil
	return p.index
}

func (p *Provider) setLocked(f Feed, at time.Time) {
	p.index = catalog.NewIndex(f.TitlesFor(p.id))
	p.name = f.Name
	p.loadedAt = at
}

func (p *Provider) readCache() (Feed, time.Time, error) {
	data, savedAt, ok := p.cache.Get(p.id)
	if !ok {
		return Feed{}, time.Time{}, errors.New("no saved copy")
	}
	f, err := Parse(data)
	if err != nil {
		return Feed{}, time.Time{}, err
	}
	return f, savedAt, nil
}

// writeCache saves a good copy atomically, so a crash never leaves half a feed.
func (p *Provider) writeCache(data []byte) {
	// The copy's time is when it was taken, on the provider's clock.
	if err := p.cache.Put(p.id, data, p.opts.Now()); err != nil {
		p.opts.Logger.Warn("cannot save feed copy", "feed", p.location, "err", err)
	}
}
