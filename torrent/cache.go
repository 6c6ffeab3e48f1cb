package torrent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/anacrolix/torrent/metainfo"
)

// CacheSize is the disk space used by downloaded data in DataDir (not by seeded user files).
func (e *Engine) CacheSize() int64 {
	return DiskUsage(filepath.Join(e.dataDir, "data"))
}

// SetCacheLimit changes the cache cap; 0 is unlimited. Eviction happens within seconds.
func (e *Engine) SetCacheLimit(bytes int64) {
	e.mu.Lock()
	e.cacheLimit = max(bytes, 0)
	e.mu.Unlock()
	e.enforceCacheLimit()
}

// ClearCache drops every cached torrent that is not being streamed and deletes its data.
// Torrents seeded from the user's own files are kept.
func (e *Engine) ClearCache() error {
	var errs []error
	for _, t := range e.Torrents() {
		if t.kind != kindCache || t.openStreams() > 0 {
			continue
		}
		if err := t.Drop(true); err != nil {
			errs = append(errs, err)
		}
	}
	// Data of torrents dropped earlier without deleteData.
	if err := e.deleteInactiveCache(func(metainfo.Hash) bool { return true }); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// cacheEntry is one cached torrent as seen by eviction.
type cacheEntry struct {
	ih       metainfo.Hash
	t        *Torrent // nil if not loaded
	lastUsed int64
}

// enforceCacheLimit evicts the least recently used cached torrents that have no open stream
// until the cache fits its cap. A torrent being streamed may alone exceed the cap.
func (e *Engine) enforceCacheLimit() {
	e.mu.Lock()
	limit, closed := e.cacheLimit, e.closed
	loaded := make(map[metainfo.Hash]*Torrent, len(e.torrents))
	for ih, t := range e.torrents {
		loaded[ih] = t
	}
	e.mu.Unlock()
	if limit <= 0 || closed {
		return
	}
	size := e.CacheSize()
	if size <= limit {
		return
	}
	recs, err := e.db.records()
	if err != nil {
		e.log.Warn("read torrent records for eviction", "err", err)
		return
	}
	var entries []cacheEntry
	for ih, rec := range recs {
		t := loaded[ih]
		if rec.Kind != kindCache || (t != nil && t.openStreams() > 0) {
			continue
		}
		lastUsed := rec.LastUsed.UnixNano()
		if t != nil {
			t.mu.Lock()
			lastUsed = t.lastUsed.UnixNano()
			t.mu.Unlock()
		}
		entries = append(entries, cacheEntry{ih: ih, t: t, lastUsed: lastUsed})
	}
	slices.SortFunc(entries, func(a, b cacheEntry) int { return int(sign(a.lastUsed - b.lastUsed)) })
	for _, c := range entries {
		if size <= limit {
			return
		}
		used := DiskUsage(e.torrentDataDir(c.ih))
		if used == 0 {
			continue
		}
		var err error
		if c.t != nil {
			err = c.t.Drop(true)
		} else {
			err = errors.Join(os.RemoveAll(e.torrentDataDir(c.ih)), e.db.forget(c.ih))
		}
		if err != nil {
			e.log.Warn("evict cached torrent", "infohash", c.ih.HexString(), "err", err)
			continue
		}
		e.log.Info("evicted cached torrent", "infohash", c.ih.HexString(), "bytes", used)
		size -= used
	}
}

func sign(x int64) int64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// deleteInactiveCache deletes data and records of cached torrents that are not loaded.
func (e *Engine) deleteInactiveCache(match func(metainfo.Hash) bool) error {
	recs, err := e.db.records()
	if err != nil {
		return fmt.Errorf("read torrent records: %w", err)
	}
	e.mu.Lock()
	loaded := make(map[metainfo.Hash]bool, len(e.torrents))
	for ih := range e.torrents {
		loaded[ih] = true
	}
	e.mu.Unlock()
	var errs []error
	for ih, rec := range recs {
		if rec.Kind != kindCache || loaded[ih] || !match(ih) {
			continue
		}
		if err := os.RemoveAll(e.torrentDataDir(ih)); err != nil {
			errs = append(errs, err)
		}
		if err := e.db.forget(ih); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// clearAllCacheData deletes every cached torrent's data at exit; the client is closed.
func (e *Engine) clearAllCacheData() error {
	recs, err := e.db.records()
	if err != nil {
		return fmt.Errorf("clear cache: %w", err)
	}
	var errs []error
	for ih, rec := range recs {
		if rec.Kind != kindCache {
			continue
		}
		errs = append(errs, e.db.forget(ih))
	}
	errs = append(errs, os.RemoveAll(filepath.Join(e.dataDir, "data")))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clear cache: %w", err)
	}
	return nil
}

// DiskUsage sums the space the regular files under root take on disk (allocated blocks,
// so sparse part files count for what they hold). A missing root is 0.
func DiskUsage(root string) int64 {
	var n int64
	filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			n += allocatedSize(fi)
		}
		return nil
	})
	return n
}
