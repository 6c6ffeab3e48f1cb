package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/catalog/archive"
	"marquee/catalog/builtin"
	"marquee/catalog/catalogtest"
	"marquee/internal/httpget"
)

// route is one recorded request (testdata/routes.json) and the file that answers it.
type route struct {
	Path string `json:"path"`
	Q    string `json:"q"`
	Sort string `json:"sort"`
	Rows string `json:"rows"`
	Page string `json:"page"`
	File string `json:"file"`
}

var wantFields = []string{"identifier", "title", "year", "date", "description", "subject", "downloads", "licenseurl"}

// replay serves the recorded answers. A request that was not recorded fails the test:
// it means the provider asks the archive something other than what was recorded.
type replay struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	seen     []string
}

func newReplay(t *testing.T) *replay {
	t.Helper()
	data, err := os.ReadFile("testdata/routes.json")
	if err != nil {
		t.Fatal(err)
	}
	var routes []route
	if err := json.Unmarshal(data, &routes); err != nil {
		t.Fatal(err)
	}
	rp := &replay{}
	rp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.requests.Add(1)
		rp.mu.Lock()
		rp.seen = append(rp.seen, r.URL.String())
		rp.mu.Unlock()
		v := r.URL.Query()
		if r.URL.Path == "/advancedsearch.php" {
			if !slices.Equal(v["fl[]"], wantFields) || v.Get("output") != "json" {
				t.Errorf("search asks for fields %q, output %q", v["fl[]"], v.Get("output"))
			}
		}
		for _, rt := range routes {
			if rt.Path == r.URL.Path && rt.Q == v.Get("q") && rt.Sort == v.Get("sort[]") && rt.Rows == v.Get("rows") && rt.Page == v.Get("page") {
				http.ServeFile(w, r, filepath.Join("testdata", rt.File))
				return
			}
		}
		t.Errorf("unrecorded request: %s", r.URL)
		http.Error(w, "not recorded", http.StatusNotFound)
	}))
	t.Cleanup(rp.Close)
	return rp
}

func newProvider(rp *replay, opts archive.Options) *archive.Provider {
	opts.BaseURL = rp.URL
	opts.Client = rp.Client()
	return archive.New(opts)
}

func TestConformance(t *testing.T) {
	rp := newReplay(t)
	p := newProvider(rp, archive.Options{})
	catalogtest.RunProviderTests(t, p, catalogtest.Options{SearchText: "night", Genre: "Horror", MinTitles: 3, PageSize: 3})
}

func names(titles []catalog.Title) []string {
	var out []string
	for _, t := range titles {
		out = append(out, t.Name)
	}
	return out
}

func TestSearchPagesSortsAndFilters(t *testing.T) {
	rp := newReplay(t)
	p := newProvider(rp, archive.Options{})
	ctx := context.Background()
	tests := []struct {
		name    string
		q       catalog.Query
		want    []string
		total   int
		hasMore bool
	}{
		{"popular", catalog.Query{PageSize: 3}, []string{"Night of the Living Dead", "Plan 9 from Outer Space", "His Girl Friday"}, 15, true},
		{"popular page 2", catalog.Query{Page: 1, PageSize: 3}, []string{"Nosferatu", "Detour", "Carnival of Souls"}, 15, true},
		{"newest drops the item without an open licence", catalog.Query{Sort: catalog.SortNewest, PageSize: 3},
			[]string{"Sita Sings the Blues", "Night of the Living Dead"}, 15, true},
		{"a-z", catalog.Query{Sort: catalog.SortAZ, PageSize: 3}, []string{"Angel and the Badman", "Carnival of Souls", "D.O.A."}, 15, true},
		{"text", catalog.Query{Text: "  NIGHT! "}, []string{"Night of the Living Dead", "Night Tide"}, 2, false},
		{"genre, newest, page 2", catalog.Query{Genre: "horror", Sort: catalog.SortNewest, Page: 1, PageSize: 3},
			[]string{"The Little Shop of Horrors", "Plan 9 from Outer Space", "Nosferatu"}, 6, false},
		{"a genre the archive does not know", catalog.Query{Genre: "Telenovela"}, nil, 0, false},
		{"beyond the archive's paging limit", catalog.Query{Page: 500, PageSize: 24}, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := p.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(page.Titles); !slices.Equal(got, tt.want) || page.Total != tt.total || page.HasMore != tt.hasMore {
				t.Errorf("got %q (Total %d, HasMore %v), want %q (%d, %v)", got, page.Total, page.HasMore, tt.want, tt.total, tt.hasMore)
			}
		})
	}
}

