package health

// InFlight counts the swarms whose scrape has been queued and not yet recorded.
func InFlight(h *Cache) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, e := range h.entries {
		if e.inFlight {
			n++
		}
	}
	return n
}
