package bench

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// summary is the median and range of one engine's runs of one figure.
type summary struct {
	median, min, max float64
	runs             int
}

func summarize(v []float64) (summary, bool) {
	if len(v) == 0 {
		return summary{}, false
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{median: med, min: s[0], max: s[len(s)-1], runs: len(s)}, true
}

// row describes how one figure is shown and judged. Every figure is "lower is better".
type row struct {
	fig     figure
	label   string
	format  func(float64) string
	target  string
	meets   func(marquee, bestPeer float64) bool // nil: no target of its own
	engines []engineID
	// reference is the engine the ratio is taken against; "" means the best peer.
	reference engineID
	// peers are the engines "best peer" is chosen from; nil means peerEngines.
	peers []engineID
}

var (
	httpEngines     = []engineID{marqueeServe, webtorrent, peerflix}
	streamingPeers  = []engineID{webtorrent, peerflix}
	firstFrameSet   = []engineID{marqueeServe, marqueePlay, webtorrent, peerflix}
	downloadEngines = []engineID{marqueeServe, webtorrent, peerflix, aria2}
	rssEngines      = []engineID{marqueeServe, marqueePlay, webtorrent, peerflix, aria2}
	// peerflix (torrent-stream) has no web seed support; aria2c is the plain HTTP reference.
	webseedFirstFrameSet   = []engineID{marqueeServe, marqueePlay, webtorrent}
	webseedHTTPEngines     = []engineID{marqueeServe, webtorrent}
	webseedDownloadEngines = []engineID{marqueeServe, webtorrent, aria2}
	webseedPeers           = []engineID{webtorrent}
)

func seconds(v float64) string { return fmt.Sprintf("%.2f s", v) }
func mib(v float64) string     { return fmt.Sprintf("%.1f MiB", v/(1<<20)) }
func megabytes(v float64) string {
	return fmt.Sprintf("%.0f MB", v/1e6)
}
func count(v float64) string { return fmt.Sprintf("%g", v) }

var (
	atMostOf16MiB = func(m, _ float64) bool { return m <= 16<<20 }
	isZero        = func(m, _ float64) bool { return m == 0 }
)

func atMost(r float64) func(m, b float64) bool { return func(m, b float64) bool { return m <= r*b } }

// streamingFigures are one swarm's start, seek and rebuffer figures: figures 1–4 on the
// aria2c swarm, figure 8 on the mixed one.
type streamingFigures struct {
	ttffStart, ttffEnd, bytesStart, bytesEnd, seek, rebuffers, stallTime figure
}

// streamingRows are the rows of figs; label names a row from its figure number (1–4) and
// what it measures, and endTarget is the target shown for the moov-at-end start.
func streamingRows(sc scenario, figs streamingFigures, label func(n int, what string) string, endTarget string) []row {
	return []row{
		{fig: figs.ttffStart, label: label(1, "time to first frame, moov at start"), format: seconds, target: "≤ 0.5× best peer",
			meets: atMost(0.5), engines: firstFrameSet},
		{fig: figs.ttffEnd, label: label(1, "time to first frame, moov at end"), format: seconds, target: endTarget,
			meets: atMost(0.5), engines: firstFrameSet},
		{fig: figs.bytesStart, label: label(2, "bytes before first frame, moov at start"), format: mib, target: "≤ 16 MiB",
			meets: atMostOf16MiB, engines: firstFrameSet},
		{fig: figs.bytesEnd, label: label(2, "bytes before first frame, moov at end"), format: mib, target: "≤ 16 MiB",
			meets: atMostOf16MiB, engines: firstFrameSet},
		{fig: figs.seek, label: label(3, fmt.Sprintf("seek latency (to %.0f%% after %v)", sc.seekFraction*100, sc.warmup)),
			format: seconds, target: "≤ 0.5× best peer", meets: atMost(0.5), engines: httpEngines},
		{fig: figs.rebuffers, label: label(4, fmt.Sprintf("rebuffers in %v at %.1f× capacity", sc.stallPlay, sc.capacityRatio)),
			format: count, target: "0", meets: isZero, engines: firstFrameSet},
		{fig: figs.stallTime, label: label(4, "time stalled in those rebuffers"), format: seconds, target: "(0)",
			meets: isZero, engines: firstFrameSet},
	}
}

func reportRows(sc scenario) []row {
	rows := streamingRows(sc, streamingFigures{figTTFFStart, figTTFFEnd, figBytesStart, figBytesEnd, figSeek, figRebuffers, figStallTime},
		func(n int, what string) string { return fmt.Sprintf("%d. %s", n, what) }, "(≤ 0.5× best peer)")
	rows = append(rows,
		row{fig: figDownload, label: "5. time to download the whole bench film, uncapped", format: seconds,
			target: "≥ 1.0× aria2c throughput", meets: atMost(1.0), engines: downloadEngines, reference: aria2},
		row{fig: figPeakRSS, label: fmt.Sprintf("6. peak RSS, %v of real-time play of the %s film, uncapped", sc.rssPlay, largeName(sc)),
			format: megabytes, target: "≤ 250 MB", meets: func(m, _ float64) bool { return m <= 250e6 }, engines: rssEngines,
			// aria2c only downloads; it is shown for scale, not as a streaming peer.
			peers: streamingPeers},
		row{fig: figWSTTFFStart, label: fmt.Sprintf("7. web seed only (%s/s per connection): time to first frame, moov at start", mib(float64(sc.webseedCap))),
			format: seconds, target: "≤ 0.5× best peer", meets: atMost(0.5), engines: webseedFirstFrameSet, peers: webseedPeers},
		row{fig: figWSTTFFEnd, label: "7. web seed only: time to first frame, moov at end", format: seconds, target: "≤ 0.5× best peer",
			meets: atMost(0.5), engines: webseedFirstFrameSet, peers: webseedPeers},
		row{fig: figWSBytesStart, label: "7. web seed only: bytes before first frame, moov at start", format: mib, target: "≤ 16 MiB",
			meets: atMostOf16MiB, engines: webseedFirstFrameSet, peers: webseedPeers},
		row{fig: figWSBytesEnd, label: "7. web seed only: bytes before first frame, moov at end", format: mib, target: "≤ 16 MiB",
			meets: atMostOf16MiB, engines: webseedFirstFrameSet, peers: webseedPeers},
		row{fig: figWSSeek, label: fmt.Sprintf("7. web seed only: seek latency (to %.0f%% after %v)", sc.seekFraction*100, sc.warmup),
			format: seconds, target: "≤ 0.5× best peer", meets: atMost(0.5), engines: webseedHTTPEngines, peers: webseedPeers},
		row{fig: figWSDownload, label: "7. web seed only: time to download the whole bench film", format: seconds,
			target: "≥ 1.0× aria2c throughput", meets: atMost(1.0), engines: webseedDownloadEngines, reference: aria2},
	)
	mixed := streamingRows(sc, streamingFigures{figMixTTFFStart, figMixTTFFEnd, figMixBytesStart, figMixBytesEnd, figMixSeek, figMixRebuffers, figMixStallTime},
		func(_ int, what string) string { return "8. mixed swarm: " + what }, "≤ 0.5× best peer")
	mixed[0].label = fmt.Sprintf("8. mixed swarm (aria2c, libtorrent 2, Transmission, web seed; %s/s each): time to first frame, moov at start", mib(float64(sc.capBytes)))
	return append(rows, mixed...)
}

// measuredBy is the figure whose runs also measure fig: one stall run counts the rebuffers
// and the time stalled, and records a failure under the rebuffers.
func measuredBy(fig figure) figure {
	switch fig {
	case figStallTime:
		return figRebuffers
	case figMixStallTime:
		return figMixRebuffers
	}
	return fig
}

func largeName(sc scenario) string {
	if sc.withLarge {
		return "2 GiB"
	}
	return "bench"
}

// reportMeta is the context printed above the table.
type reportMeta struct {
	date     time.Time
	machine  string
	versions map[engineID]string
	films    *films
	filmSize int64
	large    int64
	sc       scenario
	notes    []string
	analysis string // bench/analysis.md: why Marquee misses targets, kept by hand
}

var engineTitles = map[engineID]string{
	marqueeServe: "Marquee (serve)",
	marqueePlay:  "Marquee (in-process)",
	webtorrent:   "webtorrent 1.9.7",
	peerflix:     "peerflix 0.39.0",
	aria2:        "aria2c",
}

// tableEngines is the column order.
var tableEngines = []engineID{marqueeServe, marqueePlay, webtorrent, peerflix, aria2}

// bestPeer returns the lowest median among the peers measured for r (or the reference).
func bestPeer(r row, samples map[engineID][]float64) (engineID, summary, bool) {
	if r.reference != "" {
		s, ok := summarize(samples[r.reference])
		return r.reference, s, ok
	}
	var (
		best   engineID
		bestS  summary
		exists bool
	)
	peers := r.peers
	if peers == nil {
		peers = peerEngines
	}
	for _, id := range peers {
		if !slices.Contains(r.engines, id) {
			continue
		}
		if s, ok := summarize(samples[id]); ok && (!exists || s.median < bestS.median) {
			best, bestS, exists = id, s, true
		}
	}
	return best, bestS, exists
}

// ratio formats a/b; both zero reads as 1×, a positive value over zero as "∞".
func ratio(a, b float64) string {
	switch {
	case b == 0 && a == 0:
		return "×1.00"
	case b == 0:
		return "×∞"
	}
	return fmt.Sprintf("×%.2f", a/b)
}

// renderMarkdown writes RESULTS.md.
func renderMarkdown(meta reportMeta, samples map[figure]map[engineID][]float64, errs map[figure]map[engineID][]string) string {
	var b strings.Builder
	rows := reportRows(meta.sc)
	fmt.Fprintf(&b, "# Benchmark: Marquee against the engines in use today\n\n")
	fmt.Fprintf(&b, "Measured by `make bench` on %s.\n\n", meta.date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- **Machine:** %s\n", meta.machine)
	var versions []string
	for _, id := range append(tableEngines, "node", "ffmpeg") {
		if v := meta.versions[id]; v != "" && !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	fmt.Fprintf(&b, "- **Versions:** %s.\n", strings.Join(versions, "; "))
	if meta.films != nil {
		fmt.Fprintf(&b, "- **Film:** 1920×1080 H.264 + AAC, %v, %.2f Mbit/s, %.1f MiB, in two variants (moov at the start / at the end); "+
			"figure 6 uses a %.2f GiB loop of it (moov at the start).\n",
			meta.films.duration.Round(time.Second), float64(meta.films.bitrate)/1e6, float64(meta.filmSize)/(1<<20), float64(meta.large)/(1<<30))
	}
	fmt.Fprintf(&b, "- **Swarm:** %d aria2c seeders on 127.0.0.1 announcing to a loopback HTTP tracker, the only peer source for every engine "+
		"(DHT, local discovery and PEX off); figures 1–3 cap each seeder at %.1f MiB/s, figure 4 caps the swarm at %.1f× the film's bitrate, "+
		"figures 5–6 are uncapped. Pieces of %d KiB (%d KiB for the large film). A fresh swarm, tracker and data folder for every run.\n",
		meta.sc.seeders, float64(meta.sc.capBytes)/(1<<20), meta.sc.capacityRatio, meta.sc.pieceLength>>10, meta.sc.largePiece>>10)
	fmt.Fprintf(&b, "- **Reader:** the same ffmpeg command on each engine's HTTP URL; `Marquee (in-process)` is `marquee play --headless --json`. "+
		"Each cell is the median of %d runs (min–max), then its ratio to the best peer (figure 5: to aria2c; figure 6: to the best streaming peer, as aria2c plays nothing and is shown for scale).\n", meta.sc.runs)
	fmt.Fprintf(&b, "- **Method:** time to first frame runs from the engine's start on the magnet to the first frame ffmpeg decodes; "+
		"bytes are what the seeders sent by then. The seek figure plays %v in real time, then times `ffmpeg -ss` to the first frame at %.0f%%. "+
		"Stalls: ffmpeg demuxes the video in real time behind a player model that buffers at most %v ahead, pauses when the buffer runs dry "+
		"and resumes once %v is buffered; a stop longer than %v is a rebuffer. Figure 5 reads the whole film over HTTP (aria2c: until it "+
		"reports the download complete) and checks every byte. Figure 6 is the engine process's peak RSS (VmHWM in /proc/PID/status), read before it is stopped.\n\n",
		meta.sc.warmup, meta.sc.seekFraction*100, defaultPlayback.ahead, defaultPlayback.resumeAfter, defaultPlayback.rebuffer)

	b.WriteString("| figure | target |")
	for _, id := range tableEngines {
		b.WriteString(" " + engineTitles[id] + " |")
	}
	b.WriteString(" Marquee meets target |\n|---|---|")
	for range tableEngines {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s |", r.label, r.target)
		_, best, haveBest := bestPeer(r, samples[r.fig])
		for _, id := range tableEngines {
			if !slices.Contains(r.engines, id) {
				b.WriteString(" — |")
				continue
			}
			s, ok := summarize(samples[r.fig][id])
			if !ok {
				if len(errs[r.fig][id]) > 0 || len(errs[measuredBy(r.fig)][id]) > 0 {
					b.WriteString(" failed |")
				} else {
					b.WriteString(" not run |")
				}
				continue
			}
			cell := r.format(s.median)
			if s.runs > 1 && s.min != s.max {
				cell += fmt.Sprintf(" (%s–%s)", strings.Fields(r.format(s.min))[0], r.format(s.max))
			}
			if r.fig == figDownload && meta.filmSizeFor(r.fig) > 0 {
				cell += fmt.Sprintf(", %.0f MiB/s", float64(meta.filmSizeFor(r.fig))/(1<<20)/s.median)
			}
			if haveBest {
				cell += " " + ratio(s.median, best.median)
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		verdict := "—"
		failedFig := measuredBy(r.fig)
		if _, ok := summarize(samples[r.fig][marqueeServe]); !ok && len(errs[failedFig][marqueeServe]) > 0 {
			verdict = "**no** (runs failed)"
		}
		if s, ok := summarize(samples[r.fig][marqueeServe]); ok && r.meets != nil {
			if r.target[0] == '(' || haveBest || r.reference == "" {
				switch {
				case strings.Contains(r.target, "peer") && !haveBest:
					verdict = "no peer result"
				case r.meets(s.median, best.median):
					verdict = "yes"
				default:
					verdict = "**no**"
				}
			}
		}
		fmt.Fprintf(&b, " %s |\n", verdict)
	}
	b.WriteString("\nThe verdict column judges `Marquee (serve)`, the number taken with the same reader as the peers.\n")
	if len(meta.notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range meta.notes {
			b.WriteString("- " + n + "\n")
		}
	}
	if meta.analysis != "" {
		b.WriteString("\n" + strings.TrimSpace(meta.analysis) + "\n")
	}
	var failures []string
	for _, r := range rows {
		for _, id := range tableEngines {
			for _, e := range errs[r.fig][id] {
				failures = append(failures, fmt.Sprintf("%s, %s: %s", r.fig, engineTitles[id], e))
			}
		}
	}
	if len(failures) > 0 {
		b.WriteString("\n## Failed runs\n\n")
		for _, f := range failures {
			b.WriteString("- " + f + "\n")
		}
	}
	return b.String()
}

// filmSizeFor is the size of the film a figure downloads whole.
func (m reportMeta) filmSizeFor(fig figure) int64 {
	if fig != figDownload {
		return 0
	}
	return m.filmSize
}

// medianOr returns the median of v or NaN.
func medianOr(v []float64) float64 {
	if s, ok := summarize(v); ok {
		return s.median
	}
	return math.NaN()
}
