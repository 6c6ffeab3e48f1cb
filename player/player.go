// Package player plays a film from any io.ReadSeeker: demux and decode with FFmpeg
// (through go-astiav), pictures converted to RGBA for a FrameSink, sound through
// miniaudio, subtitles as plain text for a SubtitleSink. Playback starts as soon as the
// first frames' bytes exist; a read that waits for data (a torrent piece not yet
// downloaded) blocks only the reader goroutine while the player shows Buffering.
//
// The pipeline follows ffplay: a reader goroutine fills one packet queue per stream, one
// decoder goroutine per stream fills a picture queue and an audio sample ring, the audio
// device callback drives the master clock and a presenter goroutine times pictures
// against it. Seeks bump a serial number; everything downstream drops what carries an
// older one.
//
// FFmpeg's own log (complaints about damaged packets, routine with partial downloads) is
// silenced; set MARQUEE_FFMPEG_LOG=error, warning, info or debug to see it.
package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"marquee/internal/serial"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// Options configure Open.
type Options struct {
	Size      int64        // source size in bytes (0 or -1 if unknown)
	Name      string       // file name hint for probing (e.g. "film.mkv")
	Video     FrameSink    // nil is NullVideo: frames are decoded and timed, converted nowhere
	Subtitles SubtitleSink // nil: no subtitles are shown
	Audio     AudioDriver  // DeviceAudio (nil) or NullAudio
	// OnEvent is called on a player goroutine, in order; it may be nil.
	OnEvent func(Event)
	// VideoWidth and VideoHeight are the initial output size request (0 = source size).
	VideoWidth, VideoHeight int
	StartPaused             bool
	// StartAt, if set, says where playback starts once the streams are known (a resume
	// point, a share of the duration; 0 is the beginning). The first picture shown is the
	// one there: a Seek after Open would race the film's first picture to the screen.
	StartAt func(MediaInfo) time.Duration

	// Unpaced presents every picture as soon as it is decoded, ignoring the clock, so that
	// benchmarks (and fuzzing) decode as fast as the CPU allows. Sound, if any, still
	// plays at the device's pace.
	Unpaced bool
}

// Player plays one source. Its methods are safe for concurrent use and never block on
// the source.
//
// Its state is grouped by the job that owns it, each group beside the goroutine that
// writes it: the reader (demuxState), the video decoder and presenter (videoPath), the
// audio decoder and device (audioPath), seeks (seekControl) and the state the UI sees
// (playState, guarded by mu).
type Player struct {
	opts Options
	info MediaInfo

	lifecycle
	demuxState
	videoPath
	audioPath
	seekControl
	playState

	wallClock *clock // the master clock of a film without sound
	subs      *subtitleState
}

// lifecycle is what Close, and a failed Open, stop.
type lifecycle struct {
	ctx       context.Context // cancelled by Close: unblocks ReadContext sources
	cancel    context.CancelFunc
	abort     chan struct{}
	closed    atomic.Bool
	closeOnce sync.Once
	// controlWake wakes the control loop (control.go) when the state changes.
	controlWake chan struct{}
	// turns counts the wake-ups of the reader, presenter, control and audio writer loops,
	// so a test can tell a paused player that sleeps from one that polls.
	turns atomic.Int64
	// events hands events to OnEvent in order on one goroutine, so no player goroutine
	// (least of all the audio callback) ever waits for UI code.
	events *serial.Queue[Event]
	wg     sync.WaitGroup
}

// demuxState belongs to the reader goroutine once Open returns.
type demuxState struct {
	src *source
	demuxInput
	interruptFlag *interruptFlag
	probedBytes   int64 // read from the source to find the streams
	readerWake    chan struct{}
	readerDone    chan struct{}

	params    map[int]*astiav.CodecParameters // copies, so decoders outlive the demuxer
	timeBases map[int]astiav.Rational
	subCodecs map[int]string
	startTime time.Duration
	frameDur  time.Duration
	sar       astiav.Rational
	turn      orientation
}

