package app

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"marquee/catalog"
	"marquee/internal/mediagen"
	"marquee/player"
	"marquee/torrent/torrenttest"
)

// openLocal plays a local film and waits until it shows pictures.
func openLocal(t *testing.T, env *testEnv, path string) *playback {
	t.Helper()
	onUI(func() { env.u.playLocalFile(path) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the film playing", 60*time.Second, func() bool {
		return playerState(env.u) == player.StatePlaying && pb.video.framesPainted.Load() > 0
	})
	return pb
}

// The picture reaches the window's edges, as in any video player, so that a 720p film in
// a 1280-pixel window is converted without scaling; the other pages keep the theme's
// padding.
func TestPlayerPictureReachesTheWindowEdges(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(func() { env.win.Resize(fyne.NewSize(1280, 800)) })
	// Positions are read relative to the window's content (the navigator's holder): the
	// test driver's absolute positions are off by the window's own offsets.
	home := uiValue(func() fyne.Position { return env.u.nav.top().content.Position() })
	if pad := theme.Padding(); home != fyne.NewPos(pad, pad) {
		t.Fatalf("the home page starts at %v, want the theme's padding %v", home, pad)
	}
	pb := openLocal(t, env, film(t, shortFilm))
	pos := uiValue(func() fyne.Position { return pb.content.Position().Add(pb.video.Position()) })
	size := uiValue(func() fyne.Size { return pb.video.Size() })
	canvas := uiValue(func() fyne.Size { return env.win.Canvas().Size() })
	if pos != (fyne.Position{}) || size != canvas {
		t.Fatalf("the picture's view is %v at %v in a %v window; want the whole window", size, pos, canvas)
	}
	w, h := pb.video.sizeInPixels()
	if scale := uiValue(func() float32 { return env.win.Canvas().Scale() }); w != int(canvas.Width*scale) || h != int(canvas.Height*scale) {
		t.Fatalf("the player is asked for %dx%d pixels; want the window's %v at scale %v", w, h, canvas, scale)
	}
}

