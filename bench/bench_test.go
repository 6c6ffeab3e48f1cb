package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables of the benchmark:
//
//	MARQUEE_BENCH_QUICK=1        a short film and one run of each figure, to check the harness
//	MARQUEE_BENCH_ENGINES=a,b    only these engines (marquee-serve, marquee-play, webtorrent, peerflix, aria2c)
//	MARQUEE_BENCH_NO_NETNS=1     do not move the run into a private network namespace
//	MARQUEE_BENCH_BIN=path       measure this marquee binary instead of building one
//	MARQUEE_BENCH_RENDER=1       only render RESULTS.md and the chart again from bench/work/samples.json
//	MARQUEE_BENCH_ONLY=webseed   only the web seed figures (7); results go to bench/work like a quick run
//	MARQUEE_BENCH_ONLY=mixed     only the mixed-swarm figures (8), likewise
//	MARQUEE_BENCH_ONLY=peers     only the figures of the aria2c swarm (1–6), likewise
//	MARQUEE_BENCH_ONLY=seek      only the seek in the aria2c swarm (3), likewise
//	MARQUEE_BENCH_RUNS=n         n runs of each figure instead of 3, for a spread that tells builds apart
const (
	envOnly    = "MARQUEE_BENCH_ONLY"
	envQuick   = "MARQUEE_BENCH_QUICK"
	envEngines = "MARQUEE_BENCH_ENGINES"
	envNoNetns = "MARQUEE_BENCH_NO_NETNS"
	envRender  = "MARQUEE_BENCH_RENDER"
	envRuns    = "MARQUEE_BENCH_RUNS"
	envInNetns = "MARQUEE_BENCH_IN_NETNS" // set by the re-exec below
)

// TestMain moves a benchmark run into a fresh network namespace that holds nothing but a
// loopback interface, when unshare(1) allows it. The engines are configured for loopback
// anyway, but webtorrent and peerflix grow features across versions (DHT, LSD, UPnP,
// NAT-PMP) and in a private namespace none of them can send a packet off the machine.
// The npm peers are installed before, while the registry is still reachable.
func TestMain(m *testing.M) {
	flag.Parse()
	benchRun := flag.Lookup("test.bench").Value.String() != ""
	if benchRun && os.Getenv(envInNetns) == "" {
		if err := prepareOutside(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if os.Getenv(envNoNetns) == "" {
			if code, ok := reexecIsolated(); ok {
				os.Exit(code)
			}
		}
	}
	os.Exit(m.Run())
}

// prepareOutside does the setup that needs the package registries.
func prepareOutside() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return installPeers(ctx, root)
}

// reexecIsolated runs this test binary again inside `unshare --net` (adding
// --map-root-user when not root) with the loopback interface up. ok is false when the
// namespace cannot be made; the run then goes on in the current one, with a warning.
func reexecIsolated() (code int, ok bool) {
	unshare, err1 := exec.LookPath("unshare")
	ip, err2 := exec.LookPath("ip")
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "bench: warning: unshare or ip missing; running in the host network namespace")
		return 0, false
	}
	args := []string{"--net"}
	if os.Geteuid() != 0 {
		args = append(args, "--map-root-user")
	}
	if err := exec.Command(unshare, append(args, "true")...).Run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: warning: cannot make a network namespace (%v); running in the host one\n", err)
		return 0, false
	}
	self, err := os.Executable()
	if err != nil {
		return 0, false
	}
	script := `"$0" link set lo up && exec "$@"`
	args = append(args, "--", "sh", "-c", script, ip, self)
	args = append(args, os.Args[1:]...)
	cmd := exec.Command(unshare, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envInNetns+"=1")
	if err := cmd.Run(); err != nil {
		if ee, isExit := err.(*exec.ExitError); isExit {
			return ee.ExitCode(), true
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1, true
	}
	return 0, true
}

