package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"marquee/catalog"
	"marquee/internal/mediagen"
	"marquee/player"
)

// playTitleFile plays a local file as a catalog title (so the library keys it by the
// title) and waits for pictures.
func playTitleFile(t *testing.T, env *testEnv, title catalog.Title, path string) *playback {
	t.Helper()
	onUI(func() { env.u.play(playRequest{title: title, path: path, fileIndex: catalog.MainFile}) })
	pb := uiValue(func() *playback { return env.u.playback })
	waitFor(t, "the film playing", 60*time.Second, func() bool {
		return playerState(env.u) == player.StatePlaying && pb.video.framesPainted.Load() > 0
	})
	return pb
}

func menuItem(t *testing.T, items []*fyne.MenuItem, prefix string) *fyne.MenuItem {
	t.Helper()
	for _, it := range items {
		if strings.HasPrefix(it.Label, prefix) {
			return it
		}
	}
	t.Fatalf("no %q in the menu %v", prefix, menuLabels(items))
	return nil
}

// The audio track and subtitles picked for a title come back the next time it plays, Off
// included.
func TestTrackChoiceIsRestoredForTheTitle(t *testing.T) {
	spec := shortFilm
	spec.Label = "app-tracks"
	spec.Container = "mkv"
	spec.Duration = 6 * time.Second
	spec.Audio = []mediagen.AudioTrack{{Codec: "aac", Language: "eng"}, {Codec: "aac", Language: "fra", Frequency: 880}}
	spec.Subtitles = []mediagen.SubtitleTrack{{Codec: "srt", Language: "eng"}, {Codec: "srt", Language: "fra"}}
	path := film(t, spec)
	env := newTestEnv(t, nil)
	title := movie("tracks-film", "Tracks", 2020, catalog.Source{})
	leave := func() { onUI(func() { env.u.nav.popTo(pageHome) }) }

	pb := playTitleFile(t, env, title, path)
	p := pb.currentPlayer()
	english, french := p.AudioTracks()[0].ID, p.AudioTracks()[1].ID
	if p.AudioTrack() != english || uiValue(func() int { return pb.chosenSubtitle }) != -1 {
		t.Fatalf("first play starts with audio %d and subtitle %d, want English (%d) and none", p.AudioTrack(), pb.chosenSubtitle, english)
	}
	onUI(menuItem(t, uiValue(pb.audioMenu), "French").Action)
	onUI(menuItem(t, uiValue(pb.subtitleMenu), "French").Action)
	frenchSubs := uiValue(func() int { return pb.chosenSubtitle })
	waitFor(t, "the choice saved", 10*time.Second, func() bool {
		c, _ := env.svc.library.Tracks(title.ID)
		return c.Audio != nil && c.Audio.ID == french && c.Subtitle != nil && c.Subtitle.ID == frenchSubs
	})
	leave()

	pb = playTitleFile(t, env, title, path)
	p = pb.currentPlayer()
	waitFor(t, "French audio and subtitles again", 10*time.Second, func() bool {
		return p.AudioTrack() == french && pb.chosenSubtitle == frenchSubs
	})
	if item := menuItem(t, uiValue(pb.subtitleMenu), "French"); !item.Checked {
		t.Fatal("the restored subtitle track is not checked in the menu")
	}
	onUI(menuItem(t, uiValue(pb.subtitleMenu), "Off").Action)
	waitFor(t, "Off saved", 10*time.Second, func() bool {
		c, _ := env.svc.library.Tracks(title.ID)
		return c.SubtitlesOff && c.Subtitle == nil && c.Audio != nil && c.Audio.ID == french
	})
	leave()

	pb = playTitleFile(t, env, title, path)
	p = pb.currentPlayer()
	waitFor(t, "French audio again", 10*time.Second, func() bool { return p.AudioTrack() == french })
	if got := uiValue(func() int { return pb.chosenSubtitle }); got != -1 {
		t.Fatalf("subtitles were turned off for this title, yet track %d is on", got)
	}
}
