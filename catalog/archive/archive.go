// Package archive lists public-domain and openly licensed films from the Internet
// Archive (archive.org): search through advancedsearch.php, details through
// /metadata/<id>, posters from /services/img/<id>, and each item's own torrent,
// /download/<id>/<id>_archive.torrent, whose webseeds point back at archive.org.
//
// Only items whose licenseurl is a public-domain or Creative Commons URL are listed,
// both in the query sent and in the answer read. Every request has a timeout and a
// response size cap, and answers are kept on disk: a fresh copy is used without asking
// again, and a stale one stands in when the archive cannot be reached. With no copy
// and no network, calls fail with an error wrapping catalog.ErrOffline, and the rest of
// the catalog carries on.
package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"marquee/catalog"
	"marquee/internal/diskcache"
	"marquee/internal/httpget"
)

// ID is the provider's ID; title IDs are "archive:<archive.org identifier>".
const ID = "archive"

const name = "Internet Archive"

// maxWindow is how deep advancedsearch pages: rows × page beyond it are refused.
const maxWindow = 10_000

// Options tune the provider. Zero values pick the defaults.
type Options struct {
	BaseURL    string        // default "https://archive.org"; tests point it at httptest
	Client     *http.Client  // default: httpget.Client
	Timeout    time.Duration // per request, default 10 seconds
	MaxBytes   int64         // per response, default 4 MiB
	CacheDir   string        // "" keeps nothing on disk
	CacheTTL   time.Duration // how long an answer stays fresh, default 6 hours
	Collection string        // default "feature_films"
	Logger     *slog.Logger
	Now        func() time.Time // clock, for tests
}

// Provider is the Internet Archive catalog.
type Provider struct {
	opts  Options
	cache *diskcache.Cache

	mu         sync.Mutex
	popularity map[string]float64 // downloads seen in searches, for Get
	// answered is set once a search has been answered (from the network or the cache).
	answered atomic.Bool
}

var (
	_ catalog.Provider    = (*Provider)(nil)
	_ catalog.Getter      = (*Provider)(nil)
	_ catalog.GenreLister = (*Provider)(nil)
)

// New returns the provider. It does no I/O until used.
func New(opts Options) *Provider {
	if opts.BaseURL == "" {
		opts.BaseURL = "https://archive.org"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 20
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 6 * time.Hour
	}
	if opts.Collection == "" {
		opts.Collection = "feature_films"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Provider{
		opts:       opts,
		cache:      diskcache.New(diskcache.Options{Dir: opts.CacheDir, Ext: ".json", MaxEntry: opts.MaxBytes}),
		popularity: make(map[string]float64),
	}
}

// ID is "archive".
func (p *Provider) ID() string { return ID }

// Name is "Internet Archive".
func (p *Provider) Name() string { return name }

// Genres lists the genres Search can filter by, once a search has been answered; it needs
// no request. Before that (offline, or not asked yet) it lists none, so that the genre menu
// offers no genre with nothing behind it.
func (p *Provider) Genres(ctx context.Context) ([]string, error) {
	if !p.answered.Load() {
		return nil, ctx.Err()
	}
	return genreNames(), ctx.Err()
}

// searchFields are the fields asked for; the archive returns nothing else.
var searchFields = []string{"identifier", "title", "year", "date", "description", "subject", "downloads", "licenseurl"}

// searchURL builds the advancedsearch request for q, or "" when q cannot match
// anything here (a genre this provider does not know).
func (p *Provider) searchURL(q catalog.Query) string {
	clauses := []string{
		"collection:(" + p.opts.Collection + ")",
		"mediatype:(movies)",
		"licenseurl:(*publicdomain* OR *creativecommons*)",
	}
	if q.Genre != "" {
		g, ok := lookupGenre(q.Genre)
		if !ok {
			return ""
		}
		clauses = append(clauses, g.subjectClause())
	}
	for _, word := range queryWords(q.Text) {
		clauses = append(clauses, "title:("+word+")")
	}
	v := url.Values{}
	v.Set("q", strings.Join(clauses, " AND "))
	for _, f := range searchFields {
		v.Add("fl[]", f)
	}
	switch q.Sort {
	case catalog.SortNewest:
		v.Set("sort[]", "year desc")
	case catalog.SortAZ:
		v.Set("sort[]", "titleSorter asc")
	default:
		v.Set("sort[]", "downloads desc")
	}
	v.Set("rows", strconv.Itoa(q.PageSize))
	v.Set("page", strconv.Itoa(q.Page+1)) // the archive counts pages from 1
	v.Set("output", "json")
	return p.opts.BaseURL + "/advancedsearch.php?" + v.Encode()
}

// queryWords keeps letters and digits of the user's text, so nothing typed can change
// the query's structure (no quotes, brackets, wildcards or operators).
func queryWords(text string) []string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, text)
	var words []string
	for _, w := range strings.Fields(clean) {
		if w == "and" || w == "or" || w == "not" || w == "to" {
			continue // Lucene operators, and too common to narrow anything
		}
		words = append(words, w)
		if len(words) == 8 {
			break
		}
	}
	return words
}

