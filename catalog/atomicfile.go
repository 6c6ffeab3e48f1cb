package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// WriteFileAtomic replaces path with data so that a crash or a full disk leaves either the
// old file or the new one, never half of one: providers keep the user's torrents and the
// last good copy of a feed this way. Missing folders are made with dirPerm. A non-zero
// modTime is set on the file before it appears, so readers that judge a copy's age by its
// time never see it without one.
func WriteFileAtomic(path string, data []byte, dirPerm fs.FileMode, modTime time.Time) error {
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
	return os.Rename(tmp.Name(), path)
}
