package builtin_test

import (
	"context"
	"strings"
	"testing"

	"marquee/assets"
	"marquee/catalog"
	"marquee/catalog/builtin"
	"marquee/catalog/catalogtest"
	"marquee/catalog/feed"
	"marquee/torrent/source"
)

func TestConformance(t *testing.T) {
	p, err := builtin.New()
	if err != nil {
		t.Fatal(err)
	}
	catalogtest.RunProviderTests(t, p, catalogtest.Options{SearchText: "night", Genre: "Animation", MinTitles: 7})
}

// The four Blender films whose sources are verified (shared notes, open-catalog.md).
var verified = map[string]struct {
	hash, slug, licence string
	year                int
}{
	"builtin:big-buck-bunny":    {"dd8255ecdc7ca55fb0bbf81323d87062db1f6d1c", "big-buck-bunny", "CC BY 3.0", 2008},
	"builtin:sintel":            {"08ada5a7a6183aae1e09d831df6748d566095a10", "sintel", "CC BY 3.0", 2010},
	"builtin:tears-of-steel":    {"209c8226b299b308beaf2b9cd3fb49212dbd13ec", "tears-of-steel", "CC BY 3.0", 2012},
	"builtin:cosmos-laundromat": {"c9e15763f722f23e98a29decdfae341b98d53056", "cosmos-laundromat", "CC BY 4.0", 2015},
}

func TestEmbeddedCatalog(t *testing.T) {
	if _, err := feed.Parse(assets.CatalogJSON); err != nil {
		t.Fatalf("assets/catalog.json: %v", err)
	}
	p, err := builtin.New()
	if err != nil {
		t.Fatal(err)
	}
	titles := p.Titles()
	found := 0
	for _, title := range titles {
		if ok, _ := catalog.OpenLicence(title.Licence); !ok || title.LicenceURL == "" {
			t.Errorf("%s: licence %q", title.ID, title.Licence)
		}
		want, isVerified := verified[title.ID]
		if !isVerified {
			// Every other source is an Internet Archive item: its documented .torrent
			// URL with the archive's webseed.
			for _, s := range title.Sources {
				if !strings.HasPrefix(s.TorrentURL, "https://archive.org/download/") || !strings.HasSuffix(s.TorrentURL, "_archive.torrent") {
					t.Errorf("%s: unverified source %+v is not an archive.org item", title.ID, s)
				}
			}
			continue
		}
		found++
		if title.Year != want.year || title.Licence != want.licence {
			t.Errorf("%s: year %d licence %q", title.ID, title.Year, title.Licence)
		}
		s := title.Sources[0]
		m, err := source.ParseMagnet(s.URI())
		if err != nil {
			t.Fatalf("%s: %v", title.ID, err)
		}
		if m.InfoHash != want.hash || s.Hash() != want.hash {
			t.Errorf("%s: infohash %s, want %s", title.ID, m.InfoHash, want.hash)
		}
		if len(m.Webseeds) != 1 || m.Webseeds[0] != "https://webtorrent.io/torrents/" ||
			len(m.MetainfoURLs) != 1 || m.MetainfoURLs[0] != "https://webtorrent.io/torrents/"+want.slug+".torrent" {
			t.Errorf("%s: ws %q xs %q", title.ID, m.Webseeds, m.MetainfoURLs)
		}
		if len(s.AllTrackers()) == 0 {
			t.Errorf("%s: no tracker to scrape for health", title.ID)
		}
	}
	if found != len(verified) {
		t.Errorf("%d of the %d verified films are in the catalog", found, len(verified))
	}
}

func TestGet(t *testing.T) {
	p, err := builtin.New()
	if err != nil {
		t.Fatal(err)
	}
	title, err := p.Get(context.Background(), "builtin:sintel")
	if err != nil || title.Name != "Sintel" || title.Provider != builtin.ID {
		t.Errorf("Get = %+v, %v", title, err)
	}
}

func TestFromJSONRejectsABadCatalog(t *testing.T) {
	_, err := builtin.FromJSON([]byte(`{"version":1,"name":"x","titles":[]}`))
	if err == nil || !strings.Contains(err.Error(), "built-in catalog: invalid feed: titles: empty") {
		t.Errorf("FromJSON = %v", err)
	}
}
