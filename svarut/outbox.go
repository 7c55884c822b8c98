package svarut

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/eventcheck"
	"github.com/grunnmur/grunnmur/internal/job"
	"github.com/grunnmur/grunnmur/internal/text"
)

// EntryState is where an outbox entry is in its life.
type EntryState string

// The states of an outbox entry.
const (
	// EntryPending: stored, not known to have reached SvarUT.
	EntryPending EntryState = "pending"
	// EntrySent: SvarUT has it (ShipmentID is set); its status is polled.
	EntrySent EntryState = "sent"
	// EntryDone: the status is final (delivered, or failed: see Status).
	EntryDone EntryState = "done"
	// EntryRejected: SvarUT refused the shipment (400); see LastError.
	EntryRejected EntryState = "rejected"
	// EntryWithdrawn: prepared and withdrawn before it was released; never
	// sent, and not reported to OnFinal.
	EntryWithdrawn EntryState = "withdrawn"
)

// Terminal reports whether the entry needs no more work beyond reporting.
func (s EntryState) Terminal() bool {
	return s == EntryDone || s == EntryRejected || s == EntryWithdrawn
}

// Entry is a shipment in the outbox.
type Entry struct {
	ID       string
	Shipment *Shipment // its ExternalRef is unique in the store
	State    EntryState

	ShipmentID string    // SvarUT's id, once known
	Status     Status    // the last status seen
	StatusAt   time.Time // when SvarUT says it last changed

	// Held marks an entry Prepare stored and kept back: it is not sent until
	// Release. Its NextAttempt is when it is withdrawn if not released by
	// then.
	Held bool

	Attempts    int       // sends started
	LastError   string    // the last failure, for operators (no personal data)
	NextAttempt time.Time // not worked on before this
	LeaseUntil  time.Time // a worker holds the entry until then
	Reported    bool      // OnFinal has accepted the final state

	Created, Updated time.Time
	Version          int64 // optimistic locking: Store.Update compares it
}

// Clone returns a deep copy.
func (e *Entry) Clone() *Entry {
	c := *e
	if e.Shipment != nil {
		c.Shipment = e.Shipment.Clone()
	}
	return &c
}

// Store keeps outbox entries. Implementations: MemoryStore here and
// postgres.NewSvarUTStore; every implementation passes svaruttest.TestStore.
type Store interface {
	// Create stores a new entry with Version 1, and evs with it,
	// atomically. It returns ErrConflict when the ID or the shipment's
	// ExternalRef is taken.
	Create(ctx context.Context, e *Entry, evs ...events.Event) error
	// Get returns a copy of the entry, or ErrNotFound.
	Get(ctx context.Context, id string) (*Entry, error)
	// Update replaces the entry if the stored Version equals e.Version and
	// then increments e.Version, and records evs (the events of the change,
	// see LetterSent) with it, atomically; otherwise ErrConflict (or
	// ErrNotFound), and no event is recorded.
	Update(ctx context.Context, e *Entry, evs ...events.Event) error
	// Due returns up to limit entries that need work at now: not terminal,
	// or terminal and not Reported; with NextAttempt and LeaseUntil not
	// after now. Oldest NextAttempt first. (A held entry is due at its
	// deadline, to be withdrawn.)
	Due(ctx context.Context, now time.Time, limit int) ([]*Entry, error)
}

// EncodeEntry encodes an entry as JSON for a database. The recipient's
// fødselsnummer is in clear: this is storage, never a log line.
func EncodeEntry(e *Entry) ([]byte, error) {
	var ship json.RawMessage
	if e.Shipment != nil {
		var err error
		if ship, err = MarshalShipment(e.Shipment); err != nil {
			return nil, err
		}
	}
	type alias Entry
	return json.Marshal(struct {
		*alias
		Shipment json.RawMessage `json:"Shipment,omitempty"`
	}{(*alias)(e), ship})
}

// DecodeEntry decodes what EncodeEntry wrote.
func DecodeEntry(data []byte) (*Entry, error) {
	type alias Entry
	var w struct {
		*alias
		Shipment json.RawMessage `json:"Shipment,omitempty"`
	}
	w.alias = &alias{}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("svarut: decode entry: %w", err)
	}
	e := (*Entry)(w.alias)
	if len(w.Shipment) > 0 && string(w.Shipment) != "null" {
		s, err := UnmarshalShipment(w.Shipment)
		if err != nil {
			return nil, err
		}
		e.Shipment = s
	}
	return e, nil
}

