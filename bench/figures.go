package bench

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"marquee/torrent/torrenttest"
)

// figure names one measured quantity.
type figure string

const (
	figTTFFStart  figure = "ttff-moov-start"  // seconds from engine start to the first decoded frame
	figTTFFEnd    figure = "ttff-moov-end"    // the same with the moov at the end
	figBytesStart figure = "bytes-moov-start" // bytes the seeders sent before the first frame
	figBytesEnd   figure = "bytes-moov-end"
	figSeek       figure = "seek"       // seconds from the seek to the first frame at 60%
	figRebuffers  figure = "rebuffers"  // rebuffers in 3 minutes at 1.5× capacity
	figStallTime  figure = "stall-time" // seconds stalled in those rebuffers
	figDownload   figure = "download"   // seconds to receive the whole bench film, uncapped
	figPeakRSS    figure = "peak-rss"   // bytes, peak resident memory streaming the 2 GiB film
	// The same figures with a web seed as the only source (the Internet Archive's case).
	figWSTTFFStart  figure = "ws-ttff-moov-start"
	figWSTTFFEnd    figure = "ws-ttff-moov-end"
	figWSBytesStart figure = "ws-bytes-moov-start"
	figWSBytesEnd   figure = "ws-bytes-moov-end"
	figWSSeek       figure = "ws-seek"
	figWSDownload   figure = "ws-download" // seconds for the whole film from the capped web seed
	// The start-up, seek and stall figures on a mixed swarm: aria2c, libtorrent 2 and
	// Transmission seeders and a web seed together (a popular film's case).
	figMixTTFFStart  figure = "mix-ttff-moov-start"
	figMixTTFFEnd    figure = "mix-ttff-moov-end"
	figMixBytesStart figure = "mix-bytes-moov-start"
	figMixBytesEnd   figure = "mix-bytes-moov-end"
	figMixSeek       figure = "mix-seek"
	figMixRebuffers  figure = "mix-rebuffers"
	figMixStallTime  figure = "mix-stall-time"
)

// mixedSources is how many capped sources a mixed swarm has.
const mixedSources = 4

// scenario holds the numbers every figure depends on, so that a quick development run
// differs from the real one only here.
type scenario struct {
	runs          int
	film          filmSpec
	withLarge     bool          // the 2 GiB film for figure 6 (else the bench film)
	seeders       int           // seeders in every swarm
	capBytes      int64         // per-seeder upload cap for figures 1 to 3
	webseedCap    int64         // per-connection cap of the web seed in the web seed figures
	capacityRatio float64       // figure 4: total swarm capacity over the film's bitrate
	warmup        time.Duration // figure 3: playback before the seek
	seekFraction  float64       // figure 3: seek target as a fraction of the duration
	stallPlay     time.Duration // figure 4: real-time playback
	rssPlay       time.Duration // figure 6: real-time playback of the large film
	pieceLength   int64
	largePiece    int64
}

// fullScenario is what `make bench` measures, as issue 7 specifies it.
var fullScenario = scenario{
	runs: 3, film: benchFilm, withLarge: true,
	seeders: 4, capBytes: 3 << 19, webseedCap: 2 << 20, capacityRatio: 1.5,
	warmup: 10 * time.Second, seekFraction: 0.6, stallPlay: 3 * time.Minute, rssPlay: 30 * time.Second,
	pieceLength: 256 << 10, largePiece: 1 << 20,
}

// quickScenario checks that the harness works end to end in a few minutes.
var quickScenario = scenario{
	runs: 1, film: filmSpec{Duration: 40 * time.Second, VideoKbps: 5000, AudioKbps: 128, KeyframeEach: 250},
	seeders: 4, capBytes: 3 << 19, webseedCap: 2 << 20, capacityRatio: 1.5,
	warmup: 10 * time.Second, seekFraction: 0.6, stallPlay: 20 * time.Second, rssPlay: 10 * time.Second,
	pieceLength: 256 << 10, largePiece: 1 << 20,
}

