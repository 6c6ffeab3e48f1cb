package source

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// IsLocalMedia reports whether s names a file on disk to play directly rather than a
// torrent: a regular file that is neither named .torrent nor starts like one. Anything else
// (a player can still refuse it) plays: a film need not have a video extension, and the
// player says what is wrong with a file that is no film.
func IsLocalMedia(s string) bool {
	if s == "" || strings.EqualFold(filepath.Ext(s), ".torrent") {
		return false
	}
	f, err := os.Open(s)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	var head [2]byte
	n, _ := io.ReadFull(f, head[:])
	return !looksBencoded(head[:n])
}

// looksBencoded is true for the start of a .torrent ("d8:announce…", "d4:info…"): no media
// container starts with 'd' and a digit (Matroska 1A 45, MP4 size then "ftyp", AVI "RIFF",
// MPEG-TS 47, Ogg "OggS", FLV "FLV").
func looksBencoded(head []byte) bool {
	return len(head) == 2 && head[0] == 'd' && head[1] >= '0' && head[1] <= '9'
}
