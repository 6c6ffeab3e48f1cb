// Package catalogtest is the conformance suite every catalog.Provider passes, in the
// manner of rclone's fstests: each provider's own tests call RunProviderTests with a
// provider set up over test data.
package catalogtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/catalog"
)

// Options describe the test data behind the provider.
type Options struct {
	// SearchText is a word found in at least one title's name; "" skips text checks.
	SearchText string
	// Genre is a genre of at least one title; "" skips the genre checks.
	Genre string
	// MinTitles is how many titles the provider lists at least (default 1).
	MinTitles int
	// PageSize for the paging checks (default 3). The provider needs more than
	// PageSize titles for the second page to be checked.
	PageSize int
	// Unlicensed allows titles without a licence (the user's own torrents).
	Unlicensed bool
}

// hangGuard bounds every call; it only catches hangs and asserts nothing about speed.
const hangGuard = 30 * time.Second

// RunProviderTests checks that p behaves as the catalog expects.
func RunProviderTests(t *testing.T, p catalog.Provider, opts Options) {
	t.Helper()
	if opts.MinTitles <= 0 {
		opts.MinTitles = 1
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 3
	}
	search := func(t *testing.T, q catalog.Query) catalog.Page {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		page, err := p.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		for _, title := range page.Titles {
			checkTitle(t, p, title, opts)
		}
		if page.Total < len(page.Titles) {
			t.Errorf("Search(%+v): Total %d < %d titles returned", q, page.Total, len(page.Titles))
		}
		return page
	}

	t.Run("Identity", func(t *testing.T) {
		id := p.ID()
		if id == "" || strings.ContainsAny(id, ": \t\n/") {
			t.Errorf("ID() = %q: want a non-empty ID without ':', '/' or spaces", id)
		}
		if p.Name() == "" {
			t.Error("Name() is empty")
		}
	})

	t.Run("FirstPage", func(t *testing.T) {
		page := search(t, catalog.Query{PageSize: opts.PageSize})
		if len(page.Titles) > opts.PageSize {
			t.Errorf("got %d titles, page size %d", len(page.Titles), opts.PageSize)
		}
		if want := min(opts.MinTitles, opts.PageSize); len(page.Titles) < want {
			t.Errorf("got %d titles, want at least %d", len(page.Titles), want)
		}
		if page.HasMore != (page.Total > len(page.Titles)) {
			t.Errorf("HasMore = %v with Total %d and %d titles", page.HasMore, page.Total, len(page.Titles))
		}
	})

	t.Run("DefaultPageSize", func(t *testing.T) {
		page := search(t, catalog.Query{})
		if len(page.Titles) > catalog.DefaultPageSize {
			t.Errorf("page size 0 gave %d titles, want at most %d", len(page.Titles), catalog.DefaultPageSize)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		n := opts.PageSize
		first := search(t, catalog.Query{PageSize: n})
		if !first.HasMore {
			t.Skipf("provider lists %d titles, not enough for a second page of %d", first.Total, n)
		}
		second := search(t, catalog.Query{Page: 1, PageSize: n})
		if len(second.Titles) == 0 {
			t.Fatal("HasMore on page 0 but page 1 is empty")
		}
		both := search(t, catalog.Query{PageSize: 2 * n})
		got := ids(append(slices.Clone(first.Titles), second.Titles...))
		if want := ids(both.Titles); !slices.Equal(got, want) {
			t.Errorf("pages 0+1 of %d = %v, one page of %d = %v", n, got, 2*n, want)
		}
		seen := make(map[string]bool)
		for _, id := range got {
			if seen[id] {
				t.Errorf("title %s is on both pages", id)
			}
			seen[id] = true
		}
	})

	t.Run("Sort", func(t *testing.T) {
		for _, s := range []catalog.Sort{catalog.SortPopular, catalog.SortNewest, catalog.SortAZ} {
			page := search(t, catalog.Query{Sort: s, PageSize: 2 * opts.PageSize})
			for i := 1; i < len(page.Titles); i++ {
				a, b := page.Titles[i-1], page.Titles[i]
				var bad bool
				switch s {
				case catalog.SortPopular:
					bad = a.Popularity < b.Popularity
				case catalog.SortNewest:
					bad = a.Year < b.Year
				case catalog.SortAZ:
					bad = catalog.NameSortKey(a.Name) > catalog.NameSortKey(b.Name)
				}
				if bad {
					t.Errorf("sort %v: %q (%d, %.0f) before %q (%d, %.0f)", s, a.Name, a.Year, a.Popularity, b.Name, b.Year, b.Popularity)
				}
			}
		}
	})

	t.Run("Text", func(t *testing.T) {
		if opts.SearchText == "" {
			t.Skip("no search text for this provider's data")
		}
		page := search(t, catalog.Query{Text: opts.SearchText})
		if len(page.Titles) == 0 {
			t.Fatalf("text %q matched nothing", opts.SearchText)
		}
		word := catalog.Fold(opts.SearchText)
		for _, title := range page.Titles {
			text := catalog.Fold(title.Name + " " + strings.Join(title.Genres, " ") + " " + title.Synopsis)
			if !strings.Contains(text, word) {
				t.Errorf("text %q matched %q, which does not contain it", opts.SearchText, title.Name)
			}
		}
		none := search(t, catalog.Query{Text: "qzxjvw"})
		if len(none.Titles) != 0 || none.HasMore || none.Total != 0 {
			t.Errorf("nonsense text matched %d titles (Total %d, HasMore %v)", len(none.Titles), none.Total, none.HasMore)
		}
	})

	t.Run("Genre", func(t *testing.T) {
		if opts.Genre == "" {
			t.Skip("no genre for this provider's data")
		}
		page := search(t, catalog.Query{Genre: opts.Genre})
		if len(page.Titles) == 0 {
			t.Fatalf("genre %q matched nothing", opts.Genre)
		}
		for _, title := range page.Titles {
			if !hasGenre(title, opts.Genre) {
				t.Errorf("genre %q matched %q with genres %v", opts.Genre, title.Name, title.Genres)
			}
		}
		if gl, ok := p.(catalog.GenreLister); ok {
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			genres, err := gl.Genres(ctx)
			if err != nil {
				t.Fatalf("Genres: %v", err)
			}
			if !slices.ContainsFunc(genres, func(g string) bool { return catalog.Fold(g) == catalog.Fold(opts.Genre) }) {
				t.Errorf("Genres() = %v, missing %q", genres, opts.Genre)
			}
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan error, 1)
		go func() {
			_, err := p.Search(ctx, catalog.Query{})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Error("Search with a cancelled context succeeded")
			} else if !errors.Is(err, context.Canceled) {
				t.Errorf("Search with a cancelled context: %v, want context.Canceled", err)
			}
		case <-time.After(hangGuard):
			t.Fatal("Search with a cancelled context hung")
		}
	})

	t.Run("Get", func(t *testing.T) {
		getter, ok := p.(catalog.Getter)
		if !ok {
			t.Skip("provider has no Get")
		}
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		page := search(t, catalog.Query{PageSize: 1})
		if len(page.Titles) == 0 {
			t.Fatal("no title to look up")
		}
		want := page.Titles[0]
		got, err := getter.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("Get(%q): %v", want.ID, err)
		}
		if got.ID != want.ID || got.Name != want.Name {
			t.Errorf("Get(%q) = %q %q", want.ID, got.ID, got.Name)
		}
		checkTitle(t, p, got, opts)
		missing := catalog.JoinID(p.ID(), "no-such-title-qzxjvw")
		if _, err := getter.Get(ctx, missing); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", missing, err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
				defer cancel()
				q := catalog.Query{Sort: catalog.Sort(i % 3), PageSize: opts.PageSize}
				if _, err := p.Search(ctx, q); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent Search: %v", err)
		}
	})
}

