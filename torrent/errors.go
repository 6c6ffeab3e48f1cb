package torrent

import (
	"errors"

	"marquee/torrent/source"
)

var (
	// ErrMetadataTimeout is wrapped by WaitMetadata (and Add) when the context ends before any
	// peer, web seed or metainfo source delivered the torrent's metadata.
	ErrMetadataTimeout = errors.New("timed out waiting for torrent metadata")
	// ErrNoPlayableFile is returned by MainFile when a torrent has no video or audio file.
	ErrNoPlayableFile = errors.New("torrent has no playable video or audio file")
	// ErrClosed is returned by calls on a closed Engine, a dropped Torrent or a closed Stream.
	ErrClosed = errors.New("torrent engine closed")
)

// ParseError reports user input (a magnet link, info hash, path, URL or .torrent data) that
// cannot be used; it is the parsing package's error, so errors.As finds it whichever of the
// two made it.
type ParseError = source.Error
