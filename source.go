package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"marquee/session"
	"marquee/torrent"
)

// media is a film opened by the session package for a headless command, with the engine the
// command started for it (nil for a local file).
type media struct {
	*session.Media
	engine *torrent.Engine
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
	// onWait, if set, hears the torrent's figures every second while its details are
	// fetched.
	onWait func(torrent.Stats)
}

// openMedia resolves SOURCE to a playable file through the session package, starting an engine
// for a torrent. onMetadata runs once the file list is known.
func openMedia(ctx context.Context, src string, opts sourceOptions, onMetadata func(*media)) (*media, error) {
	req := session.Request{Source: src, FileIndex: opts.fileIndex}
	m := &media{}
	if !req.IsLocal() {
		cfg, err := opts.engine.config()
		if err != nil {
			return nil, err
		}
		if m.engine, err = torrent.NewEngine(cfg); err != nil {
			return nil, fmt.Errorf("start the BitTorrent engine: %w", err)
		}
	}
	sessOpts := session.Options{Peers: opts.peers, MetadataTimeout: opts.metadataTimeout}
	if opts.onWait != nil {
		sessOpts.WaitMetadata = func(ctx context.Context, t *torrent.Torrent) error {
			return session.WaitMetadataReporting(ctx, t, opts.onWait)
		}
	}
	sm, err := session.Open(ctx, m.engine, req, sessOpts)
	if err != nil {
		m.Close()
		var fileErr *session.FileIndexError
		if errors.As(err, &fileErr) {
			return nil, usageError("--file %d: the torrent has %d files (0 to %d)", fileErr.Index, fileErr.Count, fileErr.Count-1)
		}
		return nil, err
	}
	m.Media = sm
	if onMetadata != nil {
		onMetadata(m)
	}
	return m, nil
}

var errInterrupted = errors.New("interrupted")
