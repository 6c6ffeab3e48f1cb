package catalog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"marquee/catalog"
)

var (
	benchWords = []string{"night", "living", "dead", "girl", "friday", "general", "detour", "moon", "city", "river",
		"shadow", "love", "war", "stranger", "house", "lady", "mystery", "island", "storm", "gold", "kid", "king",
		"dragon", "bunny", "steel", "tears", "cosmos", "spring", "laundromat", "elephant", "dream", "parade"}
	benchGenres = []string{"Comedy", "Drama", "Horror", "Sci-Fi", "Western", "Film Noir", "Animation", "Romance",
		"Mystery", "Silent", "War", "Documentary"}
)

// generatedProviders splits n generated titles over four in-memory providers, the
// shape of a catalog with a big archive and a few feeds.
func generatedProviders(n int) []catalog.Provider {
	rng := rand.New(rand.NewPCG(1, 2))
	shares := []struct {
		id    string
		share int
	}{{"builtin", 1}, {"archive", 60}, {"feed-a", 25}, {"feed-b", 14}}
	var providers []catalog.Provider
	made := 0
	for pi, s := range shares {
		count := n * s.share / 100
		if pi == len(shares)-1 {
			count = n - made
		}
		titles := make([]catalog.Title, count)
		for i := range titles {
			name := ""
			for w := range 1 + rng.IntN(4) {
				if w > 0 {
					name += " "
				}
				name += benchWords[rng.IntN(len(benchWords))]
			}
			// A number keeps generated films distinct: the merge folds together
			// films of the same name and year.
			name += fmt.Sprintf(" %d", made+i)
			titles[i] = catalog.Title{
				ID: fmt.Sprint(i), Kind: catalog.KindMovie, Name: name, Year: 1900 + rng.IntN(125),
				Popularity: float64(rng.IntN(1_000_000)),
				Genres:     []string{benchGenres[rng.IntN(len(benchGenres))], benchGenres[rng.IntN(len(benchGenres))]},
				Synopsis:   "A generated film about " + benchWords[rng.IntN(len(benchWords))] + " and " + benchWords[rng.IntN(len(benchWords))] + ", told in the old style over ninety minutes.",
				Licence:    "Public Domain", LicenceURL: "https://creativecommons.org/publicdomain/mark/1.0/",
				Sources: []catalog.Source{{InfoHash: fmt.Sprintf("%040x", made+i+1), FileIndex: catalog.MainFile}},
			}
		}
		made += count
		providers = append(providers, newMem(s.id, titles...))
	}
	return providers
}

var benchQueries = []catalog.Query{
	{},                                    // the home screen: most popular
	{Text: "night", Sort: catalog.SortAZ}, // typing in the search box
	{Genre: "Film Noir", Sort: catalog.SortNewest, Page: 3},
	{Text: "dead river", Genre: "Horror"},
}

func TestBenchmarkQueriesAreMeaningful(t *testing.T) {
	c := catalog.New(generatedProviders(10_000)...)
	whole := c.Search(context.Background(), catalog.Query{PageSize: catalog.MaxPageSize})
	if whole.Total != 10_000 {
		t.Fatalf("generated catalog has %d titles, want 10000", whole.Total)
	}
	for _, q := range benchQueries {
		page := c.Search(context.Background(), q)
		if len(page.Titles) == 0 || len(page.Errors) > 0 {
			t.Errorf("query %+v: %d titles, errors %v", q, len(page.Titles), page.Errors)
		}
	}
}

// BenchmarkSearch10k measures a merged query over 10,000 titles in four providers; a
// frame at 60 Hz is 16 ms.
func BenchmarkSearch10k(b *testing.B) {
	c := catalog.New(generatedProviders(10_000)...)
	ctx := context.Background()
	for _, q := range benchQueries {
		b.Run(fmt.Sprintf("text=%q/genre=%q/sort=%v/page=%d", q.Text, q.Genre, q.Sort, q.Page), func(b *testing.B) {
			for b.Loop() {
				if page := c.Search(ctx, q); len(page.Titles) == 0 {
					b.Fatal("no results")
				}
			}
		})
	}
}
