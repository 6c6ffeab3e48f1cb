package torrenttest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// WebseedBehaviour says how a test web seed answers.
type WebseedBehaviour int

const (
	// WebseedOK serves ranges as a CDN would.
	WebseedOK WebseedBehaviour = iota
	// WebseedRedirect answers every request with a 302 to the same path under /data/, as
	// archive.org sends /download/ID/FILE to a data node.
	WebseedRedirect
	// WebseedIgnoresRange answers 200 with the whole file whatever the Range header says.
	WebseedIgnoresRange
	// WebseedCorrupt serves ranges whose bytes are flipped.
	WebseedCorrupt
	// WebseedError500 answers 500 to everything.
	WebseedError500
	// WebseedNotFound answers 404 to everything.
	WebseedNotFound
)

// WebseedConfig describes a test web seed.
type WebseedConfig struct {
	// Root is the folder served: a BEP 19 base URL is Server.URL + "/", and files live at
	// Root/<torrent name>[/<path>].
	Root      string
	Behaviour WebseedBehaviour
	// RatePerConn caps each response in bytes/s (0: unlimited), like a CDN's per-connection
	// limit: more connections get more throughput.
	RatePerConn int64
	// RateTotal caps all responses together in bytes/s (0: unlimited), like a server's
	// per-client limit: more connections share it.
	RateTotal int64
}

// WebseedRequest is one request a test web seed received.
type WebseedRequest struct {
	Path       string // unescaped, below the base URL
	Start, End int64  // of the Range header, inclusive; -1 when there was none
	Aborted    bool   // the client went away before the whole answer was sent
	Order      int    // arrival order
}

// Webseed is an HTTP server on 127.0.0.1 serving a folder as a BEP 19 web seed.
type Webseed struct {
	*httptest.Server
	cfg   WebseedConfig
	total *rate.Limiter // RateTotal; nil when unlimited

	mu       sync.Mutex
	requests []*WebseedRequest
	bytes    int64
}

// NewWebseed starts a web seed; it is closed by tb.Cleanup.
func NewWebseed(tb testing.TB, cfg WebseedConfig) *Webseed {
	w := StartWebseed(cfg)
	tb.Cleanup(w.Close)
	return w
}

// StartWebseed starts a web seed that the caller closes (the benchmarks run one per run).
func StartWebseed(cfg WebseedConfig) *Webseed {
	w := &Webseed{cfg: cfg}
	if cfg.RateTotal > 0 {
		w.total = rate.NewLimiter(rate.Limit(cfg.RateTotal), webseedChunk)
	}
	w.Server = httptest.NewServer(http.HandlerFunc(w.serve))
	return w
}

// BaseURL is the web seed's BEP 19 URL (ends in "/").
func (w *Webseed) BaseURL() string { return w.URL + "/" }

// Requests returns the requests received so far, in arrival order.
func (w *Webseed) Requests() []WebseedRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]WebseedRequest, len(w.requests))
	for i, r := range w.requests {
		out[i] = *r
	}
	return out
}

// BytesSent is the body bytes written to clients.
func (w *Webseed) BytesSent() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bytes
}

func (w *Webseed) serve(rw http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	redirected := strings.HasPrefix(path, "data/")
	if w.cfg.Behaviour == WebseedRedirect && !redirected {
		http.Redirect(rw, r, "/data/"+r.URL.EscapedPath()[1:], http.StatusFound)
		return
	}
	path = strings.TrimPrefix(path, "data/")
	req := &WebseedRequest{Path: path, Start: -1, End: -1}
	if a, b, ok := parseRange(r.Header.Get("Range")); ok {
		req.Start, req.End = a, b
	}
	w.mu.Lock()
	req.Order = len(w.requests)
	w.requests = append(w.requests, req)
	w.mu.Unlock()
	switch w.cfg.Behaviour {
	case WebseedError500:
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	case WebseedNotFound:
		http.NotFound(rw, r)
		return
	}
	f, err := os.Open(filepath.Join(w.cfg.Root, filepath.FromSlash(path)))
	if err != nil {
		http.NotFound(rw, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(rw, r)
		return
	}
	out := &webseedWriter{ResponseWriter: rw, w: w, rate: w.cfg.RatePerConn, corrupt: w.cfg.Behaviour == WebseedCorrupt, ctx: r.Context()}
	if w.cfg.Behaviour == WebseedIgnoresRange {
		rw.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		rw.WriteHeader(http.StatusOK)
		_, err = io.Copy(out, f)
	} else {
		http.ServeContent(out, r, "", st.ModTime(), f)
		err = out.err
	}
	if err != nil || r.Context().Err() != nil {
		w.mu.Lock()
		req.Aborted = true
		w.mu.Unlock()
	}
}

// parseRange reads "bytes=a-b" (b may be empty).
func parseRange(v string) (int64, int64, bool) {
	v, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(v, "-")
	if !ok {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	end := int64(-1)
	if b != "" {
		if end, err = strconv.ParseInt(b, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, end, true
}

// webseedWriter paces and optionally corrupts a response body.
type webseedWriter struct {
	http.ResponseWriter
	w       *Webseed
	rate    int64
	corrupt bool
	ctx     context.Context // ends when the client goes away
	err     error
}

// webseedChunk is the pacing unit, and the burst of the total limiter.
const webseedChunk = 16 << 10

func (o *webseedWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), webseedChunk)
		if o.w.total != nil {
			if err := o.w.total.WaitN(o.ctx, n); err != nil {
				o.err = http.ErrAbortHandler
				return written, o.err
			}
		}
		b := p[:n]
		if o.corrupt {
			b = make([]byte, n)
			for i, c := range p[:n] {
				b[i] = ^c
			}
		}
		m, err := o.ResponseWriter.Write(b)
		written += m
		o.w.mu.Lock()
		o.w.bytes += int64(m)
		o.w.mu.Unlock()
		if err != nil {
			o.err = err
			return written, err
		}
		if o.rate > 0 {
			select {
			case <-time.After(time.Duration(float64(n) / float64(o.rate) * float64(time.Second))):
			case <-o.ctx.Done():
				o.err = http.ErrAbortHandler
				return written, o.err
			}
		}
		p = p[n:]
	}
	return written, nil
}