// videoPath is the video decoder's queue and picture queue and the presenter's figures.
type videoPath struct {
	videoStream   int  // -1 without video
	coverArt      bool // the video is one still picture (an album's cover), not a film
	videoQ        *packetQueue
	frames        chan *videoFrame
	presenterWake chan struct{}
	videoSize     packedSize
	lastVideoPTS  atomic.Int64
	framesShown   atomic.Int64
	framesDropped atomic.Int64
}

// audioPath is the audio decoder, the sample ring and the device that drains it; the
// device's callback drives audioClock, the master clock.
type audioPath struct {
	pipeMu      sync.Mutex
	audio       *audioPipeline
	audioStream atomic.Int64 // stream routed to the audio pipeline, -1 if none
	out         audioOutput
	ring        *sampleRing
	ringPtr     atomic.Pointer[sampleRing] // the callback's view of ring
	ringSpace   chan struct{}              // the audio callback took samples: the decoder may write
	outLatency  atomic.Int64
	gate        audioGate
	audioClock  *clock
}

// seekControl carries seeks from the API to the reader and their landing back (seeklanding.go).
type seekControl struct {
	serial    atomic.Int64
	seekState atomic.Pointer[seekState]
	readerEOF atomic.Bool  // the reader queued the end of the current serial
	videoDone atomic.Int64 // serial whose last picture was presented

	reqMu    sync.Mutex
	seekReq  *seekRequest
	seeks    atomic.Int64 // seeks the demuxer carried out
	audioReq *int
}

// playState is the state the UI sees (playstate.go), with the stall counts.
type playState struct {
	mu         sync.Mutex
	flags      stateFlags
	state      State
	err        error
	done       chan struct{}
	doneOnce   sync.Once
	stalls     int
	stallStart time.Time
	stallTotal time.Duration
	bufferPct  float64
	position   time.Duration // while seeking: the target; after the end: the end
}

type stateFlags struct {
	opening   bool
	wantPlay  bool
	buffering bool
	seeking   bool
	target    time.Duration
	ended     bool
	failed    bool
	started   bool // the first frame (or sound) is out
}

// Open probes r and starts playback (or stays paused with StartPaused). It returns once
// the streams are known; ctx bounds the probe. The caller keeps ownership of r: Close
// does not close it. Only the player's reader goroutine calls r's methods.
func Open(ctx context.Context, r io.ReadSeeker, opts Options) (*Player, error) {
	if r == nil {
		return nil, errors.New("player: nil source")
	}
	if err := checkAstiavLayout(); err != nil {
		return nil, err
	}
	quietFFmpeg()
	p := &Player{
		opts: opts,
		lifecycle: lifecycle{
			abort:       make(chan struct{}),
			controlWake: make(chan struct{}, 1),
		},
		demuxState: demuxState{
			readerWake: make(chan struct{}, 1),
			readerDone: make(chan struct{}),
			params:     map[int]*astiav.CodecParameters{},
			timeBases:  map[int]astiav.Rational{},
			subCodecs:  map[int]string{},
		},
		videoPath: videoPath{
			videoStream:   -1,
			presenterWake: make(chan struct{}, 1),
		},
		audioPath: audioPath{
			ringSpace:  make(chan struct{}, 1),
			audioClock: newClock(nil),
		},
		playState: playState{done: make(chan struct{})},
		wallClock: newClock(nil),
		subs:      newSubtitleState(),
	}
	if p.opts.Video == nil {
		p.opts.Video = NullVideo
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.interruptFlag = newInterruptFlag()
	p.src = newSource(p.ctx, r, opts.Size)
	p.audioStream.Store(-1)
	p.videoDone.Store(-1)
	p.gate.eof.Store(-1)
	p.gate.setVolume(1)
	p.seekState.Store(&seekState{serial: 0, target: 0})
	p.videoSize.set(opts.VideoWidth, opts.VideoHeight)
	p.flags = stateFlags{opening: true, wantPlay: !opts.StartPaused}

	stopWatch := context.AfterFunc(ctx, p.interrupt)
	probed := make(chan error, 1)
	start := make(chan bool, 1)
	go p.runReader(probed, start)
	var err error
	select {
	case err = <-probed:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if !stopWatch() && err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = p.setup()
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			err = fmt.Errorf("open: %w", ctx.Err())
		}
		start <- false
		p.interrupt()
		p.teardown()
		return nil, err
	}
	p.events = serial.New(opts.OnEvent)
	p.startGoroutines()
	if opts.StartAt != nil {
		if t := opts.StartAt(p.Info()); t > 0 {
			p.Seek(t) // taken by the reader before its first packet
		}
	}
	start <- true
	p.mu.Lock()
	p.flags.opening = false
	p.applyLocked()
	p.mu.Unlock()
	return p, nil
}

