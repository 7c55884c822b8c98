package main

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/money"
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

// description names the bill to the payer (in Vipps, on the invoice).
func (b *bill) description(lang i18n.Lang) string {
	key := "pay.desc"
	if b.Series {
		key = "series.desc"
	}
	return messages.T(lang, key) + " " + b.Title
}

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

// allCancelled reports whether every booking of the bill is cancelled.
func (b *bill) allCancelled() bool {
	for _, r := range b.RS {
		if r.State != booking.Cancelled {
			return false
		}
	}
	return len(b.RS) > 0
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
	if strings.HasPrefix(r.URL.Path, "/serie/") {
		b, err := a.seriesBill(ctx, owner, r.PathValue("id"))
		return b, cl, err
	}
	res, err := a.book.OwnReservation(ctx, owner, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	b, err := a.billOf(ctx, res) // a series has one owner
	return b, cl, err
}

// seriesBill loads the owner's series; owner "" is anyone's (for the outbox).
func (a *App) seriesBill(ctx context.Context, owner, id string) (*bill, error) {
	var (
		rs  []*booking.Reservation
		err error
	)
	if owner != "" {
		rs, err = a.book.OwnSeries(ctx, owner, id)
	} else {
		rs, err = a.book.Series(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	// The id and the path come from the stored series, not the request.
	sid := rs[0].SeriesID
	return &bill{ID: sid, Series: true, Title: rs[0].Title, Path: "/serie/" + sid, RS: rs}, nil
}

// settle brings the bill's payments up to date: its Vipps payment through
// payment.Service.Settle (a.wanted, a.settled), then the refunds and the
// letter. It returns the Vipps payment, nil when there is none. It runs on
// page views, from the webhook and in the job, often at once: every step
// is idempotent.
func (a *App) settle(ctx context.Context, b *bill) (*payment.Payment, error) {
	p, err := a.vipps.Latest(ctx, b.vippsKey())
	switch {
	case errors.Is(err, payment.ErrNotFound):
		p = nil
	case err != nil:
		return nil, err
	}
	if p != nil {
		if q, err := a.vipps.Settle(ctx, p.Reference); err != nil {
			a.log.WarnContext(ctx, "payment settle", "reference", p.Reference, "error", err)
		} else {
			p = q
		}
		if fresh, err := a.reload(ctx, b); err == nil { // confirmed by whoever settled it
			b.RS = fresh
		}
	}
	a.reprice(ctx, b)
	a.settleLetter(ctx, b)
	if p != nil {
		if q, err := a.vipps.Get(ctx, p.Reference); err == nil {
			p = q
		}
	}
	return p, nil
}

// meta routes the bill's Vipps payment back to it (payment.Order.Metadata).
func (b *bill) meta() map[string]string {
	if b.Series {
		return map[string]string{"kind": "series", "id": b.ID}
	}
	return map[string]string{"kind": "booking", "id": b.ID}
}

// billOfPayment is the bill a Vipps payment's metadata names; nil if none.
func (a *App) billOfPayment(ctx context.Context, p *payment.Payment) (*bill, error) {
	var b *bill
	var err error
	switch id := p.Metadata["id"]; p.Metadata["kind"] {
	case "series":
		b, err = a.seriesBill(ctx, "", id)
	case "booking":
		var r *booking.Reservation
		if r, err = a.book.Reservation(ctx, id); err == nil {
			b, err = a.billOf(ctx, r)
		}
	}
	if errors.Is(err, booking.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// wanted is the Vipps service's Wanted: capture while the holds last and no
// invoice was taken meanwhile; else the money is released.
func (a *App) wanted(ctx context.Context, p *payment.Payment) (bool, error) {
	b, err := a.billOfPayment(ctx, p)
	if b == nil {
		return false, err
	}
	return len(b.held(a.now())) > 0 && !a.invoiced(ctx, b), nil
}

// settled is the Vipps service's OnSettled: a paid bill's holds are
// confirmed, then what is no longer owed is paid back and the letter
// released or withdrawn, the moment it is settled, even if the payer never
// comes back.
func (a *App) settled(ctx context.Context, p *payment.Payment) error {
	b, err := a.billOfPayment(ctx, p)
	if b == nil {
		return err
	}
	if p.Outcome() == payment.OutcomePaid {
		if err := a.confirm(ctx, b, "confirm/"+p.Reference); err != nil {
			return err
		}
	}
	a.reprice(ctx, b)
	a.settleLetter(ctx, b)
	return nil
}

// confirm confirms what the bill holds. A hold that ran out in between
// stays unconfirmed; reprice pays back its share.
func (a *App) confirm(ctx context.Context, b *bill, key string) error {
	held := b.held(a.now())
	if len(held) == 0 {
		return nil
	}
	confirmed, err := a.book.ConfirmSeries(ctx, held, key)
	b.replace(confirmed)
	var se *booking.SeriesError
	if err != nil && !errors.As(err, &se) {
		return err
	}
	if err != nil {
		a.log.WarnContext(ctx, "holds ran out before payment", "key", key, "occurrences", len(se.Conflicts))
		if fresh, ferr := a.reload(ctx, b); ferr == nil {
			b.RS = fresh
		}
	}
	return nil
}

// invoiced reports whether the bill has an invoice that stands.
func (a *App) invoiced(ctx context.Context, b *bill) bool {
	inv, err := a.invoice.Latest(ctx, b.invoiceKey())
	return err == nil && inv.State != payment.Terminated
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

// reprice makes what is paid match what is owed, once nothing is held any
// more.
//
// An unpaid invoice asks for what is owed and Vipps has not paid: when that
// changes (a week cancelled in time, say), the invoice is credited and
// issued again with a new KID. Two requests racing there leave at worst an
// invoice that the next reprice issues again.
//
// What was paid (by Vipps, else by the invoice) beyond what is owed goes
// back as one refund per reservation, labelled by its id, so that requests
// repricing at once, in one process or several, pay each back exactly
// once. The reservations not owed are taken in a fixed order (by start) as
// far as the excess reaches, so a week cancelled before it was paid for
// gets nothing back.
func (a *App) reprice(ctx context.Context, b *bill) {
	if len(b.held(a.now())) > 0 {
		return
	}
	owed := booking.Owed(b.RS)
	latest := func(s *payment.Service, key string) *payment.Payment {
		p, err := s.Latest(ctx, key)
		if err != nil && !errors.Is(err, payment.ErrNotFound) {
			a.log.WarnContext(ctx, "reprice", "error", err)
		}
		return p
	}
	vp, inv := latest(a.vipps, b.vippsKey()), latest(a.invoice, b.invoiceKey())
	var byVipps money.Amount
	if vp != nil {
		byVipps = vp.Aggregate.Captured
	}
	if inv != nil && inv.State == payment.Created {
		if want := max(owed-byVipps, 0); inv.Amount != want {
			a.reissue(ctx, b, inv, want)
		}
	}
	pay, key, p := a.vipps, b.vippsKey(), vp
	if byVipps == 0 {
		pay, key, p = a.invoice, b.invoiceKey(), inv
	}
	if p == nil || p.Aggregate.Captured <= owed {
		return
	}
	excess := p.Aggregate.Captured - owed
	rs := slices.Clone(b.RS)
	slices.SortFunc(rs, func(x, y *booking.Reservation) int {
		return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.ID, y.ID))
	})
	for _, r := range rs {
		if r.Payable() || r.Price == 0 {
			continue
		}
		if excess < r.Price {
			break
		}
		excess -= r.Price
		if _, err := pay.Refund(ctx, key, payment.Modification{Amount: r.Price, Label: "refund/" + r.ID}); err != nil {
			a.log.WarnContext(ctx, "refund", "reference", p.Reference, "error", err)
		}
	}
}

// reissue credits an unpaid invoice and issues it again for want.
func (a *App) reissue(ctx context.Context, b *bill, inv *payment.Payment, want money.Amount) {
	if _, err := a.invoice.Cancel(ctx, b.invoiceKey()); err != nil {
		a.log.WarnContext(ctx, "invoice credit", "reference", inv.Reference, "error", err)
		return
	}
	if want == 0 {
		return
	}
	if _, err := a.invoice.Start(ctx, payment.Order{BusinessKey: b.invoiceKey(), Amount: want, Description: inv.Description}); err != nil {
		a.log.WarnContext(ctx, "invoice reissue", "reference", inv.Reference, "error", err)
	}
}

// billOf is the bill a reservation is paid under.
func (a *App) billOf(ctx context.Context, r *booking.Reservation) (*bill, error) {
	if r.SeriesID != "" {
		return a.seriesBill(ctx, "", r.SeriesID)
	}
	return &bill{ID: r.ID, Title: r.Title, Path: "/booking/" + r.ID, RS: []*booking.Reservation{r}}, nil
}
