package player

import (
	"math"
	"sync"
	"testing"
	"time"

	"marquee/internal/mediagen"
)

// capture collects what a test audio device was asked to play, minus the silence the
// callback fills in while it waits.
type capture struct {
	channels int
	mu       sync.Mutex
	frames   []float32
}

func (c *capture) add(buf []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i+c.channels <= len(buf); i += c.channels {
		frame := buf[i : i+c.channels]
		for _, v := range frame {
			if v != 0 {
				c.frames = append(c.frames, frame...)
				break
			}
		}
	}
}

func (c *capture) samples() []float32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]float32(nil), c.frames...)
}

// tone measures the power of frequency f in channel ch of interleaved samples (Goertzel).
func tone(samples []float32, channels, ch int, f float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*f/48000)
	var s1, s2 float64
	n := 0
	for i := ch; i < len(samples); i += channels {
		s := float64(samples[i]) + coeff*s1 - s2
		s2, s1 = s1, s
		n++
	}
	if n == 0 {
		return 0
	}
	return (s1*s1 + s2*s2 - coeff*s1*s2) / float64(n*n)
}

// TestSurroundDownmix: AC-3, E-AC-3 and DTS 5.1 (what stream-from-torrent players are
// known to fail on) play, downmixed to a stereo device as FFmpeg's default matrix does:
// front and surround left to the left, right to the right, centre to both; and passed
// straight through to a 5.1 device.
func TestSurroundDownmix(t *testing.T) {
	t.Parallel()
	// aevalsrc's 5.1 order: FL 440, FR 550, FC 660, LFE 770, BL 880, BR 990 Hz.
	const fl, fr, fc, bl, br = 440.0, 550.0, 660.0, 880.0, 990.0
	for _, codec := range []string{"ac3", "eac3", "dts"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			spec := mediagen.Spec{Label: "surround-" + codec, Container: "mkv", Duration: 2 * time.Second,
				Audio: []mediagen.AudioTrack{{Codec: codec, Channels: 6}}}
			path := media(t, spec)

			stereo := &capture{channels: 2}
			p, _ := play(t, path, Options{Audio: pump(48000, 2, false, stereo.add)})
			waitDone(t, p, 30*time.Second)
			s := stereo.samples()
			if got := time.Duration(len(s)/2) * time.Second / 48000; !near(got, 2*time.Second, 100*time.Millisecond) {
				t.Fatalf("played %v of sound, want 2s", got)
			}
			left := func(f float64) float64 { return tone(s, 2, 0, f) }
			right := func(f float64) float64 { return tone(s, 2, 1, f) }
			for _, c := range []struct {
				name     string
				strong   float64
				present  []float64
				absent   []float64
				strength func(float64) float64
			}{
				{"left", left(fl), []float64{fc, bl}, []float64{fr, br}, left},
				{"right", right(fr), []float64{fc, br}, []float64{fl, bl}, right},
			} {
				for _, f := range c.present {
					if c.strength(f) < c.strong/10 {
						t.Errorf("%s: %v Hz at %.3g, front at %.3g: not mixed in", c.name, f, c.strength(f), c.strong)
					}
				}
				for _, f := range c.absent {
					if c.strength(f) > c.strong/100 {
						t.Errorf("%s: %v Hz at %.3g, front at %.3g: leaked from the other side", c.name, f, c.strength(f), c.strong)
					}
				}
			}

			six := &capture{channels: 6}
			p6, _ := play(t, path, Options{Audio: pump(48000, 6, false, six.add)})
			waitDone(t, p6, 30*time.Second)
			s6 := six.samples()
			for ch, f := range map[int]float64{0: fl, 1: fr, 2: fc, 4: bl, 5: br} {
				own := tone(s6, 6, ch, f)
				for other, g := range map[int]float64{0: fl, 1: fr, 2: fc, 4: bl, 5: br} {
					if other != ch && tone(s6, 6, ch, g) > own/100 {
						t.Errorf("5.1 device channel %d carries %v Hz besides its own %v Hz", ch, g, f)
					}
				}
			}
		})
	}
}

