package app

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/internal/leakcheck"
	"marquee/player"
	"marquee/torrent/torrenttest"
)

// soakRounds is how many times the soak opens, plays, seeks and closes the film.
const soakRounds = 200

// Open, play a little, seek and close the same film from a local swarm, through the app's
// playback session (the one the player view runs), soakRounds times: goroutines, open files
// and the heap come back to where they were after the first round.
//
// Fyne keeps the renderer of a widget that left the screen for a minute (FYNE_CACHE), and
// with it the closed session's last picture; the GL driver cleans that cache as it paints,
// the test driver only on Capture. The soak runs in a child process with the cache's
// lifetime cut to a second, so that what remains is what the app itself keeps.
func TestSoakPlaybackSessionsLeaveNothingBehind(t *testing.T) {
	if os.Getenv("FYNE_CACHE") != "1s" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSoakPlaybackSessionsLeaveNothingBehind$", "-test.v")
		cmd.Env = append(os.Environ(), "FYNE_CACHE=1s")
		out, err := cmd.CombinedOutput()
		t.Logf("soak:\n%s", out)
		if err != nil {
			t.Fatalf("soak: %v", err)
		}
		return
	}
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film(t, shortFilm)})
	title := movie("soak", "Soak Film", 2002, catalog.Source{Magnet: swarm.Magnet})
	env := newTestEnv(t, nil)
	round := func(i int) {
		onUI(func() { env.u.play(playRequest{title: title, source: title.Sources[0], fileIndex: catalog.MainFile}) })
		pb := uiValue(func() *playback { return env.u.playback })
		waitFor(t, "the film playing", 60*time.Second, func() bool {
			return playerState(env.u) == player.StatePlaying && pb.video.framesPainted.Load() > 0
		})
		p := pb.currentPlayer()
		target := time.Duration(1+i%20) * time.Second
		painted := pb.video.framesPainted.Load()
		p.Seek(target)
		waitFor(t, "a picture after the seek", 60*time.Second, func() bool {
			return p.Position() >= target && pb.video.framesPainted.Load() > painted
		})
		onUI(env.u.nav.back)
		select {
		case <-pb.stopped:
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: the session did not stop", i)
		}
	}
	round(0)
	base := leakcheck.Measure()
	for i := 1; i < soakRounds; i++ {
		round(i)
	}
	time.Sleep(1500 * time.Millisecond) // past the renderer cache's lifetime
	onUI(func() { env.win.Canvas().Capture() })
	got := leakcheck.Settled(base)
	t.Logf("after 1 round: %v; after %d: %v", base, soakRounds, got)
	for _, leak := range leakcheck.Compare(base, got, leakcheck.Limits{Goroutines: 10, FDs: 5, Heap: 16 << 20}) {
		t.Error(leak)
	}
}
