package bench

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	s, ok := summarize([]float64{3, 1, 2})
	if !ok || s.median != 2 || s.min != 1 || s.max != 3 || s.runs != 3 {
		t.Fatalf("odd: %+v", s)
	}
	s, _ = summarize([]float64{4, 1, 2, 3})
	if s.median != 2.5 {
		t.Fatalf("even: median %v, want 2.5", s.median)
	}
	if _, ok := summarize(nil); ok {
		t.Fatal("no samples summarized")
	}
}

func sampleResults() (map[figure]map[engineID][]float64, map[figure]map[engineID][]string) {
	samples := map[figure]map[engineID][]float64{
		figTTFFStart:  {marqueeServe: {0.5, 0.6, 0.4}, webtorrent: {2, 2.2, 1.8}, peerflix: {1.2, 1, 1.1}, marqueePlay: {0.3, 0.3, 0.3}},
		figBytesEnd:   {marqueeServe: {20 << 20, 20 << 20, 20 << 20}, webtorrent: {140 << 20}, peerflix: {3 << 20}},
		figRebuffers:  {marqueeServe: {0, 0, 0}, webtorrent: {2, 3, 1}},
		figDownload:   {marqueeServe: {10, 11, 12}, aria2: {20, 20, 20}, webtorrent: {30}},
		figPeakRSS:    {marqueeServe: {100e6}, aria2: {20e6}, peerflix: {125e6}},
		figSeek:       {webtorrent: {1.0}},
		figBytesStart: {},
	}
	errs := map[figure]map[engineID][]string{figSeek: {marqueeServe: {"engine crashed"}}}
	return samples, errs
}

func TestRenderMarkdown(t *testing.T) {
	samples, errs := sampleResults()
	md := renderMarkdown(reportMeta{date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), machine: "test box",
		versions: map[engineID]string{webtorrent: "webtorrent-cli 4.1.0, webtorrent 1.9.7"}, sc: fullScenario}, samples, errs)
	lines := strings.Split(md, "\n")
	row := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, "| "+prefix) {
				return l
			}
		}
		t.Fatalf("no row %q in:\n%s", prefix, md)
		return ""
	}
	// The best peer is peerflix at 1.1 s; Marquee's 0.5 s is 0.45× of it: the target is met.
	ttff := row("1. time to first frame, moov at start")
	for _, want := range []string{"0.50 s (0.40–0.60 s) ×0.45", "1.10 s (1.00–1.20 s) ×1.00", "2.00 s (1.80–2.20 s) ×1.82", "| yes |"} {
		if !strings.Contains(ttff, want) {
			t.Errorf("ttff row lacks %q: %s", want, ttff)
		}
	}
	if bytes := row("2. bytes before first frame, moov at end"); !strings.Contains(bytes, "20.0 MiB") || !strings.HasSuffix(bytes, "| **no** |") {
		t.Errorf("20 MiB must miss the 16 MiB target: %s", bytes)
	}
	if dl := row("5. time to download"); !strings.Contains(dl, "×0.55") || !strings.HasSuffix(dl, "| yes |") {
		t.Errorf("download faster than aria2c: %s", dl)
	}
	// aria2c plays nothing: the RSS ratio is to peerflix, the best streaming peer.
	if rss := row("6. peak RSS"); !strings.Contains(rss, "100 MB ×0.80") || !strings.Contains(rss, "20 MB ×0.16") {
		t.Errorf("RSS ratios must be to the best streaming peer: %s", rss)
	}
	if seek := row("3. seek latency"); !strings.Contains(seek, "| failed |") || !strings.HasSuffix(seek, "| **no** (runs failed) |") {
		t.Errorf("failed runs must show and miss the target: %s", seek)
	}
	if !strings.Contains(md, "engine crashed") || !strings.Contains(md, "test box") || !strings.Contains(md, "webtorrent 1.9.7") {
		t.Errorf("failures, machine or versions missing:\n%s", md)
	}
}

func TestWriteChart(t *testing.T) {
	samples, _ := sampleResults()
	path := filepath.Join(t.TempDir(), "chart.png")
	if err := writeChart(path, samples); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() < 1000 || b.Dy() < 300 {
		t.Fatalf("chart is %dx%d", b.Dx(), b.Dy())
	}
	// Bars are drawn in the two series colours.
	found := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			found[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	for _, c := range [][3]uint32{{0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}} {
		if !found[c] {
			t.Errorf("no pixel of colour %x in the chart", c)
		}
	}
	// A session that measured the mixed swarm too gets a row for it.
	samples[figMixTTFFStart] = samples[figTTFFStart]
	samples[figMixBytesStart] = samples[figBytesStart]
	both := filepath.Join(t.TempDir(), "both.png")
	if err := writeChart(both, samples); err != nil {
		t.Fatal(err)
	}
	g, err := os.Open(both)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	cfg, err := png.DecodeConfig(g)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Height < 2*b.Dy()*9/10 {
		t.Fatalf("with the mixed swarm the chart is %d px high, one swarm's is %d: no second row", cfg.Height, b.Dy())
	}
}
