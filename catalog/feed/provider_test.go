package feed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/catalog/catalogtest"
	"marquee/catalog/feed"
)

// richFeed has enough titles for paging, a shared word and a shared genre.
func richFeed(t *testing.T, extra ...string) []byte {
	t.Helper()
	names := []string{"Night Train", "The Night Watch", "Morning Glory", "Detour", "Night and Day", "Storm Island", "A Quiet Night", "Gold Rush"}
	var titles []string
	for i, name := range names {
		genre := "Drama"
		if i%2 == 0 {
			genre = "Comedy"
		}
		titles = append(titles, fmt.Sprintf(`{"id":"t%d","kind":"movie","name":%q,"year":%d,"genres":[%q],"popularity":%d,
			"synopsis":"Film number %d.","licence":"Public Domain","licence_url":"https://creativecommons.org/publicdomain/mark/1.0/",
			"sources":[{"infohash":"%040x"}]}`, i, name, 1930+i*7%40, genre, (i*37)%100, i, i+1))
	}
	titles = append(titles, extra...)
	return []byte(`{"version":1,"name":"Rich Feed","titles":[` + strings.Join(titles, ",") + `]}`)
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocalFeedConformance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.json")
	writeFile(t, path, richFeed(t))
	p := feed.New(path, feed.Options{})
	catalogtest.RunProviderTests(t, p, catalogtest.Options{SearchText: "night", Genre: "comedy", MinTitles: 8})
	if p.Name() != "Rich Feed" {
		t.Errorf("Name = %q", p.Name())
	}
}

func TestRemoteFeedConformance(t *testing.T) {
	data := richFeed(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(data) }))
	defer srv.Close()
	p := feed.New(srv.URL+"/feed.json", feed.Options{Client: srv.Client(), CacheDir: t.TempDir()})
	catalogtest.RunProviderTests(t, p, catalogtest.Options{SearchText: "night", Genre: "Drama", MinTitles: 8})
}

func TestProviderID(t *testing.T) {
	a := feed.ProviderID("https://cinema.example/feed.json")
	if a != feed.ProviderID("  https://cinema.example/feed.json\n") || !strings.HasPrefix(a, "feed-") || len(a) != 17 || strings.Contains(a, ":") {
		t.Errorf("ProviderID = %q", a)
	}
	if a == feed.ProviderID("https://cinema.example/other.json") {
		t.Error("two locations share an ID")
	}
	if p := feed.New("https://cinema.example/feed.json", feed.Options{}); p.ID() != a || p.Name() != "cinema.example/feed.json" {
		t.Errorf("before loading: ID %q, Name %q", p.ID(), p.Name())
	}
}

func TestLocalFeedReloadsWhenTheFileChanges(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "feed.json")
	writeFile(t, path, richFeed(t))
	p := feed.New("file://"+path, feed.Options{})
	count := func() int {
		t.Helper()
		page, err := p.Search(ctx, catalog.Query{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Titles)
	}
	if n := count(); n != 8 {
		t.Fatalf("%d titles, want 8", n)
	}
	extra := `{"id":"new","kind":"movie","name":"Newcomer","year":2001,"licence":"CC0 1.0","licence_url":"https://creativecommons.org/publicdomain/zero/1.0/","sources":[{"infohash":"` + strings.Repeat("c", 40) + `"}]}`
	writeFile(t, path, richFeed(t, extra))
	bumpMtime(t, path, 1)
	if n := count(); n != 9 {
		t.Fatalf("after editing the file: %d titles, want 9", n)
	}

	// A broken edit keeps the last good copy serving; Refresh reports the problem.
	writeFile(t, path, []byte(`{"version":1,"name":"Rich Feed","titles":[{"id":"x"}]}`))
	bumpMtime(t, path, 2)
	if n := count(); n != 9 {
		t.Errorf("after a broken edit: %d titles, want the previous 9", n)
	}
	err := p.Refresh(ctx)
	var fe *feed.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "titles[0].kind: required") {
		t.Errorf("Refresh = %v, want the feed's problems", err)
	}

	// A vanished file: the copy keeps serving too.
	os.Remove(path)
	if n := count(); n != 9 {
		t.Errorf("after deleting the file: %d titles, want 9", n)
	}
}

