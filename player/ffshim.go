package player

// The FFmpeg calls that go-astiav v0.16.0 does not wrap, kept to one file of thin shims:
// decoder flush, best-effort timestamps, stream dispositions, best-stream selection,
// swscale into a Go buffer and swresample. go-astiav hides the C pointers of its
// FormatContext and CodecContext; formatContextC and codecContextC read them, and
// checkAstiavLayout proves at run time that the read is right before any shim uses it.

/*
#cgo pkg-config: libavcodec libavformat libavutil libswscale libswresample
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

static int64_t mq_best_effort_timestamp(const AVFrame *f) { return f->best_effort_timestamp; }
static int64_t mq_frame_duration(const AVFrame *f) { return f->pkt_duration; }
static int mq_frame_colorspace(const AVFrame *f) { return f->colorspace; }
static int mq_frame_full_range(const AVFrame *f) { return f->color_range == AVCOL_RANGE_JPEG; }
static int mq_frame_channels(const AVFrame *f) { return f->ch_layout.nb_channels; }

static void mq_set_pkt_timebase(AVCodecContext *c, int num, int den) {
	c->pkt_timebase.num = num;
	c->pkt_timebase.den = den;
}

static int mq_stream_disposition(const AVFormatContext *fc, int i) {
	if (i < 0 || (unsigned)i >= fc->nb_streams) return 0;
	return fc->streams[i]->disposition;
}

static int mq_find_best_stream(AVFormatContext *fc, int type, int related) {
	return av_find_best_stream(fc, type, -1, related, NULL, 0);
}

// Scales a decoded picture into one packed RGBA plane with the given stride. The
// colour matrix follows the frame's tags, defaulting as players do: BT.709 for HD,
// BT.601 below.
static int mq_sws_rgba(struct SwsContext **cache, const AVFrame *f, uint8_t *dst, int dst_w, int dst_h) {
	int flags = SWS_BILINEAR;
	// The unscaled x86 YUV-to-RGB converter works 8 pixels at a time and, with a tight
	// stride, leaves the last dst_w % 8 pixels of each row unwritten (FFmpeg 5.1);
	// accurate rounding selects the generic path, which writes every pixel.
	if (dst_w % 8) flags |= SWS_ACCURATE_RND;
	*cache = sws_getCachedContext(*cache, f->width, f->height, f->format, dst_w, dst_h, AV_PIX_FMT_RGBA, flags, NULL, NULL, NULL);
	if (!*cache) return AVERROR(EINVAL);
	int cs = f->colorspace;
	if (cs == AVCOL_SPC_UNSPECIFIED || cs == AVCOL_SPC_RGB || cs > AVCOL_SPC_BT2020_CL)
		cs = f->height >= 720 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
	const int *coefs = sws_getCoefficients(cs);
	int src_full = f->color_range == AVCOL_RANGE_JPEG
		|| f->format == AV_PIX_FMT_YUVJ420P || f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P;
	sws_setColorspaceDetails(*cache, coefs, src_full, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
	uint8_t *dsts[4] = {dst, NULL, NULL, NULL};
	int strides[4] = {dst_w * 4, 0, 0, 0};
	return sws_scale(*cache, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dsts, strides);
}

static void mq_sws_free(struct SwsContext *c) { sws_freeContext(c); }

// Builds a converter from the frame's format to interleaved float at out_rate with
// out_channels in FFmpeg's default order for that count (5.1 down to stereo etc.).
static int mq_swr_open(SwrContext **s, const AVFrame *in, int out_rate, int out_channels) {
	// Zeroed: av_channel_layout_copy uninits its destination first, and an
	// uninitialised stack layout that looks custom makes it free a wild pointer.
	AVChannelLayout in_layout = {0}, out_layout = {0};
	if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || !av_channel_layout_check(&in->ch_layout))
		av_channel_layout_default(&in_layout, in->ch_layout.nb_channels);
	else if (av_channel_layout_copy(&in_layout, &in->ch_layout) < 0)
		return AVERROR(ENOMEM);
	av_channel_layout_default(&out_layout, out_channels);
	swr_free(s);
	int ret = swr_alloc_set_opts2(s, &out_layout, AV_SAMPLE_FMT_FLT, out_rate,
		&in_layout, in->format, in->sample_rate, 0, NULL);
	av_channel_layout_uninit(&in_layout);
	av_channel_layout_uninit(&out_layout);
	if (ret < 0) return ret;
	return swr_init(*s);
}

static int mq_swr_out_samples(SwrContext *s, int in_samples) { return swr_get_out_samples(s, in_samples); }

static int mq_swr_convert(SwrContext *s, uint8_t *out, int out_count, const AVFrame *in) {
	uint8_t *outs[1] = {out};
	if (!in) return swr_convert(s, outs, out_count, NULL, 0);
	return swr_convert(s, outs, out_count, (const uint8_t **)in->extended_data, in->nb_samples);
}

static void mq_swr_free(SwrContext **s) { swr_free(s); }

static int mq_interrupt(void *flag) { return __atomic_load_n((int32_t *)flag, __ATOMIC_SEQ_CST); }

static void mq_set_interrupt(AVFormatContext *fc, void *flag) {
	fc->interrupt_callback.callback = mq_interrupt;
	fc->interrupt_callback.opaque = flag;
}

static int mq_codec_width(const AVCodecContext *c) { return c->width; }
static int mq_format_flags(const AVFormatContext *fc) { return fc->flags; }
static int mq_duration_from_header(const AVFormatContext *fc) {
	return fc->duration_estimation_method == AVFMT_DURATION_FROM_STREAM;
}
*/
import "C"

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// noPTS is FFmpeg's AV_NOPTS_VALUE.
const noPTS = int64(-0x7fffffffffffffff - 1)

