package serial

import (
	"sync"
	"testing"
	"time"
)

func TestQueueKeepsOrderAndDrainsOnClose(t *testing.T) {
	var (
		mu  sync.Mutex
		got []int
	)
	hold := make(chan struct{})
	q := New(func(v int) {
		if v == 0 {
			<-hold // the first item holds the goroutine while the rest are pushed
		}
		mu.Lock()
		got = append(got, v)
		mu.Unlock()
	})
	for i := range 1000 {
		q.Push(i)
	}
	q.Close()
	q.Push(-1) // after Close: dropped
	select {
	case <-q.Done():
		t.Fatal("Done before the queued items were handled")
	default:
	}
	close(hold)
	select {
	case <-q.Done():
	case <-time.After(time.Minute):
		t.Fatal("the queue never finished")
	}
	if len(got) != 1000 {
		t.Fatalf("handled %d items, want the 1000 pushed before Close", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: order lost", i, v)
		}
	}
}

func TestCloseFromTheHandlerDoesNotDeadlock(t *testing.T) {
	var q *Queue[string]
	handled := 0
	q = New(func(s string) {
		handled++
		if s == "stop" {
			q.Close()
		}
	})
	q.Push("a")
	q.Push("stop")
	select {
	case <-q.Done():
	case <-time.After(time.Minute):
		t.Fatal("Close from the handler hung the queue")
	}
	if handled != 2 {
		t.Fatalf("handled %d items, want 2", handled)
	}
}

func TestNilHandlerDropsItems(t *testing.T) {
	q := New[int](nil)
	q.Push(1)
	q.Close()
	select {
	case <-q.Done():
	default:
		t.Fatal("a queue without a handler is not done")
	}
}
