package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Provider is a source of titles. Search must honour ctx and return the titles it
// lists with ID = JoinID(provider ID, local ID) and Provider = its ID.
type Provider interface {
	ID() string   // stable, short, no ':' (e.g. "builtin", "archive", "feed-3f2a…")
	Name() string // shown to the user
	Search(ctx context.Context, q Query) (Page, error)
}

// Getter is a Provider that can look a title up by its global ID. It returns an error
// wrapping ErrNotFound for IDs it does not know.
type Getter interface {
	Get(ctx context.Context, titleID string) (Title, error)
}

// GenreLister is a Provider that can list the genres a Query.Genre may name.
type GenreLister interface {
	Genres(ctx context.Context) ([]string, error)
}

// DefaultProviderTimeout is how long a Catalog waits for one provider.
const DefaultProviderTimeout = 5 * time.Second

// Catalog runs queries over the enabled providers at once. It is safe for concurrent
// use; providers can be added, removed and switched at any time.
type Catalog struct {
	mu        sync.RWMutex
	providers []Provider
	disabled  map[string]bool
	timeout   time.Duration
}

// New returns a catalog over providers, all enabled. Their order is the order of
// precedence when two providers list the same film (same name and year): the first one
// wins, so pass the curated ones first.
func New(providers ...Provider) *Catalog {
	c := &Catalog{disabled: make(map[string]bool), timeout: DefaultProviderTimeout}
	for _, p := range providers {
		c.Add(p)
	}
	return c
}

// SetProviderTimeout sets how long a query waits for each provider (default
// DefaultProviderTimeout). A provider that has not answered by then is reported in
// Page.Errors and its late answer is dropped.
func (c *Catalog) SetProviderTimeout(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.timeout = d
	}
}

// Add registers p, replacing a provider with the same ID in place.
func (c *Catalog) Add(p Provider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, old := range c.providers {
		if old.ID() == p.ID() {
			c.providers[i] = p
			return
		}
	}
	c.providers = append(c.providers, p)
}

// Remove unregisters the provider with this ID.
func (c *Catalog) Remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.providers = slices.DeleteFunc(c.providers, func(p Provider) bool { return p.ID() == id })
}

// Providers returns every registered provider, enabled or not, in precedence order.
func (c *Catalog) Providers() []Provider {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.providers)
}

// Provider returns the provider with this ID.
func (c *Catalog) Provider(id string) (Provider, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, p := range c.providers {
		if p.ID() == id {
			return p, true
		}
	}
	return nil, false
}

// SetEnabled switches a provider on or off. The setting is kept for IDs not yet
// registered, so saved settings can be applied before the providers are built.
func (c *Catalog) SetEnabled(id string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on {
		delete(c.disabled, id)
	} else {
		c.disabled[id] = true
	}
}

// Enabled reports whether a provider is switched on. Providers start on.
func (c *Catalog) Enabled(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.disabled[id]
}

func (c *Catalog) providerTimeout() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.timeout
}

func (c *Catalog) enabled() ([]Provider, time.Duration) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Provider
	for _, p := range c.providers {
		if !c.disabled[p.ID()] {
			out = append(out, p)
		}
	}
	return out, c.timeout
}

// Search runs q on every enabled provider at once and merges the answers: sorted by
// q.Sort, the same film listed by two providers shown once (the earlier provider's
// entry), then cut to q's page. It returns after every provider has answered or after
// the per-provider deadline, whichever comes first; failures and timeouts are listed in
// Page.Errors and never hide the other providers' titles.
//
// Paging is exact as long as each provider's own order agrees with q.Sort: page n asks
// each provider for its first (n+1)·PageSize titles.
func (c *Catalog) Search(ctx context.Context, q Query) Page {
	q = q.Normalized()
	q.PageSize = min(q.PageSize, MaxPageSize)
	providers, timeout := c.enabled()
	window := q
	window.Page = 0
	window.PageSize = (q.Page + 1) * q.PageSize

	answers := ask(ctx, providers, timeout, func(ctx context.Context, p Provider) (Page, error) {
		return p.Search(ctx, window)
	})

	var merged Page
	type candidate struct {
		title *Title
		keys  sortKeys
	}
	var candidates []candidate
	seen := make(map[string]bool)
	for i, a := range answers {
		if a.err != nil {
			merged.Errors = append(merged.Errors, ProviderError{Provider: providers[i].ID(), Name: providers[i].Name(), Err: a.err})
			continue
		}
		merged.Total += a.value.Total
		merged.HasMore = merged.HasMore || a.value.HasMore
		for j := range a.value.Titles {
			t := &a.value.Titles[j]
			folded := Fold(t.Name)
			key := folded + "\x00" + strconv.Itoa(t.Year)
			if seen[key] {
				merged.Total--
				continue
			}
			seen[key] = true
			candidates = append(candidates, candidate{t, sortKeys{
				name: stripArticle(folded), year: t.Year, popularity: t.Popularity, id: t.ID,
			}})
		}
	}
	slices.SortStableFunc(candidates, func(a, b candidate) int { return a.keys.compare(&b.keys, q.Sort) })
	start, end := q.Page*q.PageSize, (q.Page+1)*q.PageSize
	if len(candidates) > end {
		merged.HasMore = true
	}
	for _, c := range candidates[min(start, len(candidates)):min(end, len(candidates))] {
		merged.Titles = append(merged.Titles, *c.title)
	}
	return merged
}