// interrupt makes every pending and future source call and FFmpeg I/O wait give up.
func (p *Player) interrupt() {
	p.cancel()
	p.interruptFlag.set()
}

// setup reads the probed streams, picks the tracks to play and opens decoders and the
// audio device. It runs while the reader waits, so it may use p.fc.
func (p *Player) setup() error {
	fc := p.fc
	streams := fc.Streams()
	if start := fc.StartTime(); start != noPTS {
		p.startTime = time.Duration(start) * time.Microsecond
	}
	info := MediaInfo{Bitrate: fc.BitRate()}
	if d := fc.Duration(); d != noPTS && d > 0 {
		info.Duration = time.Duration(d) * time.Microsecond
		// A header's duration runs from the timeline's zero, and playback from the first
		// timestamp: a recording whose clock starts 10 hours in lasts what follows it.
		if durationFromHeader(fc) && p.startTime > 0 && info.Duration > p.startTime {
			info.Duration -= p.startTime
		}
	}
	if in := fc.InputFormat(); in != nil {
		info.Container = in.Name()
	}
	if info.Bitrate <= 0 && p.opts.Size > 0 && info.Duration > 0 {
		info.Bitrate = int64(float64(p.opts.Size*8) / info.Duration.Seconds())
	}
	video := findBestStream(fc, astiav.MediaTypeVideo, -1)
	audio := findBestStream(fc, astiav.MediaTypeAudio, video)
	for _, s := range streams {
		cp := s.CodecParameters()
		idx := s.Index()
		p.timeBases[idx] = s.TimeBase()
		disp := streamDisposition(fc, idx)
		t := TrackInfo{
			ID: idx, Codec: cp.CodecID().Name(),
			Language: metadata(s, "language"), Title: metadata(s, "title"),
			Default: disp&dispositionDefault != 0, Forced: disp&dispositionForced != 0,
		}
		switch cp.MediaType() {
		case astiav.MediaTypeAudio:
			t.Channels = cp.ChannelLayout().NbChannels()
			if t.Channels == 0 {
				t.Channels = cp.Channels()
			}
			t.Playable = astiav.FindDecoder(cp.CodecID()) != nil
			info.Audio = append(info.Audio, t)
			p.copyParams(s)
		case astiav.MediaTypeSubtitle:
			p.subCodecs[idx] = t.Codec
			t.Playable = textSubtitleCodecs[t.Codec]
			info.Subtitles = append(info.Subtitles, t)
			p.subs.addTrack(t, nil)
		case astiav.MediaTypeVideo:
			if idx == video {
				p.copyParams(s)
			}
		}
	}
	if video >= 0 {
		s := streams[video]
		cp := s.CodecParameters()
		p.sar = s.SampleAspectRatio()
		if p.sar.Num() <= 0 {
			p.sar = cp.SampleAspectRatio()
		}
		fps := s.AvgFrameRate()
		if fps.Num() <= 0 || fps.Den() <= 0 || fps.Float64() > 1000 {
			fps = s.RFrameRate()
		}
		p.frameDur = 40 * time.Millisecond
		if fps.Num() > 0 && fps.Den() > 0 && fps.Float64() <= 1000 {
			p.frameDur = time.Duration(float64(time.Second) / fps.Float64())
		}
		p.coverArt = streamDisposition(fc, video)&dispositionAttachedPic != 0
		if p.coverArt {
			fps = astiav.NewRational(0, 1) // FFmpeg says 90000: the time base, not a rate
		}
		p.turn = streamOrientation(s)
		dw, dh := p.turn.fit(cp.Width(), cp.Height(), p.sar, 0, 0)
		info.Video = &VideoInfo{Codec: cp.CodecID().Name(), Width: cp.Width(), Height: cp.Height(),
			DisplayWidth: dw, DisplayHeight: dh, Rotation: int(p.turn), FPS: fps.Float64()}
		threads := videoThreads()
		if p.coverArt {
			// A frame-threaded decoder (PNG's) gives a picture out only when the next packet
			// or the end comes in, and a cover has no next packet.
			threads = 0
		}
		d, err := openDecoder(p.params[video], p.timeBases[video], "video", threads)
		if err != nil {
			return err
		}
		p.videoStream = video
		p.videoQ = newPacketQueue(p.timeBases[video])
		p.videoQ.taken = p.wakeReader
		d.queue = p.videoQ
		p.frames = make(chan *videoFrame, frameQueueSize)
		p.wg.Add(1)
		go p.runVideoDecoder(d)
	}
	// The best audio track may have no decoder here (say, a DTS variant); take the next
	// playable one rather than play silently.
	if audio >= 0 && !trackPlayable(info.Audio, audio) {
		audio = -1
	}
	if audio < 0 {
		for _, t := range info.Audio {
			if t.Playable {
				audio = t.ID
				break
			}
		}
	}
	if video < 0 && audio < 0 {
		if len(info.Audio) > 0 {
			return &CodecError{Media: "audio", Codec: info.Audio[0].Codec, Tag: tagString(p.params[info.Audio[0].ID])}
		}
		return ErrNoStreams
	}
	if audio >= 0 {
		if err := p.openAudioOutput(); err != nil {
			return err
		}
		a, err := p.startAudio(audio)
		if err != nil {
			return err
		}
		p.audio = a
		p.audioStream.Store(int64(audio))
	}
	if video < 0 {
		p.gate.playSerial.Store(0) // nothing to wait for before sound
	} else {
		p.gate.playSerial.Store(-1) // sound waits for the first picture
	}
	p.info = info
	return nil
}

