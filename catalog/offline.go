package catalog

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// OfflineError wraps err in ErrOffline, with the service's name, when err means the
// network or the server could not be reached (DNS failure, refused or reset
// connection, no route, timeout, a connection closed mid-response). Other errors, and the caller's own cancellation,
// come back unchanged.
func OfflineError(service string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var netErr net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr), errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, context.DeadlineExceeded),
		// The connection dropped before a whole response arrived.
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &netErr) && netErr.Timeout():
		return &offlineError{service, err}
	}
	return err
}

type offlineError struct {
	service string
	err     error
}

func (e *offlineError) Error() string   { return e.service + " is offline: " + e.err.Error() }
func (e *offlineError) Unwrap() []error { return []error{ErrOffline, e.err} }
