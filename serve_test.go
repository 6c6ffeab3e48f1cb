package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/torrent/torrenttest"
)

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
