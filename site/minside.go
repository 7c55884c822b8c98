package site

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
)

// MinSide is the citizens' "Min side" kept up to date from the services'
// events (see package events) instead of read from every store: per owner
// key, their cases, the payments made for them and their bookings. Handle
// is its events.Handler; without NATS the Service feeds it in process from
// its outbox (Service.MinSide), with NATS (GRUNNMUR_NATS_URL) an
// events.Consumer of the service's stream does. It
// holds only what the events carry: ids, states, amounts and times.
//
// Its zero value is ready; it is safe for concurrent use. Applying an event
// sets what it says, so an event handled twice changes nothing.
type MinSide struct {
	mu       sync.Mutex
	cases    map[string]*MinCase    // by case id
	payments map[string]*MinPayment // by reference
	bookings map[string]*MinBooking // by reservation id
}

// MinCase is a case on Min side.
type MinCase struct {
	ID, Number, Kind, Owner string
	State                   sak.State
	Outcome                 sak.Outcome
	Opened, Updated         time.Time
}

// MinPayment is a payment on Min side; Case is the case it pays for (the
// Order's Metadata "case"), through which it belongs to an owner.
type MinPayment struct {
	Reference, BusinessKey, Case string
	State                        payment.State
	Amount, Captured, Refunded   money.Amount
	Updated                      time.Time
}

// MinBooking is a reservation on Min side.
type MinBooking struct {
	ID, Resource, Owner string
	Start, End          time.Time
	State               booking.State
	HoldExpires         time.Time
	Charged             bool
	Updated             time.Time
}

// MinSideView is one owner's Min side: cases and payments newest first,
// bookings in time order (by Start, then ID, as booking.Store lists them).
type MinSideView struct {
	Cases    []MinCase
	Payments []MinPayment
	Bookings []MinBooking
}

// Handle applies one event; events of other types are ignored. It is an
// events.Handler.
func (m *MinSide) Handle(ctx context.Context, e events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cases == nil {
		m.cases, m.payments, m.bookings = map[string]*MinCase{}, map[string]*MinPayment{}, map[string]*MinBooking{}
	}
	switch {
	case sak.CaseOpened.Is(e), sak.CaseTransitioned.Is(e), sak.CaseDecided.Is(e), sak.CaseClosed.Is(e):
		return m.caseEvent(e)
	case payment.PaymentCreated.Is(e), payment.PaymentAuthorized.Is(e), payment.PaymentCaptured.Is(e),
		payment.PaymentRefunded.Is(e), payment.PaymentCancelled.Is(e), payment.PaymentFailed.Is(e):
		var d payment.PaymentData // every payment event's payload
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		p := m.payments[d.Reference]
		if p == nil {
			p = &MinPayment{Reference: d.Reference, BusinessKey: d.BusinessKey, Case: d.Metadata["case"], Amount: d.Amount}
			m.payments[d.Reference] = p
		}
		p.State, p.Captured, p.Refunded, p.Updated = d.State, d.Aggregate.Captured, d.Aggregate.Refunded, e.Time
	case booking.ReservationHeld.Is(e), booking.ReservationConfirmed.Is(e), booking.ReservationCancelled.Is(e),
		booking.ReservationRescheduled.Is(e), booking.ReservationPromoted.Is(e):
		return m.bookingEvent(e)
	}
	return nil
}

func (m *MinSide) caseEvent(e events.Event) error {
	c := m.cases[e.Subject]
	if c == nil {
		c = &MinCase{ID: e.Subject}
		m.cases[e.Subject] = c
	}
	c.Updated = e.Time
	if sak.CaseOpened.Is(e) {
		d, err := sak.CaseOpened.Decode(e)
		if err != nil {
			return err
		}
		c.Number, c.Kind, c.Owner, c.Opened = d.Number, d.Kind, d.Owner, d.Created
		c.State = cmp.Or(c.State, d.State) // a later event may have come first on a replay
		return nil
	}
	if sak.CaseDecided.Is(e) {
		d, err := sak.CaseDecided.Decode(e)
		if err != nil {
			return err
		}
		c.Number, c.Owner, c.State, c.Outcome = d.Number, d.Owner, d.State, d.Outcome
		return nil
	}
	typ := sak.CaseTransitioned
	if sak.CaseClosed.Is(e) {
		typ = sak.CaseClosed
	}
	d, err := typ.Decode(e)
	if err != nil {
		return err
	}
	c.Number, c.Owner, c.State = d.Number, d.Owner, d.State
	return nil
}

func (m *MinSide) bookingEvent(e events.Event) error {
	var d booking.ReservationData
	for _, typ := range []*events.Type[booking.ReservationData]{booking.ReservationHeld, booking.ReservationConfirmed,
		booking.ReservationCancelled, booking.ReservationRescheduled, booking.ReservationPromoted} {
		if typ.Is(e) {
			var err error
			if d, err = typ.Decode(e); err != nil {
				return err
			}
		}
	}
	b := m.bookings[d.Reservation]
	if b == nil {
		b = &MinBooking{ID: d.Reservation}
		m.bookings[d.Reservation] = b
	}
	// Each event carries what changed; zero fields are what it does not know.
	b.Resource, b.Owner = cmp.Or(d.Resource, b.Resource), cmp.Or(d.Owner, b.Owner)
	if !d.Start.IsZero() {
		b.Start, b.End = d.Start, d.End
	}
	if d.State != "" && !booking.ReservationPromoted.Is(e) {
		b.State = d.State
	}
	if booking.ReservationHeld.Is(e) {
		b.HoldExpires = d.HoldExpires
	}
	b.Charged = b.Charged || d.Charged
	b.Updated = e.Time
	return nil
}

