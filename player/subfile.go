package player

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxSubtitleFile bounds what ParseSubtitles reads; real subtitle files are well under
// a megabyte, so anything bigger is not one.
const maxSubtitleFile = 16 << 20

// ParseSubtitles reads a SubRip (.srt), WebVTT (.vtt) or ASS/SSA (.ass, .ssa) file into
// plain-text cues sorted by start time. The format is recognised from the content, with
// the name's extension as a hint. It is lenient like real players (missing indexes, '.'
// or ',' before milliseconds, CRLF, a BOM, Windows-1252 text) but reports a clear error
// when no cue can be found.
func ParseSubtitles(r io.Reader, name string) ([]Cue, error) {
	cues, _, err := parseSubtitleFile(r, name)
	return cues, err
}

// parseSubtitleFile is ParseSubtitles that also names the format found: "subrip",
// "webvtt" or "ass".
func parseSubtitleFile(r io.Reader, name string) ([]Cue, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSubtitleFile+1))
	if err != nil {
		return nil, "", fmt.Errorf("read subtitles %s: %w", name, err)
	}
	if len(data) > maxSubtitleFile {
		return nil, "", fmt.Errorf("subtitles %s: larger than %d MiB, not a subtitle file", name, maxSubtitleFile>>20)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", fmt.Errorf("subtitles %s: binary data, not a text subtitle file", name)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(decodeText(data), "\r\n", "\n"), "\r", "\n")
	head := strings.TrimSpace(text)
	var cues []Cue
	codec := "subrip"
	switch {
	case strings.HasPrefix(head, "[Script Info]") || strings.Contains(text, "\nDialogue:") ||
		(isExt(name, ".ass", ".ssa") && strings.Contains(text, "Dialogue:")):
		codec = "ass"
		cues = parseASS(text)
	default:
		if strings.HasPrefix(head, "WEBVTT") {
			codec = "webvtt"
		}
		cues = parseTimedBlocks(text)
	}
	if len(cues) == 0 {
		return nil, "", fmt.Errorf("subtitles %s: no cues found (expected SubRip, WebVTT or ASS)", name)
	}
	sort.SliceStable(cues, func(i, j int) bool { return cues[i].Start < cues[j].Start })
	return cues, codec, nil
}

func isExt(name string, exts ...string) bool {
	e := strings.ToLower(filepath.Ext(name))
	for _, x := range exts {
		if e == x {
			return true
		}
	}
	return false
}

// parseTimedBlocks reads SubRip and WebVTT: every "start --> end" line opens a cue whose
// text runs to the next blank line. Index numbers, cue identifiers, NOTE and STYLE blocks
// and cue settings fall outside cues and are ignored.
func parseTimedBlocks(text string) []Cue {
	lines := strings.Split(text, "\n")
	var cues []Cue
	for i := 0; i < len(lines); i++ {
		start, end, ok := parseTimingLine(lines[i])
		if !ok {
			continue
		}
		var body []string
		j := i + 1
		for ; j < len(lines); j++ {
			l := strings.TrimRight(lines[j], " \t")
			if l == "" {
				break
			}
			if _, _, timing := parseTimingLine(l); timing {
				break
			}
			// An index line glued to the next cue (no blank line between cues).
			if j+1 < len(lines) && isDigits(strings.TrimSpace(l)) {
				if _, _, timing := parseTimingLine(lines[j+1]); timing {
					break
				}
			}
			body = append(body, l)
		}
		i = j - 1
		if end <= start {
			continue
		}
		if t := StripMarkup(strings.Join(body, "\n")); t != "" {
			cues = append(cues, Cue{Start: start, End: end, Text: t})
		}
	}
	return cues
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseTimingLine parses "00:00:01,000 --> 00:00:02,500" with optional hours, '.' or ','
// before the fraction and WebVTT cue settings after the end time.
func parseTimingLine(l string) (start, end time.Duration, ok bool) {
	a, b, found := strings.Cut(l, "-->")
	if !found {
		return 0, 0, false
	}
	fields := strings.Fields(b)
	if len(fields) == 0 {
		return 0, 0, false
	}
	start, ok1 := parseTimestamp(strings.TrimSpace(a))
	end, ok2 := parseTimestamp(fields[0])
	return start, end, ok1 && ok2
}

// parseTimestamp parses [hh:]mm:ss[,.]fff; the fraction may have 1 to 3+ digits.
func parseTimestamp(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var h, m int
	var err error
	if len(parts) == 3 {
		if h, err = atoiBounded(parts[0], 100000); err != nil {
			return 0, false
		}
		parts = parts[1:]
	}
	if m, err = atoiBounded(parts[0], 59999); err != nil {
		return 0, false
	}
	secStr, fracStr, _ := strings.Cut(strings.Replace(parts[1], ",", ".", 1), ".")
	sec, err := atoiBounded(secStr, 59)
	if err != nil {
		return 0, false
	}
	var frac time.Duration
	if fracStr != "" {
		if !isDigits(fracStr) || len(fracStr) > 9 {
			return 0, false
		}
		v, _ := strconv.Atoi(fracStr)
		frac = time.Duration(v) * time.Second
		for range len(fracStr) {
			frac /= 10
		}
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + frac, true
}

func atoiBounded(s string, maxV int) (int, error) {
	s = strings.TrimSpace(s)
	if !isDigits(s) || len(s) > 6 {
		return 0, errors.New("not a number")
	}
	v, err := strconv.Atoi(s)
	if err != nil || v > maxV {
		return 0, errors.New("out of range")
	}
	return v, nil
}

// parseASS reads the [Events] section of an ASS/SSA script: "Format:" names the fields of
// each "Dialogue:" line, whose last field, the text, may itself hold commas.
func parseASS(text string) []Cue {
	format := []string{"layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text"}
	var cues []Cue
	for _, l := range strings.Split(text, "\n") {
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "Format":
			f := strings.Split(val, ",")
			for i := range f {
				f[i] = strings.ToLower(strings.TrimSpace(f[i]))
			}
			if len(f) >= 3 && f[len(f)-1] == "text" {
				format = f
			}
		case "Dialogue":
			fields := strings.SplitN(strings.TrimLeft(val, " "), ",", len(format))
			if len(fields) != len(format) {
				continue
			}
			var c Cue
			var okS, okE bool
			for i, name := range format {
				switch name {
				case "start":
					c.Start, okS = parseTimestamp(strings.TrimSpace(fields[i]))
				case "end":
					c.End, okE = parseTimestamp(strings.TrimSpace(fields[i]))
				case "text":
					c.Text = StripMarkup(fields[i])
				}
			}
			if okS && okE && c.End > c.Start && c.Text != "" {
				cues = append(cues, c)
			}
		}
	}
	return cues
}
