package bench

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMixedSwarmDeliversFromEverySource starts the mixed swarm for real (aria2c, libtorrent
// 2 and Transmission seeders and a web seed, each capped) and downloads from it with an
// aria2c leecher that is given the .torrent. Every source must send part of the film, and
// the bytes must be the film's: a seeder that does not seed, a peer-class filter that lets
// libtorrent ignore its cap, or a .torrent whose url-list is wrong each fail here.
func TestMixedSwarmDeliversFromEverySource(t *testing.T) {
	t.Parallel()
	needPrograms(t, "aria2c", "transmission-daemon", debianPython)
	if out, err := exec.Command(debianPython, "-c", "import libtorrent").CombinedOutput(); err != nil {
		t.Fatalf("python3-libtorrent is not importable (make deps-test installs it): %v\n%s", err, out)
	}
	dir := t.TempDir()
	film := filepath.Join(dir, "src", "film.bin")
	data := make([]byte, 4<<20+777)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(film), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(film, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(scenario{pieceLength: 64 << 10}, &tools{}, &films{}, dir, t.Logf)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// 64 KiB/s per source: 4 MiB takes about 16 s from all four together, longer than
	// Transmission's 10 s rechoke period, after which it first unchokes a new peer.
	swarmDir := filepath.Join(dir, "swarm")
	if err := os.MkdirAll(swarmDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sw, err := h.startMixedSwarm(ctx, swarmDir, film, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer sw.stop()
	eng, err := startEngine(ctx, &tools{}, aria2, sw.direct, filepath.Join(dir, "leecher"))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	if err := waitAria2Complete(ctx, eng, sw.meta.length); err != nil {
		b, _ := os.ReadFile(eng.proc.log.Name())
		t.Fatalf("aria2c did not finish the download: %v\n%s", err, b)
	}
	eng.stop()
	got, err := os.ReadFile(filepath.Join(dir, "leecher", "data", sw.meta.name))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(data) {
		t.Fatalf("downloaded %d bytes that differ from the %d seeded", len(got), len(data))
	}
	by, err := sw.sentBySource()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sent: %s", describeSources(by, 0))
	for _, name := range []string{"aria2c", "libtorrent", "transmission", "web seed"} {
		if by[name] <= 0 {
			log, _ := os.ReadFile(filepath.Join(swarmDir, name+".log"))
			t.Errorf("%s sent nothing (%s); its log:\n%s", name, describeSources(by, 0), log)
		}
	}
	if total := sumSources(by); total < int64(len(data)) {
		t.Errorf("the sources sent %d bytes in all, less than the %d-byte film", total, len(data))
	}
}
