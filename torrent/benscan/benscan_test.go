package benscan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"

	"marquee/torrent/benscan"
)

// nest is n nested lists around an empty string.
func nest(n int) []byte {
	return []byte(strings.Repeat("l", n) + "0:" + strings.Repeat("e", n))
}

func TestCheckAcceptsRealShapes(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"i0e", "i-12e", "0:", "4:spam", "le", "de",
		"d8:announce3:url13:announce-listll1:aee4:infod5:filesld6:lengthi5e4:pathl1:a1:beee4:name1:x12:piece lengthi16384e6:pieces20:01234567890123456789ee",
		string(nest(benscan.MaxDepth - 1)),
	} {
		if err := benscan.Check([]byte(s)); err != nil {
			t.Errorf("Check(%.40q) = %v", s, err)
		}
	}
}

func TestCheckRefusesBombsAndBadShapes(t *testing.T) {
	t.Parallel()
	// The bomb from issue 12: it overflowed the stack inside anacrolix's decoder.
	bomb := []byte("d4:info" + strings.Repeat("l", 1_500_000) + strings.Repeat("e", 1_500_000) + "e")
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"nesting bomb", bomb, "nested deeper than 100 levels"},
		{"one level too deep", nest(benscan.MaxDepth + 1), "nested deeper"},
		{"unclosed bomb", []byte(strings.Repeat("d", 1<<20)), "nested deeper"},
		{"too many values", []byte("l" + strings.Repeat("i0e", benscan.MaxValues) + "e"), "more than 2097152 values"},
		{"too large", make([]byte, benscan.MaxSize+1), "more than the limit"},
		{"empty", nil, "empty"},
		{"truncated", []byte("d4:infod"), "truncated"},
		{"string past end", []byte("5:abc"), "runs past the end"},
		{"huge string length", []byte("99999999999999999999:"), "bad string length"},
		{"no colon", []byte("5abc"), "bad string length"},
		{"bad integer", []byte("i12"), "bad integer"},
		{"empty integer", []byte("ie"), "bad integer"},
		{"stray end", []byte("e"), "unexpected end"},
		{"trailing", []byte("dex"), "trailing data"},
		{"bad byte", []byte("dx"), "unexpected byte"},
	} {
		err := benscan.Check(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// depth is the nesting depth of a decoded bencode value.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			d = max(d, depth(x))
		}
		return d + 1
	case map[string]any:
		for _, x := range v {
			d = max(d, depth(x))
		}
		return d + 1
	}
	return 0
}

// FuzzCheck: Check never panics, and never refuses what a decoder accepts within the limits.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("d4:infod4:name1:a6:lengthi1e6:pieces0:ee"))
	f.Add(nest(benscan.MaxDepth))
	f.Add(nest(benscan.MaxDepth + 1))
	f.Add([]byte(strings.Repeat("l", 100_000)))
	f.Add([]byte("d4:info" + strings.Repeat("l", 50_000) + strings.Repeat("e", 50_000) + "e"))
	f.Add([]byte("l" + strings.Repeat("i0e", 50_000) + "e"))
	f.Add([]byte("l" + strings.Repeat("le", 50_000) + "e"))
	f.Add([]byte("d" + strings.Repeat("1:ai1e", 10_000) + "e"))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := benscan.Check(b)
		if err == nil || len(b) > 1<<16 {
			return // the decoder below recurses: only small inputs are safe to give it
		}
		if errors.Is(err, benscan.ErrIntegerTooLong) {
			return // a limit of its own, like the depth: refused on purpose
		}
		var v any
		if bencode.Unmarshal(b, &v) == nil && depth(v) <= benscan.MaxDepth {
			t.Fatalf("Check refused %.60q, which decodes: %v", b, err)
		}
	})
}
