package diskcache

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPutGetKeepsTheTimeTaken(t *testing.T) {
	c := New(Options{Dir: filepath.Join(t.TempDir(), "made-at-first-put"), Ext: ".json", MaxEntry: 10})
	if _, _, ok := c.Get("a"); ok {
		t.Fatal("a hit in an empty cache")
	}
	taken := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := c.Put("https://example.org/a?x=1", []byte("answer"), taken); err != nil {
		t.Fatal(err)
	}
	data, at, ok := c.Get("https://example.org/a?x=1")
	if !ok || string(data) != "answer" || !at.Equal(taken) {
		t.Fatalf("Get = %q, %v, %v; want the answer taken at %v", data, at, ok, taken)
	}
	if err := c.Put("big", bytes.Repeat([]byte("x"), 11), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Get("big"); ok {
		t.Fatal("a copy larger than MaxEntry was read back")
	}
	c.Remove("https://example.org/a?x=1")
	if _, _, ok := c.Get("https://example.org/a?x=1"); ok {
		t.Fatal("a removed copy was read back")
	}
}

func TestLimitRemovesTheLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	c := New(Options{Dir: dir, Ext: ".img", Limit: 250})
	old := time.Now().Add(-time.Hour)
	for i, key := range []string{"first", "second"} {
		if err := c.Put(key, bytes.Repeat([]byte("x"), 100), old.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	c.Touch("first") // now the most recently used
	if err := c.Put("third", bytes.Repeat([]byte("x"), 100), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Get("second"); ok {
		t.Error("the least recently used copy survived a Put over the limit")
	}
	for _, key := range []string{"first", "third"} {
		if _, _, ok := c.Get(key); !ok {
			t.Errorf("%s was removed; only the least recently used should go", key)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the folder, want 2", len(entries))
	}
}

func TestNoFolderKeepsNothing(t *testing.T) {
	c := New(Options{})
	if err := c.Put("k", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.Get("k"); ok {
		t.Fatal("a cache without a folder returned a copy")
	}
}
