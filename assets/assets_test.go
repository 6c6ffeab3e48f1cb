package assets_test

import (
	"bytes"
	"image/png"
	"testing"

	"marquee/assets"
	"marquee/catalog/feed"
)

func TestIconIsAPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(assets.Icon))
	if err != nil {
		t.Fatalf("icon.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 64 || b.Dx() != b.Dy() {
		t.Errorf("icon is %dx%d, want a square of at least 64 pixels", b.Dx(), b.Dy())
	}
}

func TestCatalogFollowsTheFeedSchema(t *testing.T) {
	f, err := feed.Parse(assets.CatalogJSON)
	if err != nil {
		t.Fatalf("catalog.json: %v", err)
	}
	if f.Version != feed.Version || len(f.Titles) < 5 {
		t.Errorf("version %d with %d titles", f.Version, len(f.Titles))
	}
}