// harness runs the figures and collects their samples.
type harness struct {
	sc    scenario
	tools *tools
	films *films
	work  string // per-session scratch folder, emptied run by run
	logf  func(format string, args ...any)

	metaMu sync.Mutex
	metas  map[string]*metainfo
	crcs   map[string]uint32

	mu      sync.Mutex
	samples map[figure]map[engineID][]float64
	errs    map[figure]map[engineID][]string
	notes   []string
}

func newHarness(sc scenario, tl *tools, f *films, work string, logf func(string, ...any)) *harness {
	return &harness{
		sc: sc, tools: tl, films: f, work: work, logf: logf,
		metas: map[string]*metainfo{}, crcs: map[string]uint32{},
		samples: map[figure]map[engineID][]float64{}, errs: map[figure]map[engineID][]string{},
	}
}

func (h *harness) record(fig figure, id engineID, v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.samples[fig] == nil {
		h.samples[fig] = map[engineID][]float64{}
	}
	h.samples[fig][id] = append(h.samples[fig][id], v)
}

func (h *harness) note(n string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes = append(h.notes, n)
}

func (h *harness) fail(fig figure, id engineID, err error) {
	h.logf("%s %s: %v", fig, id, err)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.errs[fig] == nil {
		h.errs[fig] = map[engineID][]string{}
	}
	h.errs[fig][id] = append(h.errs[fig][id], err.Error())
}

// metainfo hashes each film once per session.
func (h *harness) metainfo(path string) (*metainfo, error) {
	h.metaMu.Lock()
	defer h.metaMu.Unlock()
	if m, ok := h.metas[path]; ok {
		return m, nil
	}
	piece := h.sc.pieceLength
	if path == h.films.large {
		piece = h.sc.largePiece
	}
	m, err := buildMetainfo(path, piece)
	if err != nil {
		return nil, err
	}
	h.metas[path] = m
	return m, nil
}

