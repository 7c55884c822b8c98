package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/money"
)

// DefaultHoldTTL is how long a hold keeps its seats when Service.HoldTTL is 0.
const DefaultHoldTTL = 15 * time.Minute

// The caps on one owner's open holds when Service leaves them 0: a few
// slots being paid for at once, and one series.
const (
	DefaultMaxOpenHolds  = 3
	DefaultMaxOpenSeries = 1
)

// Service applies the booking rules (opening hours, notice, horizon, limits,
// cancellation deadlines) on top of a Store. Its zero value works, on an
// in-memory store.
type Service struct {
	Store   Store            // nil means an in-memory store
	Now     func() time.Time // nil means time.Now
	Logger  *slog.Logger     // nil means discard
	HoldTTL time.Duration    // 0 means DefaultHoldTTL
	// MaxOpenHolds caps the holds outside a series one owner may have open
	// (held, not yet confirmed or expired) at once, on every resource;
	// MaxOpenSeries caps the series with open holds. One more is refused
	// with ErrTooManyHolds. 0 means the default; a negative value, no cap.
	MaxOpenHolds, MaxOpenSeries int

	once sync.Once
	mem  *MemoryStore
}

func (s *Service) store() Store {
	if s.Store != nil {
		return s.Store
	}
	s.once.Do(func() { s.mem = NewMemoryStore() })
	return s.mem
}

// now is truncated to microseconds, what PostgreSQL keeps, so that every
// store hands back exactly the times it was given.
func (s *Service) now() time.Time { return defaults.Now(s.Now).Truncate(time.Microsecond) }

func (s *Service) log() *slog.Logger { return defaults.Logger(s.Logger) }

func (s *Service) openLimit() OpenLimit {
	pick := func(v, def int) int {
		switch {
		case v < 0:
			return 0
		case v == 0:
			return def
		}
		return v
	}
	return OpenLimit{Holds: pick(s.MaxOpenHolds, DefaultMaxOpenHolds), Series: pick(s.MaxOpenSeries, DefaultMaxOpenSeries)}
}

func (s *Service) holdTTL() time.Duration {
	if s.HoldTTL > 0 {
		return s.HoldTTL
	}
	return DefaultHoldTTL
}

// PutResource validates and stores a resource.
func (s *Service) PutResource(ctx context.Context, r *Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.store().PutResource(ctx, r)
}

