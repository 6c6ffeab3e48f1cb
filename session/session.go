// Package session opens what the user gives (a magnet, a .torrent path or URL, an info hash, or
// a local media file) for playback: it adds the source to the engine, waits for its details,
// picks the file, and opens the player straight over the engine's stream, with the engine's
// window sized from the film's bitrate. The app, `marquee play`, `serve` and `cast` all open a
// film through it, so that they agree on which file plays, what counts as local media and how
// far ahead the engine fetches. It has no user interface.
package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"marquee/httpstream"
	"marquee/player"
	"marquee/torrent"
	"marquee/torrent/source"
)

// Readahead is how much playback the engine keeps fetching ahead of the player.
const Readahead = 30 * time.Second

// Request is what to open.
type Request struct {
	Source    string // magnet, .torrent path or URL, info hash, or a local media file
	FileIndex int    // which file of a torrent; -1: the main video file
}

// Options say how to reach a torrent's details.
type Options struct {
	Peers []string // added to the torrent at once (tests, --peer)
	// MetadataTimeout bounds the wait for a magnet's details; 0 waits as long as ctx.
	MetadataTimeout time.Duration
	// OnAdded, if set, learns the torrent as soon as the engine holds it, before its details
	// are known; addedHere says it was not in the engine before.
	OnAdded func(t *torrent.Torrent, addedHere bool)
	// WaitMetadata, if set, replaces the plain wait for the details (the app shows what it
	// waits for meanwhile). It is given ctx with MetadataTimeout applied.
	WaitMetadata func(ctx context.Context, t *torrent.Torrent) error
}

// Media is one playable file, from a torrent or the local disk, that hands out any number of
// independent readers (the player takes one, each HTTP request another).
type Media struct {
	Name        string
	Size        int64
	File        torrent.File   // the file that plays
	Files       []torrent.File // every file of the torrent (the one file, for a local file)
	PieceLength int64          // 0 for a local file

	Torrent   *torrent.Torrent // nil for a local file
	AddedHere bool             // the torrent was not in the engine before Open
	path      string           // set for a local file
}

// FileIndexError is a request for a file the torrent does not have.
type FileIndexError struct {
	Index, Count int
}

func (e *FileIndexError) Error() string {
	return fmt.Sprintf("the torrent has no file number %d (it has %d files)", e.Index, e.Count)
}

func (e *FileIndexError) Unwrap() error { return torrent.ErrNoPlayableFile }

// IsLocal says whether a request names a media file on this computer rather than a torrent.
func (r Request) IsLocal() bool { return source.IsLocalMedia(r.Source) }

// Open resolves a request to a playable file. A local file needs no engine (eng may be nil).
func Open(ctx context.Context, eng *torrent.Engine, req Request, opts Options) (*Media, error) {
	if req.IsLocal() {
		return openLocal(req.Source)
	}
	if req.Source == "" {
		return nil, errors.New("this title has no source to play")
	}
	if eng == nil {
		return nil, errors.New("the BitTorrent engine is not running")
	}
	held := map[string]bool{}
	for _, t := range eng.Torrents() {
		held[t.InfoHash()] = true
	}
	t, err := eng.Add(ctx, req.Source)
	if err != nil {
		return nil, err
	}
	m := &Media{Torrent: t, AddedHere: !held[t.InfoHash()]}
	if opts.OnAdded != nil {
		opts.OnAdded(t, m.AddedHere)
	}
	t.AddPeers(opts.Peers...)
	if !t.HasMetadata() {
		if err := waitMetadata(ctx, t, opts); err != nil {
			return nil, err
		}
	}
	m.Files, m.PieceLength = t.Files(), t.PieceLength()
	if req.FileIndex >= 0 {
		found := false
		for _, f := range m.Files {
			if f.Index == req.FileIndex {
				m.File, found = f, true
			}
		}
		if !found {
			return nil, &FileIndexError{Index: req.FileIndex, Count: len(m.Files)}
		}
	} else if m.File, err = t.MainFile(); err != nil {
		return nil, err
	}
	m.Name, m.Size = filepath.Base(m.File.Path), m.File.Length
	return m, nil
}

