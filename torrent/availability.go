package torrent

import (
	anacrolix "github.com/anacrolix/torrent"
)

// Range is a half-open byte range [Start, End) of a file.
type Range struct {
	Start, End int64
}

// completedPieces returns which pieces are verified, in one pass under the client lock.
func (t *Torrent) completedPieces() []bool {
	if t.t.Info() == nil {
		return nil
	}
	runs := t.t.PieceStateRuns()
	done := make([]bool, 0, t.t.NumPieces())
	for _, r := range runs {
		for range r.Length {
			done = append(done, r.Complete)
		}
	}
	return done
}

// fileExtent returns a file's torrent offset and length.
func (t *Torrent) fileExtent(fileIndex int) (*anacrolix.File, int64, int64, error) {
	f, err := t.file(fileIndex)
	if err != nil {
		return nil, 0, 0, err
	}
	return f, f.Offset(), f.Length(), nil
}

// Availability returns the verified byte ranges of a file, file-relative and merged, for
// drawing the seek bar. Nil before metadata or for an unknown file.
func (t *Torrent) Availability(fileIndex int) []Range {
	_, off, length, err := t.fileExtent(fileIndex)
	if err != nil || length == 0 {
		return nil
	}
	done := t.completedPieces()
	pl := t.PieceLength()
	var out []Range
	for i := int(off / pl); i < len(done) && int64(i)*pl < off+length; i++ {
		if !done[i] {
			continue
		}
		start := max(int64(i)*pl, off) - off
		end := min(int64(i+1)*pl, off+length) - off
		if n := len(out); n > 0 && out[n-1].End == start {
			out[n-1].End = end
		} else {
			out = append(out, Range{start, end})
		}
	}
	return out
}

// PieceStates returns, for each piece overlapping the file, whether it is verified.
func (t *Torrent) PieceStates(fileIndex int) []bool {
	f, _, length, err := t.fileExtent(fileIndex)
	if err != nil || length == 0 {
		return nil
	}
	done := t.completedPieces()
	return append([]bool(nil), done[f.BeginPieceIndex():f.EndPieceIndex()]...)
}

// ContiguousAhead returns how many verified bytes follow file offset off without a gap,
// up to the end of the file.
func (t *Torrent) ContiguousAhead(fileIndex int, off int64) int64 {
	_, fileOff, length, err := t.fileExtent(fileIndex)
	if err != nil || off < 0 || off >= length {
		return 0
	}
	pl := t.PieceLength()
	end := fileOff + length
	pos := fileOff + off
	for i := int(pos / pl); int64(i)*pl < end; i++ {
		if !t.t.PieceState(i).Complete {
			break
		}
		pos = min(int64(i+1)*pl, end)
	}
	return pos - (fileOff + off)
}
