package site

import (
	"context"
	"net/http"

	"github.com/grunnmur/grunnmur/booking"
)

// MinSidePage is what every service's Min side page starts from: whom it
// is for, what Min side holds for them, the names of their bookings'
// resources, and their choice of channel for notices. The service adds its
// own rows (a case's letters, its payments' descriptions) from its stores.
type MinSidePage struct {
	// Owner is the party's opaque key and Org the organisation the
	// citizen acts for, nil for themselves (see Party).
	Owner string
	Org   *Organisation
	// MinSideView is the party's cases, payments and bookings, kept from
	// the services' events (MinSideFor).
	MinSideView
	// Resources are the names of the bookings' resources (a hall, an
	// inspection calendar) by id: the booking events carry the id only.
	// A resource that cannot be read (deleted since) has no name here.
	Resources map[string]string
	// Channel is the citizen's choice of e-mail or SMS for the
	// "notifychoice" partial; nil without ServiceConfig.Notify.
	Channel *ChannelChoice

	s *Service
}

// MinSidePage returns the logged-in party's MinSidePage; without a login
// it is auth.ErrNoSession.
func (s *Service) MinSidePage(r *http.Request) (*MinSidePage, error) {
	ctx := r.Context()
	owner, org, err := s.Party(r)
	if err != nil {
		return nil, err
	}
	p := &MinSidePage{Owner: owner, Org: org, Resources: map[string]string{}, s: s}
	if p.MinSideView, err = s.MinSideFor(ctx, owner); err != nil {
		return nil, err
	}
	for _, b := range p.Bookings {
		if _, done := p.Resources[b.Resource]; done || s.Bookings == nil {
			continue
		}
		if res, err := s.Bookings.Resource(ctx, b.Resource); err == nil {
			p.Resources[b.Resource] = res.Name
		}
	}
	if s.Notify != nil {
		if p.Channel, err = s.ChannelChoice(r); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Booking returns the party's reservation id as Min side shows it. Min side
// learns of a booking from its events, which the outbox relays in the
// background: one made a moment ago, or by another process, may not be in
// the view yet, and is then read from the bookings store (its state at the
// service's now). It is booking.ErrNotFound for a reservation that is
// neither in the view nor in the store; a reservation in the store that is
// not the party's is not returned either.
func (p *MinSidePage) Booking(ctx context.Context, id string) (MinBooking, error) {
	for _, b := range p.Bookings {
		if b.ID == id {
			return b, nil
		}
	}
	if p.s.Bookings == nil {
		return MinBooking{}, booking.ErrNotFound
	}
	res, err := p.s.Bookings.Reservation(ctx, id)
	if err != nil {
		return MinBooking{}, err
	}
	if res.Owner != p.Owner {
		return MinBooking{}, booking.ErrNotFound
	}
	return MinBooking{ID: res.ID, Resource: res.ResourceID, Owner: res.Owner, Start: res.Start, End: res.End,
		State: res.StateAt(p.s.Config.Now()), HoldExpires: res.HoldExpires, Charged: res.Charged, Updated: res.Updated}, nil
}
