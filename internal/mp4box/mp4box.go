// Package mp4box walks the top-level boxes of ISO base media (MP4, MOV) files: where the index
// (moov) sits against the media data (mdat). The engine reads it from a file's first bytes, the
// benchmark from whole films.
package mp4box

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// FirstOf walks the top-level boxes of an ISO-BMFF (MP4) file of the given size and
// returns the type of the first box that is one of types.
func FirstOf(r io.ReaderAt, size int64, types ...string) (string, error) {
	var hdr [16]byte
	for off := int64(0); off < size; {
		if size-off < 8 {
			return "", fmt.Errorf("truncated box header at %d", off)
		}
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return "", fmt.Errorf("box header at %d: %w", off, err)
		}
		boxSize := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		switch boxSize {
		case 0: // the box runs to the end of the file
			boxSize = size - off
		case 1: // a 64-bit size follows the type
			if size-off < 16 {
				return "", fmt.Errorf("truncated large box header at %d", off)
			}
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return "", fmt.Errorf("box header at %d: %w", off, err)
			}
			large := binary.BigEndian.Uint64(hdr[8:16])
			if large > uint64(size) {
				return "", fmt.Errorf("box %q at %d claims %d bytes, file has %d", typ, off, large, size)
			}
			boxSize = int64(large)
			if boxSize < 16 {
				return "", fmt.Errorf("box %q at %d too small (%d bytes)", typ, off, boxSize)
			}
		}
		if boxSize < 8 {
			return "", fmt.Errorf("box %q at %d too small (%d bytes)", typ, off, boxSize)
		}
		for _, t := range types {
			if typ == t {
				return typ, nil
			}
		}
		if boxSize > size-off {
			return "", fmt.Errorf("box %q at %d runs past the end", typ, off)
		}
		off += boxSize
	}
	return "", ErrNoBox
}

// ErrNoBox says none of the wanted boxes is there.
var ErrNoBox = errors.New("none of the wanted boxes is present")