// SearchProvider runs q on one provider, for a home-screen row. It fails with
// ErrUnknownProvider or ErrDisabled, or with the provider's error, or with a timeout
// after the per-provider deadline.
func (c *Catalog) SearchProvider(ctx context.Context, id string, q Query) (Page, error) {
	p, ok := c.Provider(id)
	if !ok {
		return Page{}, fmt.Errorf("search %q: %w", id, ErrUnknownProvider)
	}
	if !c.Enabled(id) {
		return Page{}, fmt.Errorf("search %s: %w", p.Name(), ErrDisabled)
	}
	a := ask(ctx, []Provider{p}, c.providerTimeout(), func(ctx context.Context, p Provider) (Page, error) {
		return p.Search(ctx, q.Normalized())
	})[0]
	if a.err != nil {
		return Page{}, fmt.Errorf("search %s: %w", p.Name(), a.err)
	}
	return a.value, nil
}

// Get returns a title by its global ID, from the provider named in the ID, even when
// that provider is switched off (the library may still show it).
func (c *Catalog) Get(ctx context.Context, titleID string) (Title, error) {
	providerID, _, ok := SplitID(titleID)
	if !ok {
		return Title{}, fmt.Errorf("get %q: malformed title ID: %w", titleID, ErrNotFound)
	}
	p, ok := c.Provider(providerID)
	if !ok {
		return Title{}, fmt.Errorf("get %q: %w", titleID, ErrUnknownProvider)
	}
	getter, ok := p.(Getter)
	if !ok {
		return Title{}, fmt.Errorf("get %q: %s cannot look titles up: %w", titleID, p.Name(), ErrNotFound)
	}
	a := ask(ctx, []Provider{p}, c.providerTimeout(), func(ctx context.Context, _ Provider) (Title, error) {
		return getter.Get(ctx, titleID)
	})[0]
	if a.err != nil {
		return Title{}, fmt.Errorf("get %q from %s: %w", titleID, p.Name(), a.err)
	}
	return a.value, nil
}

// Genres lists the genres of the enabled providers, merged without case variants and
// sorted. Providers that fail or time out are left out.
func (c *Catalog) Genres(ctx context.Context) []string {
	providers, timeout := c.enabled()
	lists := ask(ctx, providers, timeout, func(ctx context.Context, p Provider) ([]string, error) {
		if gl, ok := p.(GenreLister); ok {
			return gl.Genres(ctx)
		}
		return nil, nil
	})
	seen := make(map[string]bool)
	var out []string
	for _, list := range lists {
		if list.err != nil {
			continue
		}
		for _, g := range list.value {
			if f := Fold(g); f != "" && !seen[f] {
				seen[f] = true
				out = append(out, g)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(Fold(a), Fold(b)) })
	return out
}

type answer[T any] struct {
	value T
	err   error
}

// ask calls f for every provider in its own goroutine, each under ctx plus timeout, and
// returns what arrived by then, in provider order. A provider that ignores its context
// is abandoned at the deadline: its goroutine finishes on its own, and its answer, sent
// into a buffered channel, is dropped. Panics become errors.
func ask[T any](ctx context.Context, providers []Provider, timeout time.Duration, f func(context.Context, Provider) (T, error)) []answer[T] {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type indexed struct {
		i int
		answer[T]
	}
	arrived := make(chan indexed, len(providers))
	for i, p := range providers {
		go func() {
			defer func() {
				if r := recover(); r != nil {
					arrived <- indexed{i, answer[T]{err: fmt.Errorf("provider failed: %v", r)}}
				}
			}()
			v, err := f(ctx, p)
			arrived <- indexed{i, answer[T]{v, err}}
		}()
	}
	answers := make([]answer[T], len(providers))
	got := make([]bool, len(providers))
	for pending := len(providers); pending > 0; pending-- {
		select {
		case a := <-arrived:
			answers[a.i], got[a.i] = a.answer, true
			if a.err != nil && errors.Is(a.err, context.DeadlineExceeded) {
				answers[a.i].err = timeoutError(ctx, timeout, a.err)
			}
		case <-ctx.Done():
			for i := range answers {
				if !got[i] {
					answers[i].err = timeoutError(ctx, timeout, ctx.Err())
				}
			}
			return answers
		}
	}
	return answers
}

// timeoutError names the deadline when it was ours that expired.
func timeoutError(ctx context.Context, timeout time.Duration, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v: %w", timeout, err)
	}
	return err
}
