package app

import (
	"fmt"
	"time"

	"marquee/player"
	"marquee/torrent"
)

// noSourceAfter is how long a film that waits for its first bytes may go with no byte and no
// source before the player view says so instead of spinning; a variable for tests.
var noSourceAfter = 5 * time.Second

// noSourceText says in words that nobody can send the film, with the counts behind it.
func noSourceText(st torrent.Stats) string {
	return fmt.Sprintf("No one is sharing this film right now: %d peers, %d web seeds", st.Peers, st.Webseeds)
}

// watchSources runs for a torrent's session: four times a second it checks the torrent,
// and while the film waits for data (opening, or buffering) with no byte arriving for
// noSourceAfter and no peer and no web seed, the spinner's text becomes noSourceText. Once a
// source appears the text goes back to opening (buffering puts back its own at its next
// event).
func (s *playSession) watchSources(t *torrent.Torrent, opening string) {
	tick := time.NewTicker(time.Second / 4)
	defer tick.Stop()
	last, lastChange := int64(-1), time.Now()
	shown := false // a notice may be on screen
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-tick.C:
		}
		st := t.Stats()
		noSource := st.Peers == 0 && st.Webseeds == 0 && (st.Length == 0 || st.BytesComplete < st.Length)
		if st.BytesDown != last || !noSource {
			last, lastChange = st.BytesDown, time.Now()
		}
		text := ""
		if noSource && time.Since(lastChange) >= noSourceAfter {
			text = noSourceText(st)
		}
		if text != "" || shown {
			runOnUI(func() { s.view.showNoSource(text, opening) })
		}
		shown = text != ""
	}
}

// showNoSource puts text (noSourceText) in place of the spinner's while the film waits for
// data; "" takes it away again, back to what the wait would show.
func (pb *playback) showNoSource(text, opening string) {
	if pb.ctx.Err() != nil {
		return
	}
	waiting := !pb.opened || pb.state == player.StateBuffering
	switch {
	case text != "" && waiting:
		pb.noSourceShown = true
		pb.showCentre(text)
	case text == "" && pb.noSourceShown:
		pb.noSourceShown = false
		if !pb.opened {
			pb.showCentre(opening)
		} else if pb.state == player.StateBuffering {
			pb.showCentre("Buffering…")
		}
	}
}
