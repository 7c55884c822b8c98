package events

// Events returns a copy of every event the outbox holds, oldest first; nil
// for a nil Memory. The stores' conformance suites read it.
func (m *Memory) Events() []Event {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Event, len(m.recs))
	for i, r := range m.recs {
		out[i] = r.ev
	}
	return out
}
