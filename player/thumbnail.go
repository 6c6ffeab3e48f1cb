package player

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/asticode/go-astiav"
)

// ErrNotDownloaded is a read of bytes the source does not have yet (see DownloadedOnly).
var ErrNotDownloaded = errors.New("those bytes are not downloaded yet")

// Availability tells which bytes of a source are already at hand.
type Availability interface {
	// DownloadedAhead returns how many bytes from offset off on are at hand without a gap.
	DownloadedAhead(off int64) int64
}

// DownloadedOnly wraps r, a source of size bytes, so that a read touching bytes have does
// not report fails at once with ErrNotDownloaded instead of waiting for them: previews
// (the seek bar's thumbnails) read through it and so never wait for, or ask for, a
// download. A read stops short at the first missing byte.
func DownloadedOnly(r io.ReadSeeker, size int64, have Availability) io.ReadSeeker {
	return &downloadedOnly{r: r, size: size, have: have}
}

type downloadedOnly struct {
	r    io.ReadSeeker
	size int64
	have Availability
	pos  int64
}

func (d *downloadedOnly) Read(p []byte) (int, error) {
	if d.pos >= d.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	ahead := min(d.have.DownloadedAhead(d.pos), d.size-d.pos)
	if ahead <= 0 {
		return 0, fmt.Errorf("read at byte %d: %w", d.pos, ErrNotDownloaded)
	}
	if int64(len(p)) > ahead {
		p = p[:ahead]
	}
	n, err := d.r.Read(p)
	d.pos += int64(n)
	return n, err
}

func (d *downloadedOnly) Seek(off int64, whence int) (int64, error) {
	pos, err := d.r.Seek(off, whence)
	if err == nil {
		d.pos = pos
	}
	return pos, err
}

// maxThumbnailPackets bounds the packets decoded for one picture: a decoder that has
// produced nothing after this many is fed a damaged stream.
const maxThumbnailPackets = 64

// Thumbnailer decodes single pictures of a film, for previews, with a demuxer and decoder
// of its own beside any Player. Each picture is the keyframe at or before the time asked
// for, so it costs one seek and one decoded frame. It is not safe for concurrent use.
type Thumbnailer struct {
	src  *source
	name string

	demuxInput
	dec       *decoder
	stream    int
	sar       astiav.Rational
	turn      orientation
	startTime time.Duration
	pkt       *astiav.Packet
	scaler    rgbaScaler
	unturned  *image.RGBA
}

