package session

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/mediagen"
	"marquee/player"
	"marquee/torrent"
)

func film(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, err := mediagen.Generate(ctx, mediagen.Spec{Label: "session", Container: "mp4", Video: "h264", VideoBitrate: 400, Duration: 4 * time.Second}, "")
	if err != nil {
		t.Fatalf("make test film: %v", err)
	}
	return path
}

func newEngine(t *testing.T) *torrent.Engine {
	t.Helper()
	e, err := torrent.NewEngine(torrent.Config{
		DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0",
		DisableDHT: true, DisableTrackers: true, DisablePEX: true, DisableUPnP: true, DisableIPv6: true,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// seeded returns a magnet for a folder holding the film and a text file, seeded by a second
// engine on 127.0.0.1 that the magnet names as its peer.
func seeded(t *testing.T, filmPath string) string {
	magnet, _ := seededBy(t, filmPath)
	return magnet
}

func seededBy(t *testing.T, filmPath string) (string, *torrent.Engine) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Film folder")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filmPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "film.mp4"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	seeder := newEngine(t)
	tor, err := seeder.Seed(dir, torrent.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tor.Magnet() + "&x.pe=" + seeder.ListenAddrs()[0], seeder
}

// One path opens a torrent for the app and the CLI alike: the main video file is picked, the
// player reads the engine's stream itself (so it can cancel reads and see the buffer), and the
// engine's window follows the film's bitrate.
func TestOpenTorrentPlaysTheStreamItself(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	magnet := seeded(t, film(t))
	eng := newEngine(t)
	var added *torrent.Torrent
	m, err := Open(ctx, eng, Request{Source: magnet, FileIndex: -1}, Options{
		OnAdded: func(t *torrent.Torrent, addedHere bool) {
			if addedHere {
				added = t
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if added == nil || added != m.Torrent || !m.AddedHere {
		t.Fatal("OnAdded did not report the torrent as added by this session")
	}
	if m.Name != "film.mp4" || len(m.Files) != 2 || m.Local() {
		t.Fatalf("opened %q of %d files (local %v); want film.mp4 of 2", m.Name, len(m.Files), m.Local())
	}
	r, err := m.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stream, ok := r.(*torrent.Stream)
	if !ok {
		t.Fatalf("the reader is a %T, not the engine's stream: the player would lose ReadContext and BufferedAhead", r)
	}
	p, err := Play(ctx, r, player.Options{Size: m.Size, Name: m.Name, Audio: player.NullAudio, StartPaused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	bitrate := p.Info().Bitrate
	if bitrate <= 0 {
		t.Fatal("the player found no bitrate")
	}
	if want := int64(Readahead.Seconds() * float64(bitrate) / 8); stream.Readahead() != want {
		t.Fatalf("window %d bytes, want %d (%v at %d bit/s)", stream.Readahead(), want, Readahead, bitrate)
	}

	// The same torrent again: not added here, and a file number it lacks is a clear error.
	_, err = Open(ctx, eng, Request{Source: magnet, FileIndex: 7}, Options{})
	var fileErr *FileIndexError
	if !errors.As(err, &fileErr) || fileErr.Count != 2 || !errors.Is(err, torrent.ErrNoPlayableFile) {
		t.Fatalf("file 7 of 2: %v", err)
	}
	again, err := Open(ctx, eng, Request{Source: magnet, FileIndex: 1}, Options{})
	if err != nil || again.AddedHere || again.Name != "readme.txt" {
		t.Fatalf("second open: %v (added here %v, name %q)", err, again != nil && again.AddedHere, again.Name)
	}
}

func TestOpenLocalFileNeedsNoEngine(t *testing.T) {
	path := film(t)
	m, err := Open(context.Background(), nil, Request{Source: path, FileIndex: -1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Local() || m.File.Kind != torrent.KindVideo || m.Stats().BytesComplete != m.Size {
		t.Fatalf("local file: local %v, kind %v, complete %d of %d", m.Local(), m.File.Kind, m.Stats().BytesComplete, m.Size)
	}
	r, err := m.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 8)
	if _, err := io.ReadFull(r, head); err != nil || string(head[4:8]) != "ftyp" {
		t.Fatalf("read %q, %v", head, err)
	}
	// A torrent source without an engine says so instead of failing somewhere deeper.
	if _, err := Open(context.Background(), nil, Request{Source: "magnet:?xt=urn:btih:" + "0123456789abcdef0123456789abcdef01234567", FileIndex: -1}, Options{}); err == nil {
		t.Fatal("a magnet opened without an engine")
	}
}

// An empty file (a download that never started, a failed copy) says it is empty, not that
// FFmpeg found invalid data in it.
func TestOpenLocalEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "film.mp4")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), nil, Request{Source: path, FileIndex: -1}, Options{})
	if !errors.Is(err, player.ErrInvalidData) || !strings.Contains(err.Error(), "film.mp4 is empty (0 bytes)") {
		t.Fatalf("error %v, want ErrInvalidData saying the file is empty", err)
	}
}

// An HTTP request's reads end with the request, even while the stream waits for a piece that
// no peer will send.
func TestHTTPFileReadsEndWithTheRequest(t *testing.T) {
	eng := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	magnet, seeder := seededBy(t, film(t))
	m, err := Open(ctx, eng, Request{Source: magnet, FileIndex: -1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The details are in; no piece was asked for yet, and now no one can send one.
	seeder.Close()
	reqCtx, endRequest := context.WithCancel(ctx)
	r, err := m.HTTPFile().Open(reqCtx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 4096))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a read returned (%v) with no peer to send the piece", err)
	case <-time.After(300 * time.Millisecond):
	}
	endRequest()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("read ended with %v, want the request's cancellation", err)
		}
	case <-ctx.Done():
		t.Fatal("the read outlived its request")
	}
}
