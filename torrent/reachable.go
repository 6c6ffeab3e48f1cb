package torrent

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/anacrolix/dht/v2"
)

// Reachability answers SwarmReachable for callers that ask often (a wait that reports every
// second), asking again only once its answer is reachabilityHolds old: an answer may take a
// DNS round trip. The zero value is ready; it is safe for concurrent use, and it blocks, so
// a UI goroutine must not ask it.
type Reachability struct {
	// probe replaces SwarmReachable (tests).
	probe func() bool

	mu        sync.Mutex
	checked   time.Time
	reachable bool
}

// reachabilityHolds is how long an answer of Reachability holds.
const reachabilityHolds = 10 * time.Second

// Reachable reports whether the swarms off this machine could be reached when last checked.
func (r *Reachability) Reachable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checked.IsZero() || time.Since(r.checked) > reachabilityHolds {
		probe := r.probe
		if probe == nil {
			probe = func() bool {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				return SwarmReachable(ctx)
			}
		}
		r.reachable, r.checked = probe(), time.Now()
	}
	return r.reachable
}

// SwarmReachable reports whether this computer can reach the public BitTorrent
// infrastructure: whether any of the DHT's bootstrap routers resolves before ctx ends. A
// network interface that is up is not enough: a sandbox, a captive portal or a router
// that lost its uplink has one, and a magnet would wait its whole timeout looking for
// peers it cannot find.
func SwarmReachable(ctx context.Context) bool {
	return anyResolves(ctx, net.DefaultResolver.LookupHost, bootstrapHosts())
}

// bootstrapHosts are the host names of the DHT's default bootstrap routers.
func bootstrapHosts() []string {
	var hosts []string
	for _, hp := range dht.DefaultGlobalBootstrapHostPorts {
		if host, _, err := net.SplitHostPort(hp); err == nil {
			hosts = append(hosts, host)
		}
	}
	return hosts
}

// anyResolves looks the hosts up side by side and reports whether one has an address.
func anyResolves(ctx context.Context, lookup func(context.Context, string) ([]string, error), hosts []string) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make(chan bool, len(hosts)) // room for every answer: none waits once we return
	for _, host := range hosts {
		go func() {
			addrs, err := lookup(ctx, host)
			found <- err == nil && len(addrs) > 0
		}()
	}
	for range hosts {
		if <-found {
			return true
		}
	}
	return false
}
