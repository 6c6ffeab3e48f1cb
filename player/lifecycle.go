package player

import (
	"time"
)

// shutdown stops every goroutine and frees what they do not free themselves. It waits a
// little for a reader blocked in the source (waitReader) but never for good: the reader
// frees the demuxer itself whenever its read returns.
func (p *Player) shutdown(waitReader time.Duration) {
	p.closed.Store(true)
	close(p.abort)
	p.interrupt()
	if p.videoQ != nil {
		p.videoQ.abort()
	}
	p.pipeMu.Lock()
	a := p.audio
	p.audio = nil
	p.pipeMu.Unlock()
	if a != nil {
		a.stop()
	}
	if p.out != nil {
		p.out.close() // the callback has returned for good after this
	}
	p.mu.Lock()
	p.applyLocked()
	p.mu.Unlock()
	deadline := time.NewTimer(closeGrace)
	defer deadline.Stop()
	workers := make(chan struct{})
	go func() { p.wg.Wait(); close(workers) }()
	select {
	case <-workers:
	case <-deadline.C:
	}
	readerWait := time.NewTimer(waitReader)
	defer readerWait.Stop()
	select {
	case <-p.readerDone:
	case <-readerWait.C:
	}
	if p.frames != nil {
		for {
			select {
			case vf := <-p.frames:
				vf.free()
				continue
			default:
			}
			break
		}
	}
}

// teardown undoes a partial Open, which must not outlast its context: a reader stuck in
// the probe is left to finish on its own.
func (p *Player) teardown() {
	p.shutdown(0)
	if p.events != nil {
		p.events.Close()
	}
}

func (p *Player) closeDone() {
	p.doneOnce.Do(func() { close(p.done) })
}

func (p *Player) startGoroutines() {
	if p.videoQ != nil {
		p.wg.Add(1)
		go p.runPresenter(p.opts.Video)
	}
	if p.opts.Subtitles != nil {
		p.wg.Add(1)
		go p.runSubtitler(p.opts.Subtitles)
	}
	p.wg.Add(1)
	go p.runControl()
}
