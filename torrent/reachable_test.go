package torrent

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The swarm counts as reachable as soon as one bootstrap router resolves, however long the
// others take, and as unreachable when none does.
func TestAnyResolves(t *testing.T) {
	hosts := bootstrapHosts()
	if len(hosts) < 2 {
		t.Fatalf("bootstrap hosts %v: want the DHT's routers", hosts)
	}
	noSuchHost := func(context.Context, string) ([]string, error) { return nil, errors.New("no such host") }
	if anyResolves(context.Background(), noSuchHost, hosts) {
		t.Error("reachable although no name resolves")
	}
	oneAnswers := func(ctx context.Context, host string) ([]string, error) {
		if host == hosts[len(hosts)-1] {
			return []string{"192.0.2.1"}, nil
		}
		<-ctx.Done() // the others hang, as a resolver that gets no reply does
		return nil, ctx.Err()
	}
	if !anyResolves(context.Background(), oneAnswers, hosts) {
		t.Error("unreachable although one router resolves")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	hang := func(ctx context.Context, _ string) ([]string, error) { <-ctx.Done(); return nil, ctx.Err() }
	if anyResolves(ctx, hang, hosts) {
		t.Error("reachable although every lookup timed out")
	}
}

// Reachability asks its probe once per reachabilityHolds, however often it is asked, and
// asks again once the answer is old.
func TestReachabilityRemembersItsAnswer(t *testing.T) {
	probes := 0
	r := &Reachability{probe: func() bool { probes++; return probes > 1 }}
	if r.Reachable() || r.Reachable() || probes != 1 {
		t.Fatalf("after two asks: %d probes, want 1 (and its answer, unreachable)", probes)
	}
	r.checked = r.checked.Add(-reachabilityHolds - time.Second)
	if !r.Reachable() || probes != 2 {
		t.Fatalf("an old answer was not checked again: %d probes", probes)
	}
}
