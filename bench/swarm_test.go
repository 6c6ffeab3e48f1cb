package bench

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// needPrograms fails the test when a program the harness drives is missing: the Makefile's
// deps-test installs all of them, so a missing one is a broken machine, not a skip.
func needPrograms(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s is not installed (make deps-test installs it)", n)
		}
	}
}

// TestSwarmDeliversToAria2c runs the whole swarm machinery for real: the harness's own
// torrent, its tracker, two aria2c seeders and an aria2c leecher that only knows the
// magnet. A wrong info hash, a tracker that hands out no peers or a seeder that does not
// seed would each stop the download.
func TestSwarmDeliversToAria2c(t *testing.T) {
	needPrograms(t, "aria2c")
	t.Parallel()
	dir := t.TempDir()
	film := filepath.Join(dir, "film.bin")
	data := make([]byte, 3<<20+12345) // not a whole number of pieces
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(film, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := buildMetainfo(film, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(data)); mi.length != want {
		t.Fatalf("metainfo length %d, want %d", mi.length, want)
	}
	tr, err := StartTracker()
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := startSeeders(ctx, dir, film, mi, tr, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	if got := tr.Seeders(mi.infoHash); got != 2 {
		t.Fatalf("tracker counts %d seeders, want 2", got)
	}
	eng, err := startEngine(ctx, &tools{}, aria2, mi.magnet(tr.AnnounceURL()), filepath.Join(dir, "leecher"))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	if err := waitAria2Complete(ctx, eng, mi.length); err != nil {
		b, _ := os.ReadFile(eng.proc.log.Name())
		t.Fatalf("aria2c did not finish the download: %v\n%s", err, b)
	}
	rss, err := peakRSS(eng.proc)
	if err != nil || rss <= 0 {
		t.Fatalf("peak RSS of aria2c: %d, %v", rss, err)
	}
	eng.stop()
	got, err := os.ReadFile(filepath.Join(dir, "leecher", "data", "film.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(data) {
		t.Fatalf("downloaded %d bytes that differ from the %d seeded", len(got), len(data))
	}
	up, err := s.uploaded()
	if err != nil {
		t.Fatal(err)
	}
	if up < int64(len(data)) {
		t.Fatalf("seeders report %d bytes uploaded, less than the %d-byte film", up, len(data))
	}
}

// testFilm is a small real film made by ffmpeg and cached under testdata/bench.
func testFilm(t *testing.T) *films {
	t.Helper()
	needPrograms(t, "ffmpeg", "ffprobe")
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := makeFilms(ctx, filmSpec{Width: 320, Height: 240, Duration: 6 * time.Second, VideoKbps: 400, AudioKbps: 64, KeyframeEach: 30},
		filepath.Join(root, "testdata", "bench"), false)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFilmsHaveMoovWhereAsked(t *testing.T) {
	f := testFilm(t)
	// makeFilms checks this itself; the test makes sure the check is real.
	for path, want := range map[string]bool{f.moovStart: true, f.moovEnd: false} {
		got, err := moovBeforeMdat(path)
		if err != nil || got != want {
			t.Fatalf("%s: moov first = %v (%v), want %v", filepath.Base(path), got, err, want)
		}
	}
	if f.duration < 5900*time.Millisecond || f.duration > 6100*time.Millisecond {
		t.Fatalf("duration %v, want 6s", f.duration)
	}
	a, _ := os.ReadFile(f.moovStart)
	b, _ := os.ReadFile(f.moovEnd)
	if len(a) == 0 || len(a) != len(b) || string(a) == string(b) {
		t.Fatalf("variants of %d and %d bytes: want the same size, different layout", len(a), len(b))
	}
}

// pausingFile serves a file and, the first time a read passes pauseAt, sleeps for pause:
// a swarm that stops delivering for a while. It does not embed *os.File, whose WriteTo
// would let the HTTP server send the file past Read.
type pausingFile struct {
	file    *os.File
	pauseAt int64
	pause   time.Duration
	once    *sync.Once
	pos     int64
}

func (p *pausingFile) Read(b []byte) (int, error) {
	if p.pos+int64(len(b)) > p.pauseAt {
		p.once.Do(func() { time.Sleep(p.pause) })
	}
	n, err := p.file.Read(b)
	p.pos += int64(n)
	return n, err
}

func (p *pausingFile) Seek(off int64, whence int) (int64, error) {
	n, err := p.file.Seek(off, whence)
	p.pos = n
	return n, err
}

func serveWithPause(t *testing.T, path string, pauseAt int64, pause time.Duration) *httptest.Server {
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "film.mp4", time.Time{}, &pausingFile{file: f, pauseAt: pauseAt, pause: pause, once: &once})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestReaderFirstFrameAndSeek(t *testing.T) {
	f := testFilm(t)
	t.Parallel()
	srv := serveWithPause(t, f.moovEnd, 1<<62, 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logs := t.TempDir()
	before := time.Now()
	at, err := firstFrame(ctx, srv.URL+"/film.mp4", 0, filepath.Join(logs, "a.log"))
	if err != nil {
		t.Fatal(err)
	}
	if at.Before(before) {
		t.Fatal("first frame dated before the reader started")
	}
	if _, err := firstFrame(ctx, srv.URL+"/film.mp4", 4*time.Second, filepath.Join(logs, "b.log")); err != nil {
		t.Fatalf("seek: %v", err)
	}
	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	if _, err := firstFrame(ctx, srv404.URL+"/film.mp4", 0, filepath.Join(logs, "c.log")); err == nil {
		t.Fatal("a 404 gave a first frame")
	}
}

func TestReaderCountsAStalledSwarm(t *testing.T) {
	f := testFilm(t)
	t.Parallel()
	st, err := os.Stat(f.moovStart)
	if err != nil {
		t.Fatal(err)
	}
	// After 40% of the film the server goes silent for 4 s: the player, which had about
	// 2.4 s buffered, must run dry once and recover.
	srv := serveWithPause(t, f.moovStart, st.Size()*4/10, 4*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := playRealtime(ctx, srv.URL+"/film.mp4", time.Minute, defaultPlayback, filepath.Join(t.TempDir(), "r.log"))
	if err != nil {
		t.Fatal(err)
	}
	if res.rebuffers != 1 || len(res.stops) != 1 {
		t.Fatalf("%d rebuffers (stops %v), want exactly 1", res.rebuffers, res.stops)
	}
	if res.played < f.duration-100*time.Millisecond {
		t.Fatalf("played %v of %v", res.played, f.duration)
	}

	srv404 := httptest.NewServer(http.NotFoundHandler())
	defer srv404.Close()
	if _, err := playRealtime(ctx, srv404.URL, time.Minute, defaultPlayback, filepath.Join(t.TempDir(), "404.log")); err == nil {
		t.Fatal("playing a 404 succeeded")
	}
}

func TestProcessStopEndsTheGroup(t *testing.T) {
	t.Parallel()
	lines := make(chan string, 4)
	p, err := startProcess("sleeper", exec.Command("sh", "-c", "sleep 60 & echo $!; wait"), filepath.Join(t.TempDir(), "log"), lines)
	if err != nil {
		t.Fatal(err)
	}
	child := strings.TrimSpace(<-lines)
	p.stop(time.Second)
	p.stop(time.Second) // idempotent
	if !p.exited() {
		t.Fatal("process still running after stop")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile("/proc/" + child + "/stat")
		// Gone, or a zombie waiting for a reaper: either way it runs no more.
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %s of the stopped process still runs: %s", child, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTrackerAnnounce(t *testing.T) {
	tr, err := StartTracker()
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var ih [20]byte
	ih[0] = 7
	get := func(peer string, port, left string) string {
		u := tr.AnnounceURL() + "?info_hash=" + strings.Repeat("%07", 1) + strings.Repeat("%00", 19) +
			"&peer_id=" + peer + "&port=" + port + "&left=" + left
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	get("-AA0001-aaaaaaaaaaaa", "7001", "0")
	get("-BB0001-bbbbbbbbbbbb", "7002", "0")
	if n := tr.Seeders(ih); n != 2 {
		t.Fatalf("%d seeders, want 2", n)
	}
	body := get("-CC0001-cccccccccccc", "7003", "100")
	// Two compact peers (6 bytes each), never the asker itself.
	if !strings.Contains(body, "5:peers12:") {
		t.Fatalf("response %q lacks two compact peers", body)
	}
	if !strings.Contains(body, "\x7f\x00\x00\x01\x1b\x59") || !strings.Contains(body, "\x7f\x00\x00\x01\x1b\x5a") {
		t.Fatalf("response %q lacks the seeders' addresses", body)
	}
	if strings.Contains(body, "\x1b\x5b") {
		t.Fatalf("response %q hands the leecher its own address", body)
	}
	if body := get("short", "1", "0"); !strings.Contains(body, "failure reason") {
		t.Fatalf("bad announce answered %q", body)
	}
}

func TestProcessStopWithUnreadOutput(t *testing.T) {
	t.Parallel()
	lines := make(chan string) // nobody reads: the copier blocks on its first line
	p, err := startProcess("talker", exec.Command("sh", "-c", "yes | head -n 1000; sleep 60"), filepath.Join(t.TempDir(), "log"), lines)
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { p.stop(time.Second); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("stop hangs while the process's output is unread")
	}
	if !p.exited() {
		t.Fatal("process still running after stop")
	}
}
