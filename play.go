package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"marquee/player"
	"marquee/session"
	"marquee/torrent"
)

const playUsage = `Usage: marquee play --headless [flags] SOURCE

Plays SOURCE (a magnet URI, a .torrent path or URL, an infohash, or a local media file) in
real time through the real demuxer, decoders, A/V sync and audio clock, with frames going
to a null sink and audio to the null backend. With --json it writes one JSON object per
line (see README, "Headless play events").

Exit codes: 0 played to the end or for --duration; 1 error; 2 bad usage; 130 interrupted.

Flags:
`

// processStart is as close to the command's start as Go lets us see: t_ms counts from it.
var processStart = time.Now()

func cmdPlay(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("play", playUsage, stderr)
	var (
		src        sourceFlags
		seek       seekTarget
		duration   durationFlag
		headless   = fs.Bool("headless", false, "play without a window (frames to a null sink, audio to the null backend)")
		stallAfter = fs.Duration("stall-timeout", 0, "exit with an error when no byte has arrived for this long while the film waits for data (0 = wait for ever)")
		asJSON     = fs.Bool("json", false, "write one JSON event per line to stdout")
	)
	src.register(fs)
	fs.Var(&seek, "seek", "start at this time (90, 1:30, 1m30s) or percentage (40%)")
	fs.Var(&duration, "duration", "stop after this much playback")
	source, err := parseOneArg(fs, args, "SOURCE")
	if err != nil {
		return err
	}
	if !*headless {
		return runApp(appArgs{source: source})
	}
	events := &playEvents{w: stdout, json: *asJSON, start: processStart}
	if !*asJSON {
		events.w = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = playHeadless(ctx, source, headlessOptions{
		source:       src.options(),
		seek:         seek,
		duration:     time.Duration(duration),
		stallTimeout: *stallAfter,
	}, events)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			events.emit(&errorEvent{Message: "interrupted"})
			return &exitError{code: exitInterrupted, err: errInterrupted}
		}
		events.emit(&errorEvent{Message: err.Error()})
	}
	return err
}

type headlessOptions struct {
	source       sourceOptions
	seek         seekTarget
	duration     time.Duration
	stallTimeout time.Duration
}

