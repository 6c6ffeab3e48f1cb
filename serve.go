package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const serveUsage = `Usage: marquee serve [flags] SOURCE

Serves the main video file of SOURCE (a magnet URI, a .torrent path or URL, an infohash,
or a local media file) over HTTP with Range support, so that mpv, VLC or a browser can
stream it while it downloads. Prints the URL on stdout, progress on stderr.

By default it binds to 127.0.0.1 and answers only requests addressed to a loopback name
(localhost, 127.0.0.0/8, [::1]) or the bound address, so a web page cannot reach it by DNS
rebinding. --lan binds to every interface and puts an unguessable token in the URL;
requests without it get 404.

Flags:
`

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveUsage, stderr)
	var (
		src      sourceFlags
		httpAddr = fs.String("http", "", "HTTP address to serve on (default 127.0.0.1:0, or :0 with --lan)")
		lan      = fs.Bool("lan", false, "serve to the whole network, behind a secret token in the URL")
		launch   = fs.String("player", "", "start this player (mpv, vlc, ...) on the URL and stop when it exits")
	)
	src.register(fs)
	source, err := parseOneArg(fs, args, "SOURCE")
	if err != nil {
		return err
	}
	addr := *httpAddr
	if addr == "" {
		addr = "127.0.0.1:0"
		if *lan {
			addr = ":0"
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m, err := openMedia(ctx, source, src.options(), nil)
	if err != nil {
		return err
	}
	defer m.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for HTTP on %s: %w", addr, err)
	}
	srv := newStreamServer(m, *lan, ln.Addr().(*net.TCPAddr))
	srv.log = stderr
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go httpSrv.Serve(ln)
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		httpSrv.Shutdown(shutdownCtx)
	}()

	streamURL := srv.url(ln.Addr().(*net.TCPAddr))
	fmt.Fprintln(stdout, streamURL)

	playerDone := make(chan error, 1)
	if *launch != "" {
		cmd := exec.CommandContext(ctx, *launch, streamURL)
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", *launch, err)
		}
		go func() { playerDone <- cmd.Wait() }()
	}

	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-srv.failed:
			// Nothing more can be served: the data cannot be stored (a full disk).
			return fmt.Errorf("stopped serving %s: %w", m.name, err)
		case err := <-playerDone:
			if err != nil {
				return fmt.Errorf("%s: %w", *launch, err)
			}
			return nil
		case <-ticker.C:
			st := m.stats()
			pct := 0.0
			if st.Length > 0 {
				pct = 100 * float64(st.BytesComplete) / float64(st.Length)
			}
			fmt.Fprintf(stderr, "%s: %.1f%% of %s, down %s/s, up %s/s, %d peers, %d web seeds, %d readers\n",
				m.name, pct, formatBytes(st.Length), formatBytes(int64(st.DownloadRate)),
				formatBytes(int64(st.UploadRate)), st.Peers, st.Webseeds, srv.readers.Load())
		}
	}
}

// streamServer serves one file with Range support; every request reads through its own
// stream, so concurrent readers each prioritise their own position.
type streamServer struct {
	media   *media
	path    string // the one path that serves the file
	lan     bool   // any Host is accepted: the token in the path is the protection
	bound   net.IP // the address listened on, which a Host may also name
	readers atomic.Int64
	log     io.Writer  // where failed requests are reported; nil: nowhere
	failed  chan error // the first read failure, which ends `serve`
}

// newStreamServer serves m at a path of its name, behind a random token with lan.
func newStreamServer(m *media, lan bool, bound *net.TCPAddr) *streamServer {
	s := &streamServer{media: m, lan: lan, failed: make(chan error, 1)}
	if bound != nil {
		s.bound = bound.IP
	}
	p := "/" + url.PathEscape(m.name)
	if lan {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on Linux
		}
		p = "/" + hex.EncodeToString(b[:]) + p
	}
	s.path = p
	return s
}

// hostAllowed reports whether a request's Host may be served. Without --lan the server is
// for this machine only, but a web page can still reach 127.0.0.1 through a name of its
// own that resolves there (DNS rebinding); such requests carry that name as Host, so only
// loopback names and the bound address are answered.
func (s *streamServer) hostAllowed(hostport string) bool {
	if s.lan {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || (!s.bound.IsUnspecified() && ip.Equal(s.bound)))
}

