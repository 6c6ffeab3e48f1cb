package httpget

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestGet(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Header.Get("Accept") + "|" + r.Header.Get("User-Agent")))
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/declared-large", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(strings.Repeat("x", 100)))
	})
	mux.HandleFunc("/chunked-large", func(w http.ResponseWriter, r *http.Request) {
		for range 10 {
			w.Write([]byte(strings.Repeat("x", 10)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/hangs", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	body, err := Get(ctx, srv.URL+"/ok", Request{Accept: "application/json"})
	if err != nil || string(body) != "application/json|"+DefaultUserAgent {
		t.Fatalf("ok: %q, %v", body, err)
	}
	_, err = Get(ctx, srv.URL+"/missing", Request{})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotFound || IsTransport(err) {
		t.Fatalf("missing: %v, want a 404 StatusError", err)
	}
	for _, path := range []string{"/declared-large", "/chunked-large"} {
		if _, err := Get(ctx, srv.URL+path, Request{MaxBytes: 99}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s with a 99-byte limit: %v, want ErrTooLarge", path, err)
		}
		if body, err := Get(ctx, srv.URL+path, Request{MaxBytes: 100}); err != nil || len(body) != 100 {
			t.Fatalf("%s with a 100-byte limit: %d bytes, %v", path, len(body), err)
		}
	}
	if _, err := Get(ctx, srv.URL+"/hangs", Request{Timeout: 50 * time.Millisecond}); !IsTransport(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging server: %v, want a transport error from the deadline", err)
	}
	gone := httptest.NewServer(mux)
	gone.Close()
	if _, err := Get(ctx, gone.URL+"/ok", Request{}); !IsTransport(err) {
		t.Fatalf("closed server: %v, want a transport error", err)
	}
	if _, err := Get(ctx, "::not a url", Request{}); err == nil || IsTransport(err) {
		t.Fatalf("bad URL: %v, want an error that is not a transport error", err)
	}
}
