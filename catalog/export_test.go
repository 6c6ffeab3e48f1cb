package catalog

// HealthInFlight counts the swarms whose scrape has been queued and not yet recorded.
func HealthInFlight(h *HealthCache) int {
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
