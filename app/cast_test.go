package app

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"marquee/cast"
	"marquee/cast/casttest"
	"marquee/catalog"
	"marquee/player"
)

// fakeTV is a renderer the app finds by its background search.
func fakeTV(t *testing.T, env *testEnv) (*casttest.Renderer, *atomic.Int32) {
	t.Helper()
	setForTest(t, &castPollInterval, 100*time.Millisecond)
	tv := casttest.New("Living-room TV")
	t.Cleanup(tv.Close)
	var searches atomic.Int32
	env.u.renderers.setDiscover(func(ctx context.Context) ([]*cast.Renderer, error) {
		searches.Add(1)
		r, err := cast.Open(ctx, tv.Location())
		if err != nil {
			return nil, err
		}
		return []*cast.Renderer{r}, nil
	})
	return tv, &searches
}

const tvButton = "Living-room TV  (Marquee tests Fake renderer)"

// castTo opens the picker from the player's Cast button and picks the TV.
func castTo(t *testing.T, env *testEnv, pb *playback) {
	t.Helper()
	onUI(func() { test.Tap(pb.cast.button) })
	waitFor(t, "the TV in the picker", 20*time.Second, func() bool { return topDialogButton(env, tvButton) != nil })
	b := dialogButton(env, tvButton)
	onUI(func() { test.Tap(b) })
}

// fetchedTheFilm checks that the renderer read the film's own bytes from the URL it got.
func fetchedTheFilm(t *testing.T, tv *casttest.Renderer, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got, err := tv.Fetched()
	for got == nil && err == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		got, err = tv.Fetched()
	}
	want, _ := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want[:casttest.FetchBytes]) {
		t.Fatalf("the renderer fetched %d bytes (%v); want the film's first %d", len(got), err, casttest.FetchBytes)
	}
}

