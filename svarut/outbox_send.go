package svarut

import (
	"context"
	"errors"
)

// ResentID is the id under which Send sends a copy of the letter id once
// it was withdrawn; the copy's ExternalRef ends the same way.
func ResentID(id string) string { return id + "-2" }

// Send lets the letter id go, wherever the event that decides it is seen
// (the payer's return, a webhook, the reconciliation job), as often and
// from as many callers at once as it happens; the letter goes once:
//
//   - a held entry (Prepare) is released;
//   - a withdrawn one (Withdraw, or Prepare's deadline, raced the event)
//     goes as a copy under ResentID(id): the outbox kept its shipment;
//   - without an entry, build makes the shipment and it is enqueued under
//     id; with build nil that is ErrNotFound;
//   - an entry on its way or sent is left as it is.
//
// It returns the entry that goes: while it is EntryPending and not Held,
// the caller may run the outbox at once rather than wait for its next pass.
func (o *Outbox) Send(ctx context.Context, id string, build func(ctx context.Context) (*Shipment, error)) (*Entry, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	e, err := o.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) && build != nil {
		s, berr := build(ctx)
		if berr != nil {
			return nil, berr
		}
		e, err = o.Enqueue(ctx, id, s)
		if !errors.Is(err, ErrConflict) {
			return e, err
		}
		e, err = o.Store.Get(ctx, id) // another caller stored it first
	}
	if err != nil {
		return nil, err
	}
	if e.Held {
		if e, err = o.Release(ctx, id); err != nil {
			return nil, err
		}
		if e.State != EntryWithdrawn { // else withdrawn meanwhile
			return e, nil
		}
	}
	if e.State != EntryWithdrawn {
		return e, nil
	}
	s := e.Shipment.Clone()
	s.ExternalRef = ResentID(s.ExternalRef)
	c, err := o.Enqueue(ctx, ResentID(id), s)
	if errors.Is(err, ErrConflict) {
		c, err = o.Store.Get(ctx, ResentID(id))
		return c, err
	}
	return c, err
}

// Current returns the entry that stands for the letter id: its copy when it
// was withdrawn and sent again (Send), else the entry itself.
func (o *Outbox) Current(ctx context.Context, id string) (*Entry, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	e, err := o.Store.Get(ctx, id)
	if err != nil || e.State != EntryWithdrawn {
		return e, err
	}
	if c, err := o.Store.Get(ctx, ResentID(id)); err == nil {
		return c, nil
	}
	return e, nil
}
