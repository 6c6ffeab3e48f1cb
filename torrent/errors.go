package torrent

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

var (
	// ErrMetadataTimeout is wrapped by WaitMetadata (and Add) when the context ends before any
	// peer, web seed or metainfo source delivered the torrent's metadata.
	ErrMetadataTimeout = errors.New("timed out waiting for torrent metadata")
	// ErrNoPlayableFile is returned by MainFile when a torrent has no video file.
	ErrNoPlayableFile = errors.New("torrent has no playable video file")
	// ErrClosed is returned by calls on a closed Engine, a dropped Torrent or a closed Stream.
	ErrClosed = errors.New("torrent engine closed")
)

// ParseError reports user input (a magnet link, info hash, path, URL or .torrent data) that
// cannot be used. Its message names what was expected and why the input was rejected.
type ParseError struct {
	What   string // "magnet link", "info hash", "torrent source", ".torrent data", "torrent metadata"
	Input  string // the offending input, shortened for display; empty for binary data
	Reason string
	Err    error // underlying decoder error, if any
}

func (e *ParseError) Error() string {
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

func (e *ParseError) Unwrap() error { return e.Err }

// shorten keeps error messages readable when the input is long or binary.
func shorten(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