func openLocal(path string) (*Media, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	if st.Size() == 0 {
		return nil, fmt.Errorf("%w: %s is empty (0 bytes)", player.ErrInvalidData, name)
	}
	f := torrent.File{Index: 0, Path: name, Length: st.Size(), Kind: torrent.KindOf(name)}
	return &Media{Name: name, Size: st.Size(), File: f, Files: []torrent.File{f}, path: path}, nil
}

func waitMetadata(ctx context.Context, t *torrent.Torrent, opts Options) error {
	waitCtx := ctx
	if opts.MetadataTimeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.MetadataTimeout)
		defer cancel()
	}
	wait := t.WaitMetadata
	if opts.WaitMetadata != nil {
		wait = func(ctx context.Context) error { return opts.WaitMetadata(ctx, t) }
	}
	if err := wait(waitCtx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}

// WaitMetadataReporting waits for t's details as t.WaitMetadata does, and hands report the
// torrent's figures at once and every second meanwhile, so that the user sees what the
// wait is for (peers found, connected, web seeds) instead of nothing.
func WaitMetadataReporting(ctx context.Context, t *torrent.Torrent, report func(torrent.Stats)) error {
	done := make(chan error, 1)
	go func() { done <- t.WaitMetadata(ctx) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		report(t.Stats())
		select {
		case err := <-done:
			return err
		case <-tick.C:
		}
	}
}

// Local says whether the media is a file on this computer.
func (m *Media) Local() bool { return m.Torrent == nil }

// Reader opens a new independent reader over the file: the engine's *torrent.Stream itself
// (with ReadContext and BufferedAhead, which the player uses), or the local file.
func (m *Media) Reader() (io.ReadSeekCloser, error) {
	if m.Torrent == nil {
		return os.Open(m.path)
	}
	return m.Torrent.NewStream(m.File.Index)
}

// Stats are the torrent's transfer figures; a local file counts as complete.
func (m *Media) Stats() torrent.Stats {
	if m.Torrent == nil {
		return torrent.Stats{BytesComplete: m.Size, Length: m.Size}
	}
	return m.Torrent.Stats()
}

// Play opens the player over r, which the caller got from Reader and closes after the player,
// and sizes the engine's window from the film's bitrate once the player knows it.
func Play(ctx context.Context, r io.ReadSeeker, opts player.Options) (*player.Player, error) {
	p, err := player.Open(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	if s, ok := r.(*torrent.Stream); ok {
		if br := p.Info().Bitrate; br > 0 {
			s.SetReadaheadDuration(Readahead, br)
		}
	}
	return p, nil
}

// HTTPFile is the media for an HTTP server: each request reads through its own reader, whose
// reads end when the request does.
func (m *Media) HTTPFile() httpstream.File {
	return httpstream.StreamFile(m.Name, m.Size, m.Reader)
}

// MaxSubtitleBytes bounds a subtitle file read with the film: real ones are well below.
const MaxSubtitleBytes = 4 << 20

// SRT is the SRT subtitle that goes with the film, for a renderer or an HTTP client: in a
// torrent the .srt named as the film is (else its first), for a file on disk the .srt beside it;
// nil when there is none. A local file is looked for on disk, so call it off the UI goroutine.
func (m *Media) SRT() *httpstream.File {
	isSRT := func(p string) bool { return strings.EqualFold(filepath.Ext(p), ".srt") }
	stem := func(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }
	if m.Torrent == nil {
		path := strings.TrimSuffix(m.path, filepath.Ext(m.path)) + ".srt"
		st, err := os.Stat(path)
		if err != nil || !st.Mode().IsRegular() || st.Size() > MaxSubtitleBytes {
			return nil
		}
		f := httpstream.StreamFile(filepath.Base(path), st.Size(), func() (io.ReadSeekCloser, error) { return os.Open(path) })
		return &f
	}
	var pick *torrent.File
	for _, f := range m.Files {
		if isSRT(f.Path) && f.Length <= MaxSubtitleBytes && (pick == nil || strings.EqualFold(stem(f.Path), stem(m.File.Path))) {
			pick = &f
		}
	}
	if pick == nil {
		return nil
	}
	t, index := m.Torrent, pick.Index
	f := httpstream.StreamFile(filepath.Base(pick.Path), pick.Length, func() (io.ReadSeekCloser, error) { return t.NewStream(index) })
	return &f
}
