package player

import (
	"encoding/binary"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Cue is one subtitle line as plain text, shown from Start until End (media time, before
// the user's offset).
type Cue struct {
	Start, End time.Duration
	Text       string
}

// defaultCueLength closes cues whose container gave no duration.
const defaultCueLength = 4 * time.Second

// cueList is a track's cues sorted by start. Embedded tracks grow as packets are demuxed
// (and again after a seek back), so add ignores a cue it already holds.
type cueList struct {
	mu   sync.Mutex
	cues []Cue
}

func (l *cueList) add(c Cue) {
	if c.Text == "" || c.End <= c.Start {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	i := sort.Search(len(l.cues), func(i int) bool { return l.cues[i].Start >= c.Start })
	for j := i; j < len(l.cues) && l.cues[j].Start == c.Start; j++ {
		if l.cues[j].Text == c.Text {
			return
		}
	}
	l.cues = append(l.cues, Cue{})
	copy(l.cues[i+1:], l.cues[i:])
	l.cues[i] = c
}

// at returns the text of every cue active at t, joined by newlines in start order, and
// the next time the answer may change (or -1 if never).
func (l *cueList) at(t time.Duration) (string, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lines []string
	next := time.Duration(-1)
	earlier := func(d time.Duration) {
		if next < 0 || d < next {
			next = d
		}
	}
	for _, c := range l.cues {
		if c.Start > t {
			earlier(c.Start)
			break
		}
		if c.End > t {
			lines = append(lines, c.Text)
			earlier(c.End)
		}
	}
	return strings.Join(lines, "\n"), next
}

func (l *cueList) snapshot() []Cue {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Cue(nil), l.cues...)
}

// Subtitle packet payloads, per codec, as FFmpeg's demuxers hand them out.

var errSubtitlePacket = errors.New("malformed subtitle packet")

// packetText extracts the plain text of one embedded subtitle packet.
func packetText(codec string, data []byte) (string, error) {
	switch codec {
	case "subrip", "srt", "text", "webvtt":
		return StripMarkup(decodeText(data)), nil
	case "ass", "ssa":
		// Matroska stores "ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text".
		fields := strings.SplitN(decodeText(data), ",", 9)
		if len(fields) < 9 {
			return "", errSubtitlePacket
		}
		return StripMarkup(fields[8]), nil
	case "mov_text":
		// A 16-bit big-endian text length, the UTF-8 text, then optional style boxes.
		if len(data) < 2 {
			return "", errSubtitlePacket
		}
		n := int(binary.BigEndian.Uint16(data))
		if n > len(data)-2 {
			return "", errSubtitlePacket
		}
		return StripMarkup(decodeText(data[2 : 2+n])), nil
	}
	return "", errors.New("unsupported subtitle codec " + codec)
}

// textSubtitleCodecs are the embedded formats the player turns into cues.
var textSubtitleCodecs = map[string]bool{"subrip": true, "srt": true, "text": true, "webvtt": true, "ass": true, "ssa": true, "mov_text": true}

// decodeText returns b as UTF-8: a BOM is dropped and bytes that are not UTF-8 are read as
// Windows-1252, the usual encoding of older Western .srt files.
func decodeText(b []byte) string {
	b = trimBOM(b)
	if utf8.Valid(b) {
		return string(b)
	}
	// Bytes that Windows-1252 leaves undefined become U+FFFD; the decoder never fails.
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out)
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[3:]
	}
	return b
}

var htmlEntities = strings.NewReplacer(
	"&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", "\u00a0", "&quot;", `"`, "&apos;", "'",
	"&#39;", "'", "&lrm;", "", "&rlm;", "",
)

// StripMarkup turns a subtitle's marked-up text into plain text: HTML-like tags (<i>,
// <font color=...>, WebVTT's <c.x>, <v Name> and <00:01.000>), ASS override blocks
// ({\an8}, {\i1}), ASS line breaks (\N, \n, \h) and HTML entities go; blank lines and
// surrounding spaces are trimmed. A '<' or '{' that opens no tag is kept.
func StripMarkup(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '<':
			if end := tagEnd(s, i); end > 0 {
				i = end
				continue
			}
		case c == '{':
			if end := strings.IndexByte(s[i:], '}'); end > 0 && strings.HasPrefix(s[i+1:], `\`) {
				i += end + 1
				continue
			}
		case c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case 'N', 'n':
				b.WriteByte('\n')
				i += 2
				continue
			case 'h':
				b.WriteString("\u00a0")
				i += 2
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	out := htmlEntities.Replace(b.String())
	lines := strings.Split(out, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// tagEnd returns the index after the HTML-like tag opening at s[i], or 0 if s[i:] does not
// start a tag.
func tagEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	if j >= len(s) {
		return 0
	}
	first := s[j]
	if !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z' || first >= '0' && first <= '9') {
		return 0
	}
	end := strings.IndexByte(s[j:], '>')
	if end < 0 || end > 200 || strings.ContainsAny(s[j:j+end], "<\n") {
		return 0
	}
	return j + end + 1
}
