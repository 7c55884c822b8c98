package booking

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/eventcheck"
	"github.com/grunnmur/grunnmur/internal/text"
)

// Store keeps resources, reservations, waitlists and feed tokens.
// Implementations: NewMemoryStore here and postgres.NewBookingStore. Every
// implementation passes bookingtest.TestStore.
//
// Hold and Reschedule are where the no-double-booking promise is kept: each
// checks capacity and limits and writes in one atomic step, so that no
// interleaving of callers, in one process or many, can over-book a slot.
// Times passed as at are the caller's clock; a store never reads its own.
//
// The write methods take the events of their change (evs, see
// ReservationHeld) and record them atomically with it, only when the call
// makes the change: never for a replayed key, a no-op or a refusal.
type Store interface {
	// PutResource creates or replaces a resource.
	PutResource(ctx context.Context, r *Resource) error
	// Resource returns a copy of the resource, or ErrNotFound.
	Resource(ctx context.Context, id string) (*Resource, error)
	// Resources lists every resource ordered by ID.
	Resources(ctx context.Context) ([]*Resource, error)

	// Hold stores req.Reservation as Held when, at req.At, the peak of the
	// seats of the active reservations overlapping its block span plus its
	// own seats stays within req.Capacity (else ErrSlotTaken), the owner
	// stays within every limit (else a *LimitError) and within req.Open
	// (else ErrTooManyHolds), counted at req.At. A request whose
	// Key was used before returns what that request made, unchanged, or
	// ErrKeyReused if it asked for something else.
	Hold(ctx context.Context, req HoldRequest, evs ...events.Event) (*Reservation, error)
	// Confirm makes an unexpired hold a booking (ErrHoldExpired otherwise).
	// Confirming a confirmed booking returns it unchanged.
	Confirm(ctx context.Context, id, key string, at time.Time, evs ...events.Event) (*Reservation, error)
	// Cancel cancels a hold or booking, marking it charged if told to.
	// Cancelling a cancelled reservation returns it unchanged.
	Cancel(ctx context.Context, id, key string, at time.Time, charged bool, evs ...events.Event) (*Reservation, error)
	// Reschedule moves an active reservation under the same checks as Hold,
	// not counting the reservation itself.
	Reschedule(ctx context.Context, req RescheduleRequest, evs ...events.Event) (*Reservation, error)
	// Reservation returns a copy of the reservation, or ErrNotFound.
	Reservation(ctx context.Context, id string) (*Reservation, error)
	// Reservations returns the reservations that match q, ordered by Start
	// and then ID.
	Reservations(ctx context.Context, q Query) ([]*Reservation, error)

	// AddWaiter puts a waiter at the end of its slot's waitlist.
	AddWaiter(ctx context.Context, w *Waiter) error
	// Waiters returns the waiting waiters of a resource whose span overlaps
	// [from, to), oldest first.
	Waiters(ctx context.Context, resourceID string, from, to time.Time) ([]*Waiter, error)
	// SetWaiter records a waiter's new state (promoted with its
	// reservation, or withdrawn). ErrNotFound for an unknown waiter.
	SetWaiter(ctx context.Context, id string, state WaiterState, reservationID string, at time.Time, evs ...events.Event) error

	// PutFeed stores a calendar feed; FeedByHash finds one that is not
	// revoked by the SHA-256 of its token (else ErrFeedRevoked);
	// RevokeFeed revokes it for good; RevokeFeeds revokes every feed of an
	// owner (owner != "") or else of a resource, and returns how many it
	// revoked.
	PutFeed(ctx context.Context, f *Feed) error
	FeedByHash(ctx context.Context, hash string) (*Feed, error)
	RevokeFeed(ctx context.Context, id string, at time.Time) error
	RevokeFeeds(ctx context.Context, owner, resourceID string, at time.Time) (int, error)
}

// HoldRequest asks a Store to hold seats.
type HoldRequest struct {
	Key         string // idempotency key; "" means none
	Reservation *Reservation
	Capacity    int
	Limits      []Limit
	Open        OpenLimit
	At          time.Time
}

// OpenLimit caps an owner's open holds: held and unexpired, on every
// resource. Holds cost nothing, so without it one party could hold a whole
// season again and again. Zero fields mean no cap.
type OpenLimit struct {
	// Holds caps the holds outside a series, the new one included.
	Holds int
	// Series caps the series with an open hold, the new hold's included.
	Series int
}

// OpenLimitExceeded reports whether one more hold in series ("" for none)
// breaks l, given the owner's open holds. Stores call it under their lock.
func OpenLimitExceeded(l OpenLimit, open []*Reservation, series string) bool {
	if l.Holds <= 0 && l.Series <= 0 {
		return false
	}
	singles, others := 0, map[string]bool{}
	for _, r := range open {
		switch {
		case r.SeriesID == "":
			singles++
		case r.SeriesID != series:
			others[r.SeriesID] = true
		}
	}
	if series == "" {
		return l.Holds > 0 && singles >= l.Holds
	}
	return l.Series > 0 && len(others) >= l.Series
}

