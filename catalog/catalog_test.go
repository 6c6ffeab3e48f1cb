package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/catalog/catalogtest"
)

// memProvider is an in-memory provider over an Index, as the built-in and feed
// providers are.
type memProvider struct {
	id, name string
	index    *catalog.Index
}

func newMem(id string, titles ...catalog.Title) *memProvider {
	for i := range titles {
		titles[i].ID = catalog.JoinID(id, titles[i].ID)
		titles[i].Provider = id
	}
	return &memProvider{id: id, name: "Provider " + id, index: catalog.NewIndex(titles)}
}

func (m *memProvider) ID() string   { return m.id }
func (m *memProvider) Name() string { return m.name }
func (m *memProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	return m.index.Search(ctx, q)
}
func (m *memProvider) Get(ctx context.Context, id string) (catalog.Title, error) {
	if t, ok := m.index.Get(id); ok {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s: %w", id, catalog.ErrNotFound)
}
func (m *memProvider) Genres(context.Context) ([]string, error) { return m.index.Genres(), nil }

// funcProvider answers with a function, to play slow, broken and offline providers.
type funcProvider struct {
	id     string
	search func(ctx context.Context, q catalog.Query) (catalog.Page, error)
}

func (f funcProvider) ID() string   { return f.id }
func (f funcProvider) Name() string { return "Func " + f.id }
func (f funcProvider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	return f.search(ctx, q)
}

func movie(id, name string, year int, popularity float64, genres ...string) catalog.Title {
	return catalog.Title{
		ID: id, Kind: catalog.KindMovie, Name: name, Year: year, Popularity: popularity, Genres: genres,
		Synopsis: "A film called " + name + ".", Licence: "Public Domain",
		LicenceURL: "https://creativecommons.org/publicdomain/mark/1.0/",
		Sources:    []catalog.Source{{InfoHash: fmt.Sprintf("%040x", len(id)*7919+year), FileIndex: catalog.MainFile}},
	}
}

func classics() []catalog.Title {
	return []catalog.Title{
		movie("notld", "Night of the Living Dead", 1968, 900, "Horror"),
		movie("hgf", "His Girl Friday", 1940, 700, "Comedy", "Romance"),
		movie("general", "The General", 1926, 650, "Comedy", "Silent"),
		movie("detour", "Detour", 1945, 400, "Film Noir", "Crime"),
		movie("nosferatu", "Nosferatu", 1922, 800, "Horror", "Silent"),
		movie("metropolis", "Métropolis", 1927, 300, "Sci-Fi", "Silent"),
		movie("charade", "Charade", 1963, 500, "Comedy", "Mystery", "Romance"),
	}
}

func blender() []catalog.Title {
	return []catalog.Title{
		movie("bbb", "Big Buck Bunny", 2008, 5000, "Animation", "Comedy"),
		movie("sintel", "Sintel", 2010, 4000, "Animation", "Fantasy"),
		movie("tos", "Tears of Steel", 2012, 3000, "Sci-Fi"),
		// The same film as in classics(): listed once, from the first provider.
		movie("notld-copy", "Night of the Living Dead", 1968, 100, "Horror", "Zombies"),
	}
}

func TestIndexProviderConformance(t *testing.T) {
	catalogtest.RunProviderTests(t, newMem("mem", classics()...), catalogtest.Options{
		SearchText: "night", Genre: "Comedy", MinTitles: 7, PageSize: 3,
	})
}

func TestIndexSearch(t *testing.T) {
	p := newMem("mem", classics()...)
	ctx := context.Background()
	names := func(q catalog.Query) []string {
		t.Helper()
		page, err := p.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, title := range page.Titles {
			out = append(out, title.Name)
		}
		return out
	}
	tests := []struct {
		name string
		q    catalog.Query
		want []string
	}{
		{"popular", catalog.Query{PageSize: 3}, []string{"Night of the Living Dead", "Nosferatu", "His Girl Friday"}},
		{"newest", catalog.Query{Sort: catalog.SortNewest, PageSize: 2}, []string{"Night of the Living Dead", "Charade"}},
		{"a-z skips articles", catalog.Query{Sort: catalog.SortAZ, PageSize: 4}, []string{"Charade", "Detour", "The General", "His Girl Friday"}},
		{"second page", catalog.Query{Page: 1, PageSize: 3}, []string{"The General", "Charade", "Detour"}},
		{"past the end", catalog.Query{Page: 9, PageSize: 3}, nil},
		{"genre any case", catalog.Query{Genre: "sILENT"}, []string{"Nosferatu", "The General", "Métropolis"}},
		{"accents folded", catalog.Query{Text: "metropolis"}, []string{"Métropolis"}},
		{"accents in query", catalog.Query{Text: "MÉTRO"}, []string{"Métropolis"}},
		{"all words", catalog.Query{Text: "girl friday"}, []string{"His Girl Friday"}},
		{"words anywhere", catalog.Query{Text: "friday girl"}, []string{"His Girl Friday"}},
		{"genre words match", catalog.Query{Text: "noir"}, []string{"Detour"}},
		{"text and genre", catalog.Query{Text: "the", Genre: "Horror"}, []string{"Night of the Living Dead"}},
		{"no match", catalog.Query{Text: "casablanca"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIndexDropsDuplicateIDsAndListsGenres(t *testing.T) {
	titles := append(classics(), movie("notld", "Imposter", 2000, 1))
	x := catalog.NewIndex(titles)
	if x.Len() != 7 {
		t.Fatalf("Len = %d, want 7", x.Len())
	}
	if got, _ := x.Get("notld"); got.Name != "Night of the Living Dead" {
		t.Errorf("duplicate ID replaced the first title: %q", got.Name)
	}
	want := []string{"Comedy", "Crime", "Film Noir", "Horror", "Mystery", "Romance", "Sci-Fi", "Silent"}
	if got := x.Genres(); !slices.Equal(got, want) {
		t.Errorf("Genres = %q, want %q", got, want)
	}
}

func TestMergedSearch(t *testing.T) {
	c := catalog.New(newMem("builtin", blender()...), newMem("classics", classics()...))
	page := c.Search(context.Background(), catalog.Query{PageSize: 5})
	if len(page.Errors) != 0 {
		t.Fatalf("errors: %v", page.Errors)
	}
	var got []string
	for _, title := range page.Titles {
		got = append(got, title.ID)
	}
	want := []string{"builtin:bbb", "builtin:sintel", "builtin:tos", "classics:nosferatu", "classics:hgf"}
	if !slices.Equal(got, want) {
		t.Errorf("merged popular page = %q, want %q", got, want)
	}
	// 4 + 7 titles, "Night of the Living Dead" in both: the built-in one is kept and
	// the classic one is dropped, even though the classic is more popular.
	if page.Total != 10 || !page.HasMore {
		t.Errorf("Total = %d, HasMore = %v; want 10, true", page.Total, page.HasMore)
	}
	all := c.Search(context.Background(), catalog.Query{Text: "living dead"})
	if len(all.Titles) != 1 || all.Titles[0].ID != "builtin:notld-copy" {
		t.Errorf("duplicate film: got %+v, want only builtin:notld-copy", all.Titles)
	}
}

func TestMergedPagingMatchesOneBigPage(t *testing.T) {
	c := catalog.New(newMem("builtin", blender()...), newMem("classics", classics()...))
	ctx := context.Background()
	for _, s := range []catalog.Sort{catalog.SortPopular, catalog.SortNewest, catalog.SortAZ} {
		whole := c.Search(ctx, catalog.Query{Sort: s, PageSize: 100})
		if len(whole.Titles) != 10 || whole.HasMore {
			t.Fatalf("sort %v: one page holds %d titles (HasMore %v), want 10", s, len(whole.Titles), whole.HasMore)
		}
		for i := 1; i < len(whole.Titles); i++ {
			if catalog.Compare(&whole.Titles[i-1], &whole.Titles[i], s) > 0 {
				t.Errorf("sort %v: %q before %q", s, whole.Titles[i-1].Name, whole.Titles[i].Name)
			}
		}
		var paged []catalog.Title
		for p := 0; ; p++ {
			page := c.Search(ctx, catalog.Query{Sort: s, Page: p, PageSize: 3})
			paged = append(paged, page.Titles...)
			if !page.HasMore {
				break
			}
			if p > 10 {
				t.Fatal("HasMore never ends")
			}
		}
		if a, b := ids(paged), ids(whole.Titles); !slices.Equal(a, b) {
			t.Errorf("sort %v: pages of 3 = %q, one page = %q", s, a, b)
		}
	}
}

func ids(titles []catalog.Title) []string {
	var out []string
	for _, t := range titles {
		out = append(out, t.ID)
	}
	return out
}

func TestSlowProviderNeverBlocksTheOthers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	// One provider honours its deadline, the other ignores its context altogether.
	polite := funcProvider{id: "polite", search: func(ctx context.Context, q catalog.Query) (catalog.Page, error) {
		<-ctx.Done()
		return catalog.Page{}, ctx.Err()
	}}
	stubborn := funcProvider{id: "stubborn", search: func(ctx context.Context, q catalog.Query) (catalog.Page, error) {
		<-release
		return catalog.Page{Titles: []catalog.Title{movie("late", "Late", 2000, 1)}}, nil
	}}
	c := catalog.New(polite, newMem("builtin", blender()...), stubborn)
	c.SetProviderTimeout(50 * time.Millisecond)

	done := make(chan catalog.Page, 1)
	go func() { done <- c.Search(context.Background(), catalog.Query{}) }()
	var page catalog.Page
	select {
	case page = <-done:
	case <-time.After(30 * time.Second): // hang guard only
		t.Fatal("Search waited for a provider that never answers")
	}
	if len(page.Titles) != 4 {
		t.Errorf("got %d titles, want the 4 built-in ones", len(page.Titles))
	}
	if len(page.Errors) != 2 || page.Errors[0].Provider != "polite" || page.Errors[1].Provider != "stubborn" {
		t.Fatalf("errors = %v, want polite then stubborn", page.Errors)
	}
	for _, e := range page.Errors {
		if !errors.Is(e, context.DeadlineExceeded) || !strings.Contains(e.Error(), "no answer within 50ms") {
			t.Errorf("error %q does not say the provider timed out", e.Error())
		}
	}
}

func TestMergedQueriesLeaveNoGoroutines(t *testing.T) {
	catalogtest.CheckGoroutines(t)
	polite := funcProvider{id: "polite", search: func(ctx context.Context, q catalog.Query) (catalog.Page, error) {
		<-ctx.Done()
		return catalog.Page{}, ctx.Err()
	}}
	broken := funcProvider{id: "broken", search: func(context.Context, catalog.Query) (catalog.Page, error) {
		panic("broken provider")
	}}
	c := catalog.New(polite, newMem("builtin", blender()...), broken)
	c.SetProviderTimeout(10 * time.Millisecond)
	for i := range 20 {
		page := c.Search(context.Background(), catalog.Query{Page: i % 2, PageSize: 2})
		if len(page.Errors) != 2 {
			t.Fatalf("errors = %v", page.Errors)
		}
		c.Genres(context.Background())
		c.Get(context.Background(), "builtin:sintel")
	}
}

func TestBrokenProvidersAreReportedNotFatal(t *testing.T) {
	offline := funcProvider{id: "archive", search: func(context.Context, catalog.Query) (catalog.Page, error) {
		return catalog.Page{}, fmt.Errorf("Internet Archive is offline: dial tcp: no route to host: %w", catalog.ErrOffline)
	}}
	panicky := funcProvider{id: "panicky", search: func(context.Context, catalog.Query) (catalog.Page, error) {
		var m map[string]int
		m["boom"]++ // a nil map write, the kind of bug a provider might have
		return catalog.Page{}, nil
	}}
	c := catalog.New(offline, newMem("builtin", blender()...), panicky)
	page := c.Search(context.Background(), catalog.Query{})
	if len(page.Titles) != 4 {
		t.Errorf("got %d titles, want 4", len(page.Titles))
	}
	if len(page.Errors) != 2 {
		t.Fatalf("errors = %v", page.Errors)
	}
	if !errors.Is(page.Errors[0], catalog.ErrOffline) || page.Errors[0].Name != "Func archive" {
		t.Errorf("offline error = %v (%q)", page.Errors[0], page.Errors[0].Name)
	}
	if !strings.Contains(page.Errors[1].Error(), "provider failed") {
		t.Errorf("panic became %q", page.Errors[1].Error())
	}
	if _, err := c.SearchProvider(context.Background(), "archive", catalog.Query{}); !errors.Is(err, catalog.ErrOffline) {
		t.Errorf("SearchProvider(archive) = %v, want ErrOffline", err)
	}
}

func TestCallerCancellation(t *testing.T) {
	c := catalog.New(newMem("builtin", blender()...))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	page := c.Search(ctx, catalog.Query{})
	if len(page.Titles) != 0 || len(page.Errors) != 1 || !errors.Is(page.Errors[0], context.Canceled) {
		t.Errorf("cancelled search = %d titles, errors %v", len(page.Titles), page.Errors)
	}
}

func TestEnableDisableAddRemove(t *testing.T) {
	ctx := context.Background()
	c := catalog.New(newMem("builtin", blender()...), newMem("classics", classics()...))
	c.SetEnabled("classics", false)
	if c.Enabled("classics") || !c.Enabled("builtin") {
		t.Fatal("Enabled does not reflect SetEnabled")
	}
	if page := c.Search(ctx, catalog.Query{PageSize: 100}); len(page.Titles) != 4 {
		t.Errorf("with classics off: %d titles, want 4", len(page.Titles))
	}
	if _, err := c.SearchProvider(ctx, "classics", catalog.Query{}); !errors.Is(err, catalog.ErrDisabled) {
		t.Errorf("SearchProvider on a disabled provider = %v", err)
	}
	if _, err := c.SearchProvider(ctx, "nope", catalog.Query{}); !errors.Is(err, catalog.ErrUnknownProvider) {
		t.Errorf("SearchProvider on an unknown provider = %v", err)
	}
	// Titles of a disabled provider can still be looked up (Continue watching).
	if title, err := c.Get(ctx, "classics:hgf"); err != nil || title.Name != "His Girl Friday" {
		t.Errorf("Get from a disabled provider = %q, %v", title.Name, err)
	}
	c.SetEnabled("classics", true)
	if page := c.Search(ctx, catalog.Query{PageSize: 100}); len(page.Titles) != 10 {
		t.Errorf("with classics on again: %d titles, want 10", len(page.Titles))
	}

	// A setting made before the provider exists applies when it arrives.
	c.SetEnabled("feed-x", false)
	c.Add(newMem("feed-x", movie("a", "Alpha", 2001, 1)))
	if page := c.Search(ctx, catalog.Query{Text: "alpha"}); len(page.Titles) != 0 {
		t.Error("a provider disabled before it was added shows up")
	}
	// Add with a known ID replaces in place, keeping precedence.
	c.Add(newMem("builtin", movie("x", "Xanadu", 1980, 1)))
	if got := c.Providers(); len(got) != 3 || got[0].ID() != "builtin" {
		t.Errorf("providers after replace = %v", got)
	}
	if page := c.Search(ctx, catalog.Query{Text: "xanadu"}); len(page.Titles) != 1 {
		t.Error("replaced provider not searched")
	}
	c.Remove("builtin")
	if _, ok := c.Provider("builtin"); ok || len(c.Providers()) != 2 {
		t.Error("Remove left the provider in place")
	}
}

func TestGet(t *testing.T) {
	ctx := context.Background()
	noGetter := funcProvider{id: "plain", search: func(context.Context, catalog.Query) (catalog.Page, error) { return catalog.Page{}, nil }}
	c := catalog.New(newMem("builtin", blender()...), noGetter)
	if title, err := c.Get(ctx, "builtin:sintel"); err != nil || title.Name != "Sintel" {
		t.Errorf("Get(builtin:sintel) = %q, %v", title.Name, err)
	}
	for id, want := range map[string]error{
		"builtin:nope":   catalog.ErrNotFound,
		"sintel":         catalog.ErrNotFound,
		":sintel":        catalog.ErrNotFound,
		"elsewhere:x":    catalog.ErrUnknownProvider,
		"plain:anything": catalog.ErrNotFound,
	} {
		if _, err := c.Get(ctx, id); !errors.Is(err, want) {
			t.Errorf("Get(%q) = %v, want %v", id, err, want)
		}
	}
}

func TestGenresMerged(t *testing.T) {
	lower := newMem("lower", movie("z", "Zed", 1999, 1, "comedy", "Western"))
	c := catalog.New(newMem("builtin", blender()...), lower)
	want := []string{"Animation", "Comedy", "Fantasy", "Horror", "Sci-Fi", "Western", "Zombies"}
	if got := c.Genres(context.Background()); !slices.Equal(got, want) {
		t.Errorf("Genres = %q, want %q", got, want)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Amélie, le Film!":       "amelie le film",
		"  THE   General  ":      "the general",
		"Ça-va? Ñandú_2":         "ca va nandu 2",
		"":                       "",
		"!!!":                    "",
		"Straße":                 "straße",
		"Dr. Strangelove (1964)": "dr strangelove 1964",
	} {
		if got := catalog.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"The General": "general", "A Trip": "trip", "An": "an", "Theory": "theory"} {
		if got := catalog.NameSortKey(in); got != want {
			t.Errorf("NameSortKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQueryNormalized(t *testing.T) {
	q := catalog.Query{Page: -3, PageSize: -1, Sort: 99}.Normalized()
	if q.Page != 0 || q.PageSize != catalog.DefaultPageSize || q.Sort != catalog.SortPopular {
		t.Errorf("Normalized = %+v", q)
	}
	huge := catalog.Query{Page: 1 << 60, PageSize: 1 << 60}.Normalized()
	if huge.Page*huge.PageSize <= 0 {
		t.Errorf("Normalized leaves an overflowing window: %+v", huge)
	}
}
