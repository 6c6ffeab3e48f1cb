package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"marquee/catalog"
)

func TestOfflineError(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connect: %w", syscall.ECONNREFUSED)}
	for _, err := range []error{
		refused,
		&net.DNSError{Err: "no such host", Name: "archive.org", IsNotFound: true},
		fmt.Errorf("get: %w", context.DeadlineExceeded),
		fmt.Errorf("read body: %w", io.ErrUnexpectedEOF),
	} {
		got := catalog.OfflineError("Internet Archive", err)
		if !errors.Is(got, catalog.ErrOffline) || !errors.Is(got, err) || !strings.HasPrefix(got.Error(), "Internet Archive is offline: ") {
			t.Errorf("OfflineError(%v) = %v", err, got)
		}
	}
	for _, err := range []error{nil, context.Canceled, errors.New("HTTP 500"), fmt.Errorf("x: %w", context.Canceled)} {
		if got := catalog.OfflineError("X", err); got != err {
			t.Errorf("OfflineError(%v) = %v, want it unchanged", err, got)
		}
	}
}