func TestSearchMapsRealFieldShapes(t *testing.T) {
	rp := newReplay(t)
	p := newProvider(rp, archive.Options{})
	page, err := p.Search(context.Background(), catalog.Query{PageSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]catalog.Title)
	for _, title := range page.Titles {
		byID[title.ID] = title
	}
	if len(page.Titles) != 14 || page.Total != 15 {
		t.Errorf("%d titles of %d; the Sampling Plus item must be left out", len(page.Titles), page.Total)
	}
	if _, ok := byID["archive:remix_sampler_2004"]; ok {
		t.Error("an item without an open licence is listed")
	}
	notld := byID["archive:night_of_the_living_dead"]
	if notld.Year != 1968 || notld.Popularity != 2843119 || notld.Licence != "Public Domain Mark 1.0" ||
		notld.LicenceURL != "https://creativecommons.org/publicdomain/mark/1.0/" || !slices.Equal(notld.Genres, []string{"Horror"}) ||
		strings.Contains(notld.Synopsis, "<p>") || notld.Poster != rp.URL+"/services/img/night_of_the_living_dead" ||
		notld.Attribution != rp.URL+"/details/night_of_the_living_dead" {
		t.Errorf("night = %+v", notld)
	}
	src := notld.Sources[0]
	if src.TorrentURL != rp.URL+"/download/night_of_the_living_dead/night_of_the_living_dead_archive.torrent" ||
		!slices.Equal(src.Webseeds, []string{rp.URL + "/download/"}) || src.FileIndex != catalog.MainFile || src.URI() != src.TorrentURL {
		t.Errorf("night source = %+v", src)
	}
	for id, want := range map[string]struct {
		year    int
		genres  []string
		licence string
	}{
		"archive:Plan_9_from_Outer_Space_1959": {1959, []string{"Horror", "Sci-Fi"}, "Public Domain"},          // number year, "a; b" subjects
		"archive:nosferatu":                    {1922, []string{"Horror", "Silent"}, "Public Domain Mark 1.0"}, // list year, https licence
		"archive:the_little_shop_of_horrors":   {1960, []string{"Comedy", "Horror"}, "Public Domain Mark 1.0"}, // date only
		"archive:Sita_Sings_the_Blues":         {2008, []string{"Animation"}, "CC BY-SA 3.0"},
		"archive:Detour_movie":                 {1945, []string{"Crime", "Film Noir"}, "Public Domain"},
	} {
		got := byID[id]
		if got.Year != want.year || !slices.Equal(got.Genres, want.genres) || got.Licence != want.licence {
			t.Errorf("%s: year %d genres %q licence %q; want %d %q %q", id, got.Year, got.Genres, got.Licence, want.year, want.genres, want.licence)
		}
	}
	if hgf := byID["archive:his_girl_friday"]; hgf.Synopsis != "Screwball comedy directed by Howard Hawks. Starring Cary Grant & Rosalind Russell." {
		t.Errorf("a description list with entities became %q", hgf.Synopsis)
	}
}

func TestSearchRequestIsSafeFromUserText(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query().Get("q")
		w.Write([]byte(`{"responseHeader":{"status":0},"response":{"numFound":0,"start":0,"docs":[]}}`))
	}))
	defer srv.Close()
	p := archive.New(archive.Options{BaseURL: srv.URL, Client: srv.Client()})
	if _, err := p.Search(context.Background(), catalog.Query{Text: `night" OR collection:(*) AND title:x*`, Genre: "Film Noir"}); err != nil {
		t.Fatal(err)
	}
	want := `collection:(feature_films) AND mediatype:(movies) AND licenseurl:(*publicdomain* OR *creativecommons*)` +
		` AND subject:("film noir" OR noir) AND title:(night) AND title:(collection) AND title:(title) AND title:(x)`
	if got != want {
		t.Errorf("q = %s\nwant  %s", got, want)
	}
}

