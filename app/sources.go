package app

import (
	"context"
	"fmt"
	"time"

	"marquee/torrent"
)

// noSourceAfter is how long a film that waits for its first bytes may go with no byte and no
// source before the player view says so instead of spinning; a variable for tests.
var noSourceAfter = 5 * time.Second

// noSourceText says in words that nobody can send the film, with the counts behind it.
func noSourceText(st torrent.Stats) string {
	return fmt.Sprintf("No one is sharing this film right now: %d peers, %d web seeds", st.Peers, st.Webseeds)
}

// watchSources runs while the player opens a torrent's film (reading its header can wait
// for ever with no source): four times a second it checks the torrent, and when nothing has
// arrived for noSourceAfter with no peer and no web seed it replaces the spinner's text
// with noSourceText, and puts back opening once a source appears.
func (pb *playback) watchSources(ctx context.Context, t *torrent.Torrent, opening string) {
	tick := time.NewTicker(time.Second / 4)
	defer tick.Stop()
	last, lastChange := int64(-1), time.Now()
	shown := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st := t.Stats()
		noSource := st.Peers == 0 && st.Webseeds == 0
		if st.BytesDown != last || !noSource {
			last, lastChange = st.BytesDown, time.Now()
		}
		switch {
		case noSource && time.Since(lastChange) >= noSourceAfter:
			pb.say(noSourceText(st))
			shown = true
		case shown && !noSource:
			pb.say(opening)
			shown = false
		}
	}
}
