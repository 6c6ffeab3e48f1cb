package player

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/asticode/go-astiav"
)

// decoder is one stream's codec context fed from its packet queue by its own goroutine
// (ffplay's Decoder). A packet with a new serial means a seek happened upstream: the codec
// is flushed so no picture from before the seek comes out.
type decoder struct {
	cc     *astiav.CodecContext
	tb     astiav.Rational
	queue  *packetQueue
	frame  *astiav.Frame
	serial int

	errors int // packets the codec rejected
}

// openDecoder opens a codec context for a stream's parameters. threads 0 means one.
func openDecoder(params *astiav.CodecParameters, tb astiav.Rational, media string, threads int) (*decoder, error) {
	if params == nil {
		return nil, fmt.Errorf("%s stream has no codec parameters", media)
	}
	codec := astiav.FindDecoder(params.CodecID())
	if codec == nil {
		return nil, &CodecError{Media: media, Codec: params.CodecID().Name(), Tag: tagString(params)}
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("allocate codec context")
	}
	if err := params.ToCodecContext(cc); err != nil {
		cc.Free()
		return nil, fmt.Errorf("%s codec parameters: %w", media, err)
	}
	setPacketTimeBase(cc, tb)
	if threads > 1 {
		cc.SetThreadCount(threads)
		cc.SetThreadType(astiav.ThreadTypeFrame | astiav.ThreadTypeSlice)
	}
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		if errors.Is(err, astiav.ErrPatchwelcome) || errors.Is(err, astiav.ErrDecoderNotFound) {
			return nil, &CodecError{Media: media, Codec: codec.Name()}
		}
		return nil, fmt.Errorf("open %s decoder %s: %w", media, codec.Name(), err)
	}
	return &decoder{cc: cc, tb: tb, frame: astiav.AllocFrame(), serial: -1}, nil
}

// videoThreads is the decoder thread count for video: one per core, as ffmpeg's "auto"
// minus its extra frame thread, which on two cores only adds latency.
func videoThreads() int { return min(runtime.NumCPU(), 16) }

func tagString(params *astiav.CodecParameters) string {
	if params == nil {
		return ""
	}
	t := uint32(params.CodecTag())
	if t == 0 {
		return ""
	}
	b := []byte{byte(t), byte(t >> 8), byte(t >> 16), byte(t >> 24)}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("0x%08x", t)
		}
	}
	return string(b)
}

// decode sends one queued packet (or, at the end, the drain signal) and hands every frame
// that comes out to emit. It resets the codec when the packet's serial is new.
func (d *decoder) decode(it queuedPacket, emit func(f *astiav.Frame)) {
	if it.serial != d.serial {
		if d.serial >= 0 {
			flushDecoder(d.cc)
		}
		d.serial = it.serial
	}
	var err error
	if it.eof {
		err = d.cc.SendPacket(nil)
	} else {
		err = d.cc.SendPacket(it.pkt)
		it.pkt.Free()
	}
	if err != nil && !errors.Is(err, astiav.ErrEof) {
		// Corrupt packets are skipped, as every player does; the next keyframe recovers.
		d.errors++
	}
	for {
		if err := d.cc.ReceiveFrame(d.frame); err != nil {
			break // EAGAIN: needs more input; EOF: drained
		}
		emit(d.frame)
		d.frame.Unref()
	}
	if it.eof {
		// Drained decoders refuse input until flushed; a later seek sends more.
		flushDecoder(d.cc)
	}
}

func (d *decoder) free() {
	if d.frame != nil {
		d.frame.Free()
		d.frame = nil
	}
	if d.cc != nil {
		d.cc.Free()
		d.cc = nil
	}
}

// framePTS returns the frame's presentation time relative to the film's start, falling
// back to the expected continuation when the frame carries no timestamp.
func framePTS(f *astiav.Frame, tb astiav.Rational, start time.Duration, fallback time.Duration) time.Duration {
	ts := bestEffortTimestamp(f)
	if ts == noPTS {
		return fallback
	}
	return tsToDuration(ts, tb) - start
}

// seekRequest asks the reader to land on target, moving the demuxer to from (= target,
// or earlier when a first try landed late).
type seekRequest struct {
	target, from time.Duration
	retry        int
}

// fromVeryStart in seekRequest.from asks for the first packet of the file.
const fromVeryStart = -1

// seekState is the latest seek the reader performed: decoders drop what comes before
// target for that serial, so playback lands exactly.
type seekState struct {
	serial       int
	target, from time.Duration
	retry        int
}
