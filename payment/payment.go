package payment

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"
)

// Payment is the local record of one attempt to collect one sum. A business
// key (the case number and the purpose, say) may need several attempts when
// the payer aborts or lets one expire; each attempt has its own reference.
type Payment struct {
	Reference   string       `json:"reference"`   // ours, sent to the provider; unique
	BusinessKey string       `json:"businessKey"` // what the payment is for, e.g. "2026-000123/gebyr"
	Attempt     int          `json:"attempt"`     // 1, 2, ... per business key
	Provider    string       `json:"provider"`    // the provider's Name
	Description string       `json:"description"`
	Amount      money.Amount `json:"amount"` // the sum asked for
	State       State        `json:"state"`

	Aggregate Aggregate `json:"aggregate"`

	PSPReference string `json:"pspReference,omitempty"` // the provider's id for it
	RedirectURL  string `json:"redirectUrl,omitempty"`  // where to send the payer
	// KID and DueDate (the last day to pay, a date in Oslo) are set for
	// invoices.
	KID     string     `json:"kid,omitempty"`
	DueDate civil.Date `json:"dueDate,omitzero"`

	// Metadata is the Order's that started this attempt: what the payment
	// is for, to route it by.
	Metadata map[string]string `json:"metadata,omitempty"`

	// Events are the provider events applied so far, each once.
	Events []Event `json:"events,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Version counts the stored updates, for optimistic locking.
	Version int `json:"-"`
}

// Aggregate holds the running totals of a payment. Each only ever grows.
type Aggregate struct {
	Authorized money.Amount `json:"authorized"`
	Captured   money.Amount `json:"captured"`
	Refunded   money.Amount `json:"refunded"`
	Cancelled  money.Amount `json:"cancelled"`
}

func (a Aggregate) max(b Aggregate) Aggregate {
	return Aggregate{
		Authorized: max(a.Authorized, b.Authorized),
		Captured:   max(a.Captured, b.Captured),
		Refunded:   max(a.Refunded, b.Refunded),
		Cancelled:  max(a.Cancelled, b.Cancelled),
	}
}

// Capturable is what may still be captured.
func (p *Payment) Capturable() money.Amount {
	auth := p.Aggregate.Authorized
	if auth == 0 && p.State != Created {
		auth = p.Amount
	}
	return max(auth-p.Aggregate.Captured-p.Aggregate.Cancelled, 0)
}

// Refundable is what may still be paid back.
func (p *Payment) Refundable() money.Amount {
	return max(p.Aggregate.Captured-p.Aggregate.Refunded, 0)
}

// Clone returns a deep copy.
func (p *Payment) Clone() *Payment {
	c := *p
	c.Events = slices.Clone(p.Events)
	c.Metadata = maps.Clone(p.Metadata)
	return &c
}

// EventName names what happened to a payment at the provider.
type EventName string

const (
	EventCreated    EventName = "CREATED"
	EventAuthorized EventName = "AUTHORIZED"
	EventCaptured   EventName = "CAPTURED"
	EventRefunded   EventName = "REFUNDED"
	EventCancelled  EventName = "CANCELLED"
	EventAborted    EventName = "ABORTED"
	EventExpired    EventName = "EXPIRED"
	EventTerminated EventName = "TERMINATED"
)

// Valid reports whether n is a known event name.
func (n EventName) Valid() bool {
	switch n {
	case EventCreated, EventAuthorized, EventCaptured, EventRefunded, EventCancelled, EventAborted, EventExpired, EventTerminated:
		return true
	}
	return false
}

// Event is one thing that happened at the provider: a webhook, or a line of
// the provider's event log.
type Event struct {
	Name           EventName    `json:"name"`
	PSPReference   string       `json:"pspReference"`
	Amount         money.Amount `json:"amount"`
	Success        bool         `json:"success"`
	Time           time.Time    `json:"time"`
	IdempotencyKey string       `json:"idempotencyKey,omitempty"`
}

// key identifies an event for de-duplication: the same event delivered twice
// (a webhook retried, then seen again in the event log) counts once.
func (e Event) key() string { return string(e.Name) + "/" + e.PSPReference }

// Snapshot is the provider's view of a payment at one moment.
type Snapshot struct {
	Reference    string
	PSPReference string
	// State is the provider's own state: Created, Authorized, Aborted,
	// Expired or Terminated.
	State       State
	Aggregate   Aggregate
	RedirectURL string
}

// HasEvent reports whether this event was applied: one with the same name
// and PSP reference, or with the same name, outcome and idempotency key (the
// same capture seen in a webhook and in the event log).
func (p *Payment) HasEvent(e Event) bool {
	k := e.key()
	for _, have := range p.Events {
		if have.key() == k || (e.IdempotencyKey != "" && have.IdempotencyKey == e.IdempotencyKey && have.Name == e.Name && have.Success == e.Success) {
			return true
		}
	}
	return false
}

// ApplyEvent folds one provider event into the record. It reports false when
// the event was already applied (a replay), which changes nothing. Events may
// come in any order: the record is a fold over the set of events, so the
// order does not change the result.
func (p *Payment) ApplyEvent(e Event, now time.Time) (bool, error) {
	if !e.Name.Valid() {
		return false, fmt.Errorf("%w: unknown event %q", ErrInvalid, e.Name)
	}
	if p.HasEvent(e) {
		return false, nil
	}
	trial := p.Clone()
	trial.Events = append(trial.Events, e)
	base, agg := foldEvents(trial.Events)
	if err := trial.merge(base, agg, now); err != nil {
		return false, err
	}
	*p = *trial
	return true, nil
}

// ApplySnapshot merges the provider's view into the record. Totals only grow,
// and a stale snapshot (older than what webhooks already told) changes
// nothing; a contradictory one is a *TransitionError.
func (p *Payment) ApplySnapshot(s Snapshot, now time.Time) (bool, error) {
	before := p.Clone()
	trial := p.Clone()
	if s.PSPReference != "" && trial.PSPReference == "" {
		trial.PSPReference = s.PSPReference
	}
	if s.RedirectURL != "" && trial.RedirectURL == "" {
		trial.RedirectURL = s.RedirectURL
	}
	if err := trial.merge(s.State, s.Aggregate, now); err != nil {
		return false, err
	}
	*p = *trial
	return p.State != before.State || p.Aggregate != before.Aggregate ||
		p.PSPReference != before.PSPReference || p.RedirectURL != before.RedirectURL, nil
}

// merge combines a provider base state and totals with what the record knows.
func (p *Payment) merge(base State, agg Aggregate, now time.Time) error {
	curBase := p.baseState()
	nb, ok := mergeBase(curBase, base)
	if !ok {
		return &TransitionError{Reference: p.Reference, From: p.State, To: base}
	}
	ev, evAgg := foldEvents(p.Events)
	if nb2, ok := mergeBase(nb, ev); ok {
		nb = nb2
	} else {
		return &TransitionError{Reference: p.Reference, From: p.State, To: ev}
	}
	total := p.Aggregate.max(agg).max(evAgg)
	if nb == Authorized && total.Authorized == 0 {
		total.Authorized = p.Amount // the provider authorizes the sum asked for
	}
	to := derive(nb, total)
	if !p.State.CanTransition(to) {
		return &TransitionError{Reference: p.Reference, From: p.State, To: to}
	}
	if to != p.State || total != p.Aggregate {
		p.Updated = now
	}
	p.State, p.Aggregate = to, total
	return nil
}

// baseState maps the derived state back to the provider's.
func (p *Payment) baseState() State {
	switch p.State {
	case PartiallyCaptured, Captured, PartiallyRefunded, Refunded:
		return Authorized
	case "":
		return Created
	}
	return p.State
}

// mergeBase combines two provider states; false means they contradict.
func mergeBase(a, b State) (State, bool) {
	switch {
	case a == b || b == "" || b == Created:
		return a, true
	case a == Created || a == "":
		return b, true
	case a == Authorized && b == Terminated, a == Terminated && b == Authorized:
		return Terminated, true // cancelled after authorization
	}
	return a, false
}

func foldEvents(events []Event) (State, Aggregate) {
	base := Created
	var agg Aggregate
	for _, e := range events {
		if !e.Success {
			continue
		}
		switch e.Name {
		case EventAuthorized:
			// One authorization per payment: a duplicate must not double it.
			agg.Authorized = max(agg.Authorized, e.Amount)
			base, _ = mergeBase(base, Authorized)
		case EventCaptured:
			agg.Captured += e.Amount
			base, _ = mergeBase(base, Authorized)
		case EventRefunded:
			agg.Refunded += e.Amount
			base, _ = mergeBase(base, Authorized)
		case EventCancelled:
			agg.Cancelled = max(agg.Cancelled, e.Amount) // a cancel releases all that is left, once
		case EventAborted:
			base = pick(base, Aborted)
		case EventExpired:
			base = pick(base, Expired)
		case EventTerminated:
			base, _ = mergeBase(base, Terminated)
		}
	}
	if agg.Cancelled > 0 && agg.Captured == 0 && (base == Created || base == Authorized) {
		base = Terminated
	}
	return base, agg
}

func pick(cur, end State) State {
	if cur == Created {
		return end
	}
	return cur
}

// derive gives the payment's state from the provider's state and the totals.
// The totals may be incomplete (a refund's webhook came before the capture's),
// so a final state needs every authorized øre settled: a refund implies at
// least as much captured, and Refunded needs all of it captured or
// cancelled and then refunded.
func derive(base State, agg Aggregate) State {
	if base != Authorized {
		return base
	}
	captured := max(agg.Captured, agg.Refunded)
	settled := captured+agg.Cancelled >= agg.Authorized
	switch {
	case agg.Refunded > 0 && agg.Refunded >= captured && settled:
		return Refunded
	case agg.Refunded > 0:
		return PartiallyRefunded
	case captured > 0 && settled:
		return Captured
	case captured > 0:
		return PartiallyCaptured
	case agg.Cancelled > 0 && agg.Cancelled >= agg.Authorized:
		return Terminated
	}
	return Authorized
}
