package mp4box

import (
	"bytes"
	"testing"
)

func TestFirstOf(t *testing.T) {
	box := func(typ string, payload int) []byte {
		b := make([]byte, 8+payload)
		b[3] = byte(8 + payload)
		copy(b[4:], typ)
		return b
	}
	file := append(append(box("ftyp", 8), box("free", 0)...), box("mdat", 40)...)
	file = append(file, box("moov", 16)...)
	got, err := FirstOf(bytes.NewReader(file), int64(len(file)), "moov", "mdat")
	if err != nil || got != "mdat" {
		t.Fatalf("got %q, %v; want mdat", got, err)
	}
	// A 64-bit size: size field 1, then the real size after the type.
	large := make([]byte, 16+8)
	large[3] = 1
	copy(large[4:], "mdat")
	large[15] = 24
	file = append(append(box("ftyp", 8), large...), box("moov", 8)...)
	if got, err := FirstOf(bytes.NewReader(file), int64(len(file)), "moov"); err != nil || got != "moov" {
		t.Fatalf("past a large box: got %q, %v", got, err)
	}
	for name, bad := range map[string][]byte{
		"truncated": box("ftyp", 8)[:12],
		"tiny box":  {0, 0, 0, 4, 'f', 't', 'y', 'p'},
		"too long":  append(box("ftyp", 8)[:3:3], 200, 'f', 't', 'y', 'p'),
		"none":      box("free", 4),
	} {
		if _, err := FirstOf(bytes.NewReader(bad), int64(len(bad)), "moov", "mdat"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzFirstOf(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 0, 8, 'm', 'o', 'o', 'v'})
	f.Add([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 16})
	f.Add([]byte{0, 0, 0, 0, 'm', 'd', 'a', 't'})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := FirstOf(bytes.NewReader(b), int64(len(b)), "moov", "mdat")
		if err == nil && got != "moov" && got != "mdat" {
			t.Fatalf("returned %q", got)
		}
	})
}
