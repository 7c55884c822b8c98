package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/payment"
)

// bill is what one payment pays for: a single booking, or a weekly series
// paid at once. Its reservations share the payment's business keys, and one
// confirmation letter.
type bill struct {
	ID     string // the booking's or the series' id
	Series bool
	Title  string // the hall's name
	Path   string // its page: /booking/ID or /serie/ID
	RS     []*booking.Reservation
}

// The payments' business keys. The Vipps and the invoice services share one
// store, so their keys differ.
func payKey(id string) string { return "booking/" + id }

func (b *bill) vippsKey() string {
	if b.Series {
		return "series/" + b.ID
	}
	return payKey(b.ID)
}

func (b *bill) invoiceKey() string { return "invoice/" + b.vippsKey() }

func (b *bill) letterID() string {
	if b.Series {
		return "bekreftelse-serie-" + b.ID
	}
	return "bekreftelse-" + b.ID
}

// held are the reservations still held at now, waiting for payment.
func (b *bill) held(now time.Time) []*booking.Reservation {
	var out []*booking.Reservation
	for _, r := range b.RS {
		if r.StateAt(now) == booking.Held {
			out = append(out, r)
		}
	}
	return out
}

func sum(rs []*booking.Reservation) int64 {
	var n int64
	for _, r := range rs {
		n += r.PriceOre
	}
	return n
}

// owed is what the payer owes for what is settled: every confirmed
// reservation, and every cancellation that came too late to be free.
func (b *bill) owed() int64 {
	var n int64
	for _, r := range b.RS {
		if r.State == booking.Confirmed || (r.State == booking.Cancelled && r.Charged) {
			n += r.PriceOre
		}
	}
	return n
}

func (b *bill) confirmed() bool {
	for _, r := range b.RS {
		if r.State == booking.Confirmed {
			return true
		}
	}
	return false
}

// replace puts fresh copies of reservations into the bill.
func (b *bill) replace(fresh []*booking.Reservation) {
	for _, f := range fresh {
		for i, r := range b.RS {
			if r.ID == f.ID {
				b.RS[i] = f
			}
		}
	}
}

// billFor loads the bill of the request's /booking/{id} or /serie/{id},
// if the party owns it. A booking that is part of a series is paid with
// the series.
func (a *App) billFor(r *http.Request) (*bill, *club, error) {
	ctx := r.Context()
	owner, cl, err := a.party(r)
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("id")
	if strings.HasPrefix(r.URL.Path, "/serie/") {
		b, err := a.seriesBill(ctx, owner, id)
		return b, cl, err
	}
	res, err := a.book.Reservation(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if res.Owner != owner {
		return nil, nil, errNotYours
	}
	if res.SeriesID != "" {
		b, err := a.seriesBill(ctx, owner, res.SeriesID)
		return b, cl, err
	}
	return &bill{ID: res.ID, Title: res.Title, Path: "/booking/" + res.ID, RS: []*booking.Reservation{res}}, cl, nil
}

// seriesBill loads a series; owner "" is anyone's (for the outbox).
func (a *App) seriesBill(ctx context.Context, owner, id string) (*bill, error) {
	rs, err := a.book.Reservations(ctx, booking.Query{SeriesID: id, Owner: owner})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, booking.ErrNotFound
	}
	return &bill{ID: id, Series: true, Title: rs[0].Title, Path: "/serie/" + id, RS: rs}, nil
}