func playHeadless(ctx context.Context, src string, opts headlessOptions, events *playEvents) error {
	// With neither the DHT nor trackers no public swarm is asked, and none need answer.
	var reach torrent.Reachability
	public := !opts.source.engine.noDHT || !opts.source.engine.noTrackers
	reachable := func(st torrent.Stats) bool { return st.PeersFound > 0 || !public || reach.Reachable() }
	var last torrent.Stats
	opts.source.onWait = func(st torrent.Stats) {
		last = st
		events.emit(&metadataWaitEvent{PeersFound: st.PeersFound, Peers: st.Peers, Webseeds: st.WebseedsKnown, Reachable: reachable(st)})
	}
	m, err := openMedia(ctx, src, opts.source, func(m *media) {
		events.emit(newMetadataEvent(m))
	})
	if errors.Is(err, torrent.ErrMetadataTimeout) && !reachable(last) {
		return fmt.Errorf("%w; this computer cannot reach the BitTorrent network: none of the DHT's routers has a name that resolves", err)
	}
	if err != nil {
		return err
	}
	defer m.Close()
	r, err := m.Reader()
	if err != nil {
		return err
	}
	defer r.Close()

	// Opening reads the container's header and index, which may never come: until the
	// play loop reports progress itself, the watch says what the engine is waiting for.
	ctx, giveUp := context.WithCancelCause(ctx)
	defer giveUp(nil)
	var openedPlayer atomic.Pointer[player.Player]
	var playing atomic.Bool
	watchDone := make(chan struct{})
	defer func() { <-watchDone }()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		defer close(watchDone)
		watchData(watchCtx, m, opts.stallTimeout, func() bool {
			p := openedPlayer.Load()
			return !playing.Load() || (p != nil && p.State() == player.StateBuffering)
		}, func(st torrent.Stats) {
			if !playing.Load() {
				events.emit(newProgressEvent(st, "opening", 0, player.Stats{}))
			}
		}, giveUp)
	}()
	failed := func(err error) error {
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return err
	}

	playerEvents := make(chan player.Event, 64)
	p, err := session.Play(ctx, r, player.Options{
		Size:        m.Size,
		Name:        m.Name,
		Audio:       player.NullAudio,
		Video:       player.NullVideo,
		StartPaused: true,
		StartAt: func(info player.MediaInfo) time.Duration {
			if !opts.seek.set {
				return 0
			}
			return opts.seek.resolve(info.Duration)
		},
		OnEvent: func(ev player.Event) {
			select {
			case playerEvents <- ev:
			default: // progress events are also polled; never block the player
			}
		},
	})
	if err != nil {
		return failed(err)
	}
	openedPlayer.Store(p)
	defer p.Close()
	info := p.Info()
	events.emit(newOpenedEvent(info))

	start := time.Duration(0)
	if opts.seek.set {
		start = opts.seek.resolve(info.Duration)
	}
	p.Play()
	playing.Store(true)

	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	// --duration is checked more often than progress is reported, to stop on time.
	durationCheck := time.NewTicker(50 * time.Millisecond)
	defer durationCheck.Stop()
	firstFrame, stalled := false, false
	var stallStart time.Time
	done := p.Done()
	var lastEvents <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return failed(ctx.Err())
		case ev := <-playerEvents:
			switch ev.Kind {
			case player.EventFirstFrame:
				if !firstFrame {
					firstFrame = true
					st := m.Stats()
					events.emit(&firstFrameEvent{PositionMs: ev.Position.Milliseconds(), Downloaded: st.BytesDown, Complete: st.BytesComplete})
				}
			case player.EventSeekDone:
				events.emit(&seekDoneEvent{TargetMs: ev.Target.Milliseconds(), LandedMs: ev.Landed.Milliseconds()})
			case player.EventState:
				if ev.State == player.StateBuffering && !stalled && firstFrame {
					stalled, stallStart = true, time.Now()
					events.emit(&stallStartEvent{PositionMs: p.Position().Milliseconds()})
				} else if ev.State == player.StatePlaying && stalled {
					stalled = false
					events.emit(&stallEndEvent{PositionMs: p.Position().Milliseconds(), StallMs: time.Since(stallStart).Milliseconds()})
				}
			case player.EventEnded:
				events.emit(newEndEvent(p, m, "ended"))
				return nil
			case player.EventError:
				return ev.Err
			}
		case <-done:
			// The player closes Done after it has pushed its last events (the first frame
			// and seek of a seek to the end, then the end itself), which reach playerEvents
			// from a goroutine of their own: ending here at once lost them in some runs.
			done = nil
			lastEvents = time.After(time.Second)
		case <-lastEvents:
			if err := p.Err(); err != nil {
				return err
			}
			events.emit(newEndEvent(p, m, "ended"))
			return nil
		case <-ticker.C:
			events.emit(newProgressEvent(m.Stats(), p.State().String(), p.Position(), p.Stats()))
		case <-durationCheck.C:
			if opts.duration > 0 && firstFrame && p.Position()-start >= opts.duration {
				events.emit(newEndEvent(p, m, "duration"))
				return nil
			}
		}
	}
}

// errNoSource is the stall timeout's error: nothing has sent data for too long.
var errNoSource = errors.New("no peer or web seed has been reachable")

// watchData calls report once a second and, with a timeout, gives up when no byte has
// arrived for that long while waiting() says the film waits for data.
func watchData(ctx context.Context, m *media, timeout time.Duration, waiting func() bool, report func(torrent.Stats), giveUp context.CancelCauseFunc) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, lastChange := int64(-1), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st := m.Stats()
		report(st)
		if st.BytesDown != last || st.Length > 0 && st.BytesComplete >= st.Length || !waiting() {
			last, lastChange = st.BytesDown, time.Now()
			continue
		}
		if timeout > 0 && time.Since(lastChange) >= timeout {
			giveUp(fmt.Errorf("%w: no data for %v (%d peers connected, %d of %d web seeds usable)",
				errNoSource, timeout.Round(time.Second), st.Peers, st.WebseedsKnown-st.WebseedsDropped, st.WebseedsKnown))
			return
		}
	}
}
