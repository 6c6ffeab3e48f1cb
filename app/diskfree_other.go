//go:build !unix

package app

import "errors"

// freeBytes is not implemented here; the low-disk banner then never shows, and a full
// disk is reported only through the errors that carry ENOSPC.
func freeBytes(string) (int64, error) { return 0, errors.New("free space unknown on this system") }
