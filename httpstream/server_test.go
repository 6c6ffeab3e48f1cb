package httpstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// localFile is a File over a file on disk.
func localFile(t *testing.T, name string, data []byte) File {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return File{Name: name, Size: int64(len(data)), Open: func(context.Context) (io.ReadSeekCloser, error) { return os.Open(p) }}
}

// localServer serves a small film (and with sub, a subtitle) the way `marquee serve` does.
func localServer(t *testing.T, opts Options) (*httptest.Server, *Server, []byte) {
	t.Helper()
	data := []byte(strings.Repeat("0123456789", 100))
	hs := httptest.NewUnstartedServer(nil)
	opts.Bound = hs.Listener.Addr().(*net.TCPAddr).IP
	s := New(localFile(t, "film.mkv", data), opts)
	hs.Config.Handler = s
	hs.Start()
	t.Cleanup(hs.Close)
	return hs, s, data
}

func request(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func get(t *testing.T, url, host, rng string) (*http.Response, string) {
	h := map[string]string{}
	if host != "" {
		h["Host"] = host
	}
	if rng != "" {
		h["Range"] = rng
	}
	return request(t, http.MethodGet, url, h)
}

// A web page can make a browser send requests to 127.0.0.1 under a name of its own (DNS
// rebinding); without AnyHost those must not be answered.
func TestRefusesForeignHostNames(t *testing.T) {
	t.Parallel()
	srv, ss, _ := localServer(t, Options{})
	u := srv.URL + ss.Path()
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
	lanSrv, lanSS, _ := localServer(t, Options{Token: true, AnyHost: true})
	if resp, body := get(t, lanSrv.URL+lanSS.Path(), "films.home.example", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("AnyHost with a LAN name: status %d %q, want 200", resp.StatusCode, body)
	}
}

// With Token, the path starts with 32 random hex digits, different for every server, and a
// path without them (or with another's) is 404.
func TestTokenIsRandomAndRequired(t *testing.T) {
	t.Parallel()
	srv, a, _ := localServer(t, Options{Token: true})
	_, b, _ := localServer(t, Options{Token: true})
	token, _, _ := strings.Cut(strings.TrimPrefix(a.Path(), "/"), "/")
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		t.Fatalf("path %q does not start with a 128-bit hex token", a.Path())
	}
	if a.Path() == b.Path() {
		t.Fatalf("two servers share the path %q", a.Path())
	}
	for _, p := range []string{"/film.mkv", b.Path(), "/" + token, "/" + token + "/other.mkv"} {
		if resp, _ := get(t, srv.URL+p, "", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := get(t, srv.URL+a.Path(), "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("GET with the token: status %d, want 200", resp.StatusCode)
	}
}

func TestEmptySuffixRangeIs416(t *testing.T) {
	t.Parallel()
	srv, ss, data := localServer(t, Options{})
	u := srv.URL + ss.Path()
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

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A read that fails because the data cannot be stored fails the request: a 507 with a message
// when nothing was sent, a broken connection mid-body; and Failed hears of it.
func TestReadFailureFailsTheRequest(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789"), 100_000)
	log := &syncBuffer{}
	ss := New(File{Name: "film.mkv", Size: int64(len(data))}, Options{Log: log})
	var failAt atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss.serveContent(w, r, "film.mkv", &failingReader{data: data, failAt: failAt.Load()})
	}))
	defer srv.Close()

	resp, body := get(t, srv.URL, "", "bytes=100-")
	if resp.StatusCode != http.StatusInsufficientStorage || !strings.Contains(body, "film.mkv") || !strings.Contains(body, "no space") {
		t.Errorf("failure before the first byte: status %d %q, want 507 naming the film and the cause", resp.StatusCode, body)
	}
	select {
	case err := <-ss.Failed():
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("Failed yielded %v, want ENOSPC", err)
		}
	default:
		t.Error("Failed yielded nothing")
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

// BytesServed counts the body bytes sent, not the film's size: a HEAD sends none, a range
// sends its length.
func TestBytesServedCountsBodies(t *testing.T) {
	t.Parallel()
	srv, ss, _ := localServer(t, Options{})
	u := srv.URL + ss.Path()
	request(t, http.MethodHead, u, nil)
	if n := ss.BytesServed(); n != 0 {
		t.Fatalf("after a HEAD, %d bytes served; want 0", n)
	}
	get(t, u, "", "bytes=100-199")
	get(t, u, "", "")
	if n := ss.BytesServed(); n != 1100 {
		t.Fatalf("after 100 bytes and the 1000-byte film, %d bytes served; want 1100", n)
	}
}

func TestMediaType(t *testing.T) {
	for name, want := range map[string]string{
		"a.mkv": "video/x-matroska", "A.MKV": "video/x-matroska", "a.webm": "video/webm", "a.mp4": "video/mp4",
		"a.m4v": "video/mp4", "a.ts": "video/mp2t", "a.m2ts": "video/mp2t", "a.avi": "video/x-msvideo",
	} {
		if got := MediaType(name); got != want {
			t.Errorf("MediaType(%q) = %q, want %q", name, got, want)
		}
	}
}
