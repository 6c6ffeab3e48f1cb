package player

import (
	"errors"
	"fmt"
	"io"
	"time"

	"marquee/internal/mp4box"

	"github.com/asticode/go-astiav"
)

// Probe limits: enough for MPEG-TS to find AC-3 and H.264 parameters, small enough that a
// stream starts after reading about a megabyte, not the default five.
const (
	probeSize       = 1 << 20
	analyzeDuration = 2 * time.Second
)

// Read-ahead: the reader stops when every active queue holds this much media, or the
// queues together hold maxQueueBytes (ffplay's MAX_QUEUE_SIZE), so a torrent source is read
// about this far ahead of playback.
const (
	readAhead     = 2 * time.Second
	maxQueueBytes = 16 << 20
)

// demuxInput is a container opened through a custom AVIO context over a source. The
// player's reader and the thumbnailer each own one.
type demuxInput struct {
	fc    *astiav.FormatContext
	ioctx *astiav.IOContext
}

// openInput probes src's container (name is a format hint) and reads its stream
// parameters. prepare, if not nil, sees the format context before the first read (the
// player installs its interrupt callback there). On failure nothing stays allocated.
func openInput(src *source, name string, prepare func(*astiav.FormatContext)) (demuxInput, error) {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return demuxInput{}, errors.New("allocate format context")
	}
	if prepare != nil {
		prepare(fc)
	}
	ioctx, err := astiav.AllocIOContext(ioBufferSize, false, src.read, src.seek, nil)
	if err != nil {
		fc.Free()
		return demuxInput{}, fmt.Errorf("allocate I/O context: %w", err)
	}
	fc.SetPb(ioctx)
	opts := astiav.NewDictionary()
	defer opts.Free()
	_ = opts.Set("probesize", fmt.Sprint(probeSize), 0)
	_ = opts.Set("analyzeduration", fmt.Sprint(analyzeDuration.Microseconds()), 0)
	if err := fc.OpenInput(name, nil, opts); err != nil {
		// avformat_open_input frees the format context on failure, not our I/O context.
		ioctx.Free()
		return demuxInput{}, sourceError(src, err)
	}
	in := demuxInput{fc: fc, ioctx: ioctx}
	if err := fc.FindStreamInfo(nil); err != nil {
		in.close()
		return demuxInput{}, sourceError(src, err)
	}
	// Demuxers shrug off some read errors (a cut-off index parses as a short one); a
	// failing source is still a failed open.
	if srcErr := src.failure(); srcErr != nil {
		in.close()
		return demuxInput{}, fmt.Errorf("read source: %w", srcErr)
	}
	return in, nil
}

// close frees the demuxer and its I/O context; a closed input may be closed again.
func (in *demuxInput) close() {
	if in.fc != nil {
		in.fc.CloseInput()
		in.fc.Free()
		in.fc = nil
	}
	if in.ioctx != nil {
		in.ioctx.Free()
		in.ioctx = nil
	}
}

// sourceError prefers the source's own failure (a read error, ErrNotDownloaded) to
// FFmpeg's report of it; otherwise FFmpeg did not recognise the data.
func sourceError(src *source, err error) error {
	if srcErr := src.failure(); srcErr != nil {
		return fmt.Errorf("read source: %w", srcErr)
	}
	if missingMP4Index(src) {
		return fmt.Errorf("%w: the MP4 has no index (moov box) before its end: the file is cut off or incomplete", ErrInvalidData)
	}
	return fmt.Errorf("%w: %v", ErrInvalidData, err)
}

// missingMP4Index reports whether src is an MP4 whose top-level boxes end (or are cut
// off) without the index: what a moov-at-end film copied or downloaded only in part is.
// FFmpeg says no more than "Invalid data found when processing input".
func missingMP4Index(src *source) bool {
	if src.size <= 0 {
		return false
	}
	ra := readerAt{src}
	var head [8]byte
	if _, err := ra.ReadAt(head[:], 0); err != nil || string(head[4:]) != "ftyp" {
		return false
	}
	_, err := mp4box.FirstOf(ra, src.size, "moov")
	return err != nil
}

// readerAt reads at an offset through the source's Seek and Read, cancelled with the
// player; only the reader goroutine, which owns the source, may use it.
type readerAt struct{ s *source }

