package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"marquee/cast"
	"marquee/httpstream"
	"marquee/player"
)

const castUsage = `Usage: marquee cast --list [--json] [--wait 3s]
       marquee cast --to NAME|URL [flags] SOURCE

--list searches the local network for DLNA/UPnP media renderers (smart TVs, Kodi, VLC,
gmediarender) and prints each one's friendly name and description URL.

--to plays SOURCE (a magnet URI, a .torrent path or URL, an infohash, or a local media
file) on the renderer of that friendly name, or at that description URL where multicast
does not reach it. The film is served over HTTP on the interface that faces the renderer
only, behind a random token, and the server stops when the cast does. Prints the position
once a second and exits when the film ends or the renderer stops; Ctrl+C stops the
renderer.

Flags:
`

func cmdCast(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cast", castUsage, stderr)
	var (
		src    sourceFlags
		list   = fs.Bool("list", false, "list the renderers on the local network")
		to     = fs.String("to", "", "the renderer: its friendly name, or its description URL (http://...)")
		asJSON = fs.Bool("json", false, "write JSON: the renderers with --list, one event per line with --to")
		wait   = fs.Duration("wait", 3*time.Second, "how long to listen for renderers' answers")
		sub    = fs.String("sub", "", "an SRT subtitle file to show with the film")
		volume = fs.Int("volume", -1, "set the renderer's volume (0 to 100) before playing")
	)
	src.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *list {
		if fs.NArg() != 0 || *to != "" {
			return usageError("cast --list takes no SOURCE and no --to")
		}
		return castList(ctx, stdout, *wait, *asJSON)
	}
	if *to == "" {
		fs.Usage()
		return usageError("cast needs --to NAME|URL (or --list to see the renderers)")
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("cast needs exactly one SOURCE, got %d", fs.NArg())
	}
	source := fs.Arg(0)
	if *volume > 100 {
		return usageError("--volume %d: give 0 to 100", *volume)
	}
	return castTo(ctx, castOptions{to: *to, source: source, src: src.options(), wait: *wait, sub: *sub, volume: *volume}, &castEvents{w: stdout, json: *asJSON}, stderr)
}

type rendererEntry struct {
	Name         string `json:"name"`
	UDN          string `json:"udn"`
	Location     string `json:"location"`
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
}

func castList(ctx context.Context, stdout io.Writer, wait time.Duration, asJSON bool) error {
	rs, err := cast.Discover(ctx, wait)
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	entries := make([]rendererEntry, 0, len(rs))
	for _, r := range rs {
		entries = append(entries, rendererEntry{Name: r.Name, UDN: r.UDN, Location: r.Location.String(), Manufacturer: r.Manufacturer, Model: r.Model})
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	for _, e := range entries {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", e.Name, e.Location, strings.TrimSpace(e.Manufacturer+" "+e.Model))
	}
	return nil
}

// findRenderer opens the renderer at a description URL, or finds the one of that name.
func findRenderer(ctx context.Context, to string, wait time.Duration) (*cast.Renderer, error) {
	if strings.Contains(to, "://") {
		return cast.Open(ctx, to)
	}
	rs, err := cast.Discover(ctx, wait)
	if err != nil {
		return nil, fmt.Errorf("find renderer %q: %w", to, err)
	}
	var names []string
	for _, r := range rs {
		if strings.EqualFold(r.Name, to) {
			return r, nil
		}
		names = append(names, fmt.Sprintf("%q", r.Name))
	}
	return nil, fmt.Errorf("no renderer named %q answered in %v (found %s); give its description URL where multicast does not reach it", to, wait, strings.Join(names, ", "))
}

type castOptions struct {
	to, source string
	src        sourceOptions
	wait       time.Duration
	sub        string
	volume     int
}

func castTo(ctx context.Context, o castOptions, events *castEvents, stderr io.Writer) error {
	r, err := findRenderer(ctx, o.to, o.wait)
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	var subtitle *httpstream.File
	if o.sub != "" {
		st, err := os.Stat(o.sub)
		if err != nil {
			return fmt.Errorf("subtitle: %w", err)
		}
		path := o.sub
		subtitle = &httpstream.File{Name: filepath.Base(path), Size: st.Size(), Open: func(context.Context) (io.ReadSeekCloser, error) { return os.Open(path) }}
	}
	m, err := openMedia(ctx, o.source, o.src, nil)
	if err != nil {
		return err
	}
	defer m.Close()

	if subtitle == nil {
		subtitle = m.SRT()
	}
	s, err := cast.Start(ctx, r, cast.Film{File: m.HTTPFile(), Subtitle: subtitle, Title: strings.TrimSuffix(m.Name, filepath.Ext(m.Name)),
		Duration: probeDuration(ctx, m, stderr), Volume: o.volume, Log: stderr})
	if err != nil {
		return err
	}
	// Once the renderer was told to play, it is told to stop on every way out, even when
	// the film ended (it is then stopped already, and says so or not).
	defer s.Close()
	events.emit(castEvent{Event: "casting", Renderer: r.Name, Location: r.Location.String(), URL: s.Media.URL, SubtitleURL: s.Media.SubtitleURL,
		Name: m.Name, DurationS: s.Media.Duration.Seconds()})

	ticker := time.NewTicker(cast.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			events.emit(castEvent{Event: "end", Reason: "interrupted", ServedBytes: s.BytesServed()})
			return nil
		case err := <-s.Failed():
			return fmt.Errorf("stopped serving %s: %w", m.Name, err)
		case <-ticker.C:
		}
		p, err := s.Poll(ctx)
		if p.Answered {
			st := p.Status
			events.emit(castEvent{Event: "status", State: st.State, PositionS: st.Position.Seconds(), DurationS: st.Duration.Seconds(), ServedBytes: s.BytesServed()})
		}
		if err != nil {
			return err
		}
		if p.Ended != "" {
			events.emit(castEvent{Event: "end", Reason: p.Ended, ServedBytes: s.BytesServed()})
			return nil
		}
	}
}