func trackPlayable(tracks []TrackInfo, id int) bool {
	for _, t := range tracks {
		if t.ID == id {
			return t.Playable
		}
	}
	return false
}

func (p *Player) copyParams(s *astiav.Stream) {
	cp := astiav.AllocCodecParameters()
	if err := s.CodecParameters().Copy(cp); err != nil {
		cp.Free()
		return
	}
	p.params[s.Index()] = cp
}

func metadata(s *astiav.Stream, key string) string {
	if m := s.Metadata(); m != nil {
		if e := m.Get(key, nil, 0); e != nil && e.Value() != "und" { // ISO 639 "undetermined"
			return e.Value()
		}
	}
	return ""
}

// openAudioOutput opens the device first, since the ring must match its format; until the
// ring exists the callback plays silence.
func (p *Player) openAudioOutput() error {
	render := func(out []float32) {
		r := p.ringPtr.Load()
		if r == nil {
			clear(out)
			return
		}
		if r.render(out, &p.gate, p.audioClock, time.Duration(p.outLatency.Load())) {
			select {
			case p.ringSpace <- struct{}{}:
			default:
			}
		}
	}
	driver := p.opts.Audio
	if driver == nil {
		driver = DeviceAudio
	}
	out, err := driver.open(render)
	if err != nil {
		return err
	}
	rate, channels := out.format()
	if rate <= 0 || channels <= 0 {
		out.close()
		return fmt.Errorf("audio device reports %d Hz, %d channels", rate, channels)
	}
	p.out = out
	p.ring = newSampleRing(rate, channels, ringSpan)
	p.outLatency.Store(int64(out.latency()))
	p.ringPtr.Store(p.ring)
	return nil
}

