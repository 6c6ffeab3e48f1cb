package main

import (
	"context"
	"image"
	"sync/atomic"
	"testing"
	"time"

	"marquee/internal/leakcheck"
	"marquee/player"
	"marquee/session"
	"marquee/torrent/torrenttest"
)

// countingSink counts the pictures a player shows.
type countingSink struct{ frames atomic.Int64 }

func (s *countingSink) ShowFrame(*image.RGBA, time.Duration) { s.frames.Add(1) }

// The CLI's path (openMedia, then a reader per session, as `play` and every `serve`
// request take one) opens, plays a little, seeks and closes the film 200 times on a local
// swarm: goroutines, open files and the heap come back to the first round's level.
func TestSoakOpenPlaySeekCloseLeavesNothingBehind(t *testing.T) {
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: testFilm(t, 20)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	opts := sourceOptions{engine: engineFlags{cache: t.TempDir(), listen: "127.0.0.1:0", noDHT: true, noTrackers: true, noUPnP: true}, fileIndex: -1}
	m, err := openMedia(ctx, swarm.Magnet, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitUntil := func(round int, what string, cond func() bool) {
		t.Helper()
		for !cond() {
			if ctx.Err() != nil {
				t.Fatalf("round %d: gave up waiting for %s", round, what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	round := func(i int) {
		r, err := m.Reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		sink := &countingSink{}
		p, err := session.Play(ctx, r, player.Options{
			Size: m.Size, Name: m.Name, Audio: player.NullAudio, Video: sink,
		})
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		defer p.Close()
		waitUntil(i, "a picture", func() bool { return sink.frames.Load() > 0 })
		target := time.Duration(1+i%15) * time.Second
		shown := sink.frames.Load()
		p.Seek(target)
		waitUntil(i, "a picture after the seek", func() bool { return p.Position() >= target && sink.frames.Load() > shown })
	}
	round(0)
	base := leakcheck.Measure()
	for i := 1; i < 200; i++ {
		round(i)
	}
	got := leakcheck.Settled(base)
	t.Logf("after 1 round: %v; after 200: %v", base, got)
	for _, leak := range leakcheck.Compare(base, got, leakcheck.Limits{Goroutines: 10, FDs: 5, Heap: 16 << 20}) {
		t.Error(leak)
	}
}