func hasCall(calls []string, prefix string) bool {
	return slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

// The picker lists the renderers the background search found, and searches again when
// it opens; with none, it says so in words.
func TestCastPickerListsRenderers(t *testing.T) {
	env := newTestEnv(t, nil)
	tv, searches := fakeTV(t, env)
	waitFor(t, "the first search", 20*time.Second, func() bool {
		_, _, _, searched := env.u.renderers.snapshot()
		return searched
	})
	before := searches.Load()
	pb := openLocal(t, env, film(t, shortFilm))
	castTo(t, env, pb)
	// The search runs on the finder's goroutine, so it may start after the tap returns.
	waitFor(t, "opening the picker to search again", 20*time.Second, func() bool { return searches.Load() > before })

	waitFor(t, "Playing on Living-room TV", 20*time.Second, func() bool { return pb.cast.state.Text == "Playing" })
	onUI(func() { test.Tap(pb.cast.stopBtn) })
	waitFor(t, "local playback again", 20*time.Second, func() bool { return !pb.cast.casting() })

	// Where multicast does not reach, the renderer is given by its description URL.
	env.u.renderers.setDiscover(func(context.Context) ([]*cast.Renderer, error) {
		return nil, cast.ErrNoRenderer
	})
	var chosen atomic.Pointer[cast.Renderer]
	onUI(func() { env.u.pickRenderer(func(r *cast.Renderer) { chosen.Store(r) }) })
	waitFor(t, "the picker to say none was found", 20*time.Second, func() bool {
		cp := env.u.castPicker
		return cp != nil && strings.Contains(cp.status.Text, "No TV or media renderer answered") && len(cp.list.Objects) == 0
	})
	onUI(func() {
		test.Type(env.u.castPicker.address, tv.Location())
		test.Tap(env.u.castPicker.connect)
	})
	waitFor(t, "the renderer at the URL", 20*time.Second, func() bool { return chosen.Load() != nil })
	if r := chosen.Load(); r.Name != "Living-room TV" {
		t.Fatalf("the URL gave renderer %q", r.Name)
	}
}

// The detail page's Cast button plays the title's torrent on the TV, which fetches it
// through the engine.
func TestCastFromTheDetailPage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Feature")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := film(t, shortFilm)
	copyInto(t, path, dir, "feature.mp4")
	srt := "1\n00:00:01,000 --> 00:00:04,000\nOn the TV\n"
	if err := os.WriteFile(filepath.Join(dir, "feature.srt"), []byte(srt), 0o644); err != nil {
		t.Fatal(err)
	}
	title := movie("feat", "Feature", 2021, catalog.Source{Magnet: seedFolder(t, dir)})
	env := newTestEnv(t, nil)
	tv, _ := fakeTV(t, env)
	onUI(func() { env.u.openDetail(title) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	onUI(func() { test.Tap(d.cast) })
	waitFor(t, "the TV in the picker", 20*time.Second, func() bool { return topDialogButton(env, tvButton) != nil })
	b := dialogButton(env, tvButton)
	onUI(func() { test.Tap(b) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "Playing on Living-room TV", 60*time.Second, func() bool {
		return pb != nil && pb.cast.casting() && pb.cast.state.Text == "Playing"
	})
	if !strings.HasSuffix(tv.URI(), "/feature.mp4") {
		t.Fatalf("the TV was given %q; want the torrent's film", tv.URI())
	}
	fetchedTheFilm(t, tv, path)
	m := regexp.MustCompile(`<sec:CaptionInfoEx sec:type="srt">([^<]+)<`).FindStringSubmatch(tv.Metadata())
	if m == nil {
		t.Fatalf("the DIDL-Lite names no subtitle: %s", tv.Metadata())
	}
	resp, err := http.Get(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != srt {
		t.Fatalf("the subtitle URL served %q (%s); want the torrent's SRT", body, resp.Status)
	}
}

// Casting hands the film to the renderer, which fetches it from the token path; pause and
// seek go to the renderer; Stop ends the server and plays on here from the renderer's place.
func TestCastPlaysOnTheTVAndStopComesBack(t *testing.T) {
	path := film(t, shortFilm)
	env := newTestEnv(t, nil)
	tv, _ := fakeTV(t, env)
	pb := openLocal(t, env, path)
	p := pb.currentPlayer()
	castTo(t, env, pb)

	waitFor(t, "Playing on Living-room TV", 20*time.Second, func() bool {
		return pb.cast.casting() && pb.cast.heading.Text == "Playing on Living-room TV" && pb.cast.state.Text == "Playing"
	})
	calls := tv.Calls()
	if !hasCall(calls, "SetAVTransportURI") || !hasCall(calls, "Play") {
		t.Fatalf("the renderer was asked %v; want SetAVTransportURI and Play", calls)
	}
	if p.State() != player.StatePaused {
		t.Fatalf("the local player is %v while casting; want paused", p.State())
	}
	u, err := url.Parse(tv.URI())
	if err != nil || !regexp.MustCompile(`^/[0-9a-f]{32}/`).MatchString(u.Path) || u.Hostname() != "127.0.0.1" {
		t.Fatalf("the renderer was given %q; want a token path on the address facing it", tv.URI())
	}
	fetchedTheFilm(t, tv, path)

	onUI(func() { test.Tap(pb.cast.playBtn) })
	waitFor(t, "the TV to pause", 10*time.Second, func() bool { return tv.State() == cast.StatePaused && pb.cast.state.Text == "Paused" })
	onUI(func() {
		s := pb.cast.seek.Size()
		test.TapAt(pb.cast.seek, fyne.NewPos(s.Width/2, s.Height/2))
	})
	waitFor(t, "the seek to reach the TV", 10*time.Second, func() bool { return hasCall(tv.Calls(), "Seek 0:00:1") })
	target := tv.Position()
	if target < 10*time.Second || target > 14*time.Second {
		t.Fatalf("a tap in the middle of a 24 s film put the TV at %v", target)
	}
	waitFor(t, "the clock to show the TV's place", 10*time.Second, func() bool { return pb.cast.position == target })

	onUI(func() { pb.cast.volume.SetValue(30) })
	waitFor(t, "the volume to reach the TV", 10*time.Second, func() bool { return hasCall(tv.Calls(), "SetVolume 30") })

	onUI(func() { test.Tap(pb.cast.stopBtn) })
	waitFor(t, "local playback again", 20*time.Second, func() bool {
		return !pb.cast.casting() && p.State() == player.StatePlaying
	})
	if pos := p.Position(); pos < target-time.Second || pos > target+5*time.Second {
		t.Fatalf("local playback went on at %v; the TV was at %v", pos, target)
	}
	if tv.State() != cast.StateStopped {
		t.Fatalf("the TV says %s after Stop; want STOPPED", tv.State())
	}
	resp, err := http.Get(tv.URI())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET the film after the cast: %s; want the server gone", resp.Status)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET the film after the cast: %v; want connection refused", err)
	}
}

// A renderer that goes away mid-film is named, and the film can go on here from there.
func TestCastRendererGoneOffersResumeHere(t *testing.T) {
	env := newTestEnv(t, nil)
	tv, _ := fakeTV(t, env)
	pb := openLocal(t, env, film(t, shortFilm))
	p := pb.currentPlayer()
	castTo(t, env, pb)
	waitFor(t, "the TV playing", 20*time.Second, func() bool { return pb.cast.state.Text == "Playing" })
	onUI(func() { pb.cast.seekTo(15 * time.Second) })
	waitFor(t, "the TV at 0:15", 10*time.Second, func() bool { return tv.Position() >= 15*time.Second })
	tv.Close()
	waitFor(t, "the resume offer", 30*time.Second, func() bool {
		return pb.cast.messageBox.Visible() && pb.cast.heading.Text == "Living-room TV went away" &&
			strings.HasPrefix(pb.cast.resumeBtn.Text, "Resume here from ")
	})
	onUI(func() { test.Tap(pb.cast.resumeBtn) })
	waitFor(t, "local playback again", 20*time.Second, func() bool {
		return !pb.cast.casting() && p.State() == player.StatePlaying
	})
	if pos := p.Position(); pos < 14*time.Second {
		t.Fatalf("Resume here went on at %v; the TV was past 0:15", pos)
	}
}

// A renderer that refuses the film's format says so, and the film plays on here.
func TestCastRefusedFormatIsExplained(t *testing.T) {
	env := newTestEnv(t, nil)
	tv, _ := fakeTV(t, env)
	tv.RefuseFormat()
	pb := openLocal(t, env, film(t, shortFilm))
	castTo(t, env, pb)
	waitFor(t, "the refusal explained", 20*time.Second, func() bool {
		return pb.cast.messageBox.Visible() && pb.cast.heading.Text == "Living-room TV can't play this film" &&
			strings.Contains(pb.cast.message.Text, "video/mp4")
	})
	if hasCall(tv.Calls(), "Play") {
		t.Fatalf("the renderer that refused the film was told to play it: %v", tv.Calls())
	}
}

// Leaving the player while the TV plays stops the TV and the server.
func TestLeavingThePlayerStopsTheCast(t *testing.T) {
	env := newTestEnv(t, nil)
	tv, _ := fakeTV(t, env)
	pb := openLocal(t, env, film(t, shortFilm))
	castTo(t, env, pb)
	waitFor(t, "the TV playing", 20*time.Second, func() bool { return pb.cast.state.Text == "Playing" })
	onUI(func() { env.u.nav.back() })
	<-pb.stopped
	if st := tv.State(); st != cast.StateStopped {
		t.Fatalf("the TV says %s after the player was left; want STOPPED", st)
	}
	if _, err := http.Get(tv.URI()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET the film after leaving the player: %v; want connection refused", err)
	}
}