// NewThumbnailer opens a film of size bytes (name is a format hint) for thumbnails. Wrap r
// in DownloadedOnly to keep it to the bytes already downloaded: then a film whose header
// is not downloaded yet fails here with ErrNotDownloaded, and At fails the same way where
// a picture's bytes are missing.
func NewThumbnailer(r io.ReadSeeker, size int64, name string) (*Thumbnailer, error) {
	if r == nil {
		return nil, errors.New("player: nil source")
	}
	if err := checkAstiavLayout(); err != nil {
		return nil, err
	}
	quietFFmpeg()
	t := &Thumbnailer{src: newSource(context.Background(), r, size), name: name, stream: -1, pkt: astiav.AllocPacket()}
	if err := t.open(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// open demuxes the container's header and opens a single-threaded decoder for its main
// video stream (threads would only delay the first picture).
func (t *Thumbnailer) open() error {
	t.src.clearFailure()
	// A new I/O context starts reading where the source is: at the start, after a failure
	// too.
	if _, err := t.src.r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	t.src.pos.Store(0)
	in, err := openInput(t.src, t.name, nil)
	if err != nil {
		return err
	}
	t.demuxInput = in
	fc := in.fc
	video := findBestStream(fc, astiav.MediaTypeVideo, -1)
	if video < 0 {
		return ErrNoStreams
	}
	s := fc.Streams()[video]
	if start := fc.StartTime(); start != noPTS {
		t.startTime = time.Duration(start) * time.Microsecond
	}
	t.sar = s.SampleAspectRatio()
	if t.sar.Num() <= 0 {
		t.sar = s.CodecParameters().SampleAspectRatio()
	}
	t.turn = streamOrientation(s)
	dec, err := openDecoder(s.CodecParameters(), s.TimeBase(), "video", 1)
	if err != nil {
		return err
	}
	t.dec, t.stream = dec, video
	return nil
}

// At returns the picture of the keyframe at or before at, width pixels wide (never wider
// than the film; the height keeps the aspect ratio), and that keyframe's time. The image
// has a tight stride and its origin at 0,0 and belongs to the caller.
func (t *Thumbnailer) At(at time.Duration, width int) (*image.RGBA, time.Duration, error) {
	if t.fc == nil {
		// A failed read leaves the demuxer's buffers and state mid-packet: start afresh.
		if err := t.open(); err != nil {
			t.closeInput()
			return nil, 0, err
		}
	}
	img, pts, err := t.decodeAt(at, width)
	if err != nil && t.src.failure() != nil {
		t.closeInput()
	}
	return img, pts, err
}

func (t *Thumbnailer) decodeAt(at time.Duration, width int) (*image.RGBA, time.Duration, error) {
	t.src.clearFailure()
	ts := (max(at, 0) + t.startTime).Microseconds()
	if err := t.fc.SeekFrame(-1, ts, astiav.SeekFlags(astiav.SeekFlagBackward)); err != nil {
		if srcErr := t.src.failure(); srcErr != nil {
			return nil, 0, fmt.Errorf("read source: %w", srcErr)
		}
		// Some demuxers refuse a backward seek before their first keyframe.
		if err := t.fc.SeekFrame(-1, ts, 0); err != nil {
			return nil, 0, sourceError(t.src, err)
		}
	}
	flushDecoder(t.dec.cc)
	eof := false
	for packets := 0; packets < maxThumbnailPackets && !eof; {
		if err := t.fc.ReadFrame(t.pkt); err != nil {
			if srcErr := t.src.failure(); srcErr != nil {
				return nil, 0, fmt.Errorf("read source: %w", srcErr)
			}
			if !errors.Is(err, astiav.ErrEof) {
				return nil, 0, fmt.Errorf("%w: %v", ErrInvalidData, err)
			}
			eof = true
			_ = t.dec.cc.SendPacket(nil) // drain what the decoder holds back
		} else {
			if t.pkt.StreamIndex() != t.stream {
				t.pkt.Unref()
				continue
			}
			packets++
			err = t.dec.cc.SendPacket(t.pkt)
			t.pkt.Unref()
			if err != nil {
				continue // a damaged packet: the next one may decode
			}
		}
		if t.dec.cc.ReceiveFrame(t.dec.frame) == nil {
			defer t.dec.frame.Unref()
			return t.picture(t.dec.frame, width)
		}
	}
	return nil, 0, fmt.Errorf("%w: no picture decodes at %v", ErrInvalidData, at)
}

func (t *Thumbnailer) picture(f *astiav.Frame, width int) (*image.RGBA, time.Duration, error) {
	w, h := t.turn.fit(f.Width(), f.Height(), t.sar, width, 0)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var err error
	if t.unturned, err = t.turn.convert(&t.scaler, f, img, t.unturned); err != nil {
		return nil, 0, fmt.Errorf("scale thumbnail: %w", err)
	}
	return img, framePTS(f, t.dec.tb, t.startTime, 0), nil
}

func (t *Thumbnailer) closeInput() {
	if t.dec != nil {
		t.dec.free()
		t.dec = nil
	}
	t.demuxInput.close()
}

// Close frees the demuxer and decoder; it does not close the source.
func (t *Thumbnailer) Close() error {
	t.closeInput()
	t.scaler.free()
	if t.pkt != nil {
		t.pkt.Free()
		t.pkt = nil
	}
	return nil
}

// clearFailure forgets the source's last failure, for a source read again after one (a
// thumbnail's bytes were missing, the next one's are there).
func (s *source) clearFailure() { s.err.Store(nil) }
