// Package atomicfile replaces files so that a crash or a full disk leaves either the old
// file or the new one, never half of one: the user's torrents, the last good copy of a
// feed, cached catalog answers and posters are written this way.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Write replaces path with data, whole or not at all. Missing folders are made with dirPerm. A non-zero
// modTime is set on the file before it appears, so readers that judge a copy's age by its
// time never see it without one.
func Write(path string, data []byte, dirPerm fs.FileMode, modTime time.Time) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if !modTime.IsZero() {
		if err := os.Chtimes(tmp.Name(), modTime, modTime); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Some file systems cannot sync a folder; the
// rename has happened all the same, so that is not an error.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
