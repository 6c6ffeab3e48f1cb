package torrent

import (
	_ "unsafe" // for go:linkname

	anacrolix "github.com/anacrolix/torrent"
)

// wakeConnWriter wakes a connection's message writer, which then carries out any request update
// it has pending. It is anacrolix's own wake-up (PeerConn.tickleWriter), reached by linkname
// because anacrolix v1.61 exports no way to run a connection's pending request update: its
// writer can lose a wake-up, and a lost one is never repeated (see nudgeStalledReads). The call
// only closes a channel under its own mutex: safe from any goroutine, with or without the client
// lock, and harmless when nothing is pending. The stack pins v1.61.0; should the method go away,
// the build fails at link time instead of the workaround silently stopping.
//
//go:linkname wakeConnWriter github.com/anacrolix/torrent.(*PeerConn).tickleWriter
func wakeConnWriter(*anacrolix.PeerConn)
