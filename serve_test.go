package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

// localStreamServer serves a small local file the way `marquee serve` does.
func localStreamServer(t *testing.T, lan bool) (*httptest.Server, *streamServer, []byte) {
	t.Helper()
	data := []byte(strings.Repeat("0123456789", 100))
	film := filepath.Join(t.TempDir(), "film.mkv")
	if err := os.WriteFile(film, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m := &media{name: "film.mkv", size: int64(len(data)), path: film}
	srv := httptest.NewUnstartedServer(nil)
	ss := newStreamServer(m, lan, srv.Listener.Addr().(*net.TCPAddr))
	srv.Config.Handler = ss
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, ss, data
}

func get(t *testing.T, url, host, rng string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// A web page can make a browser send requests to 127.0.0.1 under a name of its own (DNS
// rebinding); without --lan those must not be answered.
func TestServeRefusesForeignHostNames(t *testing.T) {
	t.Parallel()
	srv, ss, _ := localStreamServer(t, false)
	u := srv.URL + ss.path
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"", "localhost", "LOCALHOST:1", "localhost.", "127.0.0.1", "127.1.2.3:80", "[::1]:8080", "::1"} {
		if resp, body := get(t, u, host, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("Host %q: status %d %q, want 200", host, resp.StatusCode, body)
		}
	}
	for _, host := range []string{"evil.example", "evil.example:" + strconv.Itoa(port), "127.0.0.1.evil.example", "localhost.evil.example", "192.168.1.10", "[::2]"} {
		resp, body := get(t, u, host, "")
		if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, "--lan") {
			t.Errorf("Host %q: status %d %q, want 421 naming --lan", host, resp.StatusCode, body)
		}
	}
	lanSrv, lanSS, _ := localStreamServer(t, true)
	if resp, body := get(t, lanSrv.URL+lanSS.path, "films.home.example", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("--lan with a LAN name: status %d %q, want 200", resp.StatusCode, body)
	}
}

func TestServeEmptySuffixRangeIs416(t *testing.T) {
	t.Parallel()
	srv, ss, data := localStreamServer(t, false)
	u := srv.URL + ss.path
	for _, rng := range []string{"bytes=-0", "bytes=-00", "bytes=-0, -0"} {
		resp, _ := get(t, u, "", rng)
		if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != "bytes */1000" {
			t.Errorf("Range %s: status %d, Content-Range %q; want 416 with bytes */1000", rng, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
	}
	// A satisfiable range next to an empty one is still served.
	resp, body := get(t, u, "", "bytes=-0,10-19")
	if resp.StatusCode != http.StatusPartialContent || body != string(data[10:20]) || resp.Header.Get("Content-Range") != "bytes 10-19/1000" {
		t.Errorf("bytes=-0,10-19: status %d, Content-Range %q, body %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	if resp, body := get(t, u, "", "bytes=-5"); resp.StatusCode != http.StatusPartialContent || body != string(data[995:]) {
		t.Errorf("bytes=-5: status %d, body %q", resp.StatusCode, body)
	}
}

// failingReader returns good bytes up to failAt, then a storage error.
type failingReader struct {
	data   []byte
	pos    int64
	failAt int64
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.pos >= r.failAt {
		return 0, fmt.Errorf("store piece: %w", syscall.ENOSPC)
	}
	n := copy(p, r.data[r.pos:min(int64(len(r.data)), r.failAt)])
	r.pos += int64(n)
	return n, nil
}

func (r *failingReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		r.pos = off
	case io.SeekCurrent:
		r.pos += off
	case io.SeekEnd:
		r.pos = int64(len(r.data)) + off
	}
	return r.pos, nil
}

// A read that fails because the data cannot be stored fails the request: a 507 with a message
// when nothing was sent, a broken connection mid-body; and serve hears of it.
func TestServeReadFailureFailsTheRequest(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789"), 100_000)
	log := &syncBuffer{}
	ss := newStreamServer(&media{name: "film.mkv", size: int64(len(data))}, false, nil)
	ss.log = log
	var failAt atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss.serveContent(w, r, &failingReader{data: data, failAt: failAt.Load()})
	}))
	defer srv.Close()

	resp, body := get(t, srv.URL, "", "bytes=100-")
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(body, "film.mkv") || !strings.Contains(body, "no space") {
		t.Errorf("failure before the first byte: status %d %q, want 507 naming the film and the cause", resp.StatusCode, body)
	}
	select {
	case err := <-ss.failed:
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("serve was told %v, want ENOSPC", err)
		}
	default:
		t.Error("serve was not told of the failure")
	}

	failAt.Store(300_000)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err == nil || n >= int64(len(data)) {
		t.Errorf("failure mid-body: status %d, %d bytes, read error %v; want 200 and then an error", resp.StatusCode, n, err)
	}
	if !strings.Contains(log.String(), "film.mkv") || !strings.Contains(log.String(), "no space left") {
		t.Errorf("the failures were not logged clearly: %q", log.String())
	}
}

// TestServeFullDiskFailsAndExits: the same full disk as the engine's test (the data file is a
// link to /dev/full, which answers writes with ENOSPC). The request fails with a message
// instead of a 200 with a short body, and serve exits non-zero saying why.
func TestServeFullDiskFailsAndExits(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs Linux's /dev/full: %v", err)
	}
	swarm := torrenttest.NewSwarm(t, torrenttest.SwarmConfig{Size: 4 << 20, Name: "film.mkv"})
	cache := t.TempDir()
	dir := filepath.Join(cache, "data", swarm.InfoHash)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/full", filepath.Join(dir, "film.mkv")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"serve", "--cache", cache, "--listen", "127.0.0.1:0", "--no-dht", "--no-trackers", "--no-upnp"},
		append(peerFlags(swarm.Addrs), swarm.Magnet)...)
	cmd := exec.CommandContext(ctx, cliBinary(t), args...)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		cmd.Wait()
		t.Fatalf("serve printed no URL\n%s", stderr)
	}
	go io.Copy(io.Discard, stdout)

	resp, body := get(t, sc.Text(), "", "")
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(body, "no space left") {
		t.Errorf("GET with a full disk: status %d %q, want 507 saying the disk is full", resp.StatusCode, body)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("serve ended with %v, want a non-zero exit\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "stopped serving film.mkv") || !strings.Contains(stderr.String(), "no space left") {
		t.Fatalf("serve's stderr does not say it stopped for a full disk:\n%s", stderr)
	}
}
