package session

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"marquee/player"
)

// Thumbnails read a torrent's film only where it is downloaded: before any piece is, the
// thumbnailer fails at once instead of waiting for (and so asking for) the film's start, and
// once the film is downloaded it decodes from the same kind of reader.
func TestQuietReaderReadsOnlyWhatIsDownloaded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	eng := newEngine(t)
	m, err := Open(ctx, eng, Request{Source: seeded(t, film(t)), FileIndex: -1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	openThumbnailer := func() (*player.Thumbnailer, io.Closer, error) {
		r, err := m.QuietReader()
		if err != nil {
			t.Fatal(err)
		}
		th, err := player.NewThumbnailer(player.DownloadedOnly(r, m.Size, m), m.Size, m.Name)
		return th, r, err
	}
	if complete := m.Stats().BytesComplete; complete == 0 {
		th, r, err := openThumbnailer()
		r.Close()
		if !errors.Is(err, player.ErrNotDownloaded) {
			t.Fatalf("thumbnailer over a torrent with nothing downloaded: %v (thumbnailer %v), want ErrNotDownloaded", err, th != nil)
		}
		if got := m.Stats().BytesComplete; got != 0 {
			t.Fatalf("opening the thumbnailer downloaded %d bytes", got)
		}
	} else {
		t.Logf("%d bytes were complete before the first read; the refusal was not checked", complete)
	}

	// A player's stream downloads the whole film; then thumbnails decode.
	s, err := m.Reader()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := m.DownloadedAhead(0); got != m.Size {
		t.Fatalf("after reading the whole film %d of %d bytes are downloaded from the start", got, m.Size)
	}
	th, r, err := openThumbnailer()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer th.Close()
	if img, _, err := th.At(2*time.Second, 160); err != nil || img.Rect.Dx() != 160 {
		t.Fatalf("thumbnail of the downloaded film: %v", err)
	}
}
