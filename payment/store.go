package payment

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/money"

	"github.com/grunnmur/grunnmur/internal/eventcheck"
	"github.com/grunnmur/grunnmur/internal/text"
)

// OpKind is a kind of mutating call to the provider.
type OpKind string

const (
	OpCreate  OpKind = "create"
	OpCapture OpKind = "capture"
	OpRefund  OpKind = "refund"
	OpCancel  OpKind = "cancel"
)

// OpStatus is where an operation stands.
type OpStatus string

const (
	// OpPending: claimed, or sent with an unknown outcome. The idempotency
	// key must be reused until the outcome is known.
	OpPending OpStatus = "pending"
	// OpDone: the provider confirmed it.
	OpDone OpStatus = "done"
	// OpFailed: the provider refused it; it did not happen.
	OpFailed OpStatus = "failed"
)

// Operation is the durable intent to make one mutating call. Its key is the
// idempotency key sent to the provider, so that no crash or retry can ever
// send the same intent under a new key.
type Operation struct {
	Key       string
	Reference string
	Kind      OpKind
	Amount    money.Amount
	Status    OpStatus
	// Attempts counts the claims since the operation was created or last
	// failed: more than one means an earlier claim's outcome is unknown.
	Attempts   int
	LeaseUntil time.Time // while in the future, one caller holds it
	Detail     string    // why it failed, for operators
	Created    time.Time
	Updated    time.Time
}

// Filter selects payments. Zero fields match everything.
type Filter struct {
	BusinessKey string
	States      []State
	Provider    string // the provider's Name
	Limit       int    // 0 means no limit
}

// Match reports whether p matches the filter.
func (f Filter) Match(p *Payment) bool {
	return (f.BusinessKey == "" || p.BusinessKey == f.BusinessKey) &&
		(len(f.States) == 0 || slices.Contains(f.States, p.State)) &&
		(f.Provider == "" || p.Provider == f.Provider)
}

// Store keeps payment records and operations. Implementations: MemoryStore
// here and postgres.PaymentStore; both pass paymenttest.TestStore.
type Store interface {
	// Create stores a new payment with Version 1. A second payment with the
	// same reference, or the same business key and attempt, is ErrConflict.
	// evs, the events of the new payment, are recorded with it, atomically:
	// both or neither.
	Create(ctx context.Context, p *Payment, evs ...events.Event) error
	// Get returns a copy of the payment, or ErrNotFound.
	Get(ctx context.Context, reference string) (*Payment, error)
	// Latest returns the business key's payment with the highest attempt, or
	// ErrNotFound.
	Latest(ctx context.Context, businessKey string) (*Payment, error)
	// Update replaces the payment if the stored Version equals p.Version and
	// then increments p.Version, and records evs (the events of the
	// change) with it, atomically; otherwise ErrConflict (or ErrNotFound),
	// and no event is recorded.
	Update(ctx context.Context, p *Payment, evs ...events.Event) error
	// List returns the matching payments, oldest first.
	List(ctx context.Context, f Filter) ([]*Payment, error)

	// Claim takes the operation op.Key for one caller, atomically: it
	// inserts op as pending when the key is new; it takes over a pending
	// operation whose lease ran out (incrementing Attempts and keeping its
	// Amount, since the provider may already have it); and it starts a failed
	// operation afresh (Attempts 1, op's Amount), since a refusal did nothing.
	// Claimed operations hold a lease until now+lease.
	// It returns the stored operation and whether this caller claimed it; a
	// done operation, or a pending one under another caller's lease, is not
	// claimed.
	Claim(ctx context.Context, op Operation, now time.Time, lease time.Duration) (Operation, bool, error)
	// Finish records an operation's outcome. OpPending releases the lease,
	// leaving the outcome open for the next claim. Unknown keys are ErrNotFound.
	Finish(ctx context.Context, key string, status OpStatus, detail string, now time.Time) error
	// Operations lists a payment's operations, oldest first.
	Operations(ctx context.Context, reference string) ([]Operation, error)
	// StalePending lists pending operations whose lease ran out before now.
	StalePending(ctx context.Context, now time.Time, limit int) ([]Operation, error)
}

// MemoryStore is an in-memory Store, safe for concurrent use. Its zero value
// is ready to use.
type MemoryStore struct {
	// Events is the outbox the store appends its events to, under its
	// lock, with the change they describe; nil drops them. Give every
	// memory store of a service the same one.
	Events *events.Memory

	mu       sync.Mutex
	payments map[string]*Payment
	ops      map[string]*Operation
}

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (m *MemoryStore) init() {
	if m.payments == nil {
		m.payments = map[string]*Payment{}
		m.ops = map[string]*Operation{}
	}
}