// settle brings the bill's Vipps payment up to date: it asks Vipps,
// captures an authorised payment while the holds last and then confirms
// them, releases the money when the holds ran out first, and pays back what
// is no longer owed (reprice). It returns the payment, nil when there is
// none.
func (a *App) settle(ctx context.Context, b *bill) (*payment.Payment, error) {
	p, err := a.vipps.Latest(ctx, b.vippsKey())
	if errors.Is(err, payment.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !p.State.Final() && !p.State.Ended() {
		if q, err := a.vipps.Reconcile(ctx, p.Reference); err == nil {
			p = q
		}
	}
	held := b.held(a.now())
	if p.State == payment.Authorized && p.Aggregate.Captured == 0 {
		if len(held) > 0 {
			if q, err := a.vipps.Capture(ctx, b.vippsKey(), payment.Modification{}); err == nil {
				p = q
			} else {
				a.log.WarnContext(ctx, "payment capture", "reference", p.Reference, "error", err)
			}
		} else {
			// The holds ran out (or were cancelled, or paid otherwise)
			// before the payment came through: release the reserved money.
			if q, err := a.vipps.Cancel(ctx, b.vippsKey()); err == nil {
				p = q
			} else {
				a.log.WarnContext(ctx, "payment cancel", "reference", p.Reference, "error", err)
			}
		}
	}
	if p.Aggregate.Captured > 0 && p.Aggregate.Captured >= p.Amount && len(held) > 0 {
		confirmed, err := a.book.ConfirmSeries(ctx, held, "confirm/"+p.Reference)
		b.replace(confirmed)
		var se *booking.SeriesError
		if err != nil && !errors.As(err, &se) {
			return p, err
		}
		// A hold that ran out in between stays unconfirmed; reprice pays
		// its share back.
		if err != nil {
			a.log.WarnContext(ctx, "holds ran out before capture", "reference", p.Reference, "occurrences", len(se.Conflicts))
			if fresh, ferr := a.reload(ctx, b); ferr == nil {
				b.RS = fresh
			}
		}
	}
	a.reprice(ctx, b)
	if q, err := a.vipps.Latest(ctx, b.vippsKey()); err == nil {
		p = q
	}
	return p, nil
}

// reload reads the bill's reservations again.
func (a *App) reload(ctx context.Context, b *bill) ([]*booking.Reservation, error) {
	if b.Series {
		return a.book.Reservations(ctx, booking.Query{SeriesID: b.ID})
	}
	r, err := a.book.Reservation(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	return []*booking.Reservation{r}, nil
}

// owes reports whether the payer pays for r: it is confirmed, or it was
// cancelled too late to be free.
func owes(r *booking.Reservation) bool {
	return r.State == booking.Confirmed || (r.State == booking.Cancelled && r.Charged)
}

// reprice makes what is paid match what is owed, once nothing is held any
// more. A paid bill (Vipps, or an invoice paid by bank transfer) pays back
// each reservation it paid for and no longer owes: a refund per
// reservation, labelled by its id, so that requests repricing at once, in
// one process or several, pay each back exactly once. An unpaid invoice is
// credited and issued again for what is owed; two requests racing there
// leave at worst an invoice that the next reprice issues again.
func (a *App) reprice(ctx context.Context, b *bill) {
	if len(b.held(a.now())) > 0 {
		return
	}
	for _, pay := range []struct {
		s   *payment.Service
		key string
	}{{a.vipps, b.vippsKey()}, {a.invoice, b.invoiceKey()}} {
		p, err := pay.s.Latest(ctx, pay.key)
		if errors.Is(err, payment.ErrNotFound) {
			continue
		}
		if err != nil {
			a.log.WarnContext(ctx, "reprice", "error", err)
			continue
		}
		if p.Aggregate.Captured == 0 {
			continue
		}
		for _, r := range b.RS {
			if owes(r) || r.PriceOre == 0 {
				continue
			}
			if _, err := pay.s.Refund(ctx, pay.key, payment.Modification{Amount: payment.Amount(r.PriceOre), Label: "refund/" + r.ID}); err != nil {
				a.log.WarnContext(ctx, "refund", "reference", p.Reference, "error", err)
			}
		}
	}
	inv, err := a.invoice.Latest(ctx, b.invoiceKey())
	if err != nil || inv.State != payment.Created {
		return
	}
	owed := payment.Amount(b.owed())
	if inv.Amount == owed {
		return
	}
	if _, err := a.invoice.Cancel(ctx, b.invoiceKey()); err != nil {
		a.log.WarnContext(ctx, "invoice credit", "reference", inv.Reference, "error", err)
		return
	}
	if owed > 0 {
		if _, err := a.invoice.Start(ctx, payment.Order{BusinessKey: b.invoiceKey(), Amount: owed, Description: inv.Description}); err != nil {
			a.log.WarnContext(ctx, "invoice reissue", "reference", inv.Reference, "error", err)
		}
	}
}

// billOf is the bill a reservation is paid under, for background work
// (any owner).
func (a *App) billOf(ctx context.Context, r *booking.Reservation) (*bill, error) {
	if r.SeriesID != "" {
		return a.seriesBill(ctx, "", r.SeriesID)
	}
	return &bill{ID: r.ID, Title: r.Title, Path: "/booking/" + r.ID, RS: []*booking.Reservation{r}}, nil
}

// paidByWebhook settles the bill of a Vipps payment that a webhook moved:
// the booking is confirmed the moment it is paid for, even if the payer
// never comes back. The letter goes on their next visit: only then is the
// recipient known.
func (a *App) paidByWebhook(ctx context.Context, reference string) {
	p, err := a.vipps.Get(ctx, reference)
	if err != nil {
		a.log.WarnContext(ctx, "webhook: payment", "reference", reference, "error", err)
		return
	}
	var b *bill
	if id, ok := strings.CutPrefix(p.BusinessKey, "series/"); ok {
		b, err = a.seriesBill(ctx, "", id)
	} else if id, ok := strings.CutPrefix(p.BusinessKey, "booking/"); ok {
		var r *booking.Reservation
		if r, err = a.book.Reservation(ctx, id); err == nil {
			b, err = a.billOf(ctx, r)
		}
	} else {
		return
	}
	if err == nil {
		_, err = a.settle(ctx, b)
	}
	if err != nil {
		a.log.WarnContext(ctx, "webhook: settle", "reference", reference, "error", err)
	}
}

// settleHeld settles every bill with a hold: the safety net under the
// webhooks, as payment polling is under them.
func (a *App) settleHeld(ctx context.Context) {
	now := a.now()
	rs, err := a.book.Reservations(ctx, booking.Query{From: now, To: now.Add(400 * 24 * time.Hour)})
	if err != nil {
		a.log.WarnContext(ctx, "settle held", "error", err)
		return
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.State != booking.Held {
			continue
		}
		if r.SeriesID != "" {
			if seen[r.SeriesID] {
				continue
			}
			seen[r.SeriesID] = true
		}
		b, err := a.billOf(ctx, r)
		if err == nil {
			_, err = a.settle(ctx, b)
		}
		if err != nil {
			a.log.WarnContext(ctx, "settle held", "error", err)
		}
	}
}
