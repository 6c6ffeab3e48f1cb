package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// formatBytes writes a size the way file managers do, in decimal units: "734 MB".
func formatBytes(n int64) string {
	return humanize.Bytes(uint64(max(n, 0)))
}

// formatRate writes a transfer rate: "1.2 MB/s".
func formatRate(bytesPerSec float64) string {
	return formatBytes(int64(bytesPerSec)) + "/s"
}

// formatClock writes a playback time as m:ss, or h:mm:ss from an hour on.
func formatClock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// formatRuntime writes a film's length as a catalog does: "1 h 32 min", "12 min".
func formatRuntime(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	mins := int64((d + 30*time.Second) / time.Minute)
	if mins < 60 {
		return fmt.Sprintf("%d min", max(mins, 1))
	}
	if mins%60 == 0 {
		return fmt.Sprintf("%d h", mins/60)
	}
	return fmt.Sprintf("%d h %d min", mins/60, mins%60)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// languageName is a track's language as people say it ("English" for "eng", "en" or
// "en-US"); a code that names no known language is shown as it is, upper-cased, and
// "und" (undetermined, FFmpeg's default) as nothing.
func languageName(code string) string {
	code = strings.TrimSpace(code)
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil || tag == language.Und {
		if strings.EqualFold(code, "und") {
			return ""
		}
		return strings.ToUpper(code)
	}
	return display.English.Tags().Name(tag)
}