// TestAudioTrackSwitch switches from a 440 Hz track to a 1000 Hz one mid-film; the sound
// changes and playback continues from where it was.
func TestAudioTrackSwitch(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "tracks", Container: "mkv", Duration: 3 * time.Second, Audio: []mediagen.AudioTrack{
		{Codec: "aac", Language: "eng", Title: "English"}, {Codec: "flac", Language: "fra", Frequency: 1000}}}
	path := media(t, spec)
	out := &capture{channels: 2}
	p, rec := play(t, path, Options{Audio: pump(48000, 2, true, out.add)})
	tracks := p.AudioTracks()
	if len(tracks) != 2 || tracks[0].Language != "eng" || tracks[0].Title != "English" || !tracks[0].Default ||
		tracks[1].Language != "fra" || tracks[1].Default || p.AudioTrack() != tracks[0].ID {
		t.Fatalf("tracks %+v, playing %d", tracks, p.AudioTrack())
	}
	waitUntil(t, 10*time.Second, "a second of sound", func() bool { return p.Position() >= time.Second })
	// Paused, the device gets silence (which capture leaves out), so everything captured
	// after this point was played after the switch.
	p.Pause()
	at := p.Position()
	before := len(out.samples())
	if err := p.SetAudioTrack(tracks[1].ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the switch", func() bool { return p.AudioTrack() == tracks[1].ID })
	p.Play()
	waitDone(t, p, 30*time.Second)
	s := out.samples()
	first, second := s[:before], s[before:]
	if tone(first, 2, 0, 440) < 100*tone(first, 2, 0, 1000) {
		t.Error("the first track is not the 440 Hz one")
	}
	if tone(second, 2, 0, 1000) < 100*tone(second, 2, 0, 440) {
		t.Error("after the switch the 1000 Hz track does not play")
	}
	if after := time.Duration(len(second)/2) * time.Second / 48000; !near(at+after, 3*time.Second, 150*time.Millisecond) {
		t.Errorf("switched at %v, then played %v of a 3s film: not from where it was", at, after)
	}
	for _, e := range rec.snapshotEvents() {
		if e.Kind == EventSeekDone {
			t.Error("a track switch showed up as a seek")
		}
	}
	if err := p.SetAudioTrack(99); err == nil {
		t.Error("unknown track accepted")
	}
}

// TestVolumeAndMute scale the samples handed to the device; muting keeps the clock going.
func TestVolumeAndMute(t *testing.T) {
	t.Parallel()
	spec := mediagen.Spec{Label: "volume", Container: "mkv", Duration: time.Second, Audio: []mediagen.AudioTrack{{Codec: "flac"}}}
	path := media(t, spec)
	// rms is over the sound handed out, leaving out the silence of underruns.
	rms := func(volume float64, muted bool) (float64, *Player) {
		out := &capture{channels: 2}
		p, _ := play(t, path, Options{StartPaused: true, Audio: pump(48000, 2, false, out.add)})
		p.SetVolume(volume)
		p.SetMuted(muted)
		if p.Volume() != volume || p.Muted() != muted {
			t.Errorf("volume %v muted %v", p.Volume(), p.Muted())
		}
		p.Play()
		waitDone(t, p, 30*time.Second)
		var sum float64
		s := out.samples()
		for _, v := range s {
			sum += float64(v) * float64(v)
		}
		return math.Sqrt(sum / float64(max(len(s), 1))), p
	}
	full, _ := rms(1, false)
	half, _ := rms(0.5, false)
	if full == 0 || math.Abs(half/full-0.5) > 0.05 {
		t.Errorf("rms %v at volume 1, %v at 0.5", full, half)
	}
	muted, p := rms(1, true)
	if muted != 0 {
		t.Errorf("rms %v while muted", muted)
	}
	if st := p.Stats(); !near(time.Duration(st.AudioFrames)*time.Second/48000, time.Second, 50*time.Millisecond) {
		t.Errorf("muted playback played %d frames, want a second's worth", st.AudioFrames)
	}
	p.SetVolume(7)
	if p.Volume() != 2 {
		t.Errorf("volume 7 clamped to %v, want 2", p.Volume())
	}
	p.SetVolume(math.NaN())
	if p.Volume() != 2 {
		t.Errorf("NaN changed the volume to %v", p.Volume())
	}
}
