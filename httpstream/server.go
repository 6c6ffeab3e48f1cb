// Package httpstream serves one film (and its subtitles) over HTTP with Range, HEAD and the
// DLNA headers that TVs require. `marquee serve`, casting and the app all serve through it.
package httpstream

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
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// File is what a Server serves: Open hands out an independent reader for each request, so
// that concurrent readers each prioritise their own position; reads should end when ctx
// (the request's) ends.
type File struct {
	Name string
	Size int64
	Open func(ctx context.Context) (io.ReadSeekCloser, error)
}

// Options say whom a Server answers.
type Options struct {
	// Token puts an unguessable token in front of every path, so that only who was given
	// the URL can fetch: for a server other machines can reach.
	Token bool
	// AnyHost answers whatever name a request's Host gives. Without it only loopback names
	// and Bound are answered (see hostAllowed).
	AnyHost bool
	// Bound is the address listened on, which a Host may also name.
	Bound net.IP
	// Subtitle, when set, is served as SRT beside the film (see SubtitlePath).
	Subtitle *File
	// Log receives one line for each request that failed to read; nil: nowhere.
	Log io.Writer
}

// Server serves one File at Path (and its subtitle at SubtitlePath); everything else is 404.
type Server struct {
	file     File
	subtitle *File
	opts     Options
	path     string
	subPath  string
	readers  atomic.Int64
	served   atomic.Int64
	failed   chan error
}

// New makes a Server for f.
func New(f File, opts Options) *Server {
	s := &Server{file: f, subtitle: opts.Subtitle, opts: opts, failed: make(chan error, 1)}
	prefix := ""
	if opts.Token {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on Linux
		}
		prefix = "/" + hex.EncodeToString(b[:])
	}
	s.path = prefix + "/" + url.PathEscape(f.Name)
	if s.subtitle != nil {
		s.subPath = prefix + "/" + url.PathEscape(strings.TrimSuffix(f.Name, path.Ext(f.Name))+".srt")
	}
	return s
}

// Path is the escaped path that serves the film.
func (s *Server) Path() string { return s.path }

// SubtitlePath is the escaped path that serves the subtitle, "" without one.
func (s *Server) SubtitlePath() string { return s.subPath }

// Failed yields the first read failure (the data cannot be stored, so it never arrives),
// after which nothing more can be served.
func (s *Server) Failed() <-chan error { return s.failed }

// Readers is the number of requests being answered now.
func (s *Server) Readers() int64 { return s.readers.Load() }

// BytesServed is the number of body bytes sent so far, film and subtitle.
func (s *Server) BytesServed() int64 { return s.served.Load() }

// URL is the film's address for a listener on addr; an unspecified address is replaced by
// one other machines can reach.
func (s *Server) URL(addr *net.TCPAddr) string { return baseURL(addr) + s.path }

// SubtitleURL is the subtitle's address for a listener on addr, "" without one.
func (s *Server) SubtitleURL(addr *net.TCPAddr) string {
	if s.subPath == "" {
		return ""
	}
	return baseURL(addr) + s.subPath
}

func baseURL(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = lanAddress()
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
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

// hostAllowed reports whether a request's Host may be served. A server for this machine
// only can still be reached by a web page through a name of its own that resolves to
// 127.0.0.1 (DNS rebinding); such requests carry that name as Host, so only loopback names
// and the bound address are answered.
func (s *Server) hostAllowed(hostport string) bool {
	if s.opts.AnyHost {
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
	return ip != nil && (ip.IsLoopback() || (s.opts.Bound != nil && !s.opts.Bound.IsUnspecified() && ip.Equal(s.opts.Bound)))
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, fmt.Sprintf("marquee answers only requests to localhost or %s, not to %q (marquee serve --lan serves the network)", s.opts.Bound, r.Host), http.StatusMisdirectedRequest)
		return
	}
	var f *File
	streaming := true
	switch {
	case matches(r.URL, s.path):
		f = &s.file
	case s.subPath != "" && matches(r.URL, s.subPath):
		f, streaming = s.subtitle, false
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !s.dlnaHeaders(w, r, f, streaming) {
		return
	}
	rd, err := f.Open(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer rd.Close()
	s.readers.Add(1)
	defer s.readers.Add(-1)
	if ct := contentType(f.Name, streaming); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Accept-Ranges", "bytes")
	if !dropEmptySuffixRanges(r.Header) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", f.Size))
		http.Error(w, "requested range not satisfiable: a suffix of 0 bytes", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	s.serveContent(w, r, f.Name, rd)
}

func matches(u *url.URL, escaped string) bool {
	if u.EscapedPath() == escaped {
		return true
	}
	p, err := url.PathUnescape(escaped)
	return err == nil && u.Path == p
}

// contentType names the film's container, or SRT for the subtitle.
func contentType(name string, streaming bool) string {
	if !streaming {
		return SubtitleType
	}
	return MediaType(name)
}

// SubtitleType is the MIME type subtitles are served and announced as: "text/srt" is what
// DLNA renderers (Samsung, LG, gmediarender through GStreamer) recognise.
const SubtitleType = "text/srt"

// MediaType is the MIME type of a film by its name, including the video containers that
// Go's mime table does not know.
func MediaType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".mkv":
		return "video/x-matroska"
	case ".webm":
		return "video/webm"
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".ts", ".m2ts":
		return "video/mp2t"
	case ".avi":
		return "video/x-msvideo"
	}
	return mime.TypeByExtension(ext)
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

// serveContent is http.ServeContent, except that a read failure (the data cannot be stored,
// so it never arrives) fails the request instead of ending it as if the file were shorter:
// with a 5xx and a message when nothing was sent yet, by aborting the connection mid-body,
// so that the player sees an error rather than a truncated film. The failure is logged
// and handed to Failed.
func (s *Server) serveContent(w http.ResponseWriter, r *http.Request, name string, content io.ReadSeeker) {
	rd := &failureReader{ReadSeeker: content}
	hw := &heldHeaderWriter{ResponseWriter: w, served: &s.served}
	http.ServeContent(hw, r, name, time.Time{}, rd)
	if rd.err == nil || r.Context().Err() != nil {
		hw.flushHeader()
		return // done, or the player went away
	}
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "serve: request for %s (%s) failed: %v\n", name, r.Header.Get("Range"), rd.err)
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
	http.Error(w, fmt.Sprintf("marquee cannot read %s: %v", name, rd.err), code)
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
// read that fails before any byte can still change the answer to an error. It counts the
// body bytes sent.
type heldHeaderWriter struct {
	http.ResponseWriter
	status int
	sent   bool
	served *atomic.Int64
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
	n, err := w.ResponseWriter.Write(p)
	w.served.Add(int64(n))
	return n, err
}

// flushHeader sends the held status line, if there is one and it was not sent yet.
func (w *heldHeaderWriter) flushHeader() {
	if !w.sent && w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
	w.sent = w.sent || w.status != 0
}
