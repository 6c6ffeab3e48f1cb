package player

import "sync"

// eventQueue delivers events to the user's handler in order on one goroutine, so no
// player goroutine (least of all the audio callback) ever waits for UI code.
type eventQueue struct {
	handler func(Event)
	mu      sync.Mutex
	items   []Event
	closed  bool
	signal  chan struct{}
	done    chan struct{}
}

func newEventQueue(handler func(Event)) *eventQueue {
	q := &eventQueue{handler: handler, signal: make(chan struct{}, 1), done: make(chan struct{})}
	if handler == nil {
		close(q.done)
		return q
	}
	go q.run()
	return q
}

func (q *eventQueue) push(e Event) {
	if q.handler == nil {
		return
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *eventQueue) run() {
	defer close(q.done)
	for range q.signal {
		for {
			q.mu.Lock()
			items, closed := q.items, q.closed
			q.items = nil
			q.mu.Unlock()
			for _, e := range items {
				q.handler(e)
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

// close delivers what is queued, then stops the goroutine.
func (q *eventQueue) close() {
	if q.handler == nil {
		return
	}
	q.mu.Lock()
	already := q.closed
	q.closed = true
	q.mu.Unlock()
	if !already {
		select {
		case q.signal <- struct{}{}:
		default:
		}
	}
}
