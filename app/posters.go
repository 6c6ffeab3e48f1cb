package app

import (
	"container/list"
	"context"
	"image"
	"sync"

	"marquee/catalog"
)

// Posters kept decoded in memory: enough for a few screens of the grid, a few MB.
const (
	posterMemoryEntries      = 300
	placeholderMemoryEntries = 600
)

// posterFetch gets a poster image by URL; it blocks, and runs on a background goroutine.
type posterFetch func(ctx context.Context, url string) (image.Image, error)

// placeholderDraw makes a title card for a title without a poster.
type placeholderDraw func(name string, year, width, height int) image.Image

// posterCache gives cards their images: a title card at once, the real poster when it has
// loaded. It keeps recent images decoded, and asks for each URL once however many cards
// want it.
type posterCache struct {
	fetch       posterFetch // nil: title cards only
	placeholder placeholderDraw

	mu      sync.Mutex
	images  *lru[image.Image]
	cards   *lru[image.Image]
	waiting map[string][]func(image.Image)
}

func newPosterCache(fetch posterFetch, placeholder placeholderDraw) *posterCache {
	return &posterCache{
		fetch:       fetch,
		placeholder: placeholder,
		images:      newLRU[image.Image](posterMemoryEntries),
		cards:       newLRU[image.Image](placeholderMemoryEntries),
		waiting:     map[string][]func(image.Image){},
	}
}

// titleCard returns the generated card for t, drawn once.
func (p *posterCache) titleCard(t catalog.Title) image.Image {
	p.mu.Lock()
	defer p.mu.Unlock()
	if img, ok := p.cards.get(t.ID); ok {
		return img
	}
	img := p.placeholder(t.Name, t.Year, cardPosterWidth, cardPosterHeight)
	p.cards.put(t.ID, img)
	return img
}

// load calls done on the UI goroutine with url's image, if it can be had; a failed
// poster just leaves the title card.
func (p *posterCache) load(url string, done func(image.Image)) {
	if url == "" || p.fetch == nil {
		return
	}
	p.mu.Lock()
	if img, ok := p.images.get(url); ok {
		p.mu.Unlock()
		done(img)
		return
	}
	waiters, busy := p.waiting[url]
	p.waiting[url] = append(waiters, done)
	p.mu.Unlock()
	if busy {
		return
	}
	go func() {
		// The loader bounds each download's time; closing it ends the rest.
		img, err := p.fetch(context.Background(), url)
		p.mu.Lock()
		waiters := p.waiting[url]
		delete(p.waiting, url)
		if err == nil && img != nil {
			p.images.put(url, img)
		}
		p.mu.Unlock()
		if err != nil || img == nil {
			return
		}
		runOnUI(func() {
			for _, w := range waiters {
				w(img)
			}
		})
	}()
}

// lru is a small least-recently-used map.
type lru[V any] struct {
	max   int
	order *list.List // of *lruEntry[V], most recent first
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key   string
	value V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[V]).value, true
	}
	var zero V
	return zero, false
}

func (c *lru[V]) put(key string, v V) {
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry[V]).value = v
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry[V]{key, v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry[V]).key)
	}
}
