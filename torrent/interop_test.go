package torrent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

// needBinary skips only when a third-party client cannot be installed on this machine; the
// Makefile installs aria2, transmission-cli and mktorrent.
func needBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install aria2 transmission-cli mktorrent): %v", name, err)
	}
	return p
}

// waitListening waits until something accepts TCP connections at addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	eventually(t, addr+" to listen", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startProcess runs a command until the test ends, keeping its output for failure messages.
func startProcess(t *testing.T, name string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(name, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return cmd, out
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mktorrent makes a .torrent of path with the third-party tool, 256 KiB pieces, no tracker.
func mktorrent(t *testing.T, path string) []byte {
	t.Helper()
	bin := needBinary(t, "mktorrent")
	out := filepath.Join(t.TempDir(), "made.torrent")
	if b, err := exec.Command(bin, "-l", "18", "-o", out, path).CombinedOutput(); err != nil {
		t.Fatalf("mktorrent: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func aria2Args(dir string, port int) []string {
	return []string{
		"--dir=" + dir, "--listen-port=" + strconv.Itoa(port),
		"--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
		"--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn", "--file-allocation=none",
	}
}

// streamFromThirdParty adds the torrent by info hash only, so metadata must come from the
// third-party seeder at addr, and streams the whole main video file, which must be want.
func streamFromThirdParty(t *testing.T, torrentFile []byte, addr string, want []byte) {
	t.Helper()
	info, err := ParseTorrent(torrentFile)
	if err != nil {
		t.Fatal(err)
	}
	// anacrolix dials TCP and uTP at once and waits for every dial to fail before it tries an
	// address again; a uTP dial to a client without uTP only fails at the 20 s dial timeout.
	// Adding the peer once it listens makes the first TCP dial succeed.
	waitListening(t, addr)
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddMagnet(fmt.Sprintf("magnet:?xt=urn:btih:%s&x.pe=%s", info.InfoHash, addr))
	if err != nil {
		t.Fatal(err)
	}
	// A client may accept connections before it is ready to serve (transmission verifies its
	// data first and drops us meanwhile); keep offering the address until metadata arrives.
	ctx, cancel := context.WithCancel(ctxGuard(t))
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			tor.AddPeers(addr)
			time.Sleep(200 * time.Millisecond)
		}
	}()
	if err := tor.WaitMetadata(ctx); err != nil {
		t.Fatal(err)
	}
	main, s := openMain(t, tor)
	if s.Size() != int64(len(want)) {
		t.Fatalf("main file %q is %d bytes, want %d", main.Path, s.Size(), len(want))
	}
	mid := int64(len(want) / 2)
	if got := readAllAt(t, s, mid, 1<<20); !bytes.Equal(got, want[mid:mid+1<<20]) {
		t.Fatal("bytes from the middle differ")
	}
	if got := readAllAt(t, s, 0, -1); !bytes.Equal(got, want) {
		t.Fatalf("streamed %d bytes differ from the %d the third party seeds", len(got), len(want))
	}
}

func TestStreamFromAria2Seeder(t *testing.T) {
	t.Parallel()
	bin := needBinary(t, "aria2c")
	dir := t.TempDir()
	path := filepath.Join(dir, "aria2 film.mkv")
	if err := torrenttest.WriteRandomFile(path, 12<<20+333, 11); err != nil {
		t.Fatal(err)
	}
	torrentFile := mktorrent(t, path)
	tf := filepath.Join(t.TempDir(), "seed.torrent")
	os.WriteFile(tf, torrentFile, 0o644)
	port := freePort(t)
	args := append(aria2Args(dir, port), "--seed-ratio=0.0", "--bt-seed-unverified=true", "--check-integrity=false", tf)
	startProcess(t, bin, args...)
	want, _ := os.ReadFile(path)
	streamFromThirdParty(t, torrentFile, "127.0.0.1:"+strconv.Itoa(port), want)
}

func TestStreamFromTransmissionSeeder(t *testing.T) {
	t.Parallel()
	bin := needBinary(t, "transmission-cli")
	dir := t.TempDir()
	path := filepath.Join(dir, "transmission film.mp4")
	if err := torrenttest.WriteRandomFile(path, 6<<20+77, 12); err != nil {
		t.Fatal(err)
	}
	torrentFile := mktorrent(t, path)
	tf := filepath.Join(t.TempDir(), "seed.torrent")
	os.WriteFile(tf, torrentFile, 0o644)
	conf := transmissionConfig(t)
	port := freePort(t)
	startProcess(t, bin, "-g", conf, "-w", dir, "-p", strconv.Itoa(port), "-M", "-ep", tf)
	want, _ := os.ReadFile(path)
	streamFromThirdParty(t, torrentFile, "127.0.0.1:"+strconv.Itoa(port), want)
}

// transmissionConfig keeps transmission-cli off DHT, LPD and PEX and out of the home folder.
func transmissionConfig(t *testing.T) string {
	conf := t.TempDir()
	settings := `{"dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "utp-enabled": false,
		"port-forwarding-enabled": false, "ratio-limit-enabled": false}`
	if err := os.WriteFile(filepath.Join(conf, "settings.json"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

func TestAria2DownloadsFromUs(t *testing.T) {
	t.Parallel()
	bin := needBinary(t, "aria2c")
	e := newTestEngine(t, testConfig(t))
	tor, path := seededFile(t, e, 10<<20+99)
	mi, err := tor.Metainfo()
	if err != nil {
		t.Fatal(err)
	}
	tf := filepath.Join(t.TempDir(), "ours.torrent")
	os.WriteFile(tf, mi, 0o644)
	dir := t.TempDir()
	port := freePort(t)
	args := append(aria2Args(dir, port), "--seed-time=0", "--bt-stop-timeout=60", tf)
	cmd, _ := startProcess(t, bin, args...)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// aria2c learns of no peers by itself here (no tracker, DHT or LPD): we dial it.
	waitListening(t, "127.0.0.1:"+strconv.Itoa(port))
	for done := false; !done; {
		tor.AddPeers("127.0.0.1:" + strconv.Itoa(port))
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("aria2c failed: %v", err)
			}
			done = true
		case <-time.After(200 * time.Millisecond):
		case <-ctxGuard(t).Done():
			t.Fatal("aria2c did not finish")
		}
	}
	sameFile(t, path, filepath.Join(dir, filepath.Base(path)))
	if up := tor.Stats().BytesUp; up < 10<<20 {
		t.Fatalf("engine reports %d bytes uploaded for a 10 MiB download", up)
	}
}

// libtorrentSeeder makes a hybrid (v1 + v2) torrent of the folder named by argv[1] with
// libtorrent 2, the way qBittorrent does by default (BEP 47 padding files align every file,
// the last one included, to a piece), and writes it to argv[2]; if that file exists it is
// used instead. With a port in argv[3] it then seeds on 127.0.0.1:port until killed; with 0
// it exits.
const libtorrentSeeder = `
import libtorrent as lt, os, sys, time
path, out, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if os.path.exists(out):
	data = open(out, "rb").read()
else:
	fs = lt.file_storage()
	lt.add_files(fs, path)
	ct = lt.create_torrent(fs, 1 << 16)
	lt.set_piece_hashes(ct, os.path.dirname(path))
	data = lt.bencode(ct.generate())
	open(out + ".tmp", "wb").write(data)
	os.rename(out + ".tmp", out)
if port == 0:
	sys.exit(0)
s = lt.session({"listen_interfaces": "127.0.0.1:%d" % port, "enable_dht": False,
	"enable_lsd": False, "enable_upnp": False, "enable_natpmp": False})
s.add_torrent({"ti": lt.torrent_info(data), "save_path": os.path.dirname(path)})
while True:
	time.sleep(1)
`

// Debian's python3 (the Makefile installs python3-libtorrent for it), not one a version
// manager may put first on PATH.
const debianPython = "/usr/bin/python3"

// hybridFolder writes a folder whose film is its last file, so that the film's last bytes
// sit in the hybrid torrent's final, padded piece, and makes the torrent with libtorrent.
func hybridFolder(t *testing.T) (folder, torrentPath string, film []byte) {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import libtorrent").Run(); err != nil {
		t.Skipf("%s cannot import libtorrent (apt-get install python3-libtorrent): %v", debianPython, err)
	}
	folder = filepath.Join(t.TempDir(), "hybrid film")
	video := filepath.Join(folder, "film.mkv")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := torrenttest.WriteRandomFile(filepath.Join(folder, "a subtitles.srt"), 1234, 14); err != nil {
		t.Fatal(err)
	}
	if err := torrenttest.WriteRandomFile(video, 5<<20+4321, 13); err != nil {
		t.Fatal(err)
	}
	torrentPath = filepath.Join(t.TempDir(), "hybrid.torrent")
	if out, err := exec.Command(debianPython, "-c", libtorrentSeeder, folder, torrentPath, "0").CombinedOutput(); err != nil {
		t.Fatalf("libtorrent: %v\n%s", err, out)
	}
	film, err := os.ReadFile(video)
	if err != nil {
		t.Fatal(err)
	}
	return folder, torrentPath, film
}

func TestStreamHybridTorrentFromLibtorrentSeeder(t *testing.T) {
	t.Parallel()
	folder, torrentPath, film := hybridFolder(t)
	torrentFile, err := os.ReadFile(torrentPath)
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseTorrent(torrentFile)
	if err != nil {
		t.Fatalf("our parser refuses libtorrent's hybrid torrent: %v", err)
	}
	// The padding files libtorrent puts after each file are not files the user sees.
	if len(info.Files) != 2 {
		t.Fatalf("files %+v, want the subtitles and the film without padding", info.Files)
	}
	port := freePort(t)
	startProcess(t, debianPython, "-c", libtorrentSeeder, folder, torrentPath, strconv.Itoa(port))
	streamFromThirdParty(t, torrentFile, "127.0.0.1:"+strconv.Itoa(port), film)
}

// anacrolix v1.61 cannot read the last bytes of a hybrid torrent (see readPastReaderEnd); a
// player opening an MP4 with its moov there must wait for them, give up cleanly, and get
// them once a peer sends them.
func TestHybridTorrentTailWaitsCancelsAndArrives(t *testing.T) {
	t.Parallel()
	folder, torrentPath, film := hybridFolder(t)
	torrentFile, err := os.ReadFile(torrentPath)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, testConfig(t))
	tor, err := e.AddTorrentBytes(torrentFile)
	if err != nil {
		t.Fatal(err)
	}
	_, s := openMain(t, tor)
	tail := int64(len(film) - 100)
	if _, err := s.Seek(tail, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctxGuard(t), 300*time.Millisecond)
	defer cancel()
	if n, err := s.ReadContext(ctx, make([]byte, 100)); n != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("tail read with no peer: %d bytes, %v; want the context's error", n, err)
	}
	port := freePort(t)
	startProcess(t, debianPython, "-c", libtorrentSeeder, folder, torrentPath, strconv.Itoa(port))
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitListening(t, addr)
	tor.AddPeers(addr)
	if got := readAllAt(t, s, tail, -1); !bytes.Equal(got, film[tail:]) {
		t.Fatalf("tail: got %d bytes that differ from the film's last 100", len(got))
	}
	if got := readAllAt(t, s, 0, -1); !bytes.Equal(got, film) {
		t.Fatalf("whole film: %d bytes differ from the %d seeded", len(got), len(film))
	}
}
