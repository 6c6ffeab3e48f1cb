package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"marquee/httpstream"
	"marquee/torrent"
	"marquee/torrent/source"
)

// media is one playable file, from a torrent or the local disk, that can hand out any
// number of independent readers (the player takes one, each HTTP request another).
type media struct {
	name        string
	size        int64
	files       []torrent.File
	fileIndex   int
	pieceLength int64

	engine  *torrent.Engine  // nil for a local file
	torrent *torrent.Torrent // nil for a local file
	path    string           // set for a local file
}

// reader opens a new independent reader over the file.
func (m *media) reader() (io.ReadSeekCloser, error) {
	if m.torrent == nil {
		return os.Open(m.path)
	}
	return m.torrent.NewStream(m.fileIndex)
}

// downloaded reports the payload bytes received so far (0 for a local file).
func (m *media) stats() torrent.Stats {
	if m.torrent == nil {
		return torrent.Stats{BytesComplete: m.size, Length: m.size}
	}
	return m.torrent.Stats()
}

func (m *media) Close() error {
	if m.engine != nil {
		return m.engine.Close()
	}
	return nil
}

// sourceOptions say how to reach a source.
type sourceOptions struct {
	engine          engineFlags
	peers           []string
	fileIndex       int // -1: the main video file
	metadataTimeout time.Duration
}

// openMedia resolves SOURCE to a playable file. For torrents it starts an engine, adds
// the source, waits for metadata and picks the file; onMetadata runs once the file list
// is known.
func openMedia(ctx context.Context, src string, opts sourceOptions, onMetadata func(*media)) (*media, error) {
	if source.IsLocalMedia(src) {
		st, err := os.Stat(src)
		if err != nil {
			return nil, err
		}
		m := &media{name: filepath.Base(src), size: st.Size(), path: src, fileIndex: 0}
		m.files = []torrent.File{{Index: 0, Path: m.name, Length: m.size, Kind: torrent.KindOf(m.name)}}
		if onMetadata != nil {
			onMetadata(m)
		}
		return m, nil
	}
	cfg, err := opts.engine.config()
	if err != nil {
		return nil, err
	}
	eng, err := torrent.NewEngine(cfg)
	if err != nil {
		return nil, fmt.Errorf("start the BitTorrent engine: %w", err)
	}
	m := &media{engine: eng}
	ok := false
	defer func() {
		if !ok {
			eng.Close()
		}
	}()
	t, err := eng.Add(ctx, src)
	if err != nil {
		return nil, err
	}
	m.torrent = t
	t.AddPeers(opts.peers...)
	waitCtx := ctx
	if opts.metadataTimeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.metadataTimeout)
		defer cancel()
	}
	if err := t.WaitMetadata(waitCtx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	m.files = t.Files()
	m.pieceLength = t.PieceLength()
	var f torrent.File
	if opts.fileIndex >= 0 {
		if opts.fileIndex >= len(m.files) {
			return nil, usageError("--file %d: the torrent has %d files (0 to %d)", opts.fileIndex, len(m.files), len(m.files)-1)
		}
		f = m.files[opts.fileIndex]
	} else if f, err = t.MainFile(); err != nil {
		return nil, err
	}
	m.fileIndex, m.name, m.size = f.Index, filepath.Base(f.Path), f.Length
	if onMetadata != nil {
		onMetadata(m)
	}
	ok = true
	return m, nil
}

var errInterrupted = errors.New("interrupted")

// httpFile is m for an HTTP server: each request reads through its own stream, which ends
// when the request does.
func (m *media) httpFile() httpstream.File {
	return httpstream.StreamFile(m.name, m.size, m.reader)
}
