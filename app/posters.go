package app

import (
	"context"
	"image"

	lru "github.com/hashicorp/golang-lru/v2"

	"marquee/catalog"
)

// Title cards kept drawn in memory: enough for a few screens of the grid, a few MB.
const placeholderMemoryEntries = 600

// posterSource gets poster images by URL. It keeps recent ones decoded and downloads
// each URL once however many callers want it (catalog/poster's Loader).
type posterSource interface {
	// Fetch blocks; it runs on a background goroutine.
	Fetch(ctx context.Context, url string) (image.Image, error)
	// Cached answers at once, from memory only.
	Cached(url string) (image.Image, bool)
}

// placeholderDraw makes a title card for a title without a poster.
type placeholderDraw func(name string, year, width, height int) image.Image

// posterCache gives cards their images: a title card at once, the real poster when it has
// loaded.
type posterCache struct {
	source      posterSource // nil: title cards only
	placeholder placeholderDraw
	cards       *lru.Cache[string, image.Image] // safe for concurrent use
}

func newPosterCache(source posterSource, placeholder placeholderDraw) *posterCache {
	cards, _ := lru.New[string, image.Image](placeholderMemoryEntries) // fails only for a size below 1
	return &posterCache{source: source, placeholder: placeholder, cards: cards}
}

// titleCard returns the generated card for t, drawn once.
func (p *posterCache) titleCard(t catalog.Title) image.Image {
	if img, ok := p.cards.Get(t.ID); ok {
		return img
	}
	img := p.placeholder(t.Name, t.Year, cardPosterWidth, cardPosterHeight)
	p.cards.Add(t.ID, img)
	return img
}

// load calls done on the UI goroutine with url's image, if it can be had: at once when it
// is in memory, else when it has loaded. A failed poster just leaves the title card.
func (p *posterCache) load(url string, done func(image.Image)) {
	if url == "" || p.source == nil {
		return
	}
	if img, ok := p.source.Cached(url); ok {
		done(img)
		return
	}
	go func() {
		// The loader bounds each download's time; closing it ends the rest.
		img, err := p.source.Fetch(context.Background(), url)
		if err != nil || img == nil {
			return
		}
		runOnUI(func() { done(img) })
	}()
}