func TestGetReadsTheItemMetadata(t *testing.T) {
	rp := newReplay(t)
	p := newProvider(rp, archive.Options{})
	ctx := context.Background()
	// A search first, so the title's popularity is known.
	if _, err := p.Search(ctx, catalog.Query{PageSize: 3}); err != nil {
		t.Fatal(err)
	}
	title, err := p.Get(ctx, "archive:night_of_the_living_dead")
	if err != nil {
		t.Fatal(err)
	}
	src := title.Sources[0]
	// The largest video is the MPEG2 original: that is what the engine will play.
	if src.InfoHash != "c3a6f6f3b0bd2b33e7e7be0f1ed46bb4ee7ac3f0" || src.Size != 4123456789 || src.Quality != "480p" ||
		title.Runtime != time.Hour+35*time.Minute+44*time.Second || title.Popularity != 2843119 || title.Year != 1968 ||
		!strings.HasSuffix(title.Synopsis, "Public domain: released without a copyright notice.") {
		t.Errorf("title = %+v\nsource = %+v", title, src)
	}
	if src.Hash() != src.InfoHash || src.URI() != src.TorrentURL {
		t.Errorf("source hash %q URI %q", src.Hash(), src.URI())
	}
	for id, want := range map[string]string{
		"archive:no-such-title-qzxjvw": "no such item",
		"archive:some_upload_2011":     "has no open licence",
		"archive:bad id!":              "is not an archive title",
		"builtin:sintel":               "is not an archive title",
	} {
		_, err := p.Get(ctx, id)
		if !errors.Is(err, catalog.ErrNotFound) || !strings.Contains(err.Error(), want) {
			t.Errorf("Get(%q) = %v, want ErrNotFound saying %q", id, err, want)
		}
	}
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

func TestDiskCacheAndOffline(t *testing.T) {
	rp := newReplay(t)
	cacheDir := t.TempDir()
	clk := &clock{now: time.Now()}
	var logs bytes.Buffer
	opts := archive.Options{CacheDir: cacheDir, CacheTTL: time.Hour, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	p := newProvider(rp, opts)
	ctx := context.Background()
	q := catalog.Query{PageSize: 3}
	first, err := p.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Search(ctx, q); err != nil || rp.requests.Load() != 1 {
		t.Fatalf("second search within the TTL: %v, %d requests", err, rp.requests.Load())
	}

	// The archive goes away. A new provider on the same cache still answers, fresh...
	rp.Close()
	again := newProvider(rp, opts)
	if page, err := again.Search(ctx, q); err != nil || !slices.Equal(names(page.Titles), names(first.Titles)) {
		t.Errorf("from the fresh cache: %q, %v", names(page.Titles), err)
	}
	// ...and stale, with a log line saying so.
	clk.Advance(2 * time.Hour)
	if page, err := again.Search(ctx, q); err != nil || len(page.Titles) != 3 {
		t.Errorf("from the stale cache while offline: %d titles, %v", len(page.Titles), err)
	}
	if !strings.Contains(logs.String(), "using an older answer") {
		t.Errorf("no log line for the stale answer: %s", logs.String())
	}
	// A query never answered before fails with a clear offline error.
	_, err = again.Search(ctx, catalog.Query{PageSize: 3, Sort: catalog.SortAZ})
	if !errors.Is(err, catalog.ErrOffline) || !strings.HasPrefix(err.Error(), "Internet Archive is offline: ") {
		t.Errorf("uncached query offline = %v", err)
	}
	if _, err := again.Get(ctx, "archive:night_of_the_living_dead"); !errors.Is(err, catalog.ErrOffline) {
		t.Errorf("Get offline = %v", err)
	}
}

func TestOfflineArchiveLeavesTheCatalogWorking(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	builtinProvider, err := builtin.New()
	if err != nil {
		t.Fatal(err)
	}
	c := catalog.New(builtinProvider, archive.New(archive.Options{BaseURL: dead.URL}))
	page := c.Search(context.Background(), catalog.Query{PageSize: 100})
	if len(page.Titles) != len(builtinProvider.Titles()) {
		t.Errorf("%d titles, want the %d built-in ones", len(page.Titles), len(builtinProvider.Titles()))
	}
	if len(page.Errors) != 1 || page.Errors[0].Provider != archive.ID || !errors.Is(page.Errors[0], catalog.ErrOffline) {
		t.Errorf("errors = %v", page.Errors)
	}
	if msg := page.Errors[0].Error(); !strings.Contains(msg, "Internet Archive is offline") {
		t.Errorf("message %q", msg)
	}
}

func TestTimeoutSizeCapAndBadAnswers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow/advancedsearch.php":
			w.Write([]byte(`{"responseHeader":`))
			w.(http.Flusher).Flush()
			select { // a server that starts an answer and never finishes it
			case <-release:
			case <-r.Context().Done():
			}
		case "/huge/advancedsearch.php":
			w.Write([]byte(`{"responseHeader":{"status":0},"response":{"numFound":1,"start":0,"docs":[{"identifier":"x","description":"`))
			w.Write(bytes.Repeat([]byte("a"), 64<<10))
			w.Write([]byte(`"}]}}`))
		case "/down/advancedsearch.php":
			http.Error(w, "backend unavailable", http.StatusServiceUnavailable)
		case "/refused/advancedsearch.php":
			w.Write([]byte(`{"responseHeader":{"status":400,"QTime":0},"error":"org.apache.lucene.queryParser.ParseException: Cannot parse"}`))
		case "/status/advancedsearch.php":
			w.Write([]byte(`{"responseHeader":{"status":500,"QTime":0}}`))
		case "/html/advancedsearch.php":
			w.Write([]byte("<!DOCTYPE html><html><body>Temporarily Offline</body></html>"))
		}
	}))
	defer srv.Close()
	for prefix, check := range map[string]func(error) bool{
		"slow": func(err error) bool { return errors.Is(err, catalog.ErrOffline) },
		"huge": func(err error) bool {
			return errors.Is(err, httpget.ErrTooLarge) && strings.Contains(err.Error(), "limit of 16384 bytes")
		},
		"down": func(err error) bool {
			return strings.Contains(err.Error(), "HTTP 503 Service Unavailable") && !errors.Is(err, catalog.ErrOffline)
		},
		"refused": func(err error) bool { return strings.Contains(err.Error(), "search refused: org.apache.lucene") },
		"status":  func(err error) bool { return strings.Contains(err.Error(), "search failed with status 500") },
		"html":    func(err error) bool { return strings.Contains(err.Error(), "unreadable search response") },
	} {
		t.Run(prefix, func(t *testing.T) {
			p := archive.New(archive.Options{BaseURL: srv.URL + "/" + prefix, Client: srv.Client(), Timeout: 200 * time.Millisecond, MaxBytes: 16 << 10})
			done := make(chan error, 1)
			go func() {
				_, err := p.Search(context.Background(), catalog.Query{})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !check(err) {
					t.Errorf("Search = %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Search hung")
			}
		})
	}
}

// The genre menu offers the archive's genres once the archive has answered a search; an
// archive that cannot be reached offers none, since nothing would be behind them.
func TestGenres(t *testing.T) {
	ctx := context.Background()
	offline := archive.New(archive.Options{BaseURL: "http://127.0.0.1:1"})
	if _, err := offline.Search(ctx, catalog.Query{PageSize: 3}); err == nil {
		t.Fatal("a search of an unreachable archive succeeded")
	}
	if genres, err := offline.Genres(ctx); err != nil || len(genres) != 0 {
		t.Errorf("unreachable archive: Genres = %q, %v, want none", genres, err)
	}
	p := newProvider(newReplay(t), archive.Options{})
	if _, err := p.Search(ctx, catalog.Query{PageSize: 3}); err != nil {
		t.Fatal(err)
	}
	genres, err := p.Genres(ctx)
	if err != nil || !slices.Contains(genres, "Film Noir") || !slices.Contains(genres, "Western") {
		t.Errorf("after a search: Genres = %q, %v", genres, err)
	}
}
