package player

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

func openBytes(data []byte, size int64, name string) (*Player, error) {
	if size == 0 {
		size = int64(len(data))
	}
	return Open(context.Background(), bytes.NewReader(data), Options{Size: size, Name: name, Audio: NullAudio})
}

// TestBadInputFailsClearly: what is not a playable film gives a clear error at Open or an
// Error state, never a panic or a hang, and leaves no goroutine behind.
func TestBadInputFailsClearly(t *testing.T) {
	mp4 := media(t, mediagen.Spec{Label: "bad-mp4", Container: "mp4", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}})
	moovEnd := media(t, mediagen.Spec{Label: "bad-moovend", Container: "mp4", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}, MoovAtEnd: true})
	good, _ := os.ReadFile(mp4)
	tail, _ := os.ReadFile(moovEnd)
	random := make([]byte, 256<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// patched renames a sample entry inside the sample description box ('stsd'), which
	// is how an MP4 names its codec; the brands in 'ftyp' mention avc1 too.
	patched := func(data []byte, from, to string) []byte {
		stsd := bytes.Index(data, []byte("stsd"))
		i := bytes.Index(data[max(stsd, 0):], []byte(from))
		if stsd < 0 || i < 0 {
			t.Fatalf("no %q sample entry in the file", from)
		}
		i += stsd
		out := bytes.Clone(data)
		copy(out[i:], to)
		return out
	}

	cases := []struct {
		name    string
		data    []byte
		size    int64
		wantErr error
		wantMsg string
	}{
		{"random bytes", random, 0, ErrInvalidData, "not a media file or corrupt"},
		{"empty", nil, 0, ErrInvalidData, "not a media file or corrupt"},
		{"text", []byte("#EXTM3U\nnot a film\n"), 0, ErrInvalidData, "not a media file or corrupt"},
		{"moov-at-end mp4 cut in half", tail[:len(tail)/2], 0, ErrInvalidData, "not a media file or corrupt: the MP4 has no index (moov box)"},
		{"header only", good[:2000], int64(len(good)), ErrTruncated, "file truncated"},
		{"unknown video codec", patched(good, "avc1", "xyz1"), 0, ErrUnsupportedCodec, `unsupported video codec: unknown (tag "xyz1")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := goroutineBaseline()
			p, err := openBytes(tc.data, tc.size, "film.mp4")
			if err == nil {
				p.Close()
				t.Fatal("Open accepted it")
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
			checkGoroutines(t, base)
		})
	}

	t.Run("unknown audio codec plays the picture", func(t *testing.T) {
		// An MP4's esds box names AAC whatever the sample entry says; Matroska's
		// CodecID string is all there is.
		mkv, err := os.ReadFile(media(t, mediagen.Spec{Label: "bad-mkv", Container: "mkv", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}}))
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(mkv, []byte("A_AAC"))
		if i < 0 {
			t.Fatal("no A_AAC codec ID in the Matroska file")
		}
		copy(mkv[i:], "A_XYZ")
		base := goroutineBaseline()
		p, err := openBytes(mkv, 0, "film.mkv")
		if err != nil {
			t.Fatal(err)
		}
		tracks := p.AudioTracks()
		if len(tracks) != 1 || tracks[0].Playable || p.AudioTrack() != -1 {
			t.Errorf("audio tracks %+v, playing %d", tracks, p.AudioTrack())
		}
		if err := p.SetAudioTrack(tracks[0].ID); !errors.Is(err, ErrUnsupportedCodec) {
			t.Errorf("SetAudioTrack on it: %v", err)
		}
		waitDone(t, p, 30*time.Second)
		if p.State() != StateEnded || p.Stats().FramesShown+p.Stats().FramesDropped != 90 {
			t.Errorf("state %v, stats %+v", p.State(), p.Stats())
		}
		p.Close()
		checkGoroutines(t, base)
	})

	t.Run("truncated while playing", func(t *testing.T) {
		// The torrent engine opens with the real size; if the data stops early the player
		// must say so rather than pretend the film ended.
		base := goroutineBaseline()
		p, err := openBytes(good[:len(good)*2/3], int64(len(good)), "film.mp4")
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, p, 30*time.Second)
		if p.State() != StateError || !errors.Is(p.Err(), ErrTruncated) {
			t.Errorf("state %v, err %v", p.State(), p.Err())
		}
		p.Close()
		checkGoroutines(t, base)
	})

	t.Run("read error while playing", func(t *testing.T) {
		base := goroutineBaseline()
		src := newGatedSource(t, mp4, -1)
		src.release(-1)
		src.failAfter = src.size() / 2
		src.failErr = errors.New("disk on fire")
		rec := newRecorder()
		p, err := Open(context.Background(), src, Options{Size: src.size(), Name: mp4, Audio: NullAudio, OnEvent: rec.event})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, p, 30*time.Second)
		if p.State() != StateError || p.Err() == nil || !strings.Contains(p.Err().Error(), "disk on fire") {
			t.Errorf("state %v, err %v", p.State(), p.Err())
		}
		rec.waitEvent(t, 0, 5*time.Second, "error", func(e Event) bool { return e.Kind == EventError && e.Err != nil })
		p.Close()
		checkGoroutines(t, base)
	})

	t.Run("nil source", func(t *testing.T) {
		if _, err := Open(context.Background(), nil, Options{}); err == nil {
			t.Error("nil source accepted")
		}
	})
}

// TestCloseIsIdempotentAndFinal: Close during playback frees everything, a second Close
// is harmless and methods after Close neither panic nor block.
func TestCloseIsIdempotentAndFinal(t *testing.T) {
	path := media(t, bufferingSpec)
	base := goroutineBaseline()
	f, size := openFile(t, path)
	p, err := Open(context.Background(), f, Options{Size: size, Name: path, Audio: NullAudio, Video: newRecorder(), Subtitles: newRecorder()})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "some frames", func() bool { return p.Stats().FramesShown > 5 })
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	default:
		t.Error("Done not closed after Close")
	}
	p.Play()
	p.Pause()
	p.Seek(time.Second)
	p.SetVolume(0.3)
	p.SetVideoSize(10, 10)
	_ = p.Position()
	_ = p.Stats()
	if err := p.SetAudioTrack(1); !errors.Is(err, ErrClosed) {
		t.Errorf("SetAudioTrack after Close: %v", err)
	}
	checkGoroutines(t, base)
}

// damagedChunkOffsets points the first track's chunk offsets ('stco') from share of the way
// on past the end of the file, as a damaged or badly cut MP4 index does.
func damagedChunkOffsets(t *testing.T, data []byte, share float64) []byte {
	t.Helper()
	i := bytes.Index(data, []byte("stco"))
	if i < 0 {
		t.Fatal("no stco box in the file")
	}
	out := bytes.Clone(data)
	entries := i + 8 // type, version and flags
	n := int(binary.BigEndian.Uint32(out[entries:]))
	for k := int(float64(n) * share); k < n; k++ {
		binary.BigEndian.PutUint32(out[entries+4+4*k:], 0x7fff0000)
	}
	return out
}

// A file whose picture cannot be decoded, or whose index ends playback long before its
// duration, is an error: first_frame means a picture, and ended means the film's end.
func TestDamagedIndexIsAnError(t *testing.T) {
	mp4 := media(t, mediagen.Spec{Label: "index-mp4", Container: "mp4", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}, Duration: 8 * time.Second})
	good, err := os.ReadFile(mp4)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		share float64
		want  error
	}{
		{"no video chunk in the file", 0, ErrNoPicture},
		{"index past the end from the middle", 0.4, ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder()
			data := damagedChunkOffsets(t, good, c.share)
			p, err := Open(context.Background(), bytes.NewReader(data), Options{Size: int64(len(data)), Name: "film.mp4", Audio: NullAudio, OnEvent: rec.event})
			if err != nil {
				if errors.Is(err, c.want) {
					return
				}
				t.Fatalf("Open: %v, want %v", err, c.want)
			}
			defer p.Close()
			p.Play()
			waitDone(t, p, 30*time.Second)
			if p.State() != StateError || !errors.Is(p.Err(), c.want) {
				t.Fatalf("state %v, err %v (position %v of %v), want %v", p.State(), p.Err(), p.Position(), p.Duration(), c.want)
			}
			for _, ev := range rec.snapshotEvents() {
				if c.want == ErrNoPicture && ev.Kind == EventFirstFrame {
					t.Fatal("first frame reported with no picture shown")
				}
			}
		})
	}
}

// damagedSampleSizes sets every entry of the first track's sample size table ('stsz') to
// size, as a damaged index does: the demuxer then cuts the video into wrong packets.
func damagedSampleSizes(t *testing.T, data []byte, size uint32) []byte {
	t.Helper()
	i := bytes.Index(data, []byte("stsz"))
	if i < 0 {
		t.Fatal("no stsz box in the file")
	}
	out := bytes.Clone(data)
	fields := i + 8 // type, version and flags
	if binary.BigEndian.Uint32(out[fields:]) != 0 {
		t.Fatal("the test film's stsz has one size for every sample")
	}
	n := int(binary.BigEndian.Uint32(out[fields+4:]))
	for k := range n {
		binary.BigEndian.PutUint32(out[fields+8+4*k:], size)
	}
	return out
}

// A damaged sample size table (issue 12, item 5) fails with an error that says the video
// yields no picture or the file ends early; it never plays on as a success.
func TestDamagedSampleSizesAreAnError(t *testing.T) {
	mp4 := media(t, mediagen.Spec{Label: "index-mp4", Container: "mp4", Video: "h264", Audio: []mediagen.AudioTrack{{Codec: "aac"}}, Duration: 8 * time.Second})
	good, err := os.ReadFile(mp4)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []uint32{1, 7, 1 << 24} {
		t.Run(fmt.Sprintf("every sample %d bytes", size), func(t *testing.T) {
			rec := newRecorder()
			data := damagedSampleSizes(t, good, size)
			p, err := Open(context.Background(), bytes.NewReader(data), Options{Size: int64(len(data)), Name: "film.mp4", Audio: NullAudio, OnEvent: rec.event})
			if err != nil {
				if errors.Is(err, ErrNoPicture) || errors.Is(err, ErrTruncated) {
					return
				}
				t.Fatalf("Open: %v, want ErrNoPicture or ErrTruncated", err)
			}
			defer p.Close()
			p.Play()
			waitDone(t, p, 30*time.Second)
			if p.State() != StateError || !(errors.Is(p.Err(), ErrNoPicture) || errors.Is(p.Err(), ErrTruncated)) {
				t.Fatalf("state %v, err %v (position %v of %v), want ErrNoPicture or ErrTruncated", p.State(), p.Err(), p.Position(), p.Duration())
			}
			t.Logf("%v", p.Err())
		})
	}
}