// Info describes the opened source and its tracks.
func (p *Player) Info() MediaInfo {
	info := p.info
	if info.Video != nil {
		v := *info.Video
		info.Video = &v
	}
	info.Audio = append([]TrackInfo(nil), info.Audio...)
	info.Subtitles = p.subs.list()
	return info
}

// Play starts or resumes playback; after the end it starts over.
func (p *Player) Play() {
	p.mu.Lock()
	ended := p.flags.ended
	p.flags.wantPlay = true
	p.applyLocked()
	p.mu.Unlock()
	if ended {
		p.Seek(0)
	}
}

// Pause freezes playback; the picture stays.
func (p *Player) Pause() {
	p.mu.Lock()
	p.flags.wantPlay = false
	p.applyLocked()
	p.mu.Unlock()
}

// TogglePause pauses when playing and plays when paused; after the end it starts over.
func (p *Player) TogglePause() {
	p.mu.Lock()
	play := !p.flags.wantPlay || p.flags.ended
	p.mu.Unlock()
	if play {
		p.Play()
	} else {
		p.Pause()
	}
}

// Seek moves playback to t and returns at once. Only the last of a burst of seeks (a
// dragged seek bar) is carried out in full; EventSeekDone reports where it landed: the
// first frame at or just before t.
func (p *Player) Seek(t time.Duration) {
	if p.closed.Load() {
		return
	}
	t = max(t, 0)
	if d := p.info.Duration; d > 0 && t > d {
		t = d
	}
	p.requestSeek(seekRequest{target: t, from: t})
	p.mu.Lock()
	p.flags.seeking = true
	p.flags.target = t
	p.flags.ended = false
	p.position = t
	p.applyLocked()
	p.mu.Unlock()
	p.wakeReader()
}

// Position is the playback position: the master clock (the audio heard, or the wall clock
// without audio); while a seek is under way, its target.
func (p *Player) Position() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.positionLocked()
}

func (p *Player) positionLocked() time.Duration {
	if p.flags.seeking || p.flags.ended || p.flags.failed {
		return p.position
	}
	v, serial, ok := p.masterClock()
	if !ok || int64(serial) != p.serial.Load() {
		return p.position
	}
	if d := p.info.Duration; d > 0 && v > d {
		v = d
	}
	return max(v, 0)
}

// Duration is the film's length, 0 if the container does not say.
func (p *Player) Duration() time.Duration { return p.info.Duration }

// State is the current playback state.
func (p *Player) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Stats returns the playback counters.
func (p *Player) Stats() Stats {
	p.mu.Lock()
	stalls, stallTime, pct := p.stalls, p.stallTotal, p.bufferPct
	if p.flags.buffering {
		stallTime += time.Since(p.stallStart)
	}
	p.mu.Unlock()
	return Stats{
		FramesShown:   int(p.framesShown.Load()),
		FramesDropped: int(p.framesDropped.Load()),
		Stalls:        stalls,
		StallTime:     stallTime,
		BufferPercent: pct,
		BytesRead:     p.src.bytesRead.Load(),
		Underruns:     int(p.gate.underruns.Load()),
		AudioFrames:   p.gate.played.Load(),
	}
}

// SetVolume sets the gain from 0 (silent) to 2 (double); 1 is unchanged.
func (p *Player) SetVolume(v float64) {
	if math.IsNaN(v) {
		return
	}
	p.gate.setVolume(min(max(v, 0), 2))
}

// Volume is the gain set by SetVolume.
func (p *Player) Volume() float64 { return p.gate.getVolume() }

// SetMuted silences the sound without changing the volume; the clock keeps running.
func (p *Player) SetMuted(m bool) { p.gate.muted.Store(m) }

// Muted reports whether sound is muted.
func (p *Player) Muted() bool { return p.gate.muted.Load() }