// BenchmarkEngines is `make bench`: every figure of issue 7 for every engine, written to
// bench/RESULTS.md and bench/results.png. Run it with -benchtime 1x; one iteration is the
// whole session (about 25 minutes).
func BenchmarkEngines(b *testing.B) {
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv(envRender) != "" {
		// Render again from the last session's samples: nothing is measured.
		run, meta, err := loadRun(filepath.Join(root, "bench", "work", "samples.json"))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := render(root, meta, run.Samples, run.Errors, run.Meta.Quick); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	sc := fullScenario
	quick := os.Getenv(envQuick) != ""
	if quick {
		sc = quickScenario
	}
	if v := os.Getenv(envRuns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of runs", envRuns, v)
		}
		sc.runs = n
	}
	subset := os.Getenv(envOnly)
	if subset != "" && subset != subsetWebseed && subset != subsetMixed && subset != subsetPeers && subset != subsetSeek {
		b.Fatalf("%s=%q: the subsets are %q, %q, %q and %q", envOnly, subset, subsetPeers, subsetSeek, subsetWebseed, subsetMixed)
	}
	// Only figure 6 (peak RSS) plays the large film.
	sc.withLarge = sc.withLarge && (subset == "" || subset == subsetPeers)
	engines := map[engineID]bool{marqueeServe: true, marqueePlay: true, webtorrent: true, peerflix: true, aria2: true}
	if list := os.Getenv(envEngines); list != "" {
		engines = map[engineID]bool{}
		for _, e := range strings.Split(list, ",") {
			engines[engineID(strings.TrimSpace(e))] = true
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 58*time.Minute)
	defer cancel()
	work := filepath.Join(root, "bench", "work", "session")
	if err := os.RemoveAll(work); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		b.Fatal(err)
	}
	if os.Getenv(envInNetns) == "" {
		b.Log("not in a private network namespace: engines are still confined to loopback by their flags")
	}
	tl, err := prepareTools(ctx, root, work, engines[marqueeServe] || engines[marqueePlay])
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	f, err := makeFilms(ctx, sc.film, filepath.Join(root, "testdata", "bench"), sc.withLarge)
	if err != nil {
		b.Fatal(err)
	}
	progressLog(start)("films ready in %v: %s (%v, %.2f Mbit/s)", time.Since(start).Round(time.Second), filepath.Base(f.moovStart),
		f.duration.Round(time.Second), float64(f.bitrate)/1e6)

	for b.Loop() {
		h := newHarness(sc, tl, f, work, progressLog(time.Now()))
		runAll(ctx, h, engines, subset)
		// A subset must not overwrite the published results of a whole session.
		if err := writeOutputs(root, h, quick || subset != ""); err != nil {
			b.Fatal(err)
		}
		for _, fig := range []figure{figTTFFStart, figBytesEnd, figSeek, figRebuffers, figDownload, figPeakRSS} {
			if v := medianOr(h.samples[fig][marqueeServe]); v == v {
				b.ReportMetric(v, string(fig)+"/marquee")
			}
		}
	}
}

// progressLog prints progress to stderr as it happens (b.Logf would hold it until the
// end of a 25-minute benchmark).
func progressLog(start time.Time) func(string, ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stderr, "bench %6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
}

// only keeps the engines selected for this session.
func only(list []engineID, keep map[engineID]bool) []engineID {
	var out []engineID
	for _, id := range list {
		if keep[id] {
			out = append(out, id)
		}
	}
	return out
}

// The subsets MARQUEE_BENCH_ONLY selects.
const (
	subsetWebseed = "webseed" // figure 7
	subsetMixed   = "mixed"   // figure 8
	subsetPeers   = "peers"   // figures 1–6, the aria2c swarm
	subsetSeek    = "seek"    // figure 3 alone
)

