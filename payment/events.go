package payment

import (
	"fmt"
	"maps"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/money"
)

// The domain events of a payment (see package events). The subject is the
// payment's Reference; the payloads carry references, states, amounts in
// øre and the Order's Metadata (which holds no personal data), never the
// payer's phone number. The Service builds them where a record changes and
// the Store records them with the change, atomically.
var (
	// PaymentCreated: Start stored a new attempt (state CREATED).
	PaymentCreated = events.Define[PaymentData]("no.grunnmur.payment.payment.created.v1")
	// PaymentAuthorized: the payer approved; the amount is reserved.
	PaymentAuthorized = events.Define[PaymentData]("no.grunnmur.payment.payment.authorized.v1")
	// PaymentCaptured: money was captured; Amount is this capture's.
	PaymentCaptured = events.Define[PaymentData]("no.grunnmur.payment.payment.captured.v1")
	// PaymentRefunded: money was paid back; Amount is this refund's.
	PaymentRefunded = events.Define[PaymentData]("no.grunnmur.payment.payment.refunded.v1")
	// PaymentCancelled: the merchant cancelled the payment (TERMINATED), or
	// released the rest of a partly captured one; Amount is what was released.
	PaymentCancelled = events.Define[PaymentData]("no.grunnmur.payment.payment.cancelled.v1")
	// PaymentFailed: the payment ended without money moving: the payer
	// aborted (ABORTED) or did nothing in time (EXPIRED).
	PaymentFailed = events.Define[PaymentData]("no.grunnmur.payment.payment.failed.v1")
)

// PaymentData is the payload of every payment event.
type PaymentData struct {
	Reference   string       `json:"reference"`
	BusinessKey string       `json:"businessKey"` // what it pays for, e.g. "2026-000123/gebyr"
	Attempt     int          `json:"attempt"`
	Provider    string       `json:"provider"` // "vipps", "invoice"
	State       State        `json:"state"`    // the state after the change
	Amount      money.Amount `json:"amount"`   // øre: the change's (see each type), else the sum asked for
	Aggregate   Aggregate    `json:"aggregate"`
	// Metadata is the Order's: what the payment is for, to route it by.
	Metadata map[string]string `json:"metadata,omitempty"`
}

func dataOf(p *Payment, amount money.Amount) PaymentData {
	return PaymentData{Reference: p.Reference, BusinessKey: p.BusinessKey, Attempt: p.Attempt, Provider: p.Provider,
		State: p.State, Amount: amount, Aggregate: p.Aggregate, Metadata: maps.Clone(p.Metadata)}
}

// createdEvents are the events of storing the new attempt p.
func createdEvents(p *Payment) ([]events.Event, error) {
	e, err := PaymentCreated.New(p.Reference, p.Created, dataOf(p, p.Amount))
	if err != nil {
		return nil, fmt.Errorf("payment: %w", err)
	}
	return []events.Event{e}, nil
}

// authorizedStates are the states of a payment the payer approved.
var authorizedStates = map[State]bool{Authorized: true, PartiallyCaptured: true, Captured: true, PartiallyRefunded: true, Refunded: true}

// changeEvents are the events of the change of a record from before to p,
// in the order they happened at the provider: authorised, captured,
// refunded, then cancelled or failed.
func changeEvents(before, p *Payment, now time.Time) ([]events.Event, error) {
	type change struct {
		typ    *events.Type[PaymentData]
		amount money.Amount
	}
	var cs []change
	if !authorizedStates[before.State] && authorizedStates[p.State] {
		amount := p.Aggregate.Authorized
		if amount == 0 { // a snapshot without totals: the sum asked for
			amount = p.Amount
		}
		cs = append(cs, change{PaymentAuthorized, amount})
	}
	if d := p.Aggregate.Captured - before.Aggregate.Captured; d > 0 {
		cs = append(cs, change{PaymentCaptured, d})
	}
	if d := p.Aggregate.Refunded - before.Aggregate.Refunded; d > 0 {
		cs = append(cs, change{PaymentRefunded, d})
	}
	switch d := p.Aggregate.Cancelled - before.Aggregate.Cancelled; {
	case p.State == Terminated && before.State != Terminated, d > 0:
		cs = append(cs, change{PaymentCancelled, max(d, 0)})
	case (p.State == Aborted || p.State == Expired) && before.State != p.State:
		cs = append(cs, change{PaymentFailed, 0})
	}
	out := make([]events.Event, 0, len(cs))
	for _, c := range cs {
		e, err := c.typ.New(p.Reference, now, dataOf(p, c.amount))
		if err != nil {
			return nil, fmt.Errorf("payment: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}