// checksum is the CRC-32C of a film, to check every byte an engine serves.
func (h *harness) checksum(path string) (uint32, error) {
	h.metaMu.Lock()
	defer h.metaMu.Unlock()
	if c, ok := h.crcs[path]; ok {
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sum := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	if _, err := io.Copy(sum, f); err != nil {
		return 0, fmt.Errorf("checksum %s: %w", path, err)
	}
	h.crcs[path] = sum.Sum32()
	return h.crcs[path], nil
}

// swarmKind says what serves the film in a run.
type swarmKind int

const (
	aria2Swarm  swarmKind = iota // h.sc.seeders aria2c seeders behind a private tracker
	webseedOnly                  // one BEP 19 web seed capped per connection, no peers
	mixedSwarm                   // aria2c, libtorrent 2 and Transmission seeders and a web seed, each capped
)

// swarm is what serves one run: a private tracker and seeders, or a web seed.
type swarm struct {
	tracker *Tracker
	seeders *seeders
	webseed *torrenttest.Webseed
	meta    *metainfo
	// source is what the streaming engines are given: the magnet, or the .torrent naming the
	// web seed. direct is aria2c's: the same magnet, or the film's URL on the web seed.
	source, direct string
}

// sent is how many bytes the seeders and the web seed have sent.
func (s *swarm) sent() (int64, error) {
	by, err := s.sentBySource()
	if err != nil {
		return 0, err
	}
	return sumSources(by), nil
}

// startSwarm starts a tracker and h.sc.seeders aria2c seeders of film, each capped at
// capBytes per second (0: uncapped), in dir.
func (h *harness) startSwarm(ctx context.Context, dir, film string, capBytes int64) (*swarm, error) {
	return h.startSwarmOf(ctx, dir, film, h.sc.seeders, capBytes)
}

// startSwarmOf is startSwarm with n aria2c seeders.
func (h *harness) startSwarmOf(ctx context.Context, dir, film string, n int, capBytes int64) (*swarm, error) {
	meta, err := h.metainfo(film)
	if err != nil {
		return nil, err
	}
	tr, err := StartTracker()
	if err != nil {
		return nil, err
	}
	s, err := startSeeders(ctx, dir, film, meta, tr, n, capBytes)
	if err != nil {
		tr.Close()
		return nil, err
	}
	magnet := meta.magnet(tr.AnnounceURL())
	return &swarm{tracker: tr, seeders: s, meta: meta, source: magnet, direct: magnet}, nil
}

// startWebseed serves film's folder as a web seed capped at capPerConn bytes/s per
// connection, like the Internet Archive's servers, and writes a .torrent naming it.
func (h *harness) startWebseed(dir, film string, capPerConn int64) (*swarm, error) {
	meta, err := h.metainfo(film)
	if err != nil {
		return nil, err
	}
	ws := startCappedWebseed(filepath.Dir(film), capPerConn, 0)
	// The URL names the file: webtorrent 1.9.7 does not append the name to a base URL ending
	// in "/" for a single-file torrent, as BEP 19 says; every engine reads a full file URL.
	fileURL := ws.BaseURL() + url.PathEscape(meta.name)
	path := filepath.Join(dir, meta.name+".torrent")
	if err := os.WriteFile(path, meta.webseedTorrentFile(fileURL), 0o644); err != nil {
		ws.Close()
		return nil, err
	}
	return &swarm{webseed: ws, meta: meta, source: path, direct: fileURL}, nil
}

// startCappedWebseed serves root as a web seed capped at perConn bytes/s per connection
// and total bytes/s in all (0: unlimited).
func startCappedWebseed(root string, perConn, total int64) *torrenttest.Webseed {
	return torrenttest.StartWebseed(torrenttest.WebseedConfig{Root: root, RatePerConn: perConn, RateTotal: total})
}

func (s *swarm) stop() {
	if s.webseed != nil {
		s.webseed.Close()
	}
	if s.seeders != nil {
		s.seeders.stop()
	}
	if s.tracker != nil {
		s.tracker.Close()
	}
}

// capFor is the cap of the start-up and seek figures: per seeder, or per web seed connection.
func (h *harness) capFor(kind swarmKind) int64 {
	if kind == webseedOnly {
		return h.sc.webseedCap
	}
	return h.sc.capBytes
}

// runDir makes a fresh folder for one run; cleanup removes it and the data in it.
func (h *harness) runDir(name string) (string, func(), error) {
	dir := filepath.Join(h.work, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// firstFrameRun is figures 1 and 2 for one engine and one moov variant: a cold start on
// the magnet, and the first frame through the shared reader (or in process).
func (h *harness) firstFrameRun(ctx context.Context, kind swarmKind, id engineID, film string, run int, ttff, bytesFig figure) {
	name := fmt.Sprintf("%s-%s-%d", ttff, id, run)
	err := h.withEngine(ctx, kind, name, film, id, func(ctx context.Context, dir string, sw *swarm, eng *engineRun) error {
		var (
			at  time.Time
			err error
		)
		if id == marqueePlay {
			_, at, err = eng.nextPlayEvent(ctx, 4*time.Minute, "first_frame")
		} else {
			at, err = firstFrame(ctx, eng.url, 0, filepath.Join(dir, "reader.log"))
		}
		if err != nil {
			return err
		}
		got, err := sw.sent()
		if err != nil {
			return err
		}
		h.record(ttff, id, at.Sub(eng.started).Seconds())
		h.record(bytesFig, id, float64(got))
		urlUp := ""
		if eng.url != "" {
			urlUp = fmt.Sprintf(" (URL up after %.2fs)", eng.urlWait.Seconds())
		}
		h.logf("%s %s run %d: first frame after %.2fs%s, %.1f MiB sent by the sources%s",
			ttff, id, run, at.Sub(eng.started).Seconds(), urlUp, float64(got)/(1<<20), sw.bySourceNote())
		return nil
	})
	if err != nil {
		h.fail(ttff, id, err)
	}
}

// seekRun is figure 3: cold start, warmup of real-time playback, then a seek to
// seekFraction of the film, timed to the first frame there.
func (h *harness) seekRun(ctx context.Context, kind swarmKind, id engineID, run int, fig figure) {
	name := fmt.Sprintf("%s-%s-%d", fig, id, run)
	err := h.withEngine(ctx, kind, name, h.films.moovStart, id, func(ctx context.Context, dir string, sw *swarm, eng *engineRun) error {
		warm, err := playRealtime(ctx, eng.url, h.sc.warmup, defaultPlayback, filepath.Join(dir, "warmup.log"))
		if err != nil {
			return fmt.Errorf("warmup: %w", err)
		}
		target := time.Duration(float64(h.films.duration) * h.sc.seekFraction)
		seekAt := time.Now()
		at, err := firstFrame(ctx, eng.url, target, filepath.Join(dir, "seek.log"))
		if err != nil {
			return fmt.Errorf("seek: %w", err)
		}
		h.record(fig, id, at.Sub(seekAt).Seconds())
		h.logf("%s %s run %d: played %.1fs, first frame at %v after %.2fs%s",
			fig, id, run, warm.played.Seconds(), target.Round(time.Second), at.Sub(seekAt).Seconds(), sw.bySourceNote())
		return nil
	})
	if err != nil {
		h.fail(fig, id, err)
	}
}

// stallRun is figure 4 (and 8 on a mixed swarm): real-time playback through a swarm whose
// total upload capacity is capacityRatio times the film's bitrate, split evenly between its
// sources.
func (h *harness) stallRun(ctx context.Context, kind swarmKind, id engineID, run int, rebuffersFig, stallFig figure) {
	name := fmt.Sprintf("%s-%s-%d", rebuffersFig, id, run)
	sources := h.sc.seeders
	if kind == mixedSwarm {
		sources = mixedSources
	}
	perSeeder := int64(float64(h.films.bitrate) / 8 * h.sc.capacityRatio / float64(sources))
	err := h.inSwarm(ctx, kind, name, h.films.moovStart, perSeeder, func(dir string, sw *swarm) error {
		ctx, cancel := context.WithTimeout(ctx, h.sc.stallPlay+5*time.Minute)
		defer cancel()
		eng, err := h.startPlaying(ctx, id, sw, dir, h.sc.stallPlay)
		if err != nil {
			return err
		}
		defer eng.stop()
		var res realtimeResult
		if id == marqueePlay {
			res, err = marqueeStalls(ctx, eng, h.sc.stallPlay, defaultPlayback.rebuffer)
		} else {
			res, err = playRealtime(ctx, eng.url, h.sc.stallPlay, defaultPlayback, filepath.Join(dir, "reader.log"))
		}
		if err != nil {
			return err
		}
		if res.gaveUp {
			h.note(fmt.Sprintf("Figure 4, %s run %d: playback stopped for good at %v (no data for %v); counted as one more rebuffer of that length.",
				engineTitles[id], run, res.played.Round(time.Second), giveUpAfter))
		} else if res.played < h.sc.stallPlay-2*time.Second && res.played < h.films.duration-2*time.Second {
			return fmt.Errorf("played only %v of %v", res.played.Round(time.Millisecond), h.sc.stallPlay)
		}
		h.record(rebuffersFig, id, float64(res.rebuffers))
		h.record(stallFig, id, res.stallTime.Seconds())
		h.logf("%s %s run %d: %d rebuffers, %.2fs stalled, stops %v (capacity %.0f KiB/s per source)%s",
			rebuffersFig, id, run, res.rebuffers, res.stallTime.Seconds(), res.stops, float64(perSeeder)/1024, sw.bySourceNote())
		return nil
	})
	if err != nil {
		h.fail(rebuffersFig, id, err)
	}
}

// marqueeStalls reads `marquee play --json` until the end of a --duration playback and
// counts its stall_end events with the shared rebuffer threshold.
func marqueeStalls(ctx context.Context, eng *engineRun, play, threshold time.Duration) (realtimeResult, error) {
	var res realtimeResult
	lastMove := time.Now()
	for {
		if stuck := time.Since(lastMove); stuck > giveUpAfter {
			res.rebuffers++
			res.stallTime += stuck
			res.stops = append(res.stops, stuck)
			res.gaveUp = true
			return res, nil
		}
		ev, _, err := eng.nextPlayEvent(ctx, play+4*time.Minute, "stall_end", "end", "progress")
		if err != nil {
			return res, err
		}
		switch ev.Event {
		case "stall_end":
			if stop := time.Duration(ev.StallMS) * time.Millisecond; stop > threshold {
				res.rebuffers++
				res.stallTime += stop
				res.stops = append(res.stops, stop)
			}
		case "progress":
			if pos := time.Duration(ev.PositionMS) * time.Millisecond; pos != res.played {
				res.played, lastMove = pos, time.Now()
			}
		case "end":
			res.played = time.Duration(ev.PositionMS) * time.Millisecond
			return res, nil
		}
	}
}

// downloadRun is figure 5: the whole bench film from uncapped seeders, read over HTTP at
// full speed (aria2c: its own download), every byte checked.
func (h *harness) downloadRun(ctx context.Context, kind swarmKind, id engineID, run int, fig figure) {
	film := h.films.moovStart
	name := fmt.Sprintf("%s-%s-%d", fig, id, run)
	capBytes := int64(0)
	if kind == webseedOnly {
		capBytes = h.sc.webseedCap
	}
	err := h.inSwarm(ctx, kind, name, film, capBytes, func(dir string, sw *swarm) error {
		want, err := h.checksum(film)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		source := sw.source
		if id == aria2 {
			source = sw.direct
		}
		eng, err := startEngine(ctx, h.tools, id, source, filepath.Join(dir, "engine"))
		if err != nil {
			return err
		}
		defer eng.stop()
		var (
			got     uint32
			n       int64
			elapsed time.Duration
		)
		if id == aria2 {
			// Done is when aria2c reports the film complete, not when it has finished
			// its shutdown announces and exited.
			if err := waitAria2Complete(ctx, eng, sw.meta.length); err != nil {
				return err
			}
			elapsed = time.Since(eng.started)
			eng.stop()
			got, n, err = fileChecksum(filepath.Join(dir, "engine", "data", sw.meta.name))
		} else {
			got, n, err = httpChecksum(ctx, eng.url)
			elapsed = time.Since(eng.started)
		}
		if err != nil {
			return err
		}
		if n != sw.meta.length || got != want {
			return fmt.Errorf("served %d bytes with CRC-32C %08x, want %d bytes with %08x", n, got, sw.meta.length, want)
		}
		h.record(fig, id, elapsed.Seconds())
		h.logf("%s %s run %d: %.1f MiB in %.2fs (%.1f MiB/s)",
			fig, id, run, float64(n)/(1<<20), elapsed.Seconds(), float64(n)/(1<<20)/elapsed.Seconds())
		return nil
	})
	if err != nil {
		h.fail(fig, id, err)
	}
}

// rssRun is figure 6: the 2 GiB film streamed in real time for rssPlay from uncapped
// seeders, so that an engine may prefetch and cache as much as it likes; aria2c downloads
// for the same time. The peak resident memory comes from the kernel's accounting of the
// exited process (wait4's rusage), which misses no short peak.
func (h *harness) rssRun(ctx context.Context, id engineID, run int) {
	film := h.films.large
	if !h.sc.withLarge {
		film = h.films.moovStart
	}
	name := fmt.Sprintf("%s-%s-%d", figPeakRSS, id, run)
	err := h.inSwarm(ctx, aria2Swarm, name, film, 0, func(dir string, sw *swarm) error {
		ctx, cancel := context.WithTimeout(ctx, h.sc.rssPlay+5*time.Minute)
		defer cancel()
		eng, err := h.startPlaying(ctx, id, sw, dir, h.sc.rssPlay)
		if err != nil {
			return err
		}
		defer eng.stop()
		switch id {
		case marqueePlay:
			_, err = marqueeStalls(ctx, eng, h.sc.rssPlay, defaultPlayback.rebuffer)
		case aria2:
			select {
			case <-time.After(h.sc.rssPlay):
			case <-eng.proc.done:
				err = fmt.Errorf("aria2c exited early: %v", eng.proc.err)
			}
		default:
			_, err = playRealtime(ctx, eng.url, h.sc.rssPlay, defaultPlayback, filepath.Join(dir, "reader.log"))
		}
		if err != nil {
			return err
		}
		sent, err := sw.sent()
		if err != nil {
			return err
		}
		rss, err := peakRSS(eng.proc)
		if err != nil {
			return err
		}
		eng.stop()
		h.record(figPeakRSS, id, float64(rss))
		h.logf("rss %s run %d: peak %.0f MB after %v with %.0f MiB received", id, run, float64(rss)/1e6, h.sc.rssPlay, float64(sent)/(1<<20))
		return nil
	})
	if err != nil {
		h.fail(figPeakRSS, id, err)
	}
}

// startPlaying starts engine id on the swarm's magnet for a real-time play of length
// play; marquee play is told the length, the HTTP engines serve until they are stopped.
func (h *harness) startPlaying(ctx context.Context, id engineID, sw *swarm, dir string, play time.Duration) (*engineRun, error) {
	var extra []string
	if id == marqueePlay {
		extra = []string{"--duration", play.String()}
	}
	return startEngine(ctx, h.tools, id, sw.source, filepath.Join(dir, "engine"), extra...)
}

// inSwarm runs fn with a fresh run folder and swarm, and cleans both up.
// withEngine runs fn in a fresh swarm of kind serving film, with engine id started on
// its magnet and stopped after fn, all within 5 minutes.
func (h *harness) withEngine(ctx context.Context, kind swarmKind, name, film string, id engineID,
	fn func(ctx context.Context, dir string, sw *swarm, eng *engineRun) error) error {
	return h.inSwarm(ctx, kind, name, film, h.capFor(kind), func(dir string, sw *swarm) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		eng, err := startEngine(ctx, h.tools, id, sw.source, filepath.Join(dir, "engine"))
		if err != nil {
			return err
		}
		defer eng.stop()
		return fn(ctx, dir, sw, eng)
	})
}

func (h *harness) inSwarm(ctx context.Context, kind swarmKind, name, film string, capBytes int64, fn func(dir string, sw *swarm) error) error {
	dir, cleanup, err := h.runDir(name)
	if err != nil {
		return err
	}
	var sw *swarm
	switch kind {
	case webseedOnly:
		sw, err = h.startWebseed(dir, film, capBytes)
	case mixedSwarm:
		sw, err = h.startMixedSwarm(ctx, dir, film, capBytes)
	default:
		sw, err = h.startSwarm(ctx, dir, film, capBytes)
	}
	if err != nil {
		return err
	}
	defer sw.stop()
	if err := fn(dir, sw); err != nil {
		return err // the folder and its logs stay for a look
	}
	cleanup()
	return nil
}

// waitAria2Complete polls aria2c until its download of length bytes is complete.
func waitAria2Complete(ctx context.Context, eng *engineRun, length int64) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, list := range []func() ([]aria2Download, error){eng.rpc.active, eng.rpc.stopped} {
			downloads, err := list()
			if err != nil {
				if eng.proc.exited() {
					return fmt.Errorf("aria2c exited: %v (log: %s)", eng.proc.err, eng.proc.log.Name())
				}
				continue // the RPC server may not be up yet
			}
			for _, d := range downloads {
				if !d.isMetadataDownload && d.total == length && d.completed == length {
					return nil
				}
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// httpChecksum GETs the whole of url and returns the CRC-32C and length of the body.
func httpChecksum(ctx context.Context, url string) (uint32, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	sum := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, err := io.CopyBuffer(sum, resp.Body, make([]byte, 1<<20))
	if err != nil {
		return 0, n, fmt.Errorf("GET %s: after %d bytes: %w", url, n, err)
	}
	return sum.Sum32(), n, nil
}

func fileChecksum(path string) (uint32, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sum := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, err := io.Copy(sum, f)
	return sum.Sum32(), n, err
}

// peakRSS is the peak resident set of a running process: VmHWM in /proc/PID/status.
// wait4's ru_maxrss would be wrong here: Linux carries the high-water mark across exec, so
// a child reports at least the RSS its parent (this benchmark) had when it forked.
func peakRSS(p *process) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS of %s: %w", p.name, err)
	}
	return parseProcKB(status, "VmHWM")
}
