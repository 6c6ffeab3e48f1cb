package cast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"marquee/httpstream"
)

// Film is what a cast serves and announces.
type Film struct {
	File     httpstream.File
	Subtitle *httpstream.File // nil: none
	Title    string
	Duration time.Duration // 0: unknown (the renderer finds out itself)
	// Volume is set (0 to 100) before playing; negative leaves the renderer's own.
	Volume int
	// Log receives the server's failed reads and a failed Stop; nil: nowhere.
	Log io.Writer
}

// Timing of a cast's polls: one a second, as the CLI prints and the app's seek bar moves.
const (
	PollInterval = time.Second
	// MissedPolls is how many polls in a row may fail before the renderer counts as gone.
	MissedPolls = 5
	// StartTimeout is how long a renderer may take from Play to PLAYING: a torrent's first
	// pieces, then the renderer's own buffering.
	StartTimeout = 3 * time.Minute
)

// ErrRendererGone: the renderer stopped answering mid-film (switched off, left the network).
var ErrRendererGone = errors.New("stopped answering")

// Why a cast ended without an error.
const (
	EndStopped  = "stopped"  // the film ended, or someone stopped it on the renderer
	EndReplaced = "replaced" // someone cast another film to it: it is not ours to stop
)

// Session is one film playing on one renderer, served from this machine for as long as it
// lasts: `marquee cast --to` and the app's Cast button both run through it.
type Session struct {
	Renderer *Renderer
	Media    Media

	server  *httpstream.Server
	http    *http.Server
	log     io.Writer
	begun   time.Time
	closing sync.Once

	// Poll's judgement, kept between polls (Poll is called from one goroutine).
	started  bool
	missed   int
	furthest time.Duration // the furthest position the renderer reported
	replaced bool
}

// FacingAddress is the local address that packets to the renderer leave from: the film is
// served there only, so that casting opens no port on the other interfaces.
func FacingAddress(r *Renderer) (net.IP, error) {
	host := r.Location.Host
	if r.Location.Port() == "" {
		host = net.JoinHostPort(r.Location.Hostname(), "80")
	}
	conn, err := net.Dial("udp", host) // no packet is sent: this only asks the routing table
	if err != nil {
		return nil, fmt.Errorf("no route to renderer %s: %w", r, err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP, nil
}

// Start serves f on the interface facing r, behind a random token, and has r play it
// (SetAVTransportURI with DIDL-Lite, the volume, Play). On error nothing is left running.
func Start(ctx context.Context, r *Renderer, f Film) (*Session, error) {
	ip, err := FacingAddress(r)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		return nil, fmt.Errorf("listen for the renderer on %s: %w", ip, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	srv := httpstream.New(f.File, httpstream.Options{Token: true, Bound: bound.IP, Subtitle: f.Subtitle, Log: f.Log})
	s := &Session{Renderer: r, server: srv, log: f.Log, begun: time.Now(),
		http: &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}}
	go s.http.Serve(ln)
	s.Media = Media{URL: srv.URL(bound), Title: f.Title, MIME: httpstream.MediaType(f.File.Name),
		Size: f.File.Size, SubtitleURL: srv.SubtitleURL(bound), Duration: f.Duration}
	if err := r.Load(ctx, s.Media); err != nil {
		s.http.Close()
		if errors.Is(err, ErrFormatRefused) {
			return nil, fmt.Errorf("%w (%s, %s)", err, f.File.Name, s.Media.MIME)
		}
		return nil, err
	}
	if f.Volume >= 0 {
		if err := r.SetVolume(ctx, f.Volume); err != nil && s.log != nil {
			fmt.Fprintf(s.log, "marquee: %v\n", err)
		}
	}
	if err := r.Play(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// BytesServed is what the renderer has fetched so far.
func (s *Session) BytesServed() int64 { return s.server.BytesServed() }

// Failed yields the first read failure of the film: it cannot be served any more.
func (s *Session) Failed() <-chan error { return s.server.Failed() }

// Poll is one look at the renderer.
type Poll struct {
	Status   Status
	Answered bool   // false: this poll failed, but not yet MissedPolls in a row
	Ended    string // "" while the film plays; EndStopped or EndReplaced
}

// Poll asks the renderer what it is doing and judges it: an error when it went away, could
// not play the film or never started; Ended when the film is over.
func (s *Session) Poll(ctx context.Context) (Poll, error) {
	r := s.Renderer
	st, err := r.Status(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Poll{}, nil
		}
		if s.missed++; s.missed >= MissedPolls {
			return Poll{}, fmt.Errorf("renderer %s %w (%d polls in a row failed; the download goes on in the cache): %w", r, ErrRendererGone, s.missed, err)
		}
		return Poll{}, nil
	}
	s.missed = 0
	s.furthest = max(s.furthest, st.Position)
	p := Poll{Status: st, Answered: true}
	name, mime := s.Media.Title, s.Media.MIME
	switch {
	case st.Failed:
		return p, fmt.Errorf("renderer %s could not play %s (%s): it reports an error", r, name, mime)
	case st.State == StatePlaying || st.State == StatePaused || (st.Position > 0 && !s.started):
		// A short film can play whole between two polls; its position then says it did.
		s.started = true
		if st.URI != "" && st.URI != s.Media.URL {
			p.Ended, s.replaced = EndReplaced, true
		}
	case s.started && (st.State == StateStopped || st.State == StateNoMedia) && s.furthest == 0:
		// gmediarender, given a film it has no decoder for, says PLAYING at 0:00:00 for a
		// while and then STOPPED.
		return p, fmt.Errorf("renderer %s stopped without playing any of %s: %w (%s)", r, name, ErrFormatRefused, mime)
	case s.started && (st.State == StateStopped || st.State == StateNoMedia):
		p.Ended = EndStopped
	case !s.started && time.Since(s.begun) > StartTimeout:
		return p, fmt.Errorf("renderer %s did not start playing %s in %v (it says %s)", r, name, StartTimeout, st.State)
	}
	return p, nil
}

// Close stops the renderer (unless another film replaced ours) and then the server, which
// cuts what the renderer still reads. It may be called more than once, but not while Poll
// runs.
func (s *Session) Close() {
	s.closing.Do(func() {
		defer s.http.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.replaced {
			return
		}
		if err := s.Renderer.Stop(ctx); err != nil && s.log != nil {
			fmt.Fprintf(s.log, "marquee: stop %s: %v\n", s.Renderer, err)
		}
	})
}
