package library_test

import (
	"path/filepath"
	"testing"

	"marquee/catalog/library"
)

// The tracks picked for a title survive a restart; one title's choice is not another's.
func TestTrackChoiceIsKeptPerTitle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "library.db")
	lib, _ := open(t, path)
	if _, ok := lib.Tracks("demo:film"); ok {
		t.Fatal("a fresh library has a track choice")
	}
	choice := library.TrackChoice{Audio: &library.Track{ID: 2, Language: "fra"}, SubtitlesOff: true}
	must(t, lib.SetTracks("demo:film", choice))
	must(t, lib.SetTracks("demo:other", library.TrackChoice{Subtitle: &library.Track{ID: 3, Title: "film.srt"}}))
	must(t, lib.Close())

	lib, _ = open(t, path)
	got, ok := lib.Tracks("demo:film")
	if !ok || got.Audio == nil || *got.Audio != *choice.Audio || got.Subtitle != nil || !got.SubtitlesOff {
		t.Fatalf("after a restart the choice is %+v (found %v), want %+v", got, ok, choice)
	}
	if other, _ := lib.Tracks("demo:other"); other.Subtitle == nil || other.Subtitle.Title != "film.srt" || other.Audio != nil {
		t.Fatalf("the other title's choice is %+v", other)
	}
	if err := lib.SetTracks(" ", choice); err == nil {
		t.Fatal("a choice for an empty title ID was stored")
	}
}