// The keyboard drives the real player: Space, ←/→, ↑/↓, M, S, F and Esc.
func TestKeyboardShortcutsDrivePlayer(t *testing.T) {
	path := film(t, shortFilm)
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, path)
	p := pb.currentPlayer()

	typeKey(env, fyne.KeySpace)
	waitFor(t, "Space to pause", 10*time.Second, func() bool { return p.State() == player.StatePaused })
	typeKey(env, fyne.KeySpace)
	waitFor(t, "Space to resume", 10*time.Second, func() bool { return p.State() == player.StatePlaying })

	// Seeks are checked while paused, so the clock cannot move under the assertion.
	typeKey(env, fyne.KeySpace)
	waitFor(t, "pause before seeking", 10*time.Second, func() bool { return p.State() == player.StatePaused })
	start := p.Position()
	typeKey(env, fyne.KeyRight)
	waitFor(t, "→ to land 10 s later", 20*time.Second, func() bool {
		return p.State() == player.StatePaused && near(p.Position(), start+keySeekStep, time.Second)
	})
	typeKey(env, fyne.KeyLeft)
	waitFor(t, "← to land 10 s earlier", 20*time.Second, func() bool {
		return p.State() == player.StatePaused && near(p.Position(), start, time.Second)
	})

	if v := p.Volume(); v != 1 {
		t.Fatalf("volume starts at %v, want 1", v)
	}
	typeKey(env, fyne.KeyDown)
	typeKey(env, fyne.KeyDown)
	if v := p.Volume(); math.Abs(v-0.8) > 1e-9 {
		t.Fatalf("volume after ↓↓ = %v, want 0.8", v)
	}
	typeKey(env, fyne.KeyUp)
	if v := p.Volume(); math.Abs(v-0.9) > 1e-9 {
		t.Fatalf("volume after ↓↓↑ = %v, want 0.9", v)
	}
	if saved := env.svc.settings.volume(); math.Abs(saved-0.9) > 1e-9 {
		t.Fatalf("saved volume %v, want 0.9 for the next film", saved)
	}

	typeKey(env, fyne.KeyM)
	if !p.Muted() {
		t.Fatal("M did not mute")
	}
	typeKey(env, fyne.KeyM)
	if p.Muted() {
		t.Fatal("a second M did not unmute")
	}

	// S turns on the film's subtitle track; its cues ("Line N", one a second) appear.
	typeKey(env, fyne.KeyS)
	tracks := p.SubtitleTracks()
	if len(tracks) == 0 || uiValue(func() int { return pb.chosenSubtitle }) != tracks[0].ID {
		t.Fatalf("S chose track %d of %+v, want the first", pb.chosenSubtitle, tracks)
	}
	typeKey(env, fyne.KeySpace)
	waitFor(t, "a subtitle on the picture", 20*time.Second, func() bool {
		return strings.HasPrefix(pb.video.subtitles.Text(), "Line ")
	})
	typeKey(env, fyne.KeyS)
	if got := uiValue(func() int { return pb.chosenSubtitle }); got != -1 || uiValue(pb.video.subtitles.Text) != "" {
		t.Fatalf("a second S left track %d and text %q, want subtitles off", got, pb.video.subtitles.Text())
	}

	typeKey(env, fyne.KeyF)
	if !uiValue(env.win.FullScreen) {
		t.Fatal("F did not go full screen")
	}
	typeKey(env, fyne.KeyEscape)
	if uiValue(env.win.FullScreen) || uiValue(func() string { return env.u.nav.top().name }) != pagePlayer {
		t.Fatal("Esc in full screen should leave full screen and stay in the player")
	}
	typeKey(env, fyne.KeyEscape)
	if top := uiValue(func() string { return env.u.nav.top().name }); top != pageHome {
		t.Fatalf("Esc led to %q, want home", top)
	}
	select {
	case <-pb.stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the player did not stop")
	}
	if p.State() != player.StateError && p.Err() == nil {
		select {
		case <-p.Done():
		default:
			t.Fatal("the player is still running after leaving its view")
		}
	}
}

func near(a, b, tolerance time.Duration) bool {
	d := a - b
	return d > -tolerance && d < tolerance
}

// A .srt dropped on the player becomes the subtitle track shown.
func TestDroppedSubtitleFileIsShown(t *testing.T) {
	path := film(t, shortFilm)
	srt := filepath.Join(t.TempDir(), "dropped.srt")
	var cues []mediagen.Cue
	for i := range 24 {
		cues = append(cues, mediagen.Cue{Start: time.Duration(i) * time.Second, End: time.Duration(i)*time.Second + 900*time.Millisecond, Text: "Dropped cue"})
	}
	if err := os.WriteFile(srt, mediagen.FormatSRT(cues), 0o644); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, path)
	onUI(func() { env.u.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(srt)}) })
	waitFor(t, "the dropped subtitles on the picture", 20*time.Second, func() bool {
		return pb.chosenSubtitle >= 1000 && pb.video.subtitles.Text() == "Dropped cue"
	})
}

// A subtitle line keeps clear of the controls while they show (it sat on the seek bar at
// 800×500), and goes back near the bottom when they hide.
func TestSubtitlesStayAboveTheControls(t *testing.T) {
	env := newTestEnv(t, nil)
	onUI(func() { env.win.Resize(fyne.NewSize(800, 500)) })
	pb := openLocal(t, env, film(t, tinyFilm))
	lineBottom := func() float32 {
		return uiValue(func() float32 {
			pb.video.subtitles.SetText("A line of dialogue")
			band := test.WidgetRenderer(pb.video.subtitles).(*subtitleRenderer).band
			d := fyne.CurrentApp().Driver()
			return d.AbsolutePositionForObject(band).Y + band.Size().Height
		})
	}
	onUI(pb.showControls)
	controlsTop := uiValue(func() float32 { return fyne.CurrentApp().Driver().AbsolutePositionForObject(pb.controls).Y })
	if shown := lineBottom(); shown > controlsTop {
		t.Errorf("with the controls shown the line ends at y=%.0f, below their top at %.0f", shown, controlsTop)
	}
	onUI(pb.hideControls)
	if hidden := lineBottom(); hidden <= controlsTop {
		t.Errorf("with the controls hidden the line ends at y=%.0f, still above where they were (%.0f)", hidden, controlsTop)
	}
}

