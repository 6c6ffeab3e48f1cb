// Package diskcache keeps downloaded documents in a folder, one file per key: the Internet
// Archive's answers, the last good copy of each feed and the posters. Each file's time is
// when its copy was taken, so a caller judges its age; a size limit, when set, removes the
// least recently used files first.
package diskcache

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"marquee/internal/atomicfile"
)

// Options configure a Cache.
type Options struct {
	Dir      string // "" disables the cache: every Get misses, Put keeps nothing
	Ext      string // the files' extension, such as ".json"
	MaxEntry int64  // larger files are not read back (they count as missing); 0: no limit
	// Limit is the most bytes kept in all; the least recently used files go first, down
	// to 90% of it. 0: no limit.
	Limit int64
}

// Cache is safe for concurrent use.
type Cache struct {
	opts Options
	mu   sync.Mutex
	used int64 // bytes in the folder; -1 until measured
}

// New returns a cache in opts.Dir; the folder is made at the first Put.
func New(opts Options) *Cache {
	return &Cache{opts: opts, used: -1}
}

func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.opts.Dir, hex.EncodeToString(sum[:16])+c.opts.Ext)
}

// Get returns the copy kept for key and when it was taken.
func (c *Cache) Get(key string) ([]byte, time.Time, bool) {
	if c.opts.Dir == "" {
		return nil, time.Time{}, false
	}
	f, err := os.Open(c.path(key))
	if err != nil {
		return nil, time.Time{}, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, time.Time{}, false
	}
	var r io.Reader = f
	if c.opts.MaxEntry > 0 {
		if info.Size() > c.opts.MaxEntry {
			return nil, time.Time{}, false
		}
		r = io.LimitReader(f, c.opts.MaxEntry+1)
	}
	data, err := io.ReadAll(r)
	if err != nil || (c.opts.MaxEntry > 0 && int64(len(data)) > c.opts.MaxEntry) {
		return nil, time.Time{}, false
	}
	return data, info.ModTime(), true
}

// Touch marks key's copy as just used, so that the size limit removes it last. Its time
// then no longer says when the copy was taken: use it only where age does not matter.
func (c *Cache) Touch(key string) {
	if c.opts.Dir == "" {
		return
	}
	now := time.Now()
	_ = os.Chtimes(c.path(key), now, now)
}

// Put keeps data for key, whole or not at all, stamped with takenAt (zero: now).
func (c *Cache) Put(key string, data []byte, takenAt time.Time) error {
	if c.opts.Dir == "" {
		return nil
	}
	if takenAt.IsZero() {
		takenAt = time.Now()
	}
	if err := atomicfile.Write(c.path(key), data, 0o755, takenAt); err != nil {
		return err
	}
	if c.opts.Limit <= 0 {
		return nil
	}
	c.mu.Lock()
	if c.used >= 0 {
		c.used += int64(len(data))
	}
	over := c.used < 0 || c.used > c.opts.Limit
	c.mu.Unlock()
	if over {
		c.trim()
	}
	return nil
}

// Remove drops key's copy.
func (c *Cache) Remove(key string) {
	if c.opts.Dir != "" {
		os.Remove(c.path(key))
	}
}

// trim measures the folder and removes the least recently used files until it holds at
// most 90% of the limit, so that the next few Puts do not each walk the folder.
func (c *Cache) trim() {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var entries []entry
	var total int64
	filepath.WalkDir(c.opts.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != c.opts.Ext {
			return nil
		}
		if info, err := d.Info(); err == nil {
			entries = append(entries, entry{path, info.Size(), info.ModTime()})
			total += info.Size()
		}
		return nil
	})
	if total > c.opts.Limit {
		slices.SortFunc(entries, func(a, b entry) int { return a.used.Compare(b.used) })
		for _, e := range entries {
			if total <= c.opts.Limit*9/10 {
				break
			}
			if os.Remove(e.path) == nil {
				total -= e.size
			}
		}
	}
	c.mu.Lock()
	c.used = total
	c.mu.Unlock()
}