func (ra readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := ra.s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n := 0
	for n < len(p) {
		var k int
		var err error
		if cr, ok := ra.s.r.(ContextReader); ok {
			k, err = cr.ReadContext(ra.s.ctx, p[n:])
		} else {
			k, err = ra.s.r.Read(p[n:])
		}
		n += k
		switch {
		case err != nil:
			return n, err
		case k == 0 && ra.s.ctx.Err() != nil:
			return n, ra.s.ctx.Err()
		}
	}
	return n, nil
}

// probe opens the container on the reader goroutine, the only one that calls into the
// source.
func (p *Player) probe() error {
	in, err := openInput(p.src, p.opts.Name, p.interruptFlag.install)
	if err != nil {
		if p.ctx.Err() != nil {
			return p.ctx.Err()
		}
		return err
	}
	p.demuxInput = in
	return nil
}

func (p *Player) freeParams() {
	for _, cp := range p.params {
		cp.Free()
	}
	p.params = nil
}

// closeInput frees the demuxer; only the reader calls it, on its way out.
func (p *Player) closeInput() {
	p.demuxInput.close()
	p.interruptFlag.release()
}

// runReader is the reader goroutine: it probes, reports, waits for Open to finish the
// setup, then demuxes packets into the queues until Close (ffplay's read_thread). It is the
// only goroutine that calls the source, so a read that waits for a download blocks nothing
// else.
func (p *Player) runReader(probed chan<- error, start <-chan bool) {
	defer close(p.readerDone)
	defer p.freeParams() // the reader outlives Open; it alone opens decoders afterwards
	defer p.closeInput()
	err := p.probe()
	p.probedBytes = p.src.bytesRead.Load()
	probed <- err
	if err != nil || !<-start {
		return
	}
	pkt := astiav.AllocPacket()
	defer func() { pkt.Free() }()
	eof := false
	failures := 0
	for !p.closed.Load() {
		if req, ok := p.takeSeek(); ok {
			p.doSeek(req)
			eof = false
			failures = 0
		}
		if stream, ok := p.takeAudioSwitch(); ok {
			if err := p.switchAudio(stream); err == nil {
				t := p.refreshPoint()
				p.doSeek(seekRequest{target: t, from: t})
				eof = false
			}
		}
		if eof || p.queuesFull() {
			// A decoder taking a packet, a seek, a track switch or Close wakes the reader.
			p.waitReader(idleWait)
			continue
		}
		err := p.fc.ReadFrame(pkt)
		if err != nil {
			if p.closed.Load() || p.ctx.Err() != nil {
				return
			}
			if srcErr := p.src.failure(); srcErr != nil {
				p.fail(fmt.Errorf("read source: %w", srcErr))
				return
			}
			if errors.Is(err, astiav.ErrEagain) {
				p.waitReader(5 * time.Millisecond)
				continue
			}
			failures++
			if errors.Is(err, astiav.ErrEof) || failures > 50 {
				// End of file, or a corrupt tail that keeps failing: play what came out.
				p.queueEOF()
				p.readerEOF.Store(true)
				eof = true
				continue
			}
			continue
		}
		failures = 0
		p.route(pkt)
		pkt = astiav.AllocPacket()
	}
}

// route hands a demuxed packet to its stream's consumer, or drops it.
func (p *Player) route(pkt *astiav.Packet) {
	idx := pkt.StreamIndex()
	serial := int(p.serial.Load())
	switch {
	case idx == p.videoStream && p.videoQ != nil:
		if p.coverArt {
			// The cover stands for the whole sound, and FFmpeg queues it again after each
			// seek stamped with the start: stamped with the seek's target instead, it
			// lands the seek at once rather than being dropped as a picture from before
			// the target while the sound waits for a next picture that never comes.
			ts := durationToTs(p.seekState.Load().target+p.startTime, p.timeBases[idx])
			pkt.SetPts(ts)
			pkt.SetDts(ts)
		}
		p.videoQ.put(pkt, serial)
		return
	case int64(idx) == p.audioStream.Load():
		p.pipeMu.Lock()
		a := p.audio
		p.pipeMu.Unlock()
		if a != nil && a.stream == idx {
			a.dec.queue.put(pkt, serial)
			return
		}
	case idx == p.subs.embedded():
		p.addEmbeddedCue(pkt)
	}
	pkt.Free()
}