// Subtitle size in Settings applies at once to the film playing.
func TestSubtitleSizeAppliesMidPlayback(t *testing.T) {
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, film(t, tinyFilm))
	onUI(env.u.openSettings)
	onUI(func() {
		// The settings page is on top of the player; the slider is the only one there.
		for _, o := range test.LaidOutObjects(env.u.nav.top().content) {
			if s, ok := o.(*widget.Slider); ok {
				s.SetValue(40)
			}
		}
	})
	if got := uiValue(func() float32 { return pb.video.subtitles.textSize }); got != 40 {
		t.Fatalf("subtitle size in the player is %v after setting 40", got)
	}
	if got := env.svc.settings.subtitleSize(); got != 40 {
		t.Fatalf("saved subtitle size %v, want 40", got)
	}
}

// A series plays its next episode when one ends, and the finished one is marked watched.
func TestNextEpisodePlaysAutomatically(t *testing.T) {
	old := nextEpisodeDelay
	nextEpisodeDelay = 0
	t.Cleanup(func() { nextEpisodeDelay = old })
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film(t, tinyFilm)})
	src := catalog.Source{Magnet: swarm.Magnet, FileIndex: catalog.MainFile}
	series := catalog.Title{
		ID: "show", Kind: catalog.KindSeries, Name: "Test Show", Year: 2020, Licence: "CC0 1.0",
		Seasons: []catalog.Season{{Number: 1, Episodes: []catalog.Episode{
			{Number: 1, Name: "Pilot", Sources: []catalog.Source{src}},
			{Number: 2, Name: "Second", Sources: []catalog.Source{src}},
		}}},
	}
	env := newTestEnv(t, []catalog.Provider{newStaticProvider("tv", "Shows", series)})
	id := catalog.JoinID("tv", "show")
	waitFor(t, "the show's poster", 20*time.Second, func() bool { return cardFor(env.u, "tv", id) != nil })
	onUI(func() { env.u.openDetail(cardFor(env.u, "tv", id).Title()) })
	d := uiValue(func() *detail { return env.u.currentDetail })
	if got := uiValue(func() string { return d.play.Text }); got != "Play S1:E1" {
		t.Fatalf("a new series offers %q, want Play S1:E1", got)
	}
	onUI(func() { d.play.OnTapped() })
	waitFor(t, "episode 2 to start after episode 1 ends", 60*time.Second, func() bool {
		pb := env.u.playback
		return pb != nil && pb.req.episode == 2 && pb.video.framesPainted.Load() > 0
	})
	ep1 := catalog.EpisodeID(id, 1, 1)
	if !env.svc.library.IsWatched(ep1) {
		t.Fatal("episode 1 played to the end but is not marked watched")
	}
	if n := uiValue(func() int { return len(env.u.nav.stack) }); n != 3 {
		t.Fatalf("navigation stack has %d pages, want home → detail → player (the next episode replaces the player)", n)
	}
	onUI(env.u.nav.back)
	waitFor(t, "the detail page to offer episode 2", 20*time.Second, func() bool {
		return strings.Contains(d.play.Text, "S1:E2")
	})
}

