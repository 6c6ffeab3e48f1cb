package app

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"marquee/catalog"
	"marquee/torrent/source"
)

func TestFormatting(t *testing.T) {
	bytes := map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1500: "1.5 kB", 54085833: "54 MB", 1_300_000_000: "1.3 GB", -5: "0 B"}
	for n, want := range bytes {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	clocks := map[time.Duration]string{0: "0:00", 754 * time.Second: "12:34", 3725 * time.Second: "1:02:05", -time.Second: "0:00"}
	for d, want := range clocks {
		if got := formatClock(d); got != want {
			t.Errorf("formatClock(%v) = %q, want %q", d, got, want)
		}
	}
	runtimes := map[time.Duration]string{0: "", 888 * time.Second: "15 min", 92 * time.Minute: "1 h 32 min", 2 * time.Hour: "2 h", 10 * time.Second: "1 min"}
	for d, want := range runtimes {
		if got := formatRuntime(d); got != want {
			t.Errorf("formatRuntime(%v) = %q, want %q", d, got, want)
		}
	}
	if got := plural(1, "peer") + ", " + plural(3, "peer"); got != "1 peer, 3 peers" {
		t.Errorf("plural: %q", got)
	}
}

func TestSplitEpisodeIDUndoesEpisodeID(t *testing.T) {
	for _, id := range []string{"builtin:show", "feed-abc:a/b", "x:y/s1e2"} {
		ep := catalog.EpisodeID(id, 3, 14)
		title, s, e, ok := splitEpisodeID(ep)
		if !ok || title != id || s != 3 || e != 14 {
			t.Errorf("splitEpisodeID(%q) = %q %d %d %v", ep, title, s, e, ok)
		}
	}
	for _, bad := range []string{"builtin:film", "x/s1", "x/s1e2extra", "x/sAeB", "/s1e1x", "x/s01e2"} {
		if _, _, _, ok := splitEpisodeID(bad); ok {
			t.Errorf("splitEpisodeID(%q) accepted a title ID that is no episode", bad)
		}
	}
}

// FuzzSplitEpisodeID: any input either is rejected or round-trips through EpisodeID.
func FuzzSplitEpisodeID(f *testing.F) {
	for _, s := range []string{"builtin:show/s1e2", "a/s0e0", "x/s-1e5", "/s1e1", "a/s1e2/s3e4", "", "s1e1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		title, season, episode, ok := splitEpisodeID(id)
		if !ok {
			return
		}
		if got := catalog.EpisodeID(title, season, episode); got != id {
			t.Fatalf("splitEpisodeID(%q) = %q, %d, %d, which rebuilds %q", id, title, season, episode, got)
		}
	})
}

// FuzzValidatePort: what the settings accept as a port is a number from 0 to 65535, or
// nothing.
func FuzzValidatePort(f *testing.F) {
	for _, s := range []string{"", "0", "6881", "65535", "65536", "-1", " 80 ", "0x50", "8080a", "९९"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validatePort(s) != nil {
			return
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		p, err := strconv.Atoi(s)
		if err != nil || p < 0 || p > 65535 {
			t.Fatalf("validatePort accepted %q", s)
		}
	})
}

// FuzzLooksLikeTorrentInput: the clipboard check never panics, and whatever it accepts is
// a magnet or an info hash the catalog can read.
func FuzzLooksLikeTorrentInput(f *testing.F) {
	for _, s := range []string{"magnet:?xt=urn:btih:" + strings.Repeat("ab", 20), strings.Repeat("A", 32), "hello", "MAGNET:?", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !looksLikeTorrentInput(s) {
			return
		}
		trimmed := strings.ToLower(strings.TrimSpace(s))
		if strings.HasPrefix(trimmed, "magnet:") {
			return
		}
		if _, err := source.ParseInfoHash(strings.TrimSpace(s)); err != nil {
			t.Fatalf("accepted %q, which is neither a magnet nor an info hash: %v", s, err)
		}
	})
}

// Track languages are named as people say them, whatever code the container uses.
func TestLanguageName(t *testing.T) {
	for code, want := range map[string]string{
		"eng": "English", "en": "English", "ger": "German", "deu": "German", "fre": "French",
		"pt-BR": "Brazilian Portuguese", "und": "", "": "", "xx": "XX", "klingon-ish": "KLINGON-ISH",
	} {
		if got := languageName(code); got != want {
			t.Errorf("languageName(%q) = %q, want %q", code, got, want)
		}
	}
}