// formatContextC returns the AVFormatContext behind fc. go-astiav v0.16.0 declares
// FormatContext as struct{ c *C.struct_AVFormatContext }; checkAstiavLayout verifies it.
func formatContextC(fc *astiav.FormatContext) *C.AVFormatContext {
	return *(**C.AVFormatContext)(unsafe.Pointer(fc))
}

// codecContextC returns the AVCodecContext behind cc (struct{ c *C.AVCodecContext; ... }).
func codecContextC(cc *astiav.CodecContext) *C.AVCodecContext {
	return *(**C.AVCodecContext)(unsafe.Pointer(cc))
}

func frameC(f *astiav.Frame) *C.AVFrame { return (*C.AVFrame)(f.UnsafePointer()) }

var (
	layoutOnce sync.Once
	layoutErr  error
	logOnce    sync.Once
)

// quietFFmpeg keeps FFmpeg's per-packet complaints about damaged data (routine with
// partial torrents) off stderr; MARQUEE_FFMPEG_LOG=error|warning|info|debug brings them
// back. go-astiav's own log callback is not used: it formats into a fixed 1 KiB stack
// buffer with vsprintf, so a long message would overflow it.
func quietFFmpeg() {
	logOnce.Do(func() {
		levels := map[string]astiav.LogLevel{"quiet": astiav.LogLevelQuiet, "fatal": astiav.LogLevelFatal, "error": astiav.LogLevelError,
			"warning": astiav.LogLevelWarning, "info": astiav.LogLevelInfo, "verbose": astiav.LogLevelVerbose, "debug": astiav.LogLevelDebug}
		level, ok := levels[os.Getenv("MARQUEE_FFMPEG_LOG")]
		if !ok {
			level = astiav.LogLevelFatal
		}
		astiav.SetLogLevel(level)
	})
}

// checkAstiavLayout sets fields through go-astiav's setters and reads them back through
// the extracted C pointers; a different go-astiav struct layout fails here instead of
// corrupting memory later.
func checkAstiavLayout() error {
	layoutOnce.Do(func() {
		fc := astiav.AllocFormatContext()
		defer fc.Free()
		const flag = astiav.FormatContextFlags(0x4000) // AVFMT_FLAG_SORT_DTS, harmless here
		fc.SetFlags(fc.Flags() | flag)
		cc := astiav.AllocCodecContext(nil)
		defer cc.Free()
		cc.SetWidth(1234)
		if int(C.mq_format_flags(formatContextC(fc)))&int(flag) == 0 || C.mq_codec_width(codecContextC(cc)) != 1234 {
			layoutErr = errors.New("player: this go-astiav version lays out its structs differently from v0.16.0")
		}
	})
	return layoutErr
}

// interruptFlag makes FFmpeg's blocking operations on a format context give up once set.
// go-astiav's own interrupter writes its flag without synchronisation; this one is an
// atomic in pinned Go memory, so Close can set it from any goroutine.
type interruptFlag struct {
	v      *int32
	pinner runtime.Pinner
}

func newInterruptFlag() *interruptFlag { return &interruptFlag{v: new(int32)} }

// install points fc's interrupt callback at the flag; release must follow once fc is freed.
func (f *interruptFlag) install(fc *astiav.FormatContext) {
	f.pinner.Pin(f.v)
	C.mq_set_interrupt(formatContextC(fc), unsafe.Pointer(f.v))
}

func (f *interruptFlag) release() { f.pinner.Unpin() }
func (f *interruptFlag) set()     { atomic.StoreInt32(f.v, 1) }

func flushDecoder(cc *astiav.CodecContext) { C.avcodec_flush_buffers(codecContextC(cc)) }

func setPacketTimeBase(cc *astiav.CodecContext, tb astiav.Rational) {
	C.mq_set_pkt_timebase(codecContextC(cc), C.int(tb.Num()), C.int(tb.Den()))
}

// bestEffortTimestamp is the frame's presentation time guessed from pts and dts, which is
// what containers without pts (AVI) need.
func bestEffortTimestamp(f *astiav.Frame) int64 { return int64(C.mq_best_effort_timestamp(frameC(f))) }