// What the user sees when a film cannot play: each case gets a message that says what
// happened and what to do, and the app keeps running.
func TestPlaybackErrorsAreExplained(t *testing.T) {
	good, err := os.ReadFile(film(t, tinyFilm))
	if err != nil {
		t.Fatal(err)
	}
	// An MP4 names its video codec in the sample description; an unknown name is a film
	// this FFmpeg cannot decode.
	unsupported := filepath.Join(t.TempDir(), "unsupported.mp4")
	stsd := strings.Index(string(good), "stsd")
	i := strings.Index(string(good[stsd:]), "avc1")
	if stsd < 0 || i < 0 {
		t.Fatal("no avc1 sample entry in the test film")
	}
	patched := append([]byte(nil), good...)
	copy(patched[stsd+i:], "xyz1")
	if err := os.WriteFile(unsupported, patched, 0o644); err != nil {
		t.Fatal(err)
	}
	codecSwarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: unsupported})
	noVideo := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 256 << 10, Name: "notes.bin"})

	cases := []struct {
		name, magnet, hash, want string
	}{
		{"no metadata", "magnet:?xt=urn:btih:" + strings.Repeat("7e", 20) + "&dn=Nobody+Seeds+This", strings.Repeat("7e", 20), "could not be found"},
		{"no playable file", noVideo.Magnet, noVideo.InfoHash, "Nothing to play"},
		{"unsupported codec", codecSwarm.Magnet, codecSwarm.InfoHash, "Unsupported video format"},
	}
	env := newTestEnv(t, nil)
	env.svc.metadataTimeout = 2 * time.Second
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			title := movie(tc.name, tc.name, 2000, catalog.Source{Magnet: tc.magnet})
			onUI(func() { env.u.play(playRequest{title: title, source: title.Sources[0], fileIndex: catalog.MainFile}) })
			pb := uiValue(func() *playback { return env.u.playback })
			waitFor(t, "the message", 60*time.Second, func() bool { return pb.message.Visible() })
			msg := uiValue(func() string { return pb.messageLbl.Text })
			if !strings.Contains(msg, tc.want) || strings.Count(msg, "\n\n") != 2 {
				t.Fatalf("message %q, want %q with what happened and what to do", msg, tc.want)
			}
			onUI(env.u.nav.back)
			// A torrent that could not play is not kept to be re-added at every start.
			waitFor(t, "the unplayable torrent to leave the engine", 10*time.Second, func() bool {
				return findTorrent(env.svc.engine, tc.hash) == nil
			})
		})
	}
	// The library survived all of it.
	if err := env.svc.library.SetFavorite("x:y", true); err != nil || !env.svc.library.IsFavorite("x:y") {
		t.Fatalf("library unusable after playback errors: %v", err)
	}
}

// While data is missing the player view says "Buffering N%", and the status overlay shows
// the download: peers, progress and seeding.
func TestBufferingAndStatusOverlay(t *testing.T) {
	// The film needs about 115 kB/s; the only seeder sends 48 KiB/s.
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Path: film(t, shortFilm), UploadCaps: []int64{48 << 10}})
	title := movie("slow", "Slow Film", 2001, catalog.Source{Magnet: swarm.Magnet})
	env := newTestEnv(t, nil)
	onUI(func() { env.u.play(playRequest{title: title, source: title.Sources[0], fileIndex: catalog.MainFile}) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "Buffering with a percentage", 90*time.Second, func() bool {
		return strings.HasPrefix(pb.CentreText(), "Buffering ") && strings.HasSuffix(pb.CentreText(), "%")
	})
	waitFor(t, "the status overlay", 30*time.Second, func() bool {
		s := pb.statusText.Text
		return strings.Contains(s, "1 peer") && strings.Contains(s, "% downloaded") && strings.Contains(s, "seeding on")
	})
	st := pb.lastStatus.Load()
	if st == nil || st.BytesComplete >= st.Length {
		t.Fatalf("status %+v: the slow swarm cannot have sent everything yet", st)
	}
}

