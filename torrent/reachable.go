package torrent

import (
	"context"
	"net"

	"github.com/anacrolix/dht/v2"
)

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