// bumpMtime moves the file's time forward so a rewrite within the file system's time
// resolution is still seen as a change.
func bumpMtime(t *testing.T, path string, step int) {
	t.Helper()
	when := time.Now().Add(time.Duration(step) * time.Hour)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

func TestBadFeedIsRejectedWithItsProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.json")
	writeFile(t, path, []byte(`{"version":1,"name":"Bad","titles":[{"id":"a","kind":"movie","name":"A","year":1950,"licence":"All rights reserved","licence_url":"https://example.com/","sources":[{"infohash":"`+strings.Repeat("a", 40)+`"}]}]}`))
	p := feed.New(path, feed.Options{})
	_, err := p.Search(context.Background(), catalog.Query{})
	if err == nil || !strings.Contains(err.Error(), `titles[0].licence: "All rights reserved" is not an open licence`) || !strings.Contains(err.Error(), path) {
		t.Errorf("Search = %v", err)
	}
	if _, err := feed.Load(context.Background(), path, feed.Options{}); err == nil || !strings.Contains(err.Error(), "not an open licence") {
		t.Errorf("Load = %v", err)
	}
	if _, err := feed.Load(context.Background(), filepath.Join(t.TempDir(), "missing.json"), feed.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v", err)
	}
	if _, err := feed.Load(context.Background(), "ftp://cinema.example/feed.json", feed.Options{}); err == nil || !strings.Contains(err.Error(), `unsupported scheme "ftp"`) {
		t.Errorf("Load of ftp = %v", err)
	}
	if _, err := feed.Load(context.Background(), t.TempDir(), feed.Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load of a directory = %v", err)
	}
}

func TestFeedSizeCap(t *testing.T) {
	big := append(richFeed(t), bytes.Repeat([]byte(" "), 2048)...)
	path := filepath.Join(t.TempDir(), "feed.json")
	writeFile(t, path, big)
	if _, err := feed.Load(context.Background(), path, feed.Options{MaxSize: 1024}); err == nil || !strings.Contains(err.Error(), "more than the limit of 1024") {
		t.Errorf("oversized file: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: the cap must hold on the streamed body too.
		w.(http.Flusher).Flush()
		w.Write(big)
	}))
	defer srv.Close()
	if _, err := feed.Load(context.Background(), srv.URL, feed.Options{Client: srv.Client(), MaxSize: 1024}); err == nil || !strings.Contains(err.Error(), "more than the limit of 1024 bytes") {
		t.Errorf("oversized response: %v", err)
	}
}

func TestRemoteFeedErrors(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/html":
			w.Write([]byte("<html>Not a feed</html>"))
		}
	}))
	defer srv.Close()
	opts := feed.Options{Client: srv.Client(), Timeout: 100 * time.Millisecond}
	if _, err := feed.Load(ctx, srv.URL+"/missing", opts); err == nil || !strings.Contains(err.Error(), "HTTP 404 Not Found") {
		t.Errorf("404: %v", err)
	}
	if _, err := feed.Load(ctx, srv.URL+"/slow", opts); !errors.Is(err, catalog.ErrOffline) {
		t.Errorf("slow server: %v, want ErrOffline after the timeout", err)
	}
	if _, err := feed.Load(ctx, srv.URL+"/html", opts); err == nil || !strings.Contains(err.Error(), "must be a JSON object, not") {
		t.Errorf("HTML page: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, err := feed.Load(ctx, dead.URL+"/feed.json", opts)
	if !errors.Is(err, catalog.ErrOffline) || !strings.Contains(err.Error(), "is offline") {
		t.Errorf("closed server: %v", err)
	}
}

// feedServer serves a feed, counts requests and can be switched off.
type feedServer struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	body     []byte
	down     bool
}