// runAll measures every figure (or one subset's). Runs of timing figures are sequential,
// engines interleaved run by run so that slow drifts of the machine hit all of them alike.
// The 3-minute stall runs of the engines go side by side (each in its own swarm), which
// keeps the session under an hour; the reader there only demuxes, so it needs little CPU.
func runAll(ctx context.Context, h *harness, engines map[engineID]bool, subset string) {
	if subset == "" || subset == subsetWebseed {
		for run := 1; run <= h.sc.runs; run++ {
			for _, id := range only(webseedFirstFrameSet, engines) {
				h.firstFrameRun(ctx, webseedOnly, id, h.films.moovStart, run, figWSTTFFStart, figWSBytesStart)
				h.firstFrameRun(ctx, webseedOnly, id, h.films.moovEnd, run, figWSTTFFEnd, figWSBytesEnd)
			}
			for _, id := range only(webseedHTTPEngines, engines) {
				h.seekRun(ctx, webseedOnly, id, run, figWSSeek)
			}
			for _, id := range only(webseedDownloadEngines, engines) {
				h.downloadRun(ctx, webseedOnly, id, run, figWSDownload)
			}
		}
	}
	if subset == "" || subset == subsetMixed {
		for run := 1; run <= h.sc.runs; run++ {
			for _, id := range only(firstFrameSet, engines) {
				h.firstFrameRun(ctx, mixedSwarm, id, h.films.moovStart, run, figMixTTFFStart, figMixBytesStart)
				h.firstFrameRun(ctx, mixedSwarm, id, h.films.moovEnd, run, figMixTTFFEnd, figMixBytesEnd)
			}
			for _, id := range only(httpEngines, engines) {
				h.seekRun(ctx, mixedSwarm, id, run, figMixSeek)
			}
		}
		h.stallRuns(ctx, mixedSwarm, engines, figMixRebuffers, figMixStallTime)
	}
	if subset != "" && subset != subsetPeers && subset != subsetSeek {
		return
	}
	for run := 1; run <= h.sc.runs && subset != subsetSeek; run++ {
		for _, id := range only(firstFrameSet, engines) {
			h.firstFrameRun(ctx, aria2Swarm, id, h.films.moovStart, run, figTTFFStart, figBytesStart)
			h.firstFrameRun(ctx, aria2Swarm, id, h.films.moovEnd, run, figTTFFEnd, figBytesEnd)
		}
	}
	for run := 1; run <= h.sc.runs; run++ {
		for _, id := range only(httpEngines, engines) {
			h.seekRun(ctx, aria2Swarm, id, run, figSeek)
		}
	}
	if subset == subsetSeek {
		return
	}
	h.stallRuns(ctx, aria2Swarm, engines, figRebuffers, figStallTime)
	for run := 1; run <= h.sc.runs; run++ {
		for _, id := range only(downloadEngines, engines) {
			h.downloadRun(ctx, aria2Swarm, id, run, figDownload)
		}
	}
	for run := 1; run <= h.sc.runs; run++ {
		for _, id := range only(rssEngines, engines) {
			h.rssRun(ctx, id, run)
		}
	}
}

// stallRuns runs the stall figure of every engine side by side, run after run.
func (h *harness) stallRuns(ctx context.Context, kind swarmKind, engines map[engineID]bool, rebuffersFig, stallFig figure) {
	for run := 1; run <= h.sc.runs; run++ {
		var wg sync.WaitGroup
		for _, id := range only(firstFrameSet, engines) {
			wg.Add(1)
			go func() { defer wg.Done(); h.stallRun(ctx, kind, id, run, rebuffersFig, stallFig) }()
		}
		wg.Wait()
	}
}

// writeOutputs saves the samples and writes RESULTS.md and the chart (quick runs go to
// bench/work instead, so they never overwrite published numbers).
func writeOutputs(root string, h *harness, quick bool) error {
	meta := reportMeta{date: time.Now(), machine: machineDescription(), versions: h.tools.versions, films: h.films, sc: h.sc, notes: h.notes}
	if st, err := os.Stat(h.films.moovStart); err == nil {
		meta.filmSize = st.Size()
	}
	if st, err := os.Stat(h.films.large); err == nil && h.sc.withLarge {
		meta.large = st.Size()
	}
	raw, err := json.MarshalIndent(savedRun{Meta: savedMetaOf(meta), Samples: h.samples, Errors: h.errs}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "bench", "work", "samples.json"), raw, 0o644); err != nil {
		return err
	}
	return render(root, meta, h.samples, h.errs, quick)
}

func render(root string, meta reportMeta, samples map[figure]map[engineID][]float64, errs map[figure]map[engineID][]string, quick bool) error {
	dir := filepath.Join(root, "bench")
	if quick {
		dir = filepath.Join(root, "bench", "work")
	}
	if b, err := os.ReadFile(filepath.Join(root, "bench", "analysis.md")); err == nil {
		meta.analysis = string(b)
	}
	if err := os.WriteFile(filepath.Join(dir, "RESULTS.md"), []byte(renderMarkdown(meta, samples, errs)), 0o644); err != nil {
		return err
	}
	err := writeChart(filepath.Join(dir, "results.png"), samples)
	if errors.Is(err, errNoFirstFrames) && quick {
		return nil // a subset without first frames, such as the seek alone
	}
	return err
}
