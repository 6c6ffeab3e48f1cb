// Package benscan checks the shape of bencoded data before any decoder sees it.
//
// Every bencode decoder in reach recurses once per nesting level: anacrolix's (v1.61) has no
// depth limit at all, so a few MB of "llll…" overflows the goroutine stack, which is a fatal
// error that recover cannot catch. Check walks the bytes once with a counter instead of a
// stack, so it costs no memory and a few milliseconds for the largest data it accepts.
// It has no dependencies, so the catalog can use it without pulling in the engine.
package benscan

import (
	"errors"
	"fmt"
)

// Limits no real .torrent comes near. A .torrent nests at most about 5 levels (root, info,
// files, file, path) and a v2 file tree one more per directory, and the engine refuses paths
// deeper than 64. MaxSize is anacrolix's own cap on metadata from peers (16 MiB): an info
// dictionary larger than that could not be shared by magnet anyway.
const (
	MaxSize   = 16 << 20
	MaxDepth  = 100
	MaxValues = 1 << 21
	// MaxIntegerDigits is the longest integer, sign included, that Check lets through: every
	// number in a .torrent fits in 64 bits (19 digits and a sign). A decoder that reads longer
	// ones into big integers would spend time superlinear in their length.
	MaxIntegerDigits = 20
)

// ErrIntegerTooLong is the error (wrapped) for an integer of more than MaxIntegerDigits.
var ErrIntegerTooLong = errors.New("integer too long")

// Check reports whether b is one well-formed bencoded value, at most MaxSize bytes, nested at
// most MaxDepth levels and holding at most MaxValues values. It checks only the shape:
// dictionary keys, integer syntax and what the values mean are left to the decoder.
func Check(b []byte) error {
	if len(b) > MaxSize {
		return fmt.Errorf("%d bytes, more than the limit of %d MiB", len(b), MaxSize>>20)
	}
	depth, values := 0, 0
	for i := 0; i < len(b); {
		if depth == 0 && i > 0 {
			return fmt.Errorf("trailing data after the end, at offset %d", i)
		}
		c := b[i]
		if c != 'e' {
			if values++; values > MaxValues {
				return fmt.Errorf("more than %d values", MaxValues)
			}
		}
		switch {
		case c == 'l' || c == 'd':
			if depth++; depth > MaxDepth {
				return fmt.Errorf("nested deeper than %d levels", MaxDepth)
			}
			i++
		case c == 'e':
			if depth == 0 {
				return fmt.Errorf("unexpected end marker at offset %d", i)
			}
			depth--
			i++
		case c == 'i':
			j := i + 1
			for j < len(b) && j-i <= MaxIntegerDigits && b[j] != 'e' {
				j++
			}
			if j < len(b) && j-i > MaxIntegerDigits && b[j] != 'e' {
				return fmt.Errorf("%w: more than %d digits at offset %d, past any 64-bit number", ErrIntegerTooLong, MaxIntegerDigits, i)
			}
			if j >= len(b) || b[j] != 'e' || j == i+1 {
				return fmt.Errorf("bad integer at offset %d", i)
			}
			i = j + 1
		case c >= '0' && c <= '9':
			n, j := 0, i
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				if n = n*10 + int(b[j]-'0'); n > MaxSize {
					return fmt.Errorf("bad string length at offset %d: longer than the limit", i)
				}
				j++
			}
			if j >= len(b) || b[j] != ':' {
				return fmt.Errorf("bad string length at offset %d", i)
			}
			if n > len(b)-j-1 {
				return fmt.Errorf("string at offset %d runs past the end", i)
			}
			i = j + 1 + n
		default:
			return fmt.Errorf("unexpected byte %q at offset %d", c, i)
		}
	}
	switch {
	case len(b) == 0:
		return fmt.Errorf("empty: truncated before the first value")
	case depth > 0:
		return fmt.Errorf("truncated: %d lists or dictionaries not closed", depth)
	}
	return nil
}