// RescheduleRequest asks a Store to move a reservation.
type RescheduleRequest struct {
	ID, Key              string
	Start, End           time.Time
	BlockStart, BlockEnd time.Time
	Capacity             int
	Limits               []Limit
	At                   time.Time
}

// Query selects reservations. Zero fields match everything.
type Query struct {
	ResourceID string
	Owner      string
	SeriesID   string
	// From and To select reservations whose block span overlaps [From, To).
	From, To time.Time
	// ActiveAt, when set, keeps only the reservations active at that time.
	ActiveAt time.Time
}

// Match reports whether r matches the query.
func (q Query) Match(r *Reservation) bool {
	return (q.ResourceID == "" || r.ResourceID == q.ResourceID) &&
		(q.Owner == "" || r.Owner == q.Owner) &&
		(q.SeriesID == "" || r.SeriesID == q.SeriesID) &&
		(q.From.IsZero() || r.BlockEnd.After(q.From)) &&
		(q.To.IsZero() || r.BlockStart.Before(q.To)) &&
		(q.ActiveAt.IsZero() || r.ActiveAt(q.ActiveAt))
}

// sortReservations orders by Start and then ID, the order every Store lists in.
func sortReservations(rs []*Reservation) {
	slices.SortFunc(rs, func(a, b *Reservation) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// WaiterState is where a waitlist entry is.
type WaiterState string

// The waiter states.
const (
	Waiting   WaiterState = "waiting"
	Promoted  WaiterState = "promoted"
	Withdrawn WaiterState = "withdrawn"
)

// Waiter is a citizen waiting for a seat in a full slot.
type Waiter struct {
	ID            string      `json:"id"`
	ResourceID    string      `json:"resourceId"`
	Owner         string      `json:"owner"`
	Start         time.Time   `json:"start"`
	End           time.Time   `json:"end"`
	Seats         int         `json:"seats"`
	State         WaiterState `json:"state"`
	ReservationID string      `json:"reservationId,omitempty"` // the hold made on promotion
	Created       time.Time   `json:"created"`
	Updated       time.Time   `json:"updated"`
}

// Feed is a personal or per-resource iCalendar feed. Only the SHA-256 of its
// token is stored, so a stolen database does not reveal working feed URLs.
type Feed struct {
	ID         string    `json:"id"`
	Hash       string    `json:"hash"`                 // hex SHA-256 of the token
	Owner      string    `json:"owner,omitempty"`      // a citizen's feed
	ResourceID string    `json:"resourceId,omitempty"` // a resource's feed
	Created    time.Time `json:"created"`
	Revoked    time.Time `json:"revoked,omitzero"`
}

// MemoryStore is an in-memory Store, safe for concurrent use. One mutex makes
// every Hold atomic. Its zero value is ready to use.
type MemoryStore struct {
	// Events is the outbox the store appends its events to, under its
	// lock, with the change they describe; nil drops them. Give every
	// memory store of a service the same one.
	Events *events.Memory

	mu         sync.Mutex
	resources  map[string]*Resource
	res        map[string]*Reservation
	byResource map[string][]*Reservation // sorted by Start
	held       map[string][]*Reservation // by owner: holds that may still be open
	keys       map[opKey]string
	waiters    []*Waiter
	feeds      map[string]*Feed
	versions   map[string]uint64 // by resource: Version
}

type opKey struct{ op, key string }

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

var _ Store = (*MemoryStore)(nil)

func (m *MemoryStore) init() {
	if m.res == nil {
		m.resources = map[string]*Resource{}
		m.res = map[string]*Reservation{}
		m.byResource = map[string][]*Reservation{}
		m.held = map[string][]*Reservation{}
		m.keys = map[opKey]string{}
		m.feeds = map[string]*Feed{}
	}
}

// PutResource implements Store.
func (m *MemoryStore) PutResource(ctx context.Context, r *Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	m.resources[r.ID] = r.Clone()
	m.changed(r.ID)
	return nil
}

// Resource implements Store.
func (m *MemoryStore) Resource(ctx context.Context, id string) (*Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.resources[id]
	if !ok {
		return nil, ErrNotFound
	}
	return r.Clone(), nil
}

// Resources implements Store.
func (m *MemoryStore) Resources(ctx context.Context) ([]*Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Resource
	for _, r := range m.resources {
		out = append(out, r.Clone())
	}
	slices.SortFunc(out, func(a, b *Resource) int { return compareStrings(a.ID, b.ID) })
	return out, nil
}

// replay returns what an earlier request with the same key made.
func (m *MemoryStore) replay(op, key string) (*Reservation, bool) {
	if key == "" {
		return nil, false
	}
	id, ok := m.keys[opKey{op, key}]
	if !ok {
		return nil, false
	}
	return m.res[id], true
}

// SameHold reports whether two hold requests ask for the same thing, for
// idempotency-key replays.
func SameHold(a, b *Reservation) bool {
	return a.ResourceID == b.ResourceID && a.Owner == b.Owner && a.Start.Equal(b.Start) &&
		a.End.Equal(b.End) && a.Seats == b.Seats && a.SeriesID == b.SeriesID
}

// Hold implements Store.
func (m *MemoryStore) Hold(ctx context.Context, req HoldRequest, evs ...events.Event) (*Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !text.ValidValue(req) {
		return nil, ErrInvalidText
	}
	if err := eventcheck.Valid("booking", evs); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	nr := req.Reservation
	if old, ok := m.replay("hold", req.Key); ok {
		if !SameHold(old, nr) {
			return nil, ErrKeyReused
		}
		return old.Clone(), nil
	}
	if _, dup := m.res[nr.ID]; dup {
		return nil, ErrKeyReused
	}
	rs := m.byResource[nr.ResourceID]
	if PeakSeats(rs, nr.BlockStart, nr.BlockEnd, req.At, "")+nr.Seats > max(req.Capacity, 1) {
		return nil, ErrSlotTaken
	}
	if err := CheckLimits(rs, nr.Owner, req.Limits, req.At, ""); err != nil {
		return nil, err
	}
	if OpenLimitExceeded(req.Open, m.openHolds(nr.Owner, req.At), nr.SeriesID) {
		return nil, ErrTooManyHolds
	}
	r := nr.Clone()
	r.State = Held
	m.res[r.ID] = r
	m.held[r.Owner] = append(m.held[r.Owner], r)
	i, _ := slices.BinarySearchFunc(rs, r, func(a, b *Reservation) int { return a.Start.Compare(b.Start) })
	m.byResource[r.ResourceID] = slices.Insert(rs, i, r)
	if req.Key != "" {
		m.keys[opKey{"hold", req.Key}] = r.ID
	}
	m.changed(r.ResourceID)
	m.Events.Append(evs...)
	return r.Clone(), nil
}

// openHolds returns the owner's open holds at at, and forgets the owner's
// holds that were confirmed, cancelled or ran out: none opens again.
func (m *MemoryStore) openHolds(owner string, at time.Time) []*Reservation {
	hs := slices.DeleteFunc(m.held[owner], func(r *Reservation) bool { return r.StateAt(at) != Held })
	if len(hs) == 0 {
		delete(m.held, owner)
		return nil
	}
	m.held[owner] = hs
	return hs
}

func (m *MemoryStore) keyed(op, key, id string) (*Reservation, bool, error) {
	if old, ok := m.replay(op, key); ok {
		if old.ID != id {
			return nil, true, ErrKeyReused
		}
		return old.Clone(), true, nil
	}
	return nil, false, nil
}

// Confirm implements Store.
func (m *MemoryStore) Confirm(ctx context.Context, id, key string, at time.Time, evs ...events.Event) (*Reservation, error) {
	if err := eventcheck.Valid("booking", evs); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if r, done, err := m.keyed("confirm", key, id); done {
		return r, err
	}
	r, ok := m.res[id]
	if !ok {
		return nil, ErrNotFound
	}
	switch r.StateAt(at) {
	case Expired:
		return nil, ErrHoldExpired
	case Cancelled:
		return nil, ErrState
	case Held:
		r.State = Confirmed
		r.HoldExpires = time.Time{}
		r.Updated = at
		m.changed(r.ResourceID)
		m.Events.Append(evs...)
	}
	if key != "" {
		m.keys[opKey{"confirm", key}] = id
	}
	return r.Clone(), nil
}

// Cancel implements Store.
func (m *MemoryStore) Cancel(ctx context.Context, id, key string, at time.Time, charged bool, evs ...events.Event) (*Reservation, error) {
	if err := eventcheck.Valid("booking", evs); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if r, done, err := m.keyed("cancel", key, id); done {
		return r, err
	}
	r, ok := m.res[id]
	if !ok {
		return nil, ErrNotFound
	}
	switch r.StateAt(at) {
	case Expired:
		return nil, ErrHoldExpired
	case Held, Confirmed:
		r.State = Cancelled
		r.Charged = charged
		r.Updated = at
		m.changed(r.ResourceID)
		m.Events.Append(evs...)
	}
	if key != "" {
		m.keys[opKey{"cancel", key}] = id
	}
	return r.Clone(), nil
}

// Reschedule implements Store.
func (m *MemoryStore) Reschedule(ctx context.Context, req RescheduleRequest, evs ...events.Event) (*Reservation, error) {
	if err := eventcheck.Valid("booking", evs); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if r, done, err := m.keyed("reschedule", req.Key, req.ID); done {
		return r, err
	}
	r, ok := m.res[req.ID]
	if !ok {
		return nil, ErrNotFound
	}
	switch r.StateAt(req.At) {
	case Expired:
		return nil, ErrHoldExpired
	case Cancelled:
		return nil, ErrState
	}
	rs := m.byResource[r.ResourceID]
	if PeakSeats(rs, req.BlockStart, req.BlockEnd, req.At, r.ID)+r.Seats > max(req.Capacity, 1) {
		return nil, ErrSlotTaken
	}
	if err := CheckLimits(rs, r.Owner, req.Limits, req.At, r.ID); err != nil {
		return nil, err
	}
	r.Start, r.End, r.BlockStart, r.BlockEnd, r.Updated = req.Start, req.End, req.BlockStart, req.BlockEnd, req.At
	m.changed(r.ResourceID)
	slices.SortStableFunc(rs, func(a, b *Reservation) int { return a.Start.Compare(b.Start) })
	if req.Key != "" {
		m.keys[opKey{"reschedule", req.Key}] = r.ID
	}
	m.Events.Append(evs...)
	return r.Clone(), nil
}

func (m *MemoryStore) view(resourceID string, f func([]*Reservation)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m.byResource[resourceID])
}

// Reservation implements Store.
func (m *MemoryStore) Reservation(ctx context.Context, id string) (*Reservation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.res[id]
	if !ok {
		return nil, ErrNotFound
	}
	return r.Clone(), nil
}

// Reservations implements Store.
func (m *MemoryStore) Reservations(ctx context.Context, q Query) ([]*Reservation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Reservation
	if q.ResourceID != "" {
		for _, r := range m.byResource[q.ResourceID] {
			if q.Match(r) {
				out = append(out, r.Clone())
			}
		}
	} else {
		for _, r := range m.res {
			if q.Match(r) {
				out = append(out, r.Clone())
			}
		}
	}
	sortReservations(out)
	return out, nil
}

// AddWaiter implements Store.
func (m *MemoryStore) AddWaiter(ctx context.Context, w *Waiter) error {
	if !text.ValidValue(w) {
		return ErrInvalidText
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.waiters {
		if o.ID == w.ID {
			return ErrKeyReused
		}
	}
	c := *w
	m.waiters = append(m.waiters, &c)
	return nil
}

// Waiters implements Store.
func (m *MemoryStore) Waiters(ctx context.Context, resourceID string, from, to time.Time) ([]*Waiter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Waiter
	for _, w := range m.waiters {
		if w.ResourceID == resourceID && w.State == Waiting && w.Start.Before(to) && w.End.After(from) {
			c := *w
			out = append(out, &c)
		}
	}
	slices.SortStableFunc(out, func(a, b *Waiter) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out, nil
}

// SetWaiter implements Store.
func (m *MemoryStore) SetWaiter(ctx context.Context, id string, state WaiterState, reservationID string, at time.Time, evs ...events.Event) error {
	if err := eventcheck.Valid("booking", evs); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.waiters {
		if w.ID == id {
			w.State, w.ReservationID, w.Updated = state, reservationID, at
			m.Events.Append(evs...)
			return nil
		}
	}
	return ErrNotFound
}

// PutFeed implements Store.
func (m *MemoryStore) PutFeed(ctx context.Context, f *Feed) error {
	if !text.ValidValue(f) {
		return ErrInvalidText
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	c := *f
	m.feeds[f.ID] = &c
	return nil
}

// FeedByHash implements Store.
func (m *MemoryStore) FeedByHash(ctx context.Context, hash string) (*Feed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range m.feeds {
		if f.Hash == hash && f.Revoked.IsZero() {
			c := *f
			return &c, nil
		}
	}
	return nil, ErrFeedRevoked
}

// RevokeFeed implements Store.
func (m *MemoryStore) RevokeFeed(ctx context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.feeds[id]
	if !ok {
		return ErrNotFound
	}
	if f.Revoked.IsZero() {
		f.Revoked = at
	}
	return nil
}

// RevokeFeeds implements Store.
func (m *MemoryStore) RevokeFeeds(ctx context.Context, owner, resourceID string, at time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, f := range m.feeds {
		mine := f.Owner == owner
		if owner == "" {
			mine = f.Owner == "" && f.ResourceID == resourceID
		}
		if mine && f.Revoked.IsZero() {
			f.Revoked = at
			n++
		}
	}
	return n, nil
}
