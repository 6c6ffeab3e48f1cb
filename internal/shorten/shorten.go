// Package shorten cuts text for messages and labels: user input quoted in an error, a field
// name in a feed report, a description on a card. It is the one place that decides how long
// text is cut, so that every message cuts it the same way.
package shorten

import (
	"strings"
	"unicode/utf8"
)

// Text returns s when it has at most max runes, or else its first max-1 runes (without
// trailing space) and "…", so the result never has more than max runes and never splits a
// UTF-8 sequence. A max below 1 is taken as 1.
func Text(s string, max int) string {
	if max < 1 {
		max = 1
	}
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRightFunc(s[:i], func(r rune) bool { return r == ' ' || r == '\t' }) + "…"
		}
		n++
	}
	return s
}
