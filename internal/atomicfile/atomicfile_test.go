package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"marquee/internal/atomicfile"
)

func TestWriteReplacesAndStamps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "folder", "copy.json")
	if err := atomicfile.Write(path, []byte("old"), 0o700, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v, %v; want mode 0700", st, err)
	}
	stamp := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := atomicfile.Write(path, []byte("new"), 0o700, stamp); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new" {
		t.Fatalf("read %q, %v; want the new content", got, err)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(stamp) {
		t.Fatalf("mod time %v, want %v", st.ModTime(), stamp)
	}
	assertOnlyFile(t, filepath.Dir(path), "copy.json")
}

func TestWriteFailureKeepsOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	// A directory in the way makes the final rename fail after the data is written.
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte("data"), 0o755, time.Time{}); err == nil {
		t.Fatal("replacing a non-empty directory succeeded")
	}
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		t.Fatalf("what was there is gone: %v, %v", st, err)
	}
	assertOnlyFile(t, dir, "target")
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("folder holds %v, want only %s (no temporary files left)", names, name)
	}
}
