// Package mytorrents lists the magnets and .torrent files the user added by hand, kept
// in the user's library, as a catalog provider.
package mytorrents

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"marquee/internal/atomicfile"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"marquee/catalog"
	"marquee/catalog/library"
	"marquee/torrent/source"
)

// ID is the provider's ID; title IDs are "mytorrents:<infohash>" (or "mytorrents:url-…"
// for a .torrent URL whose infohash is not known yet).
const ID = "mytorrents"

// Store keeps the user's torrents; *library.Library is one.
type Store interface {
	Torrents() ([]library.UserTorrent, error)
	AddTorrent(library.UserTorrent) error
	RemoveTorrent(id string) error
}

// Provider lists the user's torrents.
type Provider struct {
	store Store
	dir   string
	now   func() time.Time
}

var (
	_ catalog.Provider = (*Provider)(nil)
	_ catalog.Getter   = (*Provider)(nil)
)

// New returns the provider over store. Added .torrent files are copied into dir, so
// the title keeps working when the original file is moved or deleted.
func New(store Store, dir string) *Provider {
	return &Provider{store: store, dir: dir, now: time.Now}
}

// ID is "mytorrents".
func (p *Provider) ID() string { return ID }

// Name is shown as the row title.
func (p *Provider) Name() string { return "My torrents" }

func (p *Provider) index(ctx context.Context) (*catalog.Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	torrents, err := p.store.Torrents()
	if err != nil {
		return nil, fmt.Errorf("my torrents: %w", err)
	}
	titles := make([]catalog.Title, len(torrents))
	for i, t := range torrents {
		titles[i] = toTitle(t)
	}
	return catalog.NewIndex(titles), nil
}

// Search answers q over the user's torrents. There are tens of them, so the index is
// rebuilt from the library on each call rather than cached and invalidated.
func (p *Provider) Search(ctx context.Context, q catalog.Query) (catalog.Page, error) {
	idx, err := p.index(ctx)
	if err != nil {
		return catalog.Page{}, err
	}
	return idx.Search(ctx, q)
}

// Get looks a title up by its global ID.
func (p *Provider) Get(ctx context.Context, titleID string) (catalog.Title, error) {
	idx, err := p.index(ctx)
	if err != nil {
		return catalog.Title{}, err
	}
	if t, ok := idx.Get(titleID); ok {
		return t, nil
	}
	return catalog.Title{}, fmt.Errorf("%s in my torrents: %w", titleID, catalog.ErrNotFound)
}

func toTitle(t library.UserTorrent) catalog.Title {
	name := t.Name
	if name == "" {
		name = "Untitled torrent"
	}
	src := catalog.Source{InfoHash: t.InfoHash, Size: t.Size, FileIndex: catalog.MainFile}
	if _, err := source.ParseMagnet(t.URI); err == nil {
		src.Magnet = t.URI
	} else {
		src.TorrentURL = t.URI
	}
	return catalog.Title{
		ID:       catalog.JoinID(ID, t.ID),
		Provider: ID,
		Kind:     catalog.KindMovie,
		Name:     name,
		Synopsis: "Added by you on " + t.Added.Format("2 January 2006") + ".",
		Sources:  []catalog.Source{src},
	}
}

// Add adds what the user typed or dropped, in any form source.Parse reads: a magnet, an
// info hash (40 hex or 32 base32 characters), an http(s) URL of a .torrent, or the path (or
// file:// URL) of a local .torrent file. Adding the same torrent again replaces it.
func (p *Provider) Add(ctx context.Context, input string) (catalog.Title, error) {
	if err := ctx.Err(); err != nil {
		return catalog.Title{}, err
	}
	if strings.TrimSpace(input) == "" {
		return catalog.Title{}, errors.New("add torrent: nothing to add")
	}
	src, err := source.Parse(input)
	if err != nil {
		return catalog.Title{}, fmt.Errorf("add torrent: %w", err)
	}
	var ut library.UserTorrent
	switch src.Kind {
	case source.Magnet:
		ut = library.UserTorrent{ID: src.InfoHash, URI: strings.TrimSpace(input), Name: cmp.Or(src.Name, unnamed(src.InfoHash)), InfoHash: src.InfoHash}
	case source.InfoHash:
		ut = library.UserTorrent{ID: src.InfoHash, URI: src.MagnetURI(), InfoHash: src.InfoHash, Name: unnamed(src.InfoHash)}
	case source.URL:
		sum := sha256.Sum256([]byte(src.URL))
		u, _ := url.Parse(src.URL)
		name, _ := url.PathUnescape(path.Base(u.Path))
		ut = library.UserTorrent{ID: "url-" + hex.EncodeToString(sum[:8]), URI: src.URL, Name: strings.TrimSuffix(name, ".torrent")}
	case source.TorrentFile:
		data, err := source.ReadTorrentFile(src.Path)
		if err != nil {
			return catalog.Title{}, fmt.Errorf("add torrent: %w", err)
		}
		return p.AddTorrentFile(data)
	default:
		return catalog.Title{}, fmt.Errorf("add torrent: %v sources are not handled", src.Kind)
	}
	ut.Added = p.now()
	if err := p.store.AddTorrent(ut); err != nil {
		return catalog.Title{}, fmt.Errorf("add torrent: %w", err)
	}
	return toTitle(ut), nil
}

// AddTorrentFile adds a .torrent from its bytes (a dropped file, a download), validated as
// the engine validates it.
func (p *Provider) AddTorrentFile(data []byte) (catalog.Title, error) {
	info, err := source.ParseTorrent(data)
	if err != nil {
		return catalog.Title{}, fmt.Errorf("add torrent: %w", err)
	}
	copyPath := filepath.Join(p.dir, info.InfoHash+".torrent")
	if err := atomicfile.Write(copyPath, data, 0o700, time.Time{}); err != nil {
		return catalog.Title{}, fmt.Errorf("add torrent: keep a copy of the .torrent: %w", err)
	}
	ut := library.UserTorrent{
		ID: info.InfoHash, URI: copyPath, Name: info.Name, InfoHash: info.InfoHash, Size: info.Length, Added: p.now(),
	}
	if err := p.store.AddTorrent(ut); err != nil {
		return catalog.Title{}, fmt.Errorf("add torrent: %w", err)
	}
	return toTitle(ut), nil
}

// Remove forgets a torrent the user added, and its copied .torrent file.
func (p *Provider) Remove(titleID string) error {
	providerID, id, ok := catalog.SplitID(titleID)
	if !ok || providerID != ID {
		return fmt.Errorf("remove torrent %q: not one of my torrents: %w", titleID, catalog.ErrNotFound)
	}
	if err := p.store.RemoveTorrent(id); err != nil {
		return fmt.Errorf("remove torrent: %w", err)
	}
	copyPath := filepath.Join(p.dir, id+".torrent")
	if err := os.Remove(copyPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove torrent: %w", err)
	}
	return nil
}

// unnamed names a torrent known only by its infohash until the engine learns its name.
func unnamed(hash string) string { return "Torrent " + hash[:8] }
