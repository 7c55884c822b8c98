package events

import "sync"

// Memory is the in-memory outbox, for a service with in-memory stores. A
// store appends its events while it holds its own lock, so the state and its
// events change together:
//
//	s.mu.Lock()
//	defer s.mu.Unlock()
//	... change the state; on an error, return before appending ...
//	s.Events.Append(evs...)
//
// A nil *Memory drops what is appended, so a store's zero value (no outbox
// configured) still works. Memory is safe for concurrent use. It keeps every
// event until the process ends; Relay and the in-process consumers read it.
type Memory struct {
	mu     sync.Mutex
	recs   []record // in seq order
	next   int64    // the last seq given
	signal chan struct{}
}

// record is one event in a Memory outbox.
type record struct {
	seq     int64
	ev      Event
	relayed bool
	claimed bool
}

// Append adds evs to the outbox, in order. It takes the outbox's own lock
// briefly and never fails, so a store can call it under its lock. On a nil
// Memory it does nothing.
func (m *Memory) Append(evs ...Event) {
	if m == nil || len(evs) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range evs {
		m.next++
		m.recs = append(m.recs, record{seq: m.next, ev: e})
	}
	if m.signal != nil {
		close(m.signal)
		m.signal = nil
	}
}

// Len returns how many events the outbox holds, relayed or not.
func (m *Memory) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.recs)
}
