package library

import "time"

// SetLockTimeout shortens how long Open waits for a locked file.
func SetLockTimeout(d time.Duration) (restore func()) {
	old := lockTimeout
	lockTimeout = d
	return func() { lockTimeout = old }
}

// SetClock replaces the library's clock.
func (l *Library) SetClock(now func() time.Time) { l.now = now }