// MemoryStore is an in-memory Store, safe for concurrent use. Its zero value
// is ready to use.
type MemoryStore struct {
	// Events is the outbox the store appends its events to, under its
	// lock, with the change they describe; nil drops them. Give every
	// memory store of a service the same one.
	Events *events.Memory

	mu      sync.Mutex
	entries map[string]*Entry
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Create implements Store.
func (m *MemoryStore) Create(_ context.Context, e *Entry, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]*Entry{}
	}
	if _, ok := m.entries[e.ID]; ok {
		return ErrConflict
	}
	if !text.ValidValue(e) {
		return ErrInvalidText
	}
	for _, o := range m.entries {
		if o.Shipment != nil && e.Shipment != nil && o.Shipment.ExternalRef == e.Shipment.ExternalRef {
			return ErrConflict
		}
	}
	if err := eventcheck.Valid("svarut", evs); err != nil {
		return err
	}
	e.Version = 1
	m.entries[e.ID] = e.Clone()
	m.Events.Append(evs...)
	return nil
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, id string) (*Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	if !ok {
		return nil, ErrNotFound
	}
	return e.Clone(), nil
}

// Update implements Store.
func (m *MemoryStore) Update(_ context.Context, e *Entry, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.entries[e.ID]
	if !ok {
		return ErrNotFound
	}
	if !text.ValidValue(e) {
		return ErrInvalidText
	}
	if cur.Version != e.Version {
		return ErrConflict
	}
	if err := eventcheck.Valid("svarut", evs); err != nil {
		return err
	}
	e.Version++
	m.entries[e.ID] = e.Clone()
	m.Events.Append(evs...)
	return nil
}

