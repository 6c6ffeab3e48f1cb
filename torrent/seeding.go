package torrent

import (
	"fmt"
	"time"
)

const (
	// quiescePoll and quiesceStable decide when uploads have really stopped after seeding
	// is switched off: no payload leaves for quiesceStable polls in a row.
	quiescePoll    = 25 * time.Millisecond
	quiesceStable  = 4
	quiesceTimeout = 3 * time.Second
)

// SetSeeding switches uploading of payload on or off for every torrent at once. Off applies to
// existing connections too (they stay open, choked); SetSeeding(false) returns once no more
// payload leaves, or after 3 s. On restores uploading, subject to the ratio limit and
// seed-only-while-watching.
func (e *Engine) SetSeeding(on bool) {
	e.mu.Lock()
	e.seeding = on
	e.mu.Unlock()
	e.applyUploadPolicy()
	if !on {
		e.waitUploadsStopped()
	}
}

// Seeding reports whether seeding is switched on.
func (e *Engine) Seeding() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seeding
}

// SetRatioLimit stops uploading each torrent whose ratio reaches r; 0 removes the limit.
func (e *Engine) SetRatioLimit(r float64) {
	e.mu.Lock()
	e.ratioLimit = max(r, 0)
	e.mu.Unlock()
	e.applyUploadPolicy()
}

// SetSeedOnlyWhileWatching uploads each torrent only while it has an open stream.
func (e *Engine) SetSeedOnlyWhileWatching(on bool) {
	e.mu.Lock()
	e.seedOnlyWhileWatching = on
	e.mu.Unlock()
	e.applyUploadPolicy()
}

// uploadAllowedLocked is the seeding policy for a torrent; e.mu must be held.
func (e *Engine) uploadAllowedLocked(t *Torrent, streams int, ratio float64) bool {
	switch {
	case !e.seeding, t.notShared:
		return false
	case e.seedOnlyWhileWatching && streams == 0:
		return false
	case e.ratioLimit > 0 && ratio >= e.ratioLimit:
		return false
	}
	return true
}

// applyUploadPolicy allows or disallows uploading on each torrent as the policy says.
func (e *Engine) applyUploadPolicy() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	for _, t := range e.torrents {
		st := t.Stats()
		allow := e.uploadAllowedLocked(t, t.openStreams(), st.Ratio)
		t.mu.Lock()
		changed := allow != t.uploadAllowed
		t.uploadAllowed = allow
		t.mu.Unlock()
		if !changed {
			continue
		}
		if allow {
			t.t.AllowDataUpload()
		} else {
			t.t.DisallowDataUpload()
		}
	}
}

// waitUploadsStopped waits until no torrent's sent-payload counter moves: chunks already
// queued on a connection when uploading was disallowed still go out.
func (e *Engine) waitUploadsStopped() {
	deadline := time.Now().Add(quiesceTimeout)
	last, stable := int64(-1), 0
	for time.Now().Before(deadline) && stable < quiesceStable {
		var up int64
		for _, t := range e.Torrents() {
			st := t.t.Stats()
			up += st.BytesWrittenData.Int64()
		}
		if up == last {
			stable++
		} else {
			stable = 0
		}
		last = up
		time.Sleep(quiescePoll)
	}
}

// SetSharing lets this torrent upload again under the engine's seeding policy (on), or
// stops it uploading whatever that policy says (off). Off applies to open connections
// too. The choice is kept across restarts.
func (t *Torrent) SetSharing(on bool) error {
	e := t.e
	e.mu.Lock()
	t.notShared = !on
	e.mu.Unlock()
	e.applyUploadPolicy()
	t.mu.Lock()
	dropped := t.dropped
	t.mu.Unlock()
	if dropped {
		return nil
	}
	if err := e.db.updateRecord(t.ih, func(r *torrentRecord) { r.NotShared = !on }); err != nil {
		return fmt.Errorf("remember sharing of %s: %w", t.ih.HexString(), err)
	}
	return nil
}

// Sharing reports whether the user lets this torrent upload (see SetSharing).
func (t *Torrent) Sharing() bool {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	return !t.notShared
}