// The controls hide while the film plays and come back when the mouse moves; a tap on a
// control never keeps the keyboard from the player.
func TestControlsHideWhilePlayingAndKeysStayWithThePlayer(t *testing.T) {
	old := controlsHideAfter
	controlsHideAfter = 0
	t.Cleanup(func() { controlsHideAfter = old })
	env := newTestEnv(t, nil)
	onUI(func() { env.win.Canvas().Focus(env.u.home.search) })
	pb := openLocal(t, env, film(t, shortFilm))
	if f := uiValue(env.win.Canvas().Focused); f != nil {
		t.Fatalf("the search box's focus (%T) followed into the player, where it would take Space and the arrows", f)
	}
	waitFor(t, "the controls to hide", 20*time.Second, func() bool { return !pb.controls.Visible() && !pb.top.Visible() })
	if !uiValue(func() bool { return env.u.indicators[len(env.u.indicators)-1].Visible() }) {
		t.Fatal("the seeding indicator must stay visible while the controls hide")
	}
	onUI(func() { pb.activity.MouseMoved(nil) })
	if !uiValue(pb.controls.Visible) {
		t.Fatal("moving the mouse did not bring the controls back")
	}
	onUI(func() { test.Tap(pb.volume) })
	if f := uiValue(env.win.Canvas().Focused); f != nil {
		t.Fatalf("after a tap on the volume slider %T has the keyboard focus, so Space would not reach the player", f)
	}
}

// I pins the status overlay (rates, peers, web seeds, buffer, seeding) on screen while the
// controls hide, and a second I lets it hide with them again.
func TestInfoKeyPinsTheStatusOverlay(t *testing.T) {
	old := controlsHideAfter
	controlsHideAfter = 0
	t.Cleanup(func() { controlsHideAfter = old })
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, film(t, shortFilm))
	waitFor(t, "the controls to hide", 20*time.Second, func() bool { return !pb.controls.Visible() && !pb.top.Visible() })
	onUI(func() { pb.typedKey(&fyne.KeyEvent{Name: fyne.KeyI}) })
	waitFor(t, "the controls to hide again with the overlay pinned", 20*time.Second, func() bool {
		return !pb.controls.Visible() && pb.top.Visible() && pb.statusText.Visible()
	})
	onUI(func() { pb.typedKey(&fyne.KeyEvent{Name: fyne.KeyI}) })
	waitFor(t, "the overlay to hide with the controls once unpinned", 20*time.Second, func() bool { return !pb.controls.Visible() && !pb.top.Visible() })
}

