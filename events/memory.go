package events

import (
	"context"
	"errors"
	"sync"
)

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
// event until the process ends (what a relay has relayed is marked, not
// dropped); Relay reads it, as Outbox.
type Memory struct {
	mu     sync.Mutex
	recs   []record // in append order
	first  int      // recs[:first] are all relayed
	claims int      // the last claim's number
	signal chan struct{}
}

// record is one event in a Memory outbox.
type record struct {
	ev      Event
	relayed bool
	claim   int // the claim holding it, or 0
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
		m.recs = append(m.recs, record{ev: e})
	}
	if m.signal != nil {
		close(m.signal)
		m.signal = nil
	}
}

// Appended returns a channel that is closed at the next Append, for a relay
// that waits for work rather than polling.
func (m *Memory) Appended() <-chan struct{} {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.signal == nil {
		m.signal = make(chan struct{})
	}
	return m.signal
}

// Events returns every event appended, in order.
func (m *Memory) Events(context.Context) ([]Event, error) {
	if m == nil {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Event, len(m.recs))
	for i, r := range m.recs {
		out[i] = r.ev
	}
	return out, nil
}

// Claim claims up to max unrelayed events; see Outbox.
func (m *Memory) Claim(_ context.Context, max int) (Claim, error) {
	if m == nil {
		return &memoryClaim{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.first < len(m.recs) && m.recs[m.first].relayed {
		m.first++
	}
	var pending []*record
	for i := m.first; i < len(m.recs); i++ {
		if !m.recs[i].relayed {
			pending = append(pending, &m.recs[i])
		}
	}
	idx := eligible(pending, func(r *record) string { return r.ev.Subject },
		func(r *record) bool { return r.claim != 0 }, max)
	m.claims++
	c := &memoryClaim{m: m, n: m.claims}
	for _, i := range idx {
		pending[i].claim = c.n
		c.evs = append(c.evs, pending[i].ev)
	}
	return c, nil
}

// Lag reports the events not relayed yet; see Outbox.
func (m *Memory) Lag(context.Context) (Lag, error) {
	if m == nil {
		return Lag{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var l Lag
	for _, r := range m.recs[m.first:] {
		if !r.relayed {
			l.Pending++
			if l.Oldest.IsZero() || r.ev.Time.Before(l.Oldest) {
				l.Oldest = r.ev.Time
			}
		}
	}
	return l, nil
}

// memoryClaim is a claim on a Memory outbox.
type memoryClaim struct {
	m    *Memory
	n    int
	evs  []Event
	done bool
}

func (c *memoryClaim) Events() []Event { return c.evs }

// errFinished is Finish's error on a claim finished before.
var errFinished = errors.New("events: the claim is finished already")

func (c *memoryClaim) Finish(_ context.Context, relayed []string) error {
	if c.m == nil {
		return nil
	}
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.done {
		return errFinished
	}
	c.done = true
	ids := make(map[string]bool, len(relayed))
	for _, id := range relayed {
		ids[id] = true
	}
	for i := c.m.first; i < len(c.m.recs); i++ {
		if r := &c.m.recs[i]; r.claim == c.n {
			r.claim = 0
			r.relayed = r.relayed || ids[r.ev.ID]
		}
	}
	return nil
}

var _ Outbox = (*Memory)(nil)