// castEvent is one line of `cast --to` output.
type castEvent struct {
	Event       string  `json:"event"`
	Renderer    string  `json:"renderer,omitempty"`
	Location    string  `json:"location,omitempty"`
	URL         string  `json:"url,omitempty"`
	SubtitleURL string  `json:"subtitle_url,omitempty"`
	Name        string  `json:"name,omitempty"`
	State       string  `json:"state,omitempty"`
	PositionS   float64 `json:"position_s"`
	DurationS   float64 `json:"duration_s"`
	Reason      string  `json:"reason,omitempty"`
	ServedBytes int64   `json:"served_bytes"`
}

type castEvents struct {
	w    io.Writer
	json bool
}

func (e *castEvents) emit(ev castEvent) {
	if e.json {
		line, _ := json.Marshal(ev)
		fmt.Fprintf(e.w, "%s\n", line)
		return
	}
	switch ev.Event {
	case "casting":
		fmt.Fprintf(e.w, "casting %s to %q from %s\n", ev.Name, ev.Renderer, ev.URL)
	case "status":
		fmt.Fprintf(e.w, "%s / %s  %s  (%s served)\n", clock(ev.PositionS), clock(ev.DurationS), ev.State, formatBytes(ev.ServedBytes))
	case "end":
		fmt.Fprintf(e.w, "cast ended: %s\n", ev.Reason)
	}
}

func clock(seconds float64) string {
	s := int64(seconds)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// castProbeTimeout bounds the probe for the film's duration: a torrent's head (and an MP4's
// tail), which the renderer fetches next anyway.
const castProbeTimeout = time.Minute

// probeDuration opens the film with the player, as `play` does, for the duration that
// DIDL-Lite announces (TVs show it before their own demuxer knows it). A film the player
// cannot open may still play on the renderer: it is cast without a duration.
func probeDuration(ctx context.Context, m *media, stderr io.Writer) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, castProbeTimeout)
	defer cancel()
	r, err := m.Reader()
	if err != nil {
		return 0
	}
	defer r.Close()
	p, err := player.Open(ctx, r, player.Options{Size: m.Size, Name: m.Name, Audio: player.NullAudio, Video: player.NullVideo, StartPaused: true})
	if err != nil {
		fmt.Fprintf(stderr, "marquee: casting %s without a duration: %v\n", m.Name, err)
		return 0
	}
	defer p.Close()
	return p.Info().Duration
}
