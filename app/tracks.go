package app

import (
	"sync"

	"marquee/catalog/library"
	"marquee/player"
)

// trackMemory brings back the audio and subtitle tracks the user picked the last time a
// title played, and remembers new picks. The saved choice is read by the opener goroutine;
// the rest runs on the UI goroutine, and writes go through the library's task goroutine.
type trackMemory struct {
	mu    sync.Mutex
	saved library.TrackChoice // read by the opener, before the player is ready

	// UI goroutine only.
	choice                   library.TrackChoice // what to save: saved, changed by picks
	audioDone, subtitlesDone bool                // restored, picked by hand, or given up
}

// load reads the title's saved choice; the opener goroutine calls it.
func (m *trackMemory) load(lib *library.Library, id string) {
	if id == "" {
		return
	}
	c, _ := lib.Tracks(id)
	m.mu.Lock()
	m.saved = c
	m.mu.Unlock()
}

func (m *trackMemory) savedChoice() library.TrackChoice {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saved
}

// findTrack is the track that matches a saved one: the same ID, language and title, else
// the same language and title (a subtitle file loaded in another order).
func findTrack(tracks []player.TrackInfo, want *library.Track) (player.TrackInfo, bool) {
	for _, t := range tracks {
		if t.ID == want.ID && t.Language == want.Language && t.Title == want.Title {
			return t, true
		}
	}
	for _, t := range tracks {
		if t.Language == want.Language && t.Title == want.Title {
			return t, true
		}
	}
	return player.TrackInfo{}, false
}

func savedTrack(t player.TrackInfo) *library.Track {
	return &library.Track{ID: t.ID, Language: t.Language, Title: t.Title}
}

// restoreTracks applies the saved choice once the player lists its tracks; it runs again
// with every new track list, since subtitle files of a torrent load after the film opens.
func (pb *playback) restoreTracks() {
	p, m := pb.currentPlayer(), &pb.tracks
	if p == nil || pb.req.libraryID() == "" {
		return
	}
	saved := pb.tracks.savedChoice()
	if !m.audioDone {
		m.audioDone = true
		m.choice.Audio = saved.Audio
		if saved.Audio != nil {
			if t, ok := findTrack(p.AudioTracks(), saved.Audio); ok && t.Playable && t.ID != p.AudioTrack() {
				if err := p.SetAudioTrack(t.ID); err != nil {
					pb.u.svc.log.Info("restore audio track", "track", t.ID, "err", err)
				}
			}
		}
	}
	if !m.subtitlesDone {
		m.choice.Subtitle, m.choice.SubtitlesOff = saved.Subtitle, saved.SubtitlesOff
		if saved.Subtitle == nil {
			m.subtitlesDone = true // Off, or never picked: the player starts with none
			return
		}
		t, ok := findTrack(p.SubtitleTracks(), saved.Subtitle)
		if !ok {
			return // perhaps a subtitle file still loading: try with the next track list
		}
		m.subtitlesDone = true
		if err := p.SetSubtitleTrack(t.ID); err != nil {
			pb.u.svc.log.Info("restore subtitle track", "track", t.ID, "err", err)
			return
		}
		pb.chosenSubtitle = t.ID
	}
}

// audioPicked remembers an audio track the user chose.
func (pb *playback) audioPicked(t player.TrackInfo) {
	pb.tracks.audioDone = true
	pb.tracks.choice.Audio = savedTrack(t)
	pb.saveTracks()
}

// subtitlePicked remembers the subtitle track the user chose, -1 for Off.
func (pb *playback) subtitlePicked(id int) {
	m := &pb.tracks
	m.subtitlesDone = true
	m.choice.Subtitle, m.choice.SubtitlesOff = nil, id < 0
	if p := pb.currentPlayer(); p != nil && id >= 0 {
		for _, t := range p.SubtitleTracks() {
			if t.ID == id {
				m.choice.Subtitle = savedTrack(t)
			}
		}
	}
	pb.saveTracks()
}

func (pb *playback) saveTracks() {
	id := pb.req.libraryID()
	if id == "" {
		return
	}
	c := pb.tracks.choice
	pb.u.libraryWrite(func(lib *library.Library) error { return lib.SetTracks(id, c) }, func(err error) {
		if err != nil {
			pb.u.svc.log.Warn("save track choice", "id", id, "err", err)
		}
	})
}