// dropEmptySuffixRanges removes "-0" (the last zero bytes) from a Range header, which
// http.ServeContent answers with 206 and an invalid Content-Range. It reports false when
// nothing satisfiable is left, which deserves 416.
func dropEmptySuffixRanges(h http.Header) bool {
	v := h.Get("Range")
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return true
	}
	var keep []string
	for _, r := range strings.Split(spec, ",") {
		if r = strings.TrimSpace(r); r != "" && strings.TrimLeft(r, "-0") == "" && strings.HasPrefix(r, "-") {
			continue // "-0", "-00": a suffix of no bytes
		}
		keep = append(keep, r)
	}
	if len(keep) == 0 {
		return false
	}
	h.Set("Range", "bytes="+strings.Join(keep, ","))
	return true
}

func (s *streamServer) url(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = lanAddress()
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port)) + s.path
}

func (s *streamServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, fmt.Sprintf("marquee serve answers only requests to localhost or %s, not to %q; use --lan to serve the network", s.bound, r.Host), http.StatusMisdirectedRequest)
		return
	}
	if r.URL.EscapedPath() != s.path && r.URL.Path != mustUnescape(s.path) {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rd, err := s.media.reader()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer rd.Close()
	s.readers.Add(1)
	defer s.readers.Add(-1)
	if ct := mediaType(s.media.name); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Accept-Ranges", "bytes")
	if !dropEmptySuffixRanges(r.Header) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", s.media.size))
		http.Error(w, "requested range not satisfiable: a suffix of 0 bytes", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	s.serveContent(w, r, contextReader{ctx: r.Context(), ReadSeekCloser: rd})
}

// serveContent is http.ServeContent, except that a read failure (the data cannot be stored,
// so it never arrives) fails the request instead of ending it as if the file were shorter:
// with a 5xx and a message when nothing was sent yet, by aborting the connection mid-body,
// so that the player sees an error rather than a truncated film. The failure is logged
// and handed to `serve` through s.failed.
func (s *streamServer) serveContent(w http.ResponseWriter, r *http.Request, content io.ReadSeeker) {
	rd := &failureReader{ReadSeeker: content}
	hw := &heldHeaderWriter{ResponseWriter: w}
	http.ServeContent(hw, r, s.media.name, time.Time{}, rd)
	if rd.err == nil || r.Context().Err() != nil {
		hw.flushHeader()
		return // done, or the player went away
	}
	if s.log != nil {
		fmt.Fprintf(s.log, "serve: request for %s (%s) failed: %v\n", s.media.name, r.Header.Get("Range"), rd.err)
	}
	select {
	case s.failed <- rd.err:
	default:
	}
	if hw.sent {
		panic(http.ErrAbortHandler) // net/http closes the connection without ending the body
	}
	for _, h := range []string{"Content-Length", "Content-Range", "Content-Encoding", "Accept-Ranges"} {
		w.Header().Del(h)
	}
	code := http.StatusServiceUnavailable
	if errors.Is(rd.err, syscall.ENOSPC) {
		code = http.StatusInsufficientStorage
	}
	http.Error(w, fmt.Sprintf("marquee serve cannot read %s: %v", s.media.name, rd.err), code)
}

// failureReader remembers the first read error other than the end of the file.
type failureReader struct {
	io.ReadSeeker
	err error
}

func (r *failureReader) Read(p []byte) (int, error) {
	n, err := r.ReadSeeker.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// heldHeaderWriter holds the status line back until the first byte of the body, so that a
// read that fails before any byte can still change the answer to an error.
type heldHeaderWriter struct {
	http.ResponseWriter
	status int
	sent   bool
}

func (w *heldHeaderWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *heldHeaderWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK // as net/http does for a Write before WriteHeader
	}
	w.flushHeader()
	return w.ResponseWriter.Write(p)
}

// flushHeader sends the held status line, if there is one and it was not sent yet.
func (w *heldHeaderWriter) flushHeader() {
	if !w.sent && w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
	w.sent = w.sent || w.status != 0
}

func mustUnescape(p string) string {
	u, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return u
}

// mediaType names video containers that Go's mime table does not know.
func mediaType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".mkv":
		return "video/x-matroska"
	case ".ts", ".m2ts":
		return "video/mp2t"
	case ".avi":
		return "video/x-msvideo"
	}
	return mime.TypeByExtension(ext)
}

// lanAddress picks an address other machines can reach us on, for printing the URL.
func lanAddress() string {
	conns, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range conns {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
