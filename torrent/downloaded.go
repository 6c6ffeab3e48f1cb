package torrent

import (
	"errors"
	"fmt"
	"io"
)

// ErrNotDownloaded is a ReadDownloadedAt of bytes whose pieces are not verified yet.
var ErrNotDownloaded = errors.New("not downloaded yet")

// ReadDownloadedAt reads file fileIndex at off from verified pieces only, straight from
// storage: unlike a Stream it never waits, and it changes no priority, so it makes nothing
// download (previews such as seek-bar thumbnails read this way). It stops short at the
// first piece not verified yet; when that is the first one it returns ErrNotDownloaded.
func (t *Torrent) ReadDownloadedAt(fileIndex int, p []byte, off int64) (int, error) {
	_, fileOff, length, err := t.fileExtent(fileIndex)
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("read at negative offset %d", off)
	}
	if off >= length {
		return 0, io.EOF
	}
	ahead := t.ContiguousAhead(fileIndex, off)
	if ahead == 0 {
		return 0, fmt.Errorf("byte %d of %s: %w", off, t.describe(), ErrNotDownloaded)
	}
	dt := t.disk()
	if dt == nil {
		return 0, fmt.Errorf("read %s at %d: the torrent's storage is not open", t.describe(), off)
	}
	return dt.readAt(p[:min(int64(len(p)), ahead)], fileOff+off)
}
