package health_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/catalog/catalogtest"
	"marquee/catalog/health"
)

// fakeScraper records calls and can be made to block, to prove callers never wait.
type fakeScraper struct {
	mu      sync.Mutex
	calls   []scrapeCall
	gate    chan struct{} // when set, each Scrape waits for a receive
	started chan struct{}
	answer  func(tracker string, hashes []string) (map[string]health.Swarm, error)
}

type scrapeCall struct {
	tracker string
	hashes  []string
}

func (f *fakeScraper) Scrape(ctx context.Context, tracker string, hashes []string) (map[string]health.Swarm, error) {
	f.mu.Lock()
	f.calls = append(f.calls, scrapeCall{tracker, slices.Clone(hashes)})
	f.mu.Unlock()
	if f.started != nil {
		f.started <- struct{}{}
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.answer(tracker, hashes)
}

func (f *fakeScraper) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func hashN(i int) string { return fmt.Sprintf("%040x", i+1) }

func sourceN(i int) catalog.Source {
	return catalog.Source{InfoHash: hashN(i), Trackers: []string{"udp://tracker.example:1337", "wss://tracker.example"}}
}

// waitUpdate waits for n Updated callbacks; the timeout is only a hang guard.
func waitUpdate(t *testing.T, updates <-chan string, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case h := <-updates:
			got = append(got, h)
		case <-time.After(30 * time.Second):
			t.Fatalf("got %d of %d health updates", len(got), n)
		}
	}
	return got
}

func TestHealthCacheNeverBlocksAndCaches(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	scraper := &fakeScraper{
		gate: make(chan struct{}), started: make(chan struct{}, 16),
		answer: func(tracker string, hashes []string) (map[string]health.Swarm, error) {
			out := make(map[string]health.Swarm)
			for _, h := range hashes {
				out[h] = health.Swarm{Seeders: 30, Leechers: 4}
			}
			return out, nil
		},
	}
	updates := make(chan string, 16)
	cache := health.New(scraper, health.Options{
		TTL: 5 * time.Minute, Now: clock.Now, Workers: 1,
		Updated: func(hash string, h health.Swarm) { updates <- hash },
	})
	defer cache.Close()

	// The scraper is stuck, yet Health answers at once, with nothing known.
	if _, ok := cache.Health(sourceN(0)); ok {
		t.Fatal("health known before any scrape")
	}
	<-scraper.started
	if _, ok := cache.Health(sourceN(0)); ok {
		t.Fatal("health known while the scrape is still running")
	}
	scraper.gate <- struct{}{}
	waitUpdate(t, updates, 1)

	h, ok := cache.Health(sourceN(0))
	if !ok || h.Seeders != 30 || h.Leechers != 4 || !h.Checked.Equal(clock.Now()) || h.Level() != health.Good {
		t.Fatalf("Health = %+v, %v", h, ok)
	}
	if scraper.callCount() != 1 {
		t.Fatalf("%d scrapes, want 1", scraper.callCount())
	}
	if got := scraper.calls[0]; got.tracker != "udp://tracker.example:1337" || !slices.Equal(got.hashes, []string{hashN(0)}) {
		t.Errorf("scraped %+v; the wss tracker cannot be scraped", got)
	}

	// Fresh within the TTL: no new scrape.
	clock.Advance(4 * time.Minute)
	cache.Health(sourceN(0))
	if scraper.callCount() != 1 {
		t.Fatalf("%d scrapes within the TTL, want 1", scraper.callCount())
	}
	// Stale: the old value is served while a new scrape runs.
	clock.Advance(2 * time.Minute)
	if h, ok := cache.Health(sourceN(0)); !ok || h.Seeders != 30 {
		t.Errorf("stale value not served: %+v %v", h, ok)
	}
	<-scraper.started
	scraper.gate <- struct{}{}
	waitUpdate(t, updates, 1)
	if scraper.callCount() != 2 {
		t.Errorf("%d scrapes after the TTL, want 2", scraper.callCount())
	}
}

