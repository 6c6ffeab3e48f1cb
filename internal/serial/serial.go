// Package serial runs work one item at a time, in order, on a goroutine of its own, so
// that whoever hands work over never waits for it: the player's events on their way to
// the UI, the app's disk and network tasks kept off the UI goroutine.
package serial

import "sync"

// Queue hands items to one handler in the order they were pushed.
type Queue[T any] struct {
	handle func(T)
	mu     sync.Mutex
	items  []T
	closed bool
	signal chan struct{}
	done   chan struct{}
}

// New starts a queue whose goroutine calls handle for each item. With a nil handle,
// items are dropped and no goroutine runs.
func New[T any](handle func(T)) *Queue[T] {
	q := &Queue[T]{handle: handle, signal: make(chan struct{}, 1), done: make(chan struct{})}
	if handle == nil {
		close(q.done)
		return q
	}
	go q.run()
	return q
}

// Push queues v. It never blocks; after Close it drops v.
func (q *Queue[T]) Push(v T) {
	if q.handle == nil {
		return
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.wake()
}

func (q *Queue[T]) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *Queue[T]) run() {
	defer close(q.done)
	for range q.signal {
		for {
			q.mu.Lock()
			items, closed := q.items, q.closed
			q.items = nil
			q.mu.Unlock()
			for _, v := range items {
				q.handle(v)
			}
			if closed {
				return
			}
			if len(items) == 0 {
				break
			}
		}
	}
}

// Close stops taking items; those already queued are still handled. It returns at once,
// so a handler may call it; Done says when the last item has been handled.
func (q *Queue[T]) Close() {
	if q.handle == nil {
		return
	}
	q.mu.Lock()
	already := q.closed
	q.closed = true
	q.mu.Unlock()
	if !already {
		q.wake()
	}
}

// Done is closed once the queue is closed and every item queued before has been handled.
func (q *Queue[T]) Done() <-chan struct{} { return q.done }
