package mediagen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// turnVideoTrack writes into an MP4's first track header (the video's: mediagen maps video
// first) the display matrix that turns its pictures degrees clockwise. FFmpeg 5.1's muxer
// no longer takes the "rotate" tag, and its -display_rotation came in FFmpeg 6, so the
// matrix is patched in place, as a phone writes it.
func turnVideoTrack(path string, degrees int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	moov := findBox(b, "moov")
	trak := findBox(moov, "trak")
	tkhd := findBox(trak, "tkhd")
	if len(tkhd) < 4 {
		return errors.New("no track header to turn")
	}
	// After version and flags: times, track ID, reserved, duration (wider in version 1),
	// then 8 reserved bytes, layer, group, volume and 2 reserved: 36 or 48 bytes, and the
	// 3×3 matrix in 16.16 and 2.30 fixed point, then the width and height.
	at := 4 + 36
	if tkhd[0] == 1 {
		at = 4 + 48
	}
	if len(tkhd) < at+36+8 {
		return errors.New("track header too short")
	}
	w := int32(binary.BigEndian.Uint32(tkhd[at+36:]) >> 16)
	h := int32(binary.BigEndian.Uint32(tkhd[at+40:]) >> 16)
	const one = 1 << 16
	var m [9]int32
	switch ((degrees % 360) + 360) % 360 {
	case 90:
		m = [9]int32{0, one, 0, -one, 0, 0, h * one, 0, 1 << 30}
	case 180:
		m = [9]int32{-one, 0, 0, 0, -one, 0, w * one, h * one, 1 << 30}
	case 270:
		m = [9]int32{0, -one, 0, one, 0, 0, 0, w * one, 1 << 30}
	default:
		return fmt.Errorf("a turn of %d degrees is not a quarter turn", degrees)
	}
	for i, v := range m {
		binary.BigEndian.PutUint32(tkhd[at+4*i:], uint32(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// findBox is the payload of the first box of type typ among the boxes in b (a slice of b,
// so writes reach b); nil if there is none.
func findBox(b []byte, typ string) []byte {
	for len(b) >= 8 {
		size := int(binary.BigEndian.Uint32(b))
		head := 8
		if size == 1 && len(b) >= 16 {
			size, head = int(binary.BigEndian.Uint64(b[8:])), 16
		}
		if size < head || size > len(b) {
			return nil
		}
		if string(b[4:8]) == typ {
			return b[head:size]
		}
		b = b[size:]
	}
	return nil
}
