package cast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/huin/goupnp/httpu"
	"github.com/huin/goupnp/ssdp"
)

// ErrNoRenderer: the search heard no media renderer.
var ErrNoRenderer = errors.New("no media renderer answered on the local network")

// Discover searches the local network for media renderers for wait (SSDP M-SEARCH for
// DeviceType on every multicast interface), reads each one's description, and returns
// them sorted by name. Renderers whose description cannot be read are left out; their
// errors are joined into the error only when no renderer is left.
func Discover(ctx context.Context, wait time.Duration) ([]*Renderer, error) {
	wait = max(wait, time.Second) // SSDP's MX is whole seconds, at least 1
	client, closeClient, err := multicastClient()
	if err != nil {
		return nil, err
	}
	defer closeClient()
	// RawSearch sends the whole seconds left as MX: the half second keeps it from rounding
	// wait down to one less.
	searchCtx, cancel := context.WithTimeout(ctx, wait+time.Second/2)
	defer cancel()
	responses, err := ssdp.RawSearch(searchCtx, client, DeviceType, 2)
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("search for renderers: %w", err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	var locations []string
	seen := map[string]bool{}
	for _, resp := range responses {
		loc, err := resp.Location()
		if err != nil || seen[loc.String()] {
			continue
		}
		seen[loc.String()] = true
		locations = append(locations, loc.String())
	}
	var (
		mu        sync.Mutex
		wg        sync.WaitGroup
		renderers []*Renderer
		errs      []error
	)
	for _, loc := range locations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := Open(ctx, loc)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			renderers = append(renderers, r)
		}()
	}
	wg.Wait()
	renderers = dedupe(renderers)
	if len(renderers) == 0 {
		if len(errs) > 0 {
			return nil, fmt.Errorf("%w in %v that could be used: %w", ErrNoRenderer, wait, errors.Join(errs...))
		}
		return nil, fmt.Errorf("%w in %v", ErrNoRenderer, wait)
	}
	return renderers, nil
}

// dedupe keeps one renderer per UDN (one that answered on two interfaces) and sorts them.
func dedupe(rs []*Renderer) []*Renderer {
	slices.SortFunc(rs, func(a, b *Renderer) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UDN, b.UDN), cmp.Compare(a.Location.String(), b.Location.String()))
	})
	return slices.CompactFunc(rs, func(a, b *Renderer) bool { return a.UDN != "" && a.UDN == b.UDN })
}

// multicastClient sends SSDP from every up IPv4 interface that can multicast. goupnp's own
// leaves out loopback interfaces, which a machine (or a test's network namespace) may use
// for multicast.
func multicastClient() (httpu.ClientInterfaceCtx, func(), error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, nil, fmt.Errorf("list network interfaces: %w", err)
	}
	var (
		closers []io.Closer
		clients []httpu.ClientInterfaceCtx
	)
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagMulticast == 0 {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil {
				continue
			}
			c, err := httpu.NewHTTPUClientAddr(ipn.IP.String())
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("open an SSDP socket on %s: %w", ipn.IP, err)
			}
			closers = append(closers, c)
			clients = append(clients, c)
		}
	}
	if len(clients) == 0 {
		return nil, nil, fmt.Errorf("%w: no network interface can multicast", ErrNoRenderer)
	}
	return httpu.NewMultiClientCtx(clients), closeAll, nil
}