// Create implements Store.
func (m *MemoryStore) Create(ctx context.Context, p *Payment, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.payments[p.Reference]; ok {
		return ErrConflict
	}
	if !text.ValidValue(p) {
		return ErrInvalidText
	}
	for _, q := range m.payments {
		if q.BusinessKey == p.BusinessKey && q.Attempt == p.Attempt {
			return ErrConflict
		}
	}
	if err := eventcheck.Valid("payment", evs); err != nil {
		return err
	}
	p.Version = 1
	m.payments[p.Reference] = p.Clone()
	m.Events.Append(evs...)
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(ctx context.Context, reference string) (*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.payments[reference]
	if !ok {
		return nil, ErrNotFound
	}
	return p.Clone(), nil
}

// Latest implements Store.
func (m *MemoryStore) Latest(ctx context.Context, businessKey string) (*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best *Payment
	for _, p := range m.payments {
		if p.BusinessKey == businessKey && (best == nil || p.Attempt > best.Attempt) {
			best = p
		}
	}
	if best == nil {
		return nil, ErrNotFound
	}
	return best.Clone(), nil
}

// Update implements Store.
func (m *MemoryStore) Update(ctx context.Context, p *Payment, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.payments[p.Reference]
	if !ok {
		return ErrNotFound
	}
	if !text.ValidValue(p) {
		return ErrInvalidText
	}
	if old.Version != p.Version {
		return ErrConflict
	}
	if err := eventcheck.Valid("payment", evs); err != nil {
		return err
	}
	p.Version++
	m.payments[p.Reference] = p.Clone()
	m.Events.Append(evs...)
	return nil
}

// List implements Store.
func (m *MemoryStore) List(ctx context.Context, f Filter) ([]*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Payment
	for _, p := range m.payments {
		if f.Match(p) {
			out = append(out, p.Clone())
		}
	}
	sortOldestFirst(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// sortOldestFirst orders payments by creation time, then reference, so that
// every Store lists in the same order.
func sortOldestFirst(ps []*Payment) {
	slices.SortFunc(ps, func(a, b *Payment) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		if a.Reference < b.Reference {
			return -1
		} else if a.Reference > b.Reference {
			return 1
		}
		return 0
	})
}

// Claim implements Store.
func (m *MemoryStore) Claim(ctx context.Context, op Operation, now time.Time, lease time.Duration) (Operation, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	cur, ok := m.ops[op.Key]
	if !ok {
		op.Status, op.Attempts, op.LeaseUntil = OpPending, 1, now.Add(lease)
		op.Created, op.Updated = now, now
		c := op
		m.ops[op.Key] = &c
		return op, true, nil
	}
	if cur.Status == OpDone || (cur.Status == OpPending && cur.LeaseUntil.After(now)) {
		return *cur, false, nil
	}
	if cur.Status == OpFailed {
		cur.Attempts, cur.Amount = 1, op.Amount
	} else {
		cur.Attempts++
	}
	cur.Status, cur.Detail = OpPending, ""
	cur.LeaseUntil, cur.Updated = now.Add(lease), now
	return *cur, true, nil
}

// Finish implements Store.
func (m *MemoryStore) Finish(ctx context.Context, key string, status OpStatus, detail string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.ops[key]
	if !ok {
		return ErrNotFound
	}
	if cur.Status == OpDone {
		return nil // an outcome confirmed by the provider is never taken back
	}
	cur.Status, cur.Detail, cur.Updated = status, detail, now
	if status == OpPending {
		cur.LeaseUntil = now
	}
	return nil
}

// Operations implements Store.
func (m *MemoryStore) Operations(ctx context.Context, reference string) ([]Operation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Operation
	for _, op := range m.ops {
		if op.Reference == reference {
			out = append(out, *op)
		}
	}
	sortOps(out)
	return out, nil
}

// StalePending implements Store.
func (m *MemoryStore) StalePending(ctx context.Context, now time.Time, limit int) ([]Operation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Operation
	for _, op := range m.ops {
		if op.Status == OpPending && !op.LeaseUntil.After(now) {
			out = append(out, *op)
		}
	}
	sortOps(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortOps(ops []Operation) {
	slices.SortFunc(ops, func(a, b Operation) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		if a.Key < b.Key {
			return -1
		} else if a.Key > b.Key {
			return 1
		}
		return 0
	})
}