// For returns owner's Min side at now (a hold whose time ran out reads as
// expired).
func (m *MinSide) For(owner string, now time.Time) MinSideView {
	m.mu.Lock()
	defer m.mu.Unlock()
	var v MinSideView
	mine := map[string]bool{}
	for _, c := range m.cases {
		if c.Owner == owner && owner != "" {
			v.Cases = append(v.Cases, *c)
			mine[c.ID] = true
		}
	}
	for _, p := range m.payments {
		if mine[p.Case] {
			v.Payments = append(v.Payments, *p)
		}
	}
	for _, b := range m.bookings {
		if b.Owner == owner && owner != "" {
			x := *b
			x.State = (&booking.Reservation{State: b.State, HoldExpires: b.HoldExpires}).StateAt(now)
			v.Bookings = append(v.Bookings, x)
		}
	}
	slices.SortFunc(v.Cases, func(a, b MinCase) int { return cmp.Or(b.Opened.Compare(a.Opened), cmp.Compare(b.ID, a.ID)) })
	slices.SortFunc(v.Payments, func(a, b MinPayment) int {
		return cmp.Or(b.Updated.Compare(a.Updated), cmp.Compare(b.Reference, a.Reference))
	})
	slices.SortFunc(v.Bookings, func(a, b MinBooking) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	return v
}

// minSideFeed hands the service's events on, through the one relay of the
// service's outbox (two would share its events out between them).
//
// Without NATS the relay hands them to MinSide in process (events.Local).
// It first reads every event the outbox holds, relayed ones too (before a
// restart, say), so that Min side starts complete; the outbox's Events
// reads them all, which suits the examples' outboxes, not a large
// production one.
//
// With NATS (nats set) the relay publishes them to the service's stream,
// and a durable pull consumer of this process feeds MinSide from it, from
// the stream's start: Min side and every other subscriber read the same
// stream.
type minSideFeed struct {
	outbox events.Outbox
	relay  *events.Relay
	m      *MinSide
	nats   *natsEvents
	log    *slog.Logger

	mu     sync.Mutex
	loaded bool
}

func newMinSideFeed(o events.Outbox, m *MinSide, n *natsEvents, log *slog.Logger) *minSideFeed {
	log = defaults.Logger(log)
	var p events.Publisher = &events.Local{Handlers: []events.Handler{m.Handle}, Logger: log}
	if n != nil {
		p = n.publisher()
	}
	return &minSideFeed{outbox: o, m: m, nats: n, log: log, relay: &events.Relay{Outbox: o, Publisher: p, Logger: log}}
}

// load applies every event the outbox holds, once; with NATS the consumer
// reads them from the stream instead.
func (f *minSideFeed) load(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loaded || f.nats != nil {
		return nil
	}
	evs, err := f.outbox.Events(ctx)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if err := f.m.Handle(ctx, e); err != nil {
			return err
		}
	}
	f.loaded = true
	return nil
}

// Run implements Runner: load, then relay (and, with NATS, consume) until
// ctx ends.
func (f *minSideFeed) Run(ctx context.Context, every time.Duration) error {
	if err := f.load(ctx); err != nil {
		return err
	}
	if f.nats == nil {
		return f.relay.Run(ctx, every)
	}
	consumed := make(chan error, 1)
	go func() { consumed <- f.nats.consume(ctx) }()
	return errors.Join(f.relay.Run(ctx, every), <-consumed)
}

// catchUpWait bounds how long a page waits for the NATS consumer to hand
// Min side what the relay just published.
const catchUpWait = 3 * time.Second

// catchUp relays what is waiting now, so that a page shows the citizen's
// own last change. A relay or NATS that fails here is logged, not returned:
// the page shows what Min side holds, and the background relay retries.
func (f *minSideFeed) catchUp(ctx context.Context) error {
	if err := f.load(ctx); err != nil {
		return err
	}
	if err := f.relay.RunOnce(ctx); err != nil {
		f.log.WarnContext(ctx, "site: Min side shows what it has; the events relay failed", "err", err)
		return nil
	}
	if f.nats != nil {
		if err := f.nats.caughtUp(ctx, catchUpWait); err != nil {
			f.log.WarnContext(ctx, "site: Min side shows what it has; the NATS consumer is behind", "err", err)
		}
	}
	return nil
}

// logLag logs the relay's lag (events.Relay.Lag: the events waiting in
// the outbox and the oldest one's time) at debug level.
func (f *minSideFeed) logLag(ctx context.Context) error {
	lag, err := f.relay.Lag(ctx)
	if err != nil {
		return err
	}
	f.log.DebugContext(ctx, "site: events relay lag", "pending", lag.Pending, "oldest", lag.Oldest, "relayed", f.relay.Stats().Relayed)
	return nil
}

// EventsLag is the lag of the service's relay from its outbox (to NATS,
// or to Min side in process): the events not yet relayed and the oldest
// one's time (see events.Relay.Lag). RunJobs logs it at debug level every
// minute; publish it with expvar if the deployment collects metrics:
//
//	expvar.Publish("events_lag", expvar.Func(func() any { l, _ := svc.EventsLag(ctx); return l }))
func (s *Service) EventsLag(ctx context.Context) (events.Lag, error) {
	return s.minSideFeed.relay.Lag(ctx)
}

// MinSideFor returns owner's Min side (see MinSide), after handing it the
// events waiting in the outbox, so that it shows the citizen's own changes
// at once.
func (s *Service) MinSideFor(ctx context.Context, owner string) (MinSideView, error) {
	if err := s.minSideFeed.catchUp(ctx); err != nil {
		return MinSideView{}, err
	}
	return s.MinSide.For(owner, s.Config.Now()), nil
}