func TestBufferingTextSaysHowFarAndWhatItWaitsFor(t *testing.T) {
	st := playStatus{BufferPercent: 40, torrent: true, Peers: 3, Webseeds: 1, DownloadRate: 1.2e6}
	if got, want := st.bufferingText(), "Buffering 40% · waiting for 3 peers and 1 web seed at 1.2 MB/s"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	for _, c := range []struct {
		st   playStatus
		want string
	}{
		{playStatus{BufferPercent: 43, torrent: true, Peers: 1}, "Buffering 43% · waiting for 1 peer at 0 B/s"},
		{playStatus{BufferPercent: 10, torrent: true, Webseeds: 2, DownloadRate: 5e5}, "Buffering 10% · waiting for 2 web seeds at 500 kB/s"},
		{playStatus{torrent: true}, "Buffering 0% · looking for peers and web seeds"},
	} {
		if got := c.st.bufferingText(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
	if got := (playStatus{BufferPercent: 140}).bufferingText(); got != "Buffering 100%" {
		t.Fatalf("a local file: %q", got)
	}
}

// The audio menu switches tracks; the subtitle menu turns tracks on and off and shifts
// their timing.
func TestAudioAndSubtitleMenus(t *testing.T) {
	spec := shortFilm
	spec.Label = "app-two-audio"
	spec.Duration = 6 * time.Second
	spec.Audio = []mediagen.AudioTrack{{Codec: "aac", Language: "eng"}, {Codec: "aac", Language: "fra", Frequency: 880}}
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, film(t, spec))
	p := pb.currentPlayer()
	if uiValue(pb.audioBtn.Disabled) {
		t.Fatal("a film with two audio tracks leaves the audio menu disabled")
	}
	items := uiValue(pb.audioMenu)
	if len(items) != 2 || !items[0].Checked || !strings.HasPrefix(items[0].Label, "English") || !strings.HasPrefix(items[1].Label, "French") {
		t.Fatalf("audio menu %v, want English (checked) and French, by name", menuLabels(items))
	}
	onUI(items[1].Action)
	waitFor(t, "the French track", 10*time.Second, func() bool { return p.AudioTrack() == p.AudioTracks()[1].ID })
	if items := uiValue(pb.audioMenu); !items[1].Checked {
		t.Fatalf("audio menu after switching: %v", menuLabels(items))
	}

	subs := uiValue(pb.subtitleMenu)
	byLabel := func(items []*fyne.MenuItem, prefix string) *fyne.MenuItem {
		for _, it := range items {
			if strings.HasPrefix(it.Label, prefix) {
				return it
			}
		}
		t.Fatalf("no %q in the subtitle menu %v", prefix, menuLabels(items))
		return nil
	}
	if !byLabel(subs, "Off").Checked {
		t.Fatal("subtitles start off, the menu should say so")
	}
	onUI(byLabel(subs, "English").Action)
	onUI(byLabel(uiValue(pb.subtitleMenu), "Show later").Action)
	onUI(byLabel(uiValue(pb.subtitleMenu), "Show later").Action)
	if got := uiValue(func() time.Duration { return pb.subOffset }); got != 2*subtitleOffsetStep {
		t.Fatalf("subtitle offset %v after two 'later', want %v", got, 2*subtitleOffsetStep)
	}
	subs = uiValue(pb.subtitleMenu)
	if !byLabel(subs, "English").Checked || !strings.Contains(byLabel(subs, "Show later").Label, "+0.50 s") {
		t.Fatalf("subtitle menu %v", menuLabels(subs))
	}
	onUI(byLabel(subs, "Reset timing").Action)
	onUI(byLabel(uiValue(pb.subtitleMenu), "Off").Action)
	if got := uiValue(func() int { return pb.chosenSubtitle }); got != -1 || uiValue(func() time.Duration { return pb.subOffset }) != 0 {
		t.Fatalf("after Reset timing and Off: track %d, offset %v", got, pb.subOffset)
	}
}

func menuLabels(items []*fyne.MenuItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// At the end the player view offers Replay (no next episode for a film), and Replay
// plays the film again from the start and takes the panel away.
func TestEndScreenOffersReplay(t *testing.T) {
	path := film(t, shortFilm)
	env := newTestEnv(t, nil)
	pb := openLocal(t, env, path)
	p := pb.currentPlayer()
	p.Seek(p.Duration() - time.Second)
	waitFor(t, "the end", 30*time.Second, func() bool { return p.State() == player.StateEnded })
	waitFor(t, "the end panel", 10*time.Second, pb.upNext.Visible)
	if uiValue(pb.playNextBtn.Visible) || !uiValue(pb.replayBtn.Visible) {
		t.Fatal("a film's end panel should offer Replay and no next episode")
	}
	if got := uiValue(func() string { return pb.upNextLbl.Text }); !strings.Contains(got, "Finished") {
		t.Errorf("end panel says %q", got)
	}
	painted := pb.video.framesPainted.Load()
	onUI(func() { test.Tap(pb.replayBtn) })
	waitFor(t, "playing again from the start", 20*time.Second, func() bool {
		return p.State() == player.StatePlaying && p.Position() < 5*time.Second && pb.video.framesPainted.Load() > painted
	})
	if uiValue(pb.upNext.Visible) {
		t.Error("the end panel stays up while the film plays again")
	}
}

// Play on a title stopped part-way, from a button that does not say "Resume", asks:
// Resume from 0:12 or Start over, and each does what it says. A title marked watched
// starts over without asking.
func TestPlayAsksToResumeUnlessWatched(t *testing.T) {
	path := film(t, shortFilm)
	env := newTestEnv(t, nil)
	title := movie("resume-me", "Resume Me", 2001, catalog.Source{})
	req := playRequest{title: title, path: path, fileIndex: catalog.MainFile, resume: true}
	lib := env.svc.library
	saved := 12 * time.Second
	setSaved := func() {
		t.Helper()
		if err := lib.MarkPlayed(title.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := lib.SetResume(title.ID, 0, saved, shortFilm.Duration); err != nil {
			t.Fatal(err)
		}
	}
	playingFrom := func(what string, from, to time.Duration) {
		t.Helper()
		waitFor(t, what, 30*time.Second, func() bool {
			pb := env.u.playback
			if pb == nil {
				return false
			}
			p := pb.currentPlayer()
			return p != nil && p.State() == player.StatePlaying && p.Position() >= from && p.Position() < to
		})
		onUI(env.u.nav.back)
		waitFor(t, "the player to close", 10*time.Second, func() bool { return env.u.playback == nil })
	}
	for _, resume := range []bool{true, false} {
		setSaved()
		onUI(func() { env.u.playAsking(req) })
		rp := uiValue(func() *resumePrompt { return env.u.resumePrompt })
		if rp == nil {
			t.Fatal("Play on a title stopped at 0:12 did not ask")
		}
		if got := rp.resume.Text; got != "Resume from 0:12" {
			t.Errorf("the resume button says %q", got)
		}
		if uiValue(func() bool { return env.u.playback != nil }) {
			t.Fatal("the film started before the question was answered")
		}
		if resume {
			onUI(func() { test.Tap(rp.resume) })
			playingFrom("resuming at 0:12", saved-time.Second, saved+6*time.Second)
		} else {
			onUI(func() { test.Tap(rp.startOver) })
			playingFrom("starting over", 0, 6*time.Second)
		}
	}
	setSaved()
	if err := lib.SetWatched(title.ID, true); err != nil {
		t.Fatal(err)
	}
	onUI(func() { env.u.playAsking(req) })
	if rp := uiValue(func() *resumePrompt { return env.u.resumePrompt }); rp != nil {
		t.Fatal("a title marked watched asked to resume")
	}
	playingFrom("a watched title starting over", 0, 6*time.Second)
}

// A magnet nobody shares: while its details are fetched the centre counts the peers found
// and offers Cancel; offline it says so at once, and the failure says "offline" and offers
// Retry, which opens the film again.
func TestMetadataWaitTellsOfflineAndRetries(t *testing.T) {
	env := newTestEnv(t, nil)
	env.svc.metadataTimeout = 3 * time.Second
	var online atomic.Bool
	online.Store(true)
	env.svc.networkUp = online.Load
	magnet := "magnet:?xt=urn:btih:" + strings.Repeat("5d", 20) + "&dn=Nobody+Has+It"
	title := movie("unshared", "Nobody Has It", 2000, catalog.Source{Magnet: magnet})
	req := playRequest{title: title, source: title.Sources[0], fileIndex: catalog.MainFile}

	onUI(func() { env.u.play(req) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the wait to count peers, with Cancel", 10*time.Second, func() bool {
		return strings.Contains(pb.CentreText(), "0 peers found, 0 connected") && pb.waitCancel.Visible()
	})
	onUI(func() { test.Tap(pb.waitCancel) })
	waitFor(t, "Cancel to leave the player", 10*time.Second, func() bool { return env.u.playback == nil })

	online.Store(false)
	onUI(func() { env.u.play(req) })
	pb = uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the offline notice", 10*time.Second, func() bool { return strings.Contains(pb.CentreText(), "offline") })
	waitFor(t, "the failure message", 30*time.Second, pb.message.Visible)
	if msg := uiValue(func() string { return pb.messageLbl.Text }); !strings.HasPrefix(msg, "You're offline") {
		t.Fatalf("message %q, want that the computer is offline", msg)
	}
	if uiValue(pb.waitCancel.Visible) || !uiValue(pb.retryBtn.Visible) {
		t.Fatal("after the failure Cancel should go and Retry be offered")
	}
	online.Store(true)
	onUI(func() { test.Tap(pb.retryBtn) })
	waitFor(t, "Retry to open the film again", 10*time.Second, func() bool {
		next := env.u.playback
		return next != nil && next != pb && strings.Contains(next.CentreText(), "peers found")
	})
}
