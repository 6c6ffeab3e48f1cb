// Package httpget fetches small documents over HTTP: catalog answers, feeds, posters and
// .torrent files. It is the one place that bounds such a fetch in time and in size, so a
// hostile or broken server can neither hang a caller nor fill its memory.
package httpget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ErrTooLarge is returned when the answer is larger than the request allows.
var ErrTooLarge = errors.New("answer too large")

// StatusError is an answer other than 200 OK.
type StatusError struct {
	Code   int
	Status string // "404 Not Found"
}

func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Request says how to fetch one document. Zero fields take the defaults below.
type Request struct {
	Client    *http.Client  // default: Client
	Accept    string        // the Accept header, if any
	UserAgent string        // default: DefaultUserAgent
	MaxBytes  int64         // default: 8 MiB
	Timeout   time.Duration // for the whole fetch, body included; default: 30 s
}

// DefaultUserAgent names the app to the servers it asks.
const DefaultUserAgent = "Marquee"

// Client is a client for small documents: unlike http.DefaultClient it gives up on a
// server that does not connect or does not start answering.
var Client = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   10 * time.Second,
	ResponseHeaderTimeout: 20 * time.Second,
	IdleConnTimeout:       90 * time.Second,
	MaxIdleConnsPerHost:   4,
}}

// Get fetches url. Its error is a *StatusError, wraps ErrTooLarge, or is a transport
// error (IsTransport): the server could not be reached or the answer broke off.
func Get(ctx context.Context, url string, r Request) ([]byte, error) {
	if r.Client == nil {
		r.Client = Client
	}
	if r.UserAgent == "" {
		r.UserAgent = DefaultUserAgent
	}
	if r.MaxBytes <= 0 {
		r.MaxBytes = 8 << 20
	}
	if r.Timeout <= 0 {
		r.Timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	req.Header.Set("User-Agent", r.UserAgent)
	resp, err := r.Client.Do(req)
	if err != nil {
		return nil, &transportError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	if resp.ContentLength > r.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the limit of %d", ErrTooLarge, resp.ContentLength, r.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.MaxBytes+1))
	if err != nil {
		return nil, &transportError{err}
	}
	if int64(len(body)) > r.MaxBytes {
		return nil, fmt.Errorf("%w: more than the limit of %d bytes", ErrTooLarge, r.MaxBytes)
	}
	return body, nil
}

// transportError marks a failure to reach the server or to read its answer.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// IsTransport reports whether err is a failure to reach the server or to read its
// answer, which a caller may treat as being offline.
func IsTransport(err error) bool {
	var te *transportError
	return errors.As(err, &te)
}