func (p *Player) addEmbeddedCue(pkt *astiav.Packet) {
	tb := p.timeBases[pkt.StreamIndex()]
	if pkt.Pts() == noPTS {
		return
	}
	text, err := packetText(p.subCodecs[pkt.StreamIndex()], pkt.Data())
	if err != nil {
		return
	}
	start := tsToDuration(pkt.Pts(), tb) - p.startTime
	end := start + defaultCueLength
	if pkt.Duration() > 0 {
		end = start + tsToDuration(pkt.Duration(), tb)
	}
	p.subs.addEmbedded(pkt.StreamIndex(), Cue{Start: start, End: end, Text: text})
}

func (p *Player) queueEOF() {
	serial := int(p.serial.Load())
	if p.videoQ != nil {
		p.videoQ.putEOF(serial)
	}
	p.pipeMu.Lock()
	if p.audio != nil {
		p.audio.dec.queue.putEOF(serial)
	}
	p.pipeMu.Unlock()
}

// doSeek moves the demuxer to the keyframe before req.from, bumps the serial and flushes
// the queues; decoders then drop everything before req.target, so playback lands exactly.
func (p *Player) doSeek(req seekRequest) {
	from := req.from
	if from == fromVeryStart {
		// The first timestamp of one stream can precede the first keyframe of another
		// (MPEG-TS audio starts before video); a time before the film lands on its first
		// packet in every demuxer.
		from = -time.Minute
	}
	ts := (from + p.startTime).Microseconds()
	err := p.fc.SeekFrame(-1, ts, astiav.SeekFlags(astiav.SeekFlagBackward))
	if err != nil {
		// Some demuxers refuse backward seeks near the start; any keyframe will do, the
		// decoders still drop up to t.
		err = p.fc.SeekFrame(-1, ts, 0)
	}
	serial := int(p.serial.Load()) + 1
	p.readerEOF.Store(false)
	p.seeks.Add(1)
	p.seekState.Store(&seekState{serial: serial, target: req.target, from: req.from, retry: req.retry})
	p.serial.Store(int64(serial))
	if p.videoQ != nil {
		p.videoQ.flush()
	}
	p.pipeMu.Lock()
	if p.audio != nil {
		p.audio.dec.queue.flush()
	}
	p.pipeMu.Unlock()
	p.gate.skipBelow.Store(int64(serial))
	select { // an audio writer waiting for room drops its now stale samples
	case p.ringSpace <- struct{}{}:
	default:
	}
	if p.videoQ == nil {
		p.gate.playSerial.Store(int64(serial)) // no picture to wait for
	}
	p.wakePresenter()
	p.subs.wake()
}

// queuesFull reports whether the reader may rest: enough media is queued on every active
// stream, or the byte budget is spent.
func (p *Player) queuesFull() bool {
	bytes, enough, active := 0, 0, 0
	check := func(q *packetQueue) {
		b, span, n, _ := q.level()
		bytes += b
		active++
		if span >= readAhead || (span == 0 && n >= 64) {
			enough++
		}
	}
	if p.videoQ != nil && !p.coverArt {
		check(p.videoQ)
	}
	p.pipeMu.Lock()
	if p.audio != nil {
		check(p.audio.dec.queue)
	}
	p.pipeMu.Unlock()
	return bytes >= maxQueueBytes || (active > 0 && enough == active)
}

func (p *Player) waitReader(d time.Duration) {
	p.turns.Add(1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.readerWake:
	case <-p.abort:
	case <-t.C:
	}
}

func (p *Player) wakeReader() {
	select {
	case p.readerWake <- struct{}{}:
	default:
	}
}

func (p *Player) takeSeek() (seekRequest, bool) {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	if p.seekReq == nil {
		return seekRequest{}, false
	}
	req := *p.seekReq
	p.seekReq = nil
	return req, true
}

func (p *Player) takeAudioSwitch() (int, bool) {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	if p.audioReq == nil {
		return 0, false
	}
	s := *p.audioReq
	p.audioReq = nil
	return s, true
}

// switchAudio replaces the audio pipeline with one for stream.
func (p *Player) switchAudio(stream int) error {
	p.pipeMu.Lock()
	defer p.pipeMu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	if p.audio != nil && p.audio.stream == stream {
		return nil
	}
	next, err := p.startAudio(stream)
	if err != nil {
		return err
	}
	if p.audio != nil {
		p.audio.stop()
	}
	p.audio = next
	p.audioStream.Store(int64(stream))
	return nil
}