func frameDuration(f *astiav.Frame) int64 { return int64(C.mq_frame_duration(frameC(f))) }

func frameChannels(f *astiav.Frame) int { return int(C.mq_frame_channels(frameC(f))) }

const (
	dispositionDefault     = 0x0001
	dispositionForced      = 0x0040
	dispositionAttachedPic = 0x0400
)

func streamDisposition(fc *astiav.FormatContext, index int) int {
	return int(C.mq_stream_disposition(formatContextC(fc), C.int(index)))
}

// durationFromHeader reports whether fc's duration is the one its header declares
// (Matroska's segment, MP4's movie), not one FFmpeg measured between the first and last
// timestamps (MPEG-TS) or guessed from the bitrate.
func durationFromHeader(fc *astiav.FormatContext) bool {
	return C.mq_duration_from_header(formatContextC(fc)) != 0
}

// findBestStream is av_find_best_stream: it honours default flags, skips cover art and
// prefers streams related to the chosen video. It returns -1 if none exists.
func findBestStream(fc *astiav.FormatContext, t astiav.MediaType, related int) int {
	i := int(C.mq_find_best_stream(formatContextC(fc), C.int(t), C.int(related)))
	if i < 0 {
		return -1
	}
	return i
}

// rgbaScaler converts decoded pictures into tight-stride RGBA buffers.
type rgbaScaler struct {
	ctx *C.struct_SwsContext
}

// scale writes f into dst, which must hold at least 4*w*h bytes.
func (s *rgbaScaler) scale(f *astiav.Frame, dst []byte, w, h int) error {
	if len(dst) < 4*w*h || w <= 0 || h <= 0 {
		return errors.New("player: RGBA buffer too small")
	}
	ret := C.mq_sws_rgba(&s.ctx, frameC(f), (*C.uint8_t)(unsafe.Pointer(&dst[0])), C.int(w), C.int(h))
	if ret < 0 {
		return astiav.Error(ret)
	}
	return nil
}

func (s *rgbaScaler) free() {
	if s.ctx != nil {
		C.mq_sws_free(s.ctx)
		s.ctx = nil
	}
}

// resampler converts decoded audio to the device's interleaved float format.
type resampler struct {
	ctx                  *C.SwrContext
	inFormat, inRate     int
	inChannels           int
	outRate, outChannels int
}

// convert appends f's samples, converted, to out and returns it. A nil frame drains the
// resampler's delay line.
func (r *resampler) convert(f *astiav.Frame, out []float32, outRate, outChannels int) ([]float32, error) {
	if f != nil {
		inFormat, inRate, inChannels := int(f.SampleFormat()), f.SampleRate(), frameChannels(f)
		if r.ctx == nil || inFormat != r.inFormat || inRate != r.inRate || inChannels != r.inChannels ||
			outRate != r.outRate || outChannels != r.outChannels {
			if ret := C.mq_swr_open(&r.ctx, frameC(f), C.int(outRate), C.int(outChannels)); ret < 0 {
				return out, astiav.Error(ret)
			}
			r.inFormat, r.inRate, r.inChannels, r.outRate, r.outChannels = inFormat, inRate, inChannels, outRate, outChannels
		}
	} else if r.ctx == nil {
		return out, nil
	}
	inSamples := 0
	if f != nil {
		inSamples = f.NbSamples()
	}
	room := int(C.mq_swr_out_samples(r.ctx, C.int(inSamples))) + 32
	start := len(out)
	need := start + room*outChannels
	if cap(out) < need {
		grown := make([]float32, start, need+need/2)
		copy(grown, out)
		out = grown
	}
	buf := out[start:need]
	var in *C.AVFrame
	if f != nil {
		in = frameC(f)
	}
	n := C.mq_swr_convert(r.ctx, (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.int(room), in)
	if n < 0 {
		return out, astiav.Error(n)
	}
	return out[:start+int(n)*outChannels], nil
}

func (r *resampler) free() {
	if r.ctx != nil {
		C.mq_swr_free(&r.ctx)
	}
}

// seconds converts a timestamp in time base tb to a Duration.
func tsToDuration(ts int64, tb astiav.Rational) time.Duration {
	if tb.Den() == 0 {
		return 0
	}
	return time.Duration(C.av_rescale_q_rnd(C.int64_t(ts), C.AVRational{num: C.int(tb.Num()), den: C.int(tb.Den())},
		C.AVRational{num: 1, den: 1000000000}, C.AV_ROUND_NEAR_INF|C.AV_ROUND_PASS_MINMAX))
}

func durationToTs(d time.Duration, tb astiav.Rational) int64 {
	if tb.Num() == 0 {
		return 0
	}
	return int64(C.av_rescale_q_rnd(C.int64_t(d), C.AVRational{num: 1, den: 1000000000},
		C.AVRational{num: C.int(tb.Num()), den: C.int(tb.Den())}, C.AV_ROUND_NEAR_INF|C.AV_ROUND_PASS_MINMAX))
}