// Search runs q on the archive.
func (p *Provider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	if err := ctx.Err(); err != nil {
		return catalog.Page{}, err
	}
	q = q.Normalized()
	if (q.Page+1)*q.PageSize > maxWindow {
		return catalog.Page{}, nil // the archive does not page this deep
	}
	u := p.searchURL(q)
	if u == "" {
		return catalog.Page{}, nil
	}
	body, err := p.get(ctx, u)
	if err != nil {
		return catalog.Page{}, err
	}
	titles, numFound, err := decodeSearch(body, p.opts.BaseURL)
	if err != nil {
		p.forget(u)
		return catalog.Page{}, fmt.Errorf("%s: %w", name, err)
	}
	p.answered.Store(true)
	p.mu.Lock()
	for _, t := range titles {
		p.popularity[t.ID] = t.Popularity
	}
	p.mu.Unlock()
	seen := q.Page*q.PageSize + q.PageSize
	return catalog.Page{Titles: titles, Total: max(numFound, len(titles)), HasMore: numFound > seen}, nil
}

// Get returns one item with the details only its metadata has: the torrent's
// infohash, the main video's size, quality and runtime.
func (p *Provider) Get(ctx context.Context, titleID string) (catalog.Title, error) {
	providerID, id, ok := catalog.SplitID(titleID)
	if !ok || providerID != ID || !identifierPattern.MatchString(id) {
		return catalog.Title{}, fmt.Errorf("%s: %q is not an archive title: %w", name, titleID, catalog.ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return catalog.Title{}, err
	}
	u := p.opts.BaseURL + "/metadata/" + url.PathEscape(id)
	body, err := p.get(ctx, u)
	if err != nil {
		return catalog.Title{}, err
	}
	t, err := decodeMetadata(body, p.opts.BaseURL, id)
	if err != nil {
		if !errors.Is(err, catalog.ErrNotFound) {
			p.forget(u)
		}
		return catalog.Title{}, fmt.Errorf("%s: %w", name, err)
	}
	p.mu.Lock()
	t.Popularity = p.popularity[t.ID]
	p.mu.Unlock()
	return t, nil
}

// get fetches u through the disk cache.
func (p *Provider) get(ctx context.Context, u string) ([]byte, error) {
	cached, fetchedAt, haveCache := p.cache.Get(u)
	if haveCache && p.opts.Now().Sub(fetchedAt) < p.opts.CacheTTL {
		return cached, nil
	}
	body, err := p.fetch(ctx, u)
	if err == nil {
		p.writeCache(u, body)
		return body, nil
	}
	if haveCache && ctx.Err() == nil {
		p.opts.Logger.Warn("Internet Archive unreachable; using an older answer", "url", u, "fetched", fetchedAt, "err", err)
		return cached, nil
	}
	return nil, err
}

func (p *Provider) fetch(ctx context.Context, u string) ([]byte, error) {
	body, err := httpget.Get(ctx, u, httpget.Request{
		Client: p.opts.Client, Accept: "application/json", UserAgent: "Marquee (catalog of public-domain films)",
		MaxBytes: p.opts.MaxBytes, Timeout: p.opts.Timeout,
	})
	var status *httpget.StatusError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &status):
		return nil, fmt.Errorf("%s answered %w", name, err)
	case httpget.IsTransport(err):
		return nil, catalog.OfflineError(name, err)
	}
	return nil, fmt.Errorf("%s: %w", name, err)
}

// writeCache stores an answer, stamped with the provider's clock.
func (p *Provider) writeCache(u string, body []byte) {
	if err := p.cache.Put(u, body, p.opts.Now()); err != nil {
		p.opts.Logger.Warn("cannot cache an Internet Archive answer", "url", u, "err", err)
	}
}

// forget drops a cached answer that turned out unreadable, so it is fetched again.
func (p *Provider) forget(u string) {
	p.cache.Remove(u)
}
