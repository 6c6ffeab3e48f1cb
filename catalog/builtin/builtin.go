// Package builtin is the catalog that ships inside Marquee: the curated feed embedded
// in assets (Blender open movies and public-domain classics). It needs no network to
// list titles, so it is what a new user sees first, even offline.
package builtin

import (
	"context"
	"fmt"

	"marquee/assets"
	"marquee/catalog"
	"marquee/catalog/feed"
)

// ID is the built-in provider's ID; its title IDs are "builtin:<id in catalog.json>".
const ID = "builtin"

// Provider serves the embedded catalog.
type Provider struct {
	name  string
	index *catalog.Index
}

var (
	_ catalog.Provider    = (*Provider)(nil)
	_ catalog.Getter      = (*Provider)(nil)
	_ catalog.GenreLister = (*Provider)(nil)
)

// New parses the embedded catalog. It fails only if assets/catalog.json is invalid,
// which this package's tests rule out.
func New() (*Provider, error) { return FromJSON(assets.CatalogJSON) }

// FromJSON builds the provider from a catalog in the feed schema.
func FromJSON(data []byte) (*Provider, error) {
	f, err := feed.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in catalog: %w", err)
	}
	return &Provider{name: f.Name, index: catalog.NewIndex(f.TitlesFor(ID))}, nil
}

// ID is "builtin".
func (p *Provider) ID() string { return ID }

// Name is the catalog's own name.
func (p *Provider) Name() string { return p.name }

// Search answers q from the embedded catalog.
func (p *Provider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	return p.index.Search(ctx, q)
}

// Get looks a title up by its global ID.
func (p *Provider) Get(ctx context.Context, titleID string) (catalog.Title, error) {
	if err := ctx.Err(); err != nil {
		return catalog.Title{}, err
	}
	if t, ok := p.index.Get(titleID); ok {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s in the built-in catalog: %w", titleID, catalog.ErrNotFound)
}

// Genres lists the genres of the embedded titles.
func (p *Provider) Genres(ctx context.Context) ([]string, error) {
	return p.index.Genres(), ctx.Err()
}

// Titles returns every built-in title.
func (p *Provider) Titles() []catalog.Title { return p.index.Titles() }