func checkTitle(t *testing.T, p catalog.Provider, title catalog.Title, opts Options) {
	t.Helper()
	providerID, local, ok := catalog.SplitID(title.ID)
	if !ok || providerID != p.ID() || local == "" {
		t.Errorf("title ID %q is not %q + ':' + a local ID", title.ID, p.ID())
	}
	if title.Provider != p.ID() {
		t.Errorf("%s: Provider = %q, want %q", title.ID, title.Provider, p.ID())
	}
	if strings.TrimSpace(title.Name) == "" {
		t.Errorf("%s: empty name", title.ID)
	}
	if title.Kind != catalog.KindMovie && title.Kind != catalog.KindSeries {
		t.Errorf("%s: kind %q", title.ID, title.Kind)
	}
	if title.Year != 0 && (title.Year < 1870 || title.Year > 2100) {
		t.Errorf("%s: year %d", title.ID, title.Year)
	}
	if title.Popularity < 0 || title.Runtime < 0 {
		t.Errorf("%s: popularity %v, runtime %v", title.ID, title.Popularity, title.Runtime)
	}
	if !opts.Unlicensed && (title.Licence == "" || title.LicenceURL == "") {
		t.Errorf("%s: no licence (%q, %q)", title.ID, title.Licence, title.LicenceURL)
	}
	if !title.Playable() {
		t.Errorf("%s: no source to play", title.ID)
	}
	sources := slices.Clone(title.Sources)
	for _, season := range title.Seasons {
		for _, e := range season.Episodes {
			sources = append(sources, e.Sources...)
		}
	}
	for i, s := range sources {
		if s.URI() == "" {
			t.Errorf("%s: source %d has no URI", title.ID, i)
		}
		if s.FileIndex < catalog.MainFile || s.Size < 0 {
			t.Errorf("%s: source %d: file index %d, size %d", title.ID, i, s.FileIndex, s.Size)
		}
	}
}

func hasGenre(t catalog.Title, genre string) bool {
	return slices.ContainsFunc(t.Genres, func(g string) bool { return catalog.Fold(g) == catalog.Fold(genre) })
}

func ids(titles []catalog.Title) []string {
	out := make([]string, len(titles))
	for i, t := range titles {
		out[i] = t.ID
	}
	return out
}
