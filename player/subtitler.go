package player

import (
	"sync"
	"sync/atomic"
	"time"
)

// SubtitleSink receives the subtitle text to show; "" clears it. It is called from the
// player's subtitle goroutine whenever the visible text changes.
type SubtitleSink interface {
	ShowSubtitle(text string)
}

// firstExternalID numbers loaded subtitle files apart from embedded stream indexes.
const firstExternalID = 1000

// subtitleState holds every subtitle track's cues and which one is shown.
type subtitleState struct {
	mu       sync.Mutex
	tracks   []TrackInfo
	cues     map[int]*cueList
	active   int           // track ID, -1 = off
	offset   time.Duration // added to every cue's times
	nextID   int
	streamID atomic.Int64 // embedded stream whose packets become cues, -1 = none
	wakeCh   chan struct{}
}

func newSubtitleState() *subtitleState {
	s := &subtitleState{cues: map[int]*cueList{}, active: -1, nextID: firstExternalID, wakeCh: make(chan struct{}, 1)}
	s.streamID.Store(-1)
	return s
}

func (s *subtitleState) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// embedded is the stream index the reader turns into cues, or -1.
func (s *subtitleState) embedded() int { return int(s.streamID.Load()) }

func (s *subtitleState) addEmbedded(stream int, c Cue) {
	s.mu.Lock()
	l := s.cues[stream]
	s.mu.Unlock()
	if l != nil {
		l.add(c)
		s.wake()
	}
}

func (s *subtitleState) addTrack(t TrackInfo, cues []Cue) TrackInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.External {
		t.ID = s.nextID
		s.nextID++
	}
	l := &cueList{}
	for _, c := range cues {
		l.add(c)
	}
	s.tracks = append(s.tracks, t)
	s.cues[t.ID] = l
	return t
}

func (s *subtitleState) list() []TrackInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TrackInfo(nil), s.tracks...)
}

// selectTrack makes id the shown track (-1 = none). It reports whether id is an embedded
// track, whose earlier cues the caller must fetch by re-reading from the current position.
func (s *subtitleState) selectTrack(id int) (embedded bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id < 0 {
		s.active = -1
		s.streamID.Store(-1)
		s.wake()
		return false, nil
	}
	for _, t := range s.tracks {
		if t.ID != id {
			continue
		}
		if !t.Playable {
			return false, &CodecError{Media: "subtitle", Codec: t.Codec}
		}
		s.active = id
		if t.External {
			s.streamID.Store(-1)
		} else {
			s.streamID.Store(int64(id))
		}
		s.wake()
		return !t.External, nil
	}
	return false, ErrNoTrack
}

func (s *subtitleState) setOffset(d time.Duration) {
	s.mu.Lock()
	s.offset = d
	s.mu.Unlock()
	s.wake()
}

// textAt is the active track's text at media time t and when it may next change.
func (s *subtitleState) textAt(t time.Duration) (string, time.Duration) {
	s.mu.Lock()
	l, offset := s.cues[s.active], s.offset
	s.mu.Unlock()
	if l == nil {
		return "", -1
	}
	text, next := l.at(t - offset)
	if next >= 0 {
		next += offset
	}
	return text, next
}

// runSubtitler shows the active track's text as the clock passes cue boundaries.
func (p *Player) runSubtitler(sink SubtitleSink) {
	defer p.wg.Done()
	shown := ""
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := 100 * time.Millisecond
		if !p.gate.playing.Load() {
			wait = idleWait // the clock stands still; play, seeks and new cues wake us
		}
		pos := p.Position()
		text, next := p.subs.textAt(pos)
		if text != shown {
			shown = text
			sink.ShowSubtitle(text)
		}
		if next > pos {
			wait = min(wait, next-pos)
		}
		timer.Reset(wait)
		select {
		case <-p.abort:
			if shown != "" {
				sink.ShowSubtitle("")
			}
			return
		case <-p.subs.wakeCh:
			// Since Go 1.23 a stopped timer never delivers a stale tick, so there is
			// nothing to drain (draining would block).
			timer.Stop()
		case <-timer.C:
		}
	}
}
