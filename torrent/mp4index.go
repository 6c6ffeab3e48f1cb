package torrent

import (
	"bytes"
	"marquee/internal/mp4box"
	"path"
	"strings"
)

// The tail of a file is fetched with its head (see planPieces) because many players read it
// next: an MP4 whose index (moov) follows the media data, a Matroska file's cues. An MP4 whose
// index comes first never needs its tail to open, and on a scarce swarm that megabyte is a
// second of playback the first minute lacks; so the first bytes a player reads of an MP4 say
// whether the tail is still wanted.

// mp4Family says whether a file name is of the ISO base media formats, whose index is a
// top-level moov box.
func mp4Family(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".mp4", ".m4v", ".mov", ".3gp":
		return true
	}
	return false
}

// mp4IndexFirst reads the top-level boxes at the start of an MP4 file: first is true when the
// moov box comes before the media data (mdat), and known is false when head ends before either
// is found or is not MP4 at all.
func mp4IndexFirst(head []byte) (first, known bool) {
	if len(head) < 8 || string(head[4:8]) != "ftyp" {
		return false, false
	}
	box, err := mp4box.FirstOf(bytes.NewReader(head), int64(len(head)), "moov", "mdat")
	if err != nil {
		return false, false
	}
	return box == "moov", true
}
