package catalog

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Index answers queries over a fixed set of titles held in memory. The providers whose
// titles fit in memory (built-in, feeds, my torrents) each wrap one. Matching work is
// done once in NewIndex, so a query is one pass over a pre-sorted slice.
//
// An Index is immutable and safe for concurrent use. The titles it returns share their
// slices with the index: treat them as read-only.
type Index struct {
	titles  []Title
	entries []indexEntry
	orders  [3][]int32 // title positions sorted by SortPopular, SortNewest, SortAZ
	byID    map[string]int
	genres  []string
}

type indexEntry struct {
	text   string   // folded name, genres and synopsis, for text search
	genres []string // folded
}

// NewIndex indexes titles. Later duplicates of an ID are dropped.
func NewIndex(titles []Title) *Index {
	x := &Index{byID: make(map[string]int, len(titles))}
	genreNames := make(map[string]string)
	for _, t := range titles {
		if _, dup := x.byID[t.ID]; dup {
			continue
		}
		x.byID[t.ID] = len(x.titles)
		x.titles = append(x.titles, t)
		e := indexEntry{}
		var text strings.Builder
		text.WriteString(Fold(t.Name))
		for _, g := range t.Genres {
			fg := Fold(g)
			e.genres = append(e.genres, fg)
			text.WriteString(" " + fg)
			if _, ok := genreNames[fg]; !ok && fg != "" {
				genreNames[fg] = g
			}
		}
		text.WriteString(" " + Fold(t.Synopsis))
		e.text = text.String()
		x.entries = append(x.entries, e)
	}
	keys := make([]sortKeys, len(x.titles))
	for i := range x.titles {
		keys[i] = newSortKeys(&x.titles[i])
	}
	for s := SortPopular; s <= SortAZ; s++ {
		order := make([]int32, len(x.titles))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortStableFunc(order, func(a, b int32) int { return keys[a].compare(&keys[b], s) })
		x.orders[s] = order
	}
	for _, g := range genreNames {
		x.genres = append(x.genres, g)
	}
	slices.SortFunc(x.genres, func(a, b string) int { return strings.Compare(Fold(a), Fold(b)) })
	return x
}

// Len is the number of titles in the index.
func (x *Index) Len() int { return len(x.titles) }

// Titles returns every title in insertion order.
func (x *Index) Titles() []Title { return slices.Clone(x.titles) }

// Get returns the title with this ID.
func (x *Index) Get(id string) (Title, bool) {
	i, ok := x.byID[id]
	if !ok {
		return Title{}, false
	}
	return x.titles[i], true
}

// Genres lists the genres used by the titles, sorted, without case variants.
func (x *Index) Genres() []string { return slices.Clone(x.genres) }

// Search answers q. It fails only when ctx is done.
func (x *Index) Search(ctx context.Context, q Query) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	q = q.Normalized()
	words := strings.Fields(Fold(q.Text))
	genre := Fold(q.Genre)
	start := q.Page * q.PageSize
	end := start + q.PageSize
	var page Page
	matched := 0
	for _, i := range x.orders[q.Sort] {
		e := &x.entries[i]
		if genre != "" && !slices.Contains(e.genres, genre) {
			continue
		}
		if !containsAll(e.text, words) {
			continue
		}
		if matched >= start && matched < end {
			page.Titles = append(page.Titles, x.titles[i])
		}
		matched++
	}
	page.Total = matched
	page.HasMore = matched > end
	return page, nil
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// Fold prepares text for matching: lower case, accents removed, and every run of
// characters that are neither letters nor digits turned into one space. "Amélie, le
// Film!" folds to "amelie le film".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// NameSortKey is the key for A–Z order: the folded name without a leading English
// article, so "The General" files under G as in a video shop.
func NameSortKey(name string) string { return stripArticle(Fold(name)) }

func stripArticle(f string) string {
	for _, article := range []string{"the ", "a ", "an "} {
		if rest, ok := strings.CutPrefix(f, article); ok && rest != "" {
			return rest
		}
	}
	return f
}

// sortKeys holds what ordering needs, computed once per title.
type sortKeys struct {
	name       string
	year       int
	popularity float64
	id         string
}

func newSortKeys(t *Title) sortKeys {
	return sortKeys{name: NameSortKey(t.Name), year: t.Year, popularity: t.Popularity, id: t.ID}
}

// compare orders two titles for s. Ties fall through to the other keys and finally the
// ID, so every order is total and pages never overlap.
func (a *sortKeys) compare(b *sortKeys, s Sort) int {
	byPopularity := cmp.Compare(b.popularity, a.popularity)
	byYear := cmp.Compare(b.year, a.year)
	byName := strings.Compare(a.name, b.name)
	var c int
	switch s {
	case SortNewest:
		c = cmp.Or(byYear, byPopularity, byName)
	case SortAZ:
		c = cmp.Or(byName, byYear, byPopularity)
	default:
		c = cmp.Or(byPopularity, byYear, byName)
	}
	return cmp.Or(c, strings.Compare(a.id, b.id))
}

// Compare orders two titles the way s sorts them: negative when a comes first.
func Compare(a, b *Title, s Sort) int {
	ka, kb := newSortKeys(a), newSortKeys(b)
	return ka.compare(&kb, s)
}