func newFeedServer(t *testing.T, body []byte) *feedServer {
	fs := &feedServer{body: body}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.requests.Add(1)
		fs.mu.Lock()
		defer fs.mu.Unlock()
		if fs.down {
			// Drop the connection, as an unreachable host would.
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Write(fs.body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(body []byte, down bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.body, fs.down = body, down
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRemoteFeedCachingAndOffline(t *testing.T) {
	ctx := context.Background()
	srv := newFeedServer(t, richFeed(t))
	cacheDir := t.TempDir()
	clk := &clock{now: time.Now()}
	var logs bytes.Buffer
	opts := feed.Options{
		Client: srv.Client(), CacheDir: cacheDir, MaxAge: time.Hour, RetryAfter: time.Minute, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	url := srv.URL + "/feed.json"
	search := func(p *feed.Provider) (int, error) {
		page, err := p.Search(ctx, catalog.Query{PageSize: 100})
		return len(page.Titles), err
	}

	p := feed.New(url, opts)
	if n, err := search(p); n != 8 || err != nil {
		t.Fatalf("first search: %d titles, %v", n, err)
	}
	search(p)
	if got := srv.requests.Load(); got != 1 {
		t.Errorf("%d requests for two searches within MaxAge, want 1", got)
	}
	if saved, _ := filepath.Glob(filepath.Join(cacheDir, "*.json")); len(saved) != 1 {
		t.Errorf("%d saved copies in the cache folder, want 1", len(saved))
	}

	// A restart within MaxAge starts from the saved copy without the network.
	srv.set(nil, true)
	restarted := feed.New(url, opts)
	if n, err := search(restarted); n != 8 || err != nil {
		t.Errorf("restart from the saved copy: %d titles, %v", n, err)
	}
	if got := srv.requests.Load(); got != 1 {
		t.Errorf("restart within MaxAge made %d requests, want none", got-1)
	}

	// Past MaxAge with the server down: the saved copy still serves, the failure is
	// logged, and Refresh reports it as offline.
	clk.Advance(2 * time.Hour)
	late := feed.New(url, opts)
	if n, err := search(late); n != 8 || err != nil {
		t.Errorf("stale copy while offline: %d titles, %v", n, err)
	}
	if !strings.Contains(logs.String(), "serving the saved copy") {
		t.Errorf("no log line about the saved copy: %s", logs.String())
	}
	if err := late.Refresh(ctx); !errors.Is(err, catalog.ErrOffline) {
		t.Errorf("Refresh while offline = %v, want ErrOffline", err)
	}
	// No hammering: within RetryAfter a search does not try the network again.
	before := srv.requests.Load()
	search(late)
	if srv.requests.Load() != before {
		t.Error("retried the network within RetryAfter")
	}

	// Back online with a changed feed: the next search after RetryAfter picks it up.
	srv.set(richFeed(t, `{"id":"fresh","kind":"movie","name":"Fresh","year":2020,"licence":"CC0 1.0","licence_url":"https://creativecommons.org/publicdomain/zero/1.0/","sources":[{"infohash":"`+strings.Repeat("d", 40)+`"}]}`), false)
	clk.Advance(2 * time.Minute)
	if n, err := search(late); n != 9 || err != nil {
		t.Errorf("back online: %d titles, %v", n, err)
	}

	// Offline with no saved copy at all: a clear offline error.
	srv.set(nil, true)
	cold := feed.New(url, feed.Options{Client: srv.Client()})
	if _, err := search(cold); !errors.Is(err, catalog.ErrOffline) {
		t.Errorf("offline without a copy = %v, want ErrOffline", err)
	}
}

func TestConcurrentFirstSearchesShareOneFetch(t *testing.T) {
	srv := newFeedServer(t, richFeed(t))
	p := feed.New(srv.URL, feed.Options{Client: srv.Client()})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Search(context.Background(), catalog.Query{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := srv.requests.Load(); got != 1 {
		t.Errorf("8 concurrent first searches made %d requests, want 1", got)
	}
}
