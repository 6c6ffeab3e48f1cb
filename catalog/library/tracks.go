package library

import (
	bolt "go.etcd.io/bbolt"
)

var bucketTracks = []byte("tracks")

// Track names an audio or subtitle track the way it can be found again in the next play:
// the player's ID with the track's language and title, which a re-probe or a subtitle
// file loaded in another order may not number the same.
type Track struct {
	ID       int    `json:"id"`
	Language string `json:"language,omitempty"`
	Title    string `json:"title,omitempty"`
}

// TrackChoice is what the user picked in the player for a title or episode.
type TrackChoice struct {
	Audio *Track `json:"audio,omitempty"` // nil: never picked
	// Subtitle is the subtitle track picked; nil with SubtitlesOff says "Off" was picked,
	// nil without it that nothing was.
	Subtitle     *Track `json:"subtitle,omitempty"`
	SubtitlesOff bool   `json:"subtitles_off,omitempty"`
}

// SetTracks remembers the tracks picked for a title (or an episode's ID).
func (l *Library) SetTracks(titleID string, c TrackChoice) error {
	if err := requireID("title ID", titleID); err != nil {
		return err
	}
	return l.update("tracks "+titleID, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTracks)
		if err != nil {
			return err
		}
		return putJSON(b, titleID, c)
	})
}

// Tracks returns the tracks last picked for a title.
func (l *Library) Tracks(titleID string) (TrackChoice, bool) {
	var c TrackChoice
	var ok bool
	err := l.view("tracks", func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketTracks); b != nil {
			ok = l.getJSON(bucketTracks, []byte(titleID), b.Get([]byte(titleID)), &c)
		}
		return nil
	})
	if err != nil {
		l.logger.Warn("library read failed", "err", err)
	}
	return c, ok
}
