package shorten

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"", 5, ""},
		{"short", 5, "short"},
		{"longer", 5, "long…"},
		{"ab cdef", 4, "ab…"},
		{"日本語のテキスト", 4, "日本語…"},
		{"abc", 0, "…"},
	} {
		if got := Text(c.in, c.max); got != c.want {
			t.Errorf("Text(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("Night of the Living Dead", 10)
	f.Add(strings.Repeat("é", 100), 7)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n > 1<<16 || n < -1<<16 {
			return
		}
		got := Text(s, n)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Text(%q, %d) = %q splits a rune", s, n, got)
		}
		if limit := max(1, n); utf8.RuneCountInString(got) > limit && got != s {
			t.Fatalf("Text(%q, %d) = %q is longer than %d runes", s, n, got, limit)
		}
		if got != s && !strings.HasSuffix(got, "…") {
			t.Fatalf("Text(%q, %d) = %q cut without an ellipsis", s, n, got)
		}
	})
}
