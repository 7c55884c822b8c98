package sak

import (
	"context"
	"slices"
	"sync"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/eventcheck"
	"github.com/grunnmur/grunnmur/internal/text"
)

// Store keeps cases. Implementations: NewMemoryStore here, and
// postgres.NewSakStore. Every implementation passes saktest.TestStore.
type Store interface {
	// Create stores a new case with Version 1, and evs (the events of its
	// opening) with it, atomically: the case and its events are stored
	// together or not at all. The case's ID must be new.
	Create(ctx context.Context, c *Case, evs ...events.Event) error
	// Get returns a copy of the case, or ErrNotFound.
	Get(ctx context.Context, id string) (*Case, error)
	// Update replaces the case if the stored Version equals c.Version, and
	// then increments c.Version, and records evs (the events of the change)
	// with it, atomically. Otherwise it returns ErrConflict (or ErrNotFound)
	// and changes nothing, and records no event.
	Update(ctx context.Context, c *Case, evs ...events.Event) error
	// List returns one page of the cases that match f, newest first (see
	// Page for the order and the cursors), and the cursor that goes on in
	// the same direction (p.After's or p.Before's), or "" when no case is
	// left that way. A bad cursor is an ErrInvalid.
	List(ctx context.Context, f Filter, p Page) (cases []*Case, next string, err error)
	// NextSequence returns the next number in a yearly series ("sak" for case
	// numbers, "journal" for journal entries): 1, 2, ... per (series, year),
	// never the same number twice, even under concurrency.
	NextSequence(ctx context.Context, series string, year int) (int, error)
}

// Filter selects cases. Zero fields match everything.
type Filter struct {
	Owner      string
	OnBehalfOf string
	Kind       string
	States     []State
}

// Match reports whether c matches the filter.
func (f Filter) Match(c *Case) bool {
	return (f.Owner == "" || c.Owner == f.Owner) &&
		(f.OnBehalfOf == "" || c.OnBehalfOf == f.OnBehalfOf) &&
		(f.Kind == "" || c.Kind == f.Kind) &&
		(len(f.States) == 0 || slices.Contains(f.States, c.State))
}

// MemoryStore is an in-memory Store, safe for concurrent use. Its zero value
// is ready to use.
type MemoryStore struct {
	// Events is the outbox the store appends its events to, under its
	// lock, with the change they describe; nil drops them. Give every
	// memory store of a service the same one.
	Events *events.Memory

	mu    sync.Mutex
	cases map[string]*Case
	seq   map[seqKey]int
}

type seqKey struct {
	series string
	year   int
}

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (m *MemoryStore) init() {
	if m.cases == nil {
		m.cases = map[string]*Case{}
		m.seq = map[seqKey]int{}
	}
}

// Create implements Store.
func (m *MemoryStore) Create(ctx context.Context, c *Case, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.cases[c.ID]; ok {
		return ErrConflict
	}
	if !text.ValidValue(c) {
		return ErrInvalidText
	}
	if err := eventcheck.Valid("sak", evs); err != nil {
		return err
	}
	c.Version = 1
	m.cases[c.ID] = c.Clone()
	m.Events.Append(evs...)
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(ctx context.Context, id string) (*Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cases[id]
	if !ok {
		return nil, ErrNotFound
	}
	return c.Clone(), nil
}

// Update implements Store.
func (m *MemoryStore) Update(ctx context.Context, c *Case, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.cases[c.ID]
	if !ok {
		return ErrNotFound
	}
	if !text.ValidValue(c) {
		return ErrInvalidText
	}
	if old.Version != c.Version {
		return ErrConflict
	}
	if err := eventcheck.Valid("sak", evs); err != nil {
		return err
	}
	c.Version++
	m.cases[c.ID] = c.Clone()
	m.Events.Append(evs...)
	return nil
}

// List implements Store.
func (m *MemoryStore) List(ctx context.Context, f Filter, p Page) ([]*Case, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []*Case
	for _, c := range m.cases {
		if f.Match(c) {
			all = append(all, c)
		}
	}
	sortNewestFirst(all)
	page, next, err := pageOf(all, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]*Case, len(page))
	for i, c := range page {
		out[i] = c.Clone()
	}
	return out, next, nil
}

// NextSequence implements Store.
func (m *MemoryStore) NextSequence(ctx context.Context, series string, year int) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	k := seqKey{series, year}
	m.seq[k]++
	return m.seq[k], nil
}
