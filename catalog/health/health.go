// Package health keeps the swarm size of catalog sources, as trackers report it, and
// refreshes it in the background, so a catalog screen shows an indicator without ever
// waiting for a tracker.
package health

import (
	"context"
	"marquee/catalog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Swarm is a swarm's size as a tracker last reported it.
type Swarm struct {
	Seeders, Leechers int
	Checked           time.Time // zero when never scraped
}

// Level is a coarse reading of Swarm for an indicator.
type Level int

const (
	Unknown Level = iota // never scraped, or no tracker answered
	Dead                 // no seeders
	Poor                 // a few seeders
	Fair
	Good
)

func (l Level) String() string {
	return [...]string{"unknown", "dead", "poor", "fair", "good"}[l]
}

// Level grades the swarm by its seeders.
func (h Swarm) Level() Level {
	switch {
	case h.Checked.IsZero():
		return Unknown
	case h.Seeders == 0:
		return Dead
	case h.Seeders < 5:
		return Poor
	case h.Seeders < 25:
		return Fair
	}
	return Good
}

// Scraper asks a tracker about several swarms at once (BEP 48 for HTTP trackers, the
// scrape action for UDP ones). Infohashes are 40 lowercase hex digits; hashes the
// tracker does not know are simply absent from the answer. main wires this to the
// engine's tracker scrape.
type Scraper interface {
	Scrape(ctx context.Context, trackerURL string, infoHashes []string) (map[string]Swarm, error)
}

// ScraperFunc adapts a function to Scraper.
type ScraperFunc func(ctx context.Context, trackerURL string, infoHashes []string) (map[string]Swarm, error)

// Scrape calls f.
func (f ScraperFunc) Scrape(ctx context.Context, trackerURL string, infoHashes []string) (map[string]Swarm, error) {
	return f(ctx, trackerURL, infoHashes)
}

// Options tunes a Cache. Zero values pick the defaults.
type Options struct {
	TTL         time.Duration // how long a scrape stays fresh; default 5 minutes
	RetryAfter  time.Duration // wait after a failed scrape; default 1 minute
	Timeout     time.Duration // per tracker request; default 15 seconds
	Trackers    []string      // scraped for sources that name none
	MaxTrackers int           // trackers asked per swarm; default 3
	Workers     int           // scrapes running at once; default 2
	// Updated is called from a worker goroutine each time a swarm's health changes.
	// The UI hops onto its own goroutine from there (fyne.Do).
	Updated func(infoHash string, h Swarm)
	Now     func() time.Time // clock, for tests; default time.Now
}

// maxScrapeBatch is how many infohashes go into one scrape request: a UDP scrape
// packet holds at most 74, and HTTP trackers cap their URLs similarly.
const maxScrapeBatch = 50

// Cache keeps swarm health for sources and refreshes it in the background, so a
// catalog screen can show an indicator without ever waiting for a tracker.
type Cache struct {
	scraper Scraper
	opts    Options
	ctx     context.Context
	cancel  context.CancelFunc
	queue   chan healthJob
	wg      sync.WaitGroup

	mu      sync.Mutex
	entries map[string]*healthEntry
}

type healthEntry struct {
	health   Swarm
	known    bool
	inFlight bool
	failedAt time.Time
}

type healthJob struct {
	hash     string
	trackers []string
}

// New starts a cache over s. Close stops its workers.
func New(s Scraper, opts Options) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxTrackers <= 0 {
		opts.MaxTrackers = 3
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Cache{
		scraper: s,
		opts:    opts,
		ctx:     ctx,
		cancel:  cancel,
		queue:   make(chan healthJob, 1024),
		entries: make(map[string]*healthEntry),
	}
	for range opts.Workers {
		h.wg.Add(1)
		go h.work()
	}
	return h
}

// Health returns what is known about src's swarm without waiting: the cached value and
// whether there is one. When the value is missing or older than the TTL it also queues
// a scrape; the Updated callback reports the result. Sources without an infohash (a
// bare .torrent URL) or without a scrapeable tracker have no health.
func (h *Cache) Health(src catalog.Source) (Swarm, bool) {
	hash := src.Hash()
	if hash == "" {
		return Swarm{}, false
	}
	now := h.opts.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.entries[hash]
	if e == nil {
		e = &healthEntry{}
		h.entries[hash] = e
	}
	stale := !e.known || now.Sub(e.health.Checked) >= h.opts.TTL
	retrying := !e.failedAt.IsZero() && now.Sub(e.failedAt) < h.opts.RetryAfter
	if stale && !retrying && !e.inFlight && h.ctx.Err() == nil {
		if trackers := h.scrapeable(src); len(trackers) > 0 {
			select {
			case h.queue <- healthJob{hash, trackers}:
				e.inFlight = true
			default: // queue full: a later call asks again
			}
		}
	}
	return e.health, e.known
}

// scrapeable picks the source's HTTP and UDP trackers (WebSocket trackers cannot be
// scraped), falling back to the configured ones.
func (h *Cache) scrapeable(src catalog.Source) []string {
	var out []string
	for _, list := range [][]string{src.AllTrackers(), h.opts.Trackers} {
		for _, t := range list {
			u, err := url.Parse(t)
			if err != nil || u.Host == "" {
				continue
			}
			switch strings.ToLower(u.Scheme) {
			case "http", "https", "udp":
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out[:min(len(out), h.opts.MaxTrackers)]
}

func (h *Cache) work() {
	defer h.wg.Done()
	for {
		var batch []healthJob
		select {
		case <-h.ctx.Done():
			return
		case j := <-h.queue:
			batch = append(batch, j)
		}
		// Take whatever else is queued so one request per tracker covers many swarms.
	drain:
		for len(batch) < 4*maxScrapeBatch {
			select {
			case j := <-h.queue:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		h.scrapeBatch(batch)
	}
}

func (h *Cache) scrapeBatch(batch []healthJob) {
	byTracker := make(map[string][]string)
	var trackers []string
	for _, j := range batch {
		for _, t := range j.trackers {
			if _, ok := byTracker[t]; !ok {
				trackers = append(trackers, t)
			}
			byTracker[t] = append(byTracker[t], j.hash)
		}
	}
	best := make(map[string]Swarm)
	for _, tracker := range trackers {
		hashes := byTracker[tracker]
		for len(hashes) > 0 && h.ctx.Err() == nil {
			n := min(len(hashes), maxScrapeBatch)
			ctx, cancel := context.WithTimeout(h.ctx, h.opts.Timeout)
			got, err := h.scraper.Scrape(ctx, tracker, hashes[:n])
			cancel()
			hashes = hashes[n:]
			if err != nil {
				continue
			}
			for hash, v := range got {
				// Trackers see different parts of a swarm; the largest count is the
				// closest to its real size.
				old, seen := best[hash]
				if !seen || v.Seeders > old.Seeders || (v.Seeders == old.Seeders && v.Leechers > old.Leechers) {
					best[hash] = v
				}
			}
		}
	}
	now := h.opts.Now()
	type update struct {
		hash   string
		health Swarm
	}
	var updates []update
	h.mu.Lock()
	for _, j := range batch {
		e := h.entries[j.hash]
		e.inFlight = false
		v, ok := best[j.hash]
		if !ok {
			e.failedAt = now
			continue
		}
		v.Checked = now
		e.health, e.known, e.failedAt = v, true, time.Time{}
		updates = append(updates, update{j.hash, v})
	}
	h.mu.Unlock()
	if h.opts.Updated != nil {
		for _, u := range updates {
			h.opts.Updated(u.hash, u.health)
		}
	}
}

// Close stops the background scrapes and waits for them. Health keeps answering from
// the cache afterwards.
func (h *Cache) Close() {
	h.cancel()
	h.wg.Wait()
}
