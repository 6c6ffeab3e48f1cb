package catalog

import (
	"errors"
	"fmt"
)

// Sort orders query results.
type Sort int

const (
	SortPopular Sort = iota // most watched first
	SortNewest              // latest year first
	SortAZ                  // by name, ignoring case and accents
)

func (s Sort) String() string {
	switch s {
	case SortPopular:
		return "popular"
	case SortNewest:
		return "newest"
	case SortAZ:
		return "a-z"
	}
	return fmt.Sprintf("Sort(%d)", int(s))
}

const (
	// DefaultPageSize is used when Query.PageSize is 0 or less.
	DefaultPageSize = 24
	// MaxPageSize caps the page size a Catalog asks for.
	MaxPageSize = 500

	maxPage   = 1_000_000
	maxWindow = 100_000
)

// Query selects titles. The zero Query is the first page of everything, most popular
// first.
type Query struct {
	Text     string // words that must all appear in the name, genres or synopsis
	Genre    string // only titles with this genre (case-insensitive); "" = all
	Sort     Sort
	Page     int // 0-based
	PageSize int // <= 0 means DefaultPageSize
}

// Normalized returns q with its page and page size in range. Providers call it first.
func (q Query) Normalized() Query {
	if q.Page < 0 {
		q.Page = 0
	}
	if q.PageSize <= 0 {
		q.PageSize = DefaultPageSize
	}
	// Bounds that keep Page*PageSize far from overflow; no screen pages this deep.
	q.Page = min(q.Page, maxPage)
	q.PageSize = min(q.PageSize, maxWindow)
	if q.Sort < SortPopular || q.Sort > SortAZ {
		q.Sort = SortPopular
	}
	return q
}

// Page is one page of results.
type Page struct {
	Titles  []Title
	HasMore bool
	Total   int // titles matching the query; approximate in a merged query when providers overlap
	Errors  []ProviderError
}

// ProviderError says which provider failed a merged query and why.
type ProviderError struct {
	Provider string // provider ID
	Name     string // provider display name
	Err      error
}

func (e ProviderError) Error() string { return e.Name + ": " + e.Err.Error() }
func (e ProviderError) Unwrap() error { return e.Err }

var (
	// ErrOffline means a provider could not reach its server. Providers wrap it with
	// their name: "Internet Archive is offline: dial tcp: ...".
	ErrOffline = errors.New("offline")
	// ErrNotFound means no provider knows the title ID.
	ErrNotFound = errors.New("title not found")
	// ErrDisabled means the provider is switched off.
	ErrDisabled = errors.New("provider is disabled")
	// ErrUnknownProvider means no provider has that ID.
	ErrUnknownProvider = errors.New("unknown provider")
)