// Seed puts each of rs that the store does not hold yet: the resources a
// service starts with, which staff may since have changed (their changes
// stay). It stops at the first error.
func (s *Service) Seed(ctx context.Context, rs ...*Resource) error {
	for _, r := range rs {
		_, err := s.store().Resource(ctx, r.ID)
		if errors.Is(err, ErrNotFound) {
			err = s.PutResource(ctx, r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Resource returns a resource.
func (s *Service) Resource(ctx context.Context, id string) (*Resource, error) {
	return s.store().Resource(ctx, id)
}

// Availability returns the slots of the resource starting in [from, to) that
// have a free seat now, with the seats remaining. Slots inside the minimum
// notice or beyond the horizon are left out.
func (s *Service) Availability(ctx context.Context, resourceID string, from, to time.Time) ([]Slot, error) {
	r, err := s.store().Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	out, _, err := s.availability(ctx, r, from, to, s.now())
	return out, err
}

// availability is Availability on r at now, and the earliest time after
// now at which one of the holds it counted runs out (zero if none).
func (s *Service) availability(ctx context.Context, r *Resource, from, to, now time.Time) ([]Slot, time.Time, error) {
	if earliest := now.Add(r.MinNotice); from.Before(earliest) {
		from = earliest
	}
	if r.MaxHorizon > 0 {
		if latest := now.Add(r.MaxHorizon).Add(time.Nanosecond); to.After(latest) {
			to = latest
		}
	}
	if !from.Before(to) {
		return nil, time.Time{}, nil
	}
	slots, err := r.Slots(from, to)
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(slots) == 0 {
		return nil, time.Time{}, nil
	}
	qFrom, _ := r.Block(slots[0].Start, slots[0].End)
	_, qTo := r.Block(slots[len(slots)-1].Start, slots[len(slots)-1].End)
	if v, ok := s.store().(viewer); ok { // in memory: read under the lock, no copies
		var out []Slot
		var next time.Time
		v.view(r.ID, func(rs []*Reservation) {
			out, next = r.fillRemaining(slots, rs, now), nextExpiry(rs, qFrom, qTo, now)
		})
		return out, next, nil
	}
	rs, err := s.store().Reservations(ctx, Query{ResourceID: r.ID, From: qFrom, To: qTo, ActiveAt: now})
	if err != nil {
		return nil, time.Time{}, err
	}
	return r.fillRemaining(slots, rs, now), nextExpiry(rs, qFrom, qTo, now), nil
}

// nextExpiry is the earliest HoldExpires after now of the holds in rs
// whose block overlaps [from, to); zero if none.
func nextExpiry(rs []*Reservation, from, to, now time.Time) time.Time {
	var next time.Time
	for _, x := range rs {
		if x.StateAt(now) == Held && x.BlockStart.Before(to) && x.BlockEnd.After(from) && (next.IsZero() || x.HoldExpires.Before(next)) {
			next = x.HoldExpires
		}
	}
	return next
}

// viewer is a store that can lend its reservations of a resource without
// copying them; f must not keep or change them.
type viewer interface {
	view(resourceID string, f func([]*Reservation))
}

// HoldInput asks for seats in one slot.
type HoldInput struct {
	ResourceID string
	Owner      string    // the citizen's opaque id
	Start      time.Time // must be a slot start
	Seats      int       // 0 means 1
	Title      string
	// Key is the idempotency key: a retried request with the same key gets
	// the same reservation back instead of a second one.
	Key string
	TTL time.Duration // how long the hold lasts; 0 means the Service's HoldTTL
}

// checkStart validates a start against the resource's slots, notice and
// horizon, and returns the slot and the limits that apply to it.
func (s *Service) checkStart(r *Resource, start, now time.Time) (Slot, []Limit, error) {
	loc, err := r.Location()
	if err != nil {
		return Slot{}, nil, err
	}
	slot, ok := r.IsSlot(start)
	if !ok {
		return Slot{}, nil, fmt.Errorf("%w: %s is not a slot start of %s", ErrOutsideHours, start.Format(time.RFC3339), r.ID)
	}
	if start.Before(now.Add(r.MinNotice)) {
		return Slot{}, nil, ErrTooSoon
	}
	if r.MaxHorizon > 0 && start.After(now.Add(r.MaxHorizon)) {
		return Slot{}, nil, ErrTooFar
	}
	return slot, r.limits(start, loc), nil
}

// limits returns the per-citizen limit windows around start: its calendar day
// and its ISO week (Monday to Sunday) in the resource's zone, loc.
func (r *Resource) limits(start time.Time, loc *time.Location) []Limit {
	var out []Limit
	d := civil.DateOf(start.In(loc))
	if r.PerDay > 0 {
		out = append(out, Limit{Period: "day", From: d.Start(loc), To: d.AddDays(1).Start(loc), Max: r.PerDay})
	}
	if r.PerWeek > 0 {
		monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
		out = append(out, Limit{Period: "week", From: monday.Start(loc), To: monday.AddDays(7).Start(loc), Max: r.PerWeek})
	}
	return out
}

// Hold reserves seats in a slot for a short time (TTL), for example while
// the citizen pays. The hold expires by itself; Confirm makes it a booking.
func (s *Service) Hold(ctx context.Context, in HoldInput) (*Reservation, error) {
	return s.hold(ctx, in, "", nil, time.Time{})
}

func (s *Service) hold(ctx context.Context, in HoldInput, seriesID string, rule *Recurrence, seriesStart time.Time) (*Reservation, error) {
	if in.Owner == "" {
		return nil, fmt.Errorf("%w: no owner", ErrInvalid)
	}
	if in.Seats < 0 {
		return nil, fmt.Errorf("%w: negative seats", ErrInvalid)
	}
	seats := max(in.Seats, 1)
	r, err := s.store().Resource(ctx, in.ResourceID)
	if err != nil {
		return nil, err
	}
	if seats > r.Seats() {
		return nil, fmt.Errorf("%w: %d seats asked, capacity %d", ErrSlotTaken, seats, r.Seats())
	}
	now := s.now()
	slot, limits, err := s.checkStart(r, in.Start, now)
	if err != nil {
		return nil, err
	}
	ttl := in.TTL
	if ttl <= 0 {
		ttl = s.holdTTL()
	}
	bs, be := r.Block(slot.Start, slot.End)
	title := in.Title
	if title == "" {
		title = r.Name
	}
	res := &Reservation{
		ID: uuid.NewString(), ResourceID: r.ID, Owner: in.Owner,
		Start: slot.Start.UTC(), End: slot.End.UTC(), BlockStart: bs.UTC(), BlockEnd: be.UTC(),
		Seats: seats, State: Held, HoldExpires: now.Add(ttl).UTC(), Created: now.UTC(), Updated: now.UTC(),
		SeriesID: seriesID, Recurrence: rule, SeriesStart: seriesStart, Price: r.Price * money.Amount(seats), Title: title,
	}
	evs, err := event(ReservationHeld, now, heldData(res))
	if err != nil {
		return nil, err
	}
	got, err := s.store().Hold(ctx, HoldRequest{Key: in.Key, Reservation: res, Capacity: r.Seats(), Limits: limits, Open: s.openLimit(), At: now}, evs...)
	if err != nil {
		return nil, err
	}
	s.log().Debug("booking: held", "reservation", got.ID, "resource", r.ID, "start", got.Start)
	return got, nil
}

// Confirm turns a hold into a booking, for example once payment is
// captured. A retried Confirm returns the same booking.
func (s *Service) Confirm(ctx context.Context, id, key string) (*Reservation, error) {
	now := s.now()
	evs, err := event(ReservationConfirmed, now, ReservationData{Reservation: id, State: Confirmed})
	if err != nil { // an id no reservation can have
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return s.store().Confirm(ctx, id, key, now, evs...)
}

// Book holds and confirms in one go, for resources that need no payment.
func (s *Service) Book(ctx context.Context, in HoldInput) (*Reservation, error) {
	r, err := s.Hold(ctx, in)
	if err != nil {
		return nil, err
	}
	key := ""
	if in.Key != "" {
		key = in.Key + "/confirm"
	}
	return s.Confirm(ctx, r.ID, key)
}

// Reservation returns one reservation.
func (s *Service) Reservation(ctx context.Context, id string) (*Reservation, error) {
	return s.store().Reservation(ctx, id)
}

// Reservations lists reservations.
func (s *Service) Reservations(ctx context.Context, q Query) ([]*Reservation, error) {
	return s.store().Reservations(ctx, q)
}

// Cancel cancels a hold or booking under the resource's rules: a booking
// cancelled after its deadline is refused with ErrTooLateToCancel, or, when
// the resource charges late cancellations, cancelled with Charged set. A hold
// can always be released. Waiters for the freed seats are then promoted.
func (s *Service) Cancel(ctx context.Context, id, key string) (*Reservation, error) {
	st := s.store()
	res, err := st.Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := st.Resource(ctx, res.ResourceID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	charged := false
	if r.PastDeadline(res, now) {
		if !r.ChargeLateCancel {
			return nil, ErrTooLateToCancel
		}
		charged = true
	}
	evs, err := event(ReservationCancelled, now, cancelledData(res, charged))
	if err != nil {
		return nil, err
	}
	out, err := st.Cancel(ctx, id, key, now, charged, evs...)
	if err != nil {
		return nil, err
	}
	if _, err := s.Promote(ctx, res.ResourceID, res.BlockStart, res.BlockEnd); err != nil {
		s.log().Warn("booking: waitlist promotion failed", "resource", res.ResourceID, "err", err)
	}
	return out, nil
}

// Reschedule moves a hold or booking to another slot of the same resource,
// under the same rules as Hold. Moving it out of the cancellation window is
// refused like a cancellation would be.
func (s *Service) Reschedule(ctx context.Context, id string, start time.Time, key string) (*Reservation, error) {
	st := s.store()
	res, err := st.Reservation(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := st.Resource(ctx, res.ResourceID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if r.PastDeadline(res, now) && !res.Start.Equal(start) {
		return nil, ErrTooLateToCancel
	}
	slot, limits, err := s.checkStart(r, start, now)
	if err != nil {
		return nil, err
	}
	bs, be := r.Block(slot.Start, slot.End)
	evs, err := event(ReservationRescheduled, now, ReservationData{Reservation: id, State: res.State, Resource: res.ResourceID,
		Owner: res.Owner, Start: slot.Start.UTC(), End: slot.End.UTC(), Seats: res.Seats})
	if err != nil {
		return nil, err
	}
	out, err := st.Reschedule(ctx, RescheduleRequest{
		ID: id, Key: key, Start: slot.Start.UTC(), End: slot.End.UTC(), BlockStart: bs.UTC(), BlockEnd: be.UTC(),
		Capacity: r.Seats(), Limits: limits, At: now,
	}, evs...)
	if err != nil {
		return nil, err
	}
	if _, err := s.Promote(ctx, res.ResourceID, res.BlockStart, res.BlockEnd); err != nil {
		s.log().Warn("booking: waitlist promotion failed", "resource", res.ResourceID, "err", err)
	}
	return out, nil
}

// JoinWaitlist puts the citizen on the waitlist of a slot. With a Key, a
// retried join returns the same waiter.
func (s *Service) JoinWaitlist(ctx context.Context, in HoldInput) (*Waiter, error) {
	if in.Owner == "" {
		return nil, fmt.Errorf("%w: no owner", ErrInvalid)
	}
	r, err := s.store().Resource(ctx, in.ResourceID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	slot, _, err := s.checkStart(r, in.Start, now)
	if err != nil {
		return nil, err
	}
	id := uuid.NewString()
	if in.Key != "" {
		id = uuid.NewSHA1(waitlistNS, []byte(in.Key)).String()
	}
	w := &Waiter{ID: id, ResourceID: r.ID, Owner: in.Owner, Start: slot.Start.UTC(), End: slot.End.UTC(),
		Seats: max(in.Seats, 1), State: Waiting, Created: now.UTC(), Updated: now.UTC()}
	if err := s.store().AddWaiter(ctx, w); err != nil {
		if errors.Is(err, ErrKeyReused) && in.Key != "" {
			ws, err2 := s.store().Waiters(ctx, r.ID, w.Start, w.End)
			if err2 == nil {
				for _, o := range ws {
					if o.ID == id {
						return o, nil
					}
				}
			}
		}
		return nil, err
	}
	return w, nil
}

var waitlistNS = uuid.MustParse("6f1d7c1e-5b0a-4c55-9a43-2f3b8d1e0a11")

// Promote gives waiters on the resource whose slots overlap [from, to) a
// hold, oldest first, as far as seats allow. Cancel and Reschedule call it;
// since expired holds free their seats silently, a service may also call it
// from time to time. It returns the holds made.
func (s *Service) Promote(ctx context.Context, resourceID string, from, to time.Time) ([]*Reservation, error) {
	ws, err := s.store().Waiters(ctx, resourceID, from, to)
	if err != nil {
		return nil, err
	}
	var made []*Reservation
	for _, w := range ws {
		res, err := s.Hold(ctx, HoldInput{ResourceID: w.ResourceID, Owner: w.Owner, Start: w.Start, Seats: w.Seats, Key: "waitlist/" + w.ID})
		switch {
		case err == nil:
			if err := s.promoted(ctx, w, res); err != nil {
				return made, err
			}
			made = append(made, res)
		case errors.Is(err, ErrSlotTaken), errors.Is(err, ErrLimitReached), errors.Is(err, ErrTooManyHolds):
			// still waiting
		case errors.Is(err, ErrTooSoon), errors.Is(err, ErrOutsideHours), errors.Is(err, ErrTooFar):
			if err := s.store().SetWaiter(ctx, w.ID, Withdrawn, "", s.now()); err != nil {
				return made, err
			}
		default:
			return made, err
		}
	}
	return made, nil
}

// promoted records that waiter w got the hold res.
func (s *Service) promoted(ctx context.Context, w *Waiter, res *Reservation) error {
	now := s.now()
	d := heldData(res)
	d.Waiter = w.ID
	evs, err := event(ReservationPromoted, now, d)
	if err != nil {
		return err
	}
	return s.store().SetWaiter(ctx, w.ID, Promoted, res.ID, now, evs...)
}