// Due implements Store.
func (m *MemoryStore) Due(_ context.Context, now time.Time, limit int) ([]*Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Entry
	for _, e := range m.entries {
		if (!e.State.Terminal() || !e.Reported) && !e.NextAttempt.After(now) && !e.LeaseUntil.After(now) {
			out = append(out, e.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *Entry) int {
		if c := a.NextAttempt.Compare(b.NextAttempt); c != 0 {
			return c
		}
		return a.Created.Compare(b.Created)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Outbox sends shipments exactly once, surviving crashes and faults: each
// shipment is stored before it is sent; a shipment that may have reached
// SvarUT (an earlier attempt that got no answer) is looked up by its
// eksternReferanse before it is sent again; statuses are polled until final,
// and the final state is handed to OnFinal.
//
// Several Outbox values may work on one Store at once (several processes,
// say): each entry is leased to one worker at a time with the Store's
// optimistic locking.
type Outbox struct {
	Client    *Client        // required
	Store     Store          // nil means a MemoryStore (lost on restart: use PostgreSQL in production)
	Documents DocumentSource // required: opens each document by Ref, again for each attempt

	// OnFinal is told of every entry that reached a final state: delivered
	// (e.Status.Delivered()), failed at SvarUT (e.Status.Failed(): AVVIST,
	// IKKE_LEVERT, MANUELT_HANDTERT, ...) or rejected (e.State ==
	// EntryRejected). An error makes the outbox tell again later, so it is
	// told at least once. A withdrawn entry was the caller's own doing and
	// is not told.
	OnFinal func(ctx context.Context, e *Entry) error

	// PollInterval is the time between status polls of a sent shipment;
	// 0 means 5 minutes.
	PollInterval time.Duration
	// RetryBase is the wait after the first failed attempt, doubled for
	// each further one up to RetryMax; 0 means 30 s and 30 min.
	RetryBase, RetryMax time.Duration
	// Lease is how long a worker holds an entry; a send is cancelled before
	// the lease ends so that no other worker sends while it runs. 0 means
	// 20 minutes (KS recommends allowing 16 minutes for large uploads).
	Lease time.Duration
	// Batch is how many entries one RunOnce pass takes; 0 means 100.
	Batch int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per state change; nil discards.
	Logger *slog.Logger

	once sync.Once
}

func (o *Outbox) check() error {
	o.once.Do(func() {
		if o.Store == nil {
			o.Store = NewMemoryStore()
		}
	})
	if o.Client == nil || o.Documents == nil {
		return fmt.Errorf("%w: Outbox needs Client and Documents", ErrConfig)
	}
	return nil
}

func (o *Outbox) now() time.Time { return defaults.Now(o.Now) }

func (o *Outbox) logger() *slog.Logger { return defaults.Logger(o.Logger) }

func dur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Enqueue validates s and stores it under id (a new UUID when empty). An
// empty ExternalRef is set to the id; a given one must be unique, since the
// outbox finds an earlier attempt by it. Use an id derived from your own
// data (the case and letter number) so that a repeated Enqueue returns
// ErrConflict rather than a second letter.
func (o *Outbox) Enqueue(ctx context.Context, id string, s *Shipment) (*Entry, error) {
	return o.enqueue(ctx, id, s, false, time.Time{})
}

// Prepare stores s as Enqueue does, but keeps it back: it is not sent until
// Release. A service prepares a letter where it knows the recipient (the
// payer, at checkout) and releases it where the event happens (a payment's
// webhook, which knows nothing of the recipient). Withdraw ends a prepared
// letter that is not to go, and RunOnce withdraws one still held at until
// (a payment abandoned, say), so that no recipient's data is kept without
// a purpose. Preparing an id again is ErrConflict.
func (o *Outbox) Prepare(ctx context.Context, id string, s *Shipment, until time.Time) (*Entry, error) {
	if until.IsZero() {
		return nil, fmt.Errorf("%w: a prepared entry needs the time it is withdrawn if not released", ErrInvalid)
	}
	return o.enqueue(ctx, id, s, true, until)
}

// ErrNotHeld means Withdraw found the entry released (or never prepared):
// it is on its way and cannot be withdrawn.
var ErrNotHeld = errors.New("svarut: outbox entry is not held")

// Release lets a prepared entry go: the next RunOnce sends it. An entry not
// held (released before, enqueued, or withdrawn) is returned unchanged, so
// Release may be called again, from several places at once. ErrNotFound
// without the entry.
func (o *Outbox) Release(ctx context.Context, id string) (*Entry, error) {
	return o.change(ctx, id, "released", func(e *Entry) (bool, error) {
		if !e.Held {
			return false, nil
		}
		e.Held, e.NextAttempt = false, o.now()
		return true, nil
	})
}

// Withdraw ends a prepared entry unsent (EntryWithdrawn). An entry already
// released or enqueued is ErrNotHeld; one withdrawn before is returned
// unchanged.
func (o *Outbox) Withdraw(ctx context.Context, id string) (*Entry, error) {
	return o.change(ctx, id, "withdrawn", func(e *Entry) (bool, error) {
		switch {
		case e.State == EntryWithdrawn:
			return false, nil
		case !e.Held:
			return false, ErrNotHeld
		}
		e.Held, e.State, e.Reported = false, EntryWithdrawn, true
		return true, nil
	})
}

// change applies f to the stored entry and saves it, reading it again
// after a concurrent update, until f says there is nothing to change. A
// store that keeps answering ErrConflict ends it after ten tries.
func (o *Outbox) change(ctx context.Context, id, what string, f func(*Entry) (bool, error)) (*Entry, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	for range 10 {
		e, err := o.Store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		changed, err := f(e)
		if err != nil || !changed {
			return e, err
		}
		e.Updated = o.now()
		err = o.Store.Update(ctx, e)
		if err == nil {
			o.logger().InfoContext(ctx, "svarut: outbox: "+what, "entry", id)
			return e, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return nil, fmt.Errorf("%w: entry %s kept changing", ErrConflict, id)
}

func (o *Outbox) enqueue(ctx context.Context, id string, s *Shipment, held bool, until time.Time) (*Entry, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if id == "" {
		id = uuid.NewString()
	}
	s = s.Clone()
	if s.ExternalRef == "" {
		s.ExternalRef = id
	}
	if err := Validate(s); err != nil {
		return nil, err
	}
	if err := checkSubject(id); err != nil {
		return nil, err
	}
	now := o.now()
	e := &Entry{ID: id, Shipment: s, State: EntryPending, NextAttempt: now, Created: now, Updated: now}
	if held {
		e.Held, e.NextAttempt = true, until.UTC()
	}
	if err := o.Store.Create(ctx, e); err != nil {
		return nil, err
	}
	o.logger().InfoContext(ctx, "svarut: outbox: enqueued", "entry", id, "held", held)
	return e, nil
}

// RunOnce does one pass: it sends the pending entries that are due, polls
// the statuses of sent ones, reports final states, and withdraws prepared
// entries past their deadline. How many entries it worked on goes to the
// Logger.
func (o *Outbox) RunOnce(ctx context.Context) error {
	if err := o.check(); err != nil {
		return err
	}
	batch := o.Batch
	if batch <= 0 {
		batch = 100
	}
	due, err := o.Store.Due(ctx, o.now(), batch)
	if err != nil {
		return err
	}
	var polls []*Entry
	n := 0
	for _, e := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !o.claim(ctx, e) {
			continue
		}
		n++
		switch {
		case e.Held: // not released in time
			o.expire(ctx, e)
		case e.State.Terminal():
			o.report(ctx, e)
		case e.State == EntryPending:
			o.send(ctx, e)
		default:
			polls = append(polls, e)
		}
	}
	for chunk := range slices.Chunk(polls, 100) {
		o.poll(ctx, chunk)
	}
	if n > 0 {
		o.logger().InfoContext(ctx, "svarut: outbox: pass", "entries", n, "polled", len(polls))
	}
	return nil
}

// expire withdraws a held entry whose deadline passed.
func (o *Outbox) expire(ctx context.Context, e *Entry) {
	e.Held, e.State, e.Reported = false, EntryWithdrawn, true
	if o.save(ctx, e) == nil {
		o.logger().InfoContext(ctx, "svarut: outbox: withdrawn, not released in time", "entry", e.ID)
	}
}

// Run calls RunOnce at once and then every interval until ctx ends, when it
// returns nil. A failed pass is logged and the next one runs on time; a
// non-positive every is an error, returned at once.
func (o *Outbox) Run(ctx context.Context, every time.Duration) error {
	if err := o.check(); err != nil && every > 0 {
		return err
	}
	return job.Run(ctx, every, o.RunOnce, o.logger(), "svarut: outbox", ErrConfig)
}

// claim leases e to this worker. False means another worker has it.
func (o *Outbox) claim(ctx context.Context, e *Entry) bool {
	now := o.now()
	e.LeaseUntil = now.Add(dur(o.Lease, 20*time.Minute))
	e.Updated = now
	if err := o.Store.Update(ctx, e); err != nil {
		if !errors.Is(err, ErrConflict) {
			o.logger().WarnContext(ctx, "svarut: outbox: claim failed", "entry", e.ID, "error", err)
		}
		return false
	}
	return true
}

// save writes e with its lease released, and the events of the change.
func (o *Outbox) save(ctx context.Context, e *Entry, evs ...events.Event) error {
	e.LeaseUntil = time.Time{}
	e.Updated = o.now()
	err := o.Store.Update(ctx, e, evs...)
	if err != nil {
		o.logger().WarnContext(ctx, "svarut: outbox: save failed", "entry", e.ID, "error", err)
	}
	return err
}

// saveEmitting is save with the events evs builds at the time of the
// change. An event that cannot be built fails the save: the entry is not
// changed, and its lease runs out for another try.
func (o *Outbox) saveEmitting(ctx context.Context, e *Entry, evs func(now time.Time) ([]events.Event, error)) error {
	list, err := evs(o.now())
	if err != nil {
		o.logger().WarnContext(ctx, "svarut: outbox: save failed", "entry", e.ID, "error", err)
		return err
	}
	return o.save(ctx, e, list...)
}

func (o *Outbox) backoff(attempts int) time.Duration {
	d, ceil := dur(o.RetryBase, 30*time.Second), dur(o.RetryMax, 30*time.Minute)
	for i := 1; i < attempts && d < ceil; i++ {
		d *= 2
	}
	return min(d, ceil)
}

func (o *Outbox) retryLater(ctx context.Context, e *Entry, err error) {
	e.LastError = errorText(err)
	e.NextAttempt = o.now().Add(o.backoff(max(e.Attempts, 1)))
	o.logger().InfoContext(ctx, "svarut: outbox: will retry", "entry", e.ID, "attempts", e.Attempts,
		"next", e.NextAttempt, "error", e.LastError)
	_ = o.save(ctx, e)
}

func errorText(err error) string { return truncate(err.Error(), 500) }

func (o *Outbox) send(ctx context.Context, e *Entry) {
	if e.Attempts > 0 {
		// An earlier attempt may have reached SvarUT without us learning
		// the id: ask before sending again.
		ids, err := o.Client.FindByExternalRef(ctx, e.Shipment.ExternalRef)
		if err != nil {
			o.retryLater(ctx, e, fmt.Errorf("look-up by eksternReferanse: %w", err))
			return
		}
		if len(ids) > 0 {
			if len(ids) > 1 {
				e.LastError = fmt.Sprintf("%v: %d shipments", ErrAmbiguousRef, len(ids))
			}
			o.recordSent(ctx, e, ids[0], "found by eksternReferanse")
			return
		}
	}
	// Record the attempt before sending: after a crash the next worker then
	// knows to look the shipment up first.
	e.Attempts++
	if err := o.Store.Update(ctx, e); err != nil {
		return
	}
	// End the send well inside the lease (measured on the real clock, which
	// the network deadline uses).
	sendCtx, cancel := context.WithTimeout(ctx, dur(o.Lease, 20*time.Minute)*9/10)
	id, err := o.Client.Send(sendCtx, e.Shipment, o.Documents)
	cancel()
	if err != nil {
		if permanent(err) {
			e.State = EntryRejected
			e.LastError = errorText(err)
			o.logger().WarnContext(ctx, "svarut: outbox: rejected", "entry", e.ID, "error", e.LastError)
			if o.saveEmitting(ctx, e, func(now time.Time) ([]events.Event, error) { return letterEvents(e, now, LetterFailed) }) == nil {
				o.report(ctx, e)
			}
			return
		}
		o.retryLater(ctx, e, err)
		return
	}
	o.recordSent(ctx, e, id, "sent")
}

// permanent reports whether a send failure will fail again: the shipment is
// invalid, or SvarUT refused it with a 4xx other than 401/403/408/409/429.
func permanent(err error) bool {
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrTooLarge) {
		return true
	}
	var se *Error
	if errors.As(err, &se) {
		switch se.Status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestTimeout, http.StatusConflict,
			http.StatusTooManyRequests:
			return false
		}
		return se.Status >= 400 && se.Status < 500
	}
	return false
}

func (o *Outbox) recordSent(ctx context.Context, e *Entry, id, how string) {
	e.ShipmentID = id
	e.State = EntrySent
	e.Status = StatusMottatt
	e.NextAttempt = o.now().Add(dur(o.PollInterval, 5*time.Minute))
	if how == "sent" {
		e.LastError = ""
	}
	if o.saveEmitting(ctx, e, func(now time.Time) ([]events.Event, error) { return letterEvents(e, now, LetterSent) }) == nil {
		o.logger().InfoContext(ctx, "svarut: outbox: "+how, "entry", e.ID, "shipment", id)
	}
}

func (o *Outbox) poll(ctx context.Context, entries []*Entry) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ShipmentID
	}
	sts, err := o.Client.Statuses(ctx, ids...)
	byID := map[string]StatusInfo{}
	for _, s := range sts {
		byID[s.ID] = s
	}
	for _, e := range entries {
		if err != nil {
			e.LastError = errorText(err)
			e.NextAttempt = o.now().Add(dur(o.PollInterval, 5*time.Minute))
			_ = o.save(ctx, e)
			continue
		}
		st, ok := byID[e.ShipmentID]
		if !ok {
			e.LastError = "status search did not return the shipment"
			e.NextAttempt = o.now().Add(dur(o.PollInterval, 5*time.Minute))
			_ = o.save(ctx, e)
			continue
		}
		old := e.Status
		e.Status, e.StatusAt = st.Status, st.LastChange
		e.LastError = ""
		e.NextAttempt = o.now().Add(dur(o.PollInterval, 5*time.Minute))
		if st.Status.Final() {
			e.State = EntryDone
			e.NextAttempt = o.now()
		}
		evs := func(now time.Time) ([]events.Event, error) { return statusEvents(e, old, now) }
		if o.saveEmitting(ctx, e, evs) == nil && e.State == EntryDone {
			o.logger().InfoContext(ctx, "svarut: outbox: final", "entry", e.ID, "status", string(e.Status))
			// Re-claim for the report: the lease keeps other workers off.
			if o.claim(ctx, e) {
				o.report(ctx, e)
			}
		}
	}
}

func (o *Outbox) report(ctx context.Context, e *Entry) {
	if o.OnFinal != nil {
		if err := o.OnFinal(ctx, e.Clone()); err != nil {
			e.LastError = "OnFinal: " + errorText(err)
			e.NextAttempt = o.now().Add(o.backoff(1))
			_ = o.save(ctx, e)
			return
		}
	}
	e.Reported = true
	_ = o.save(ctx, e)
}