func TestHealthCacheBatchesPerTracker(t *testing.T) {
	scraper := &fakeScraper{
		gate: make(chan struct{}), started: make(chan struct{}, 16),
		answer: func(tracker string, hashes []string) (map[string]health.Swarm, error) {
			out := make(map[string]health.Swarm)
			for _, h := range hashes {
				out[h] = health.Swarm{Seeders: 1}
			}
			return out, nil
		},
	}
	updates := make(chan string, 64)
	cache := health.New(scraper, health.Options{
		Workers: 1, Updated: func(hash string, h health.Swarm) { updates <- hash },
	})
	defer cache.Close()
	cache.Health(sourceN(0))
	<-scraper.started // the only worker is now busy with source 0
	for i := 1; i <= 20; i++ {
		cache.Health(sourceN(i))
	}
	scraper.gate <- struct{}{}
	<-scraper.started
	scraper.gate <- struct{}{}
	got := waitUpdate(t, updates, 21)
	if scraper.callCount() != 2 || len(scraper.calls[1].hashes) != 20 {
		t.Errorf("%d scrapes (second with %d hashes); want the 20 queued swarms in one request", scraper.callCount(), len(scraper.calls[len(scraper.calls)-1].hashes))
	}
	slices.Sort(got)
	if got = slices.Compact(got); len(got) != 21 {
		t.Errorf("%d distinct updates, want 21", len(got))
	}
}

func TestHealthCacheFailuresAndFallbacks(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	var mu sync.Mutex
	failing := true
	scraper := &fakeScraper{
		answer: func(tracker string, hashes []string) (map[string]health.Swarm, error) {
			mu.Lock()
			defer mu.Unlock()
			if failing {
				return nil, errors.New("tracker down")
			}
			return map[string]health.Swarm{hashes[0]: {Seeders: 2, Leechers: 9}}, nil
		},
		started: make(chan struct{}, 16),
	}
	updates := make(chan string, 16)
	cache := health.New(scraper, health.Options{
		Now: clock.Now, RetryAfter: time.Minute, Workers: 1,
		Trackers: []string{"http://fallback.example/announce"},
		Updated:  func(hash string, h health.Swarm) { updates <- hash },
	})
	defer cache.Close()

	// No infohash, or only unscrapeable trackers and none configured: nothing to do.
	if _, ok := cache.Health(catalog.Source{TorrentURL: "https://archive.org/download/x/x_archive.torrent"}); ok {
		t.Error("a source without an infohash has health")
	}
	// A source without trackers uses the configured ones.
	src := catalog.Source{InfoHash: hashN(7)}
	cache.Health(src)
	<-scraper.started
	waitIdle(t, cache)
	if _, ok := cache.Health(src); ok || scraper.callCount() != 1 {
		t.Fatalf("after a failed scrape: known %v, %d scrapes; want unknown and no retry before RetryAfter", ok, scraper.callCount())
	}
	if scraper.calls[0].tracker != "http://fallback.example/announce" {
		t.Errorf("scraped %q, want the configured fallback tracker", scraper.calls[0].tracker)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	clock.Advance(2 * time.Minute)
	cache.Health(src)
	<-scraper.started
	waitUpdate(t, updates, 1)
	if h, ok := cache.Health(src); !ok || h.Seeders != 2 || h.Level() != health.Poor {
		t.Errorf("after retry: %+v %v", h, ok)
	}
}

// waitIdle waits until no scrape is queued or running; the deadline is a hang guard.
func waitIdle(t *testing.T, cache *health.Cache) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); health.InFlight(cache) > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("scrape never finished")
		}
	}
}

func TestHealthLevels(t *testing.T) {
	now := time.Now()
	for h, want := range map[health.Swarm]health.Level{
		{}:                           health.Unknown,
		{Checked: now}:               health.Dead,
		{Seeders: 3, Checked: now}:   health.Poor,
		{Seeders: 10, Checked: now}:  health.Fair,
		{Seeders: 100, Checked: now}: health.Good,
	} {
		if got := h.Level(); got != want {
			t.Errorf("%+v: %v, want %v", h, got, want)
		}
	}
}

func TestHealthCacheCloseStopsScrapes(t *testing.T) {
	catalogtest.CheckGoroutines(t)
	scraper := &fakeScraper{gate: make(chan struct{}), started: make(chan struct{}, 1),
		answer: func(string, []string) (map[string]health.Swarm, error) { return nil, nil }}
	cache := health.New(scraper, health.Options{Workers: 1})
	cache.Health(sourceN(1))
	<-scraper.started
	closed := make(chan struct{})
	go func() { cache.Close(); close(closed) }()
	select {
	case <-closed: // Close cancelled the blocked scrape's context
	case <-time.After(30 * time.Second):
		t.Fatal("Close waited for a stuck scrape")
	}
	if _, ok := cache.Health(sourceN(2)); ok || scraper.callCount() != 1 {
		t.Error("scraped after Close")
	}
}
