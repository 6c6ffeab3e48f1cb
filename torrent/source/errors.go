package source

import (
	"fmt"

	"marquee/internal/shorten"
)

// Error reports user input (a magnet link, info hash, path, URL or .torrent data) that
// cannot be used. Its message names what was expected and why the input was rejected.
type Error struct {
	What   string // "magnet link", "info hash", "torrent source", ".torrent data", "torrent metadata"
	Input  string // the offending input, shortened for display; empty for binary data
	Reason string
	Err    error // underlying decoder error, if any
}

func (e *Error) Error() string {
	msg := "invalid " + e.What
	if e.Input != "" {
		msg += fmt.Sprintf(" %q", e.Input)
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Shorten keeps error messages readable when the input is long or binary.
func Shorten(s string) string { return shorten.Text(s, 80) }