// AudioTracks lists the audio tracks; ID is what SetAudioTrack takes.
func (p *Player) AudioTracks() []TrackInfo { return append([]TrackInfo(nil), p.info.Audio...) }

// AudioTrack is the ID of the track playing, -1 if none.
func (p *Player) AudioTrack() int { return int(p.audioStream.Load()) }

// SetAudioTrack switches to another audio track; playback continues from the current
// position.
func (p *Player) SetAudioTrack(id int) error {
	if p.closed.Load() {
		return ErrClosed
	}
	for _, t := range p.info.Audio {
		if t.ID != id {
			continue
		}
		if !t.Playable {
			return &CodecError{Media: "audio", Codec: t.Codec}
		}
		if p.ring == nil {
			return errors.New("player: no audio output is open")
		}
		if int64(id) == p.audioStream.Load() {
			return nil
		}
		p.reqMu.Lock()
		p.audioReq = &id
		p.reqMu.Unlock()
		p.wakeReader()
		return nil
	}
	return fmt.Errorf("audio track %d: %w", id, ErrNoTrack)
}

// SubtitleTracks lists embedded subtitle tracks and loaded subtitle files.
func (p *Player) SubtitleTracks() []TrackInfo { return p.subs.list() }

// SetSubtitleTrack shows track id; -1 turns subtitles off.
func (p *Player) SetSubtitleTrack(id int) error {
	if p.closed.Load() {
		return ErrClosed
	}
	embedded, err := p.subs.selectTrack(id)
	if err != nil {
		return fmt.Errorf("subtitle track %d: %w", id, err)
	}
	if embedded {
		// Cues of an embedded track arrive with the packets; read again from here so the
		// ones already passed by the reader are not missing.
		p.refresh()
	}
	return nil
}

// LoadSubtitles adds a SubRip, WebVTT or ASS file (another file of the torrent, or one
// the user dropped) as a subtitle track and returns it; SetSubtitleTrack shows it.
func (p *Player) LoadSubtitles(r io.Reader, name string) (TrackInfo, error) {
	cues, codec, err := parseSubtitleFile(r, name)
	if err != nil {
		return TrackInfo{}, err
	}
	t := p.subs.addTrack(TrackInfo{Codec: codec, Title: name, External: true, Playable: true}, cues)
	p.emit(Event{Kind: EventTracks})
	return t, nil
}

// SetSubtitleOffset shifts every cue by d: positive shows subtitles later.
func (p *Player) SetSubtitleOffset(d time.Duration) { p.subs.setOffset(d) }

// SetVideoSize asks for pictures that fit in w×h (keeping the aspect ratio, never larger
// than the source, and at the source size when w×h is only a little smaller: see
// nearSourceSize); 0 means the source size. It applies from the next frame.
func (p *Player) SetVideoSize(w, h int) {
	p.videoSize.set(w, h)
	p.wakePresenter()
}

// Done is closed when playback ends, fails, or the player is closed.
func (p *Player) Done() <-chan struct{} { return p.done }

// Err is the error that stopped playback, if any.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// closeGrace bounds how long Close waits for the decoders and sinks (only a FrameSink or
// SubtitleSink that blocks can make it wait that long) and readerGrace how long for a
// reader blocked in a source Read that cannot be cancelled (no ReadContext).
const (
	closeGrace  = 3 * time.Second
	readerGrace = time.Second
)

// Close stops playback and frees every FFmpeg object and goroutine. It never hangs: a
// reader blocked in a source Read that cannot be cancelled is left to finish that Read,
// after which it frees the demuxer itself. Close does not close the source.
func (p *Player) Close() error {
	p.closeOnce.Do(func() {
		p.shutdown(readerGrace)
		p.events.Close()
		p.closeDone()
	})
	return nil
}

// outputSize is the picture size for a decoded frame of w×h, from the UI's request.
func (p *Player) outputSize(w, h int) (int, int) {
	rw, rh := p.videoSize.get()
	return p.turn.fit(w, h, p.sar, rw, rh)
}
