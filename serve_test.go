package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
