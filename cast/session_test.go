package cast_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"marquee/cast"
	"marquee/cast/casttest"
	"marquee/httpstream"
)

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func testFilm(data []byte) cast.Film {
	return cast.Film{Title: "Film", Volume: -1, File: httpstream.StreamFile("film.mp4", int64(len(data)), func() (io.ReadSeekCloser, error) {
		return nopCloser{bytes.NewReader(data)}, nil
	})}
}

func openTV(t *testing.T, tv *casttest.Renderer) *cast.Renderer {
	t.Helper()
	r, err := cast.Open(context.Background(), tv.Location())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A session serves the film to the renderer, judges its polls, and names a renderer that
// went away; Close leaves no server behind.
func TestSessionPlaysAndNoticesTheRendererGone(t *testing.T) {
	tv := casttest.New("TV")
	defer tv.Close()
	data := bytes.Repeat([]byte("marquee!"), casttest.FetchBytes/4)
	ctx := context.Background()
	s, err := cast.Start(ctx, openTV(t, tv), testFilm(data))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if tv.URI() != s.Media.URL || tv.State() != cast.StatePlaying {
		t.Fatalf("the renderer has %q in state %s; want %q playing", tv.URI(), tv.State(), s.Media.URL)
	}
	p, err := s.Poll(ctx)
	if err != nil || !p.Answered || p.Status.State != cast.StatePlaying || p.Ended != "" {
		t.Fatalf("first poll: %+v, %v; want playing", p, err)
	}
	tv.Close()
	for i := 1; i <= cast.MissedPolls; i++ {
		p, err = s.Poll(ctx)
		if p.Answered {
			t.Fatalf("poll %d answered by a renderer that is gone", i)
		}
		if (err != nil) != (i == cast.MissedPolls) {
			t.Fatalf("poll %d after the renderer went away: %v", i, err)
		}
	}
	if !errors.Is(err, cast.ErrRendererGone) {
		t.Fatalf("after %d missed polls: %v; want ErrRendererGone", cast.MissedPolls, err)
	}
	url := s.Media.URL
	s.Close()
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s after Close: %s; want no server", url, resp.Status)
	}
}

// A renderer that refuses the format fails Start with ErrFormatRefused, and is not told
// to play.
func TestSessionRefusedFormat(t *testing.T) {
	tv := casttest.New("TV")
	defer tv.Close()
	tv.RefuseFormat()
	_, err := cast.Start(context.Background(), openTV(t, tv), testFilm([]byte("film")))
	if !errors.Is(err, cast.ErrFormatRefused) {
		t.Fatalf("Start on a refusing renderer: %v; want ErrFormatRefused", err)
	}
	for _, c := range tv.Calls() {
		if c == "Play" {
			t.Fatal("a refused film was played")
		}
	}
}
