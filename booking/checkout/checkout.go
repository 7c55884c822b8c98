package checkout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

var (
	// ErrNothingHeld means the bill holds nothing to pay for: it was paid,
	// cancelled, or its holds ran out.
	ErrNothingHeld = errors.New("checkout: nothing held to pay for")
	// ErrPaid means the bill's payment is authorised or captured already,
	// so an invoice is not issued beside it.
	ErrPaid = errors.New("checkout: already paid")
	// ErrNoInvoices means the Checkout has no Invoices service.
	ErrNoInvoices = errors.New("checkout: no invoice service")
)

// Checkout takes payment for reservations. Its Wanted and OnSettled are
// the Payments service's hooks:
//
//	co := &checkout.Checkout{Bookings: bookings}
//	co.Payments = &payment.Service{Provider: vipps, Wanted: co.Wanted, OnSettled: co.OnSettled}
//
// Every method is safe to call at once from page views, webhooks and the
// reconciliation job, in one process or several sharing the stores: holds
// are confirmed once per payment, and each reservation no longer owed is
// paid back once.
type Checkout struct {
	Bookings *booking.Service
	// Payments takes payment at once (Vipps): authorised by the payer, then
	// captured while the holds last, released when they do not.
	Payments *payment.Service
	// Invoices, optional, issues an invoice (payment.Invoicing) that
	// confirms the holds at once and is paid later. It may share Payments'
	// store.
	Invoices *payment.Service
	// AfterSettle, optional, runs after each settle of a bill (Settle,
	// OnSettled, Invoice, Cancel), with the bill's reservations as just
	// read: the place to send or withdraw a confirmation letter
	// (Letters.Settle).
	AfterSettle func(ctx context.Context, b *Bill)
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives what fails on the way and is tried again later; nil
	// discards.
	Logger *slog.Logger
}

func (c *Checkout) now() time.Time { return defaults.Now(c.Now) }

func (c *Checkout) log() *slog.Logger { return defaults.Logger(c.Logger) }

// Bill returns the bill that reservation id is paid under, if owner owns
// it; owner "" means anyone's. An occurrence of a series is paid with its
// series. Another owner's reservation is booking.ErrNotFound.
func (c *Checkout) Bill(ctx context.Context, owner, id string) (*Bill, error) {
	var (
		r   *booking.Reservation
		err error
	)
	if owner != "" {
		r, err = c.Bookings.OwnReservation(ctx, owner, id)
	} else {
		r, err = c.Bookings.Reservation(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	if r.SeriesID != "" {
		return c.SeriesBill(ctx, "", r.SeriesID) // a series has one owner
	}
	return &Bill{ID: r.ID, Reservations: []*booking.Reservation{r}}, nil
}

// SeriesBill returns the bill of a series, if owner owns it; owner ""
// means anyone's.
func (c *Checkout) SeriesBill(ctx context.Context, owner, seriesID string) (*Bill, error) {
	var (
		rs  []*booking.Reservation
		err error
	)
	if owner != "" {
		rs, err = c.Bookings.OwnSeries(ctx, owner, seriesID)
	} else {
		rs, err = c.Bookings.Series(ctx, seriesID)
	}
	if err != nil {
		return nil, err
	}
	return &Bill{ID: rs[0].SeriesID, Series: true, Reservations: rs}, nil // the stored id
}

// BillOf returns the bill a payment's Metadata names, or nil when it names
// none that exists.
func (c *Checkout) BillOf(ctx context.Context, p *payment.Payment) (*Bill, error) {
	var (
		b   *Bill
		err error
	)
	switch id := p.Metadata["id"]; p.Metadata["kind"] {
	case KindSeries:
		b, err = c.SeriesBill(ctx, "", id)
	case KindBooking:
		b, err = c.Bill(ctx, "", id)
	}
	if errors.Is(err, booking.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// Reload reads the bill's reservations again.
func (c *Checkout) Reload(ctx context.Context, b *Bill) error {
	if b.Series {
		rs, err := c.Bookings.Reservations(ctx, booking.Query{SeriesID: b.ID})
		if err != nil {
			return err
		}
		b.Reservations = rs
		return nil
	}
	r, err := c.Bookings.Reservation(ctx, b.ID)
	if err != nil {
		return err
	}
	b.Reservations = []*booking.Reservation{r}
	return nil
}

// Pay starts the payment of what the bill holds, at Payments: o gives the
// description and where the payer returns; its key, amount and metadata
// are the bill's. A payment for the bill already under way is returned
// instead (it pays for more if a held reservation was cancelled since; the
// difference is paid back once it settles). Nothing held is ErrNothingHeld.
func (c *Checkout) Pay(ctx context.Context, b *Bill, o payment.Order) (*payment.Payment, error) {
	held := b.Held(c.now())
	if len(held) == 0 {
		return nil, ErrNothingHeld
	}
	o.BusinessKey, o.Amount, o.Metadata = b.Key(), booking.Total(held), b.Metadata()
	p, err := c.Payments.Start(ctx, o)
	if errors.Is(err, payment.ErrConflict) {
		return c.Payments.Latest(ctx, b.Key())
	}
	return p, err
}

// Invoice issues an invoice for what the bill holds and confirms it at
// once; the payer pays by the due date. o gives the description. Not while
// the bill's payment at Payments is authorised or captured (ErrPaid): that
// one settles it. Holds that ran out meanwhile are not confirmed, and the
// invoice is issued again for what was.
func (c *Checkout) Invoice(ctx context.Context, b *Bill, o payment.Order) (*payment.Payment, error) {
	if c.Invoices == nil {
		return nil, ErrNoInvoices
	}
	held := b.Held(c.now())
	if len(held) == 0 {
		return nil, ErrNothingHeld
	}
	if p := c.latest(ctx, c.Payments, b.Key()); p != nil && (p.State == payment.Authorized || p.Aggregate.Captured > 0) {
		return nil, ErrPaid
	}
	o.BusinessKey, o.Amount, o.Metadata = b.InvoiceKey(), booking.Total(held), b.Metadata()
	p, err := c.Invoices.Start(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := c.confirm(ctx, b, "confirm/"+p.Reference); err != nil {
		return p, err
	}
	c.reprice(ctx, b)
	c.after(ctx, b)
	return c.Invoices.Get(ctx, p.Reference)
}

// Wanted is Payments' Wanted: a payment is captured while the bill still
// holds something and no invoice stands for it; else its money is released.
func (c *Checkout) Wanted(ctx context.Context, p *payment.Payment) (bool, error) {
	b, err := c.BillOf(ctx, p)
	if b == nil {
		return false, err
	}
	return len(b.Held(c.now())) > 0 && !c.invoiced(ctx, b), nil
}

// OnSettled is Payments' OnSettled: a paid bill's holds are confirmed, then
// what is no longer owed is paid back and AfterSettle runs, the moment the
// payment settles, even if the payer never comes back.
func (c *Checkout) OnSettled(ctx context.Context, p *payment.Payment) error {
	b, err := c.BillOf(ctx, p)
	if b == nil {
		return err
	}
	if p.Outcome() == payment.OutcomePaid {
		if err := c.confirm(ctx, b, "confirm/"+p.Reference); err != nil {
			return err
		}
	}
	c.reprice(ctx, b)
	c.after(ctx, b)
	return nil
}

// Status is how a bill's payment stands.
type Status struct {
	// Payment is the bill's latest payment at Payments; nil if none.
	Payment *payment.Payment
	// Invoice is the bill's latest invoice, unless it was credited unpaid;
	// nil if none.
	Invoice *payment.Payment
	// Paid: the payment captured more than it has refunded.
	Paid bool
	// Failed: the payment ended with nothing captured while the bill still
	// holds reservations (the payer may try again).
	Failed bool
	// Refunded is what the payment and the invoice paid back.
	Refunded money.Amount
}

// Settle brings the bill's payments up to date, for a page view or after a
// cancellation: its payment is settled (payment.Service.Settle, which
// confirms the holds through OnSettled), the bill's reservations are read
// again, what is no longer owed is paid
// back or taken off an unpaid invoice, and AfterSettle runs. A failure on
// the way is logged and tried again by the next Settle; only a failure to
// read the stores is returned.
func (c *Checkout) Settle(ctx context.Context, b *Bill) (Status, error) {
	if p := c.latest(ctx, c.Payments, b.Key()); p != nil {
		if _, err := c.Payments.Settle(ctx, p.Reference); err != nil {
			c.log().WarnContext(ctx, "checkout: settle", "reference", p.Reference, "error", err)
		}
	}
	if err := c.Reload(ctx, b); err != nil { // confirmed by whoever settled it
		return Status{}, err
	}
	c.reprice(ctx, b)
	c.after(ctx, b)
	return c.Status(ctx, b), nil
}

// Status reads how the bill's payment stands, without changing anything.
func (c *Checkout) Status(ctx context.Context, b *Bill) Status {
	var s Status
	if p := c.latest(ctx, c.Payments, b.Key()); p != nil {
		s.Payment = p
		s.Paid = p.Aggregate.Captured > p.Aggregate.Refunded
		s.Failed = p.State.Ended() && p.Aggregate.Captured == 0 && len(b.Held(c.now())) > 0
		s.Refunded = p.Aggregate.Refunded
	}
	if c.Invoices != nil {
		if inv := c.latest(ctx, c.Invoices, b.InvoiceKey()); inv != nil && (inv.State != payment.Terminated || inv.Aggregate.Captured > 0) {
			s.Invoice = inv
			s.Refunded += inv.Aggregate.Refunded
		}
	}
	return s
}

// Quote is what Cancel would do now.
type Quote struct {
	// Cancel are the reservations it would cancel.
	Cancel []*booking.Reservation
	// Charged are those of them past their free deadline, whose price is
	// still owed (booking.Resource.ChargeLateCancel).
	Charged []*booking.Reservation
	// Refused are those past their deadline on a resource that does not
	// charge: Cancel fails with booking.ErrTooLateToCancel on them.
	Refused []*booking.Reservation
}

// Quote says what Cancel(ctx, b, id) would do now, for the page that asks
// the payer to confirm: what it cancels, and what of it is charged.
func (c *Checkout) Quote(ctx context.Context, b *Bill, id string) (Quote, error) {
	var q Quote
	now := c.now()
	for _, r := range b.Cancellable(now, id) {
		res, err := c.Bookings.Resource(ctx, r.ResourceID)
		if err != nil {
			return Quote{}, err
		}
		q.Cancel = append(q.Cancel, r)
		switch {
		case !res.PastDeadline(r, now):
		case res.ChargeLateCancel:
			q.Charged = append(q.Charged, r)
		default:
			q.Refused = append(q.Refused, r)
		}
	}
	return q, nil
}

// Cancel cancels the bill's reservation id, or with id "" every
// reservation not yet begun, under the resources' rules (booking.Service
// CancelSeries: free before the deadline, charged after), then settles the bill:
// an authorised payment for what is no longer held is released, and what
// was paid for a reservation cancelled free is paid back, once.
func (c *Checkout) Cancel(ctx context.Context, b *Bill, id string) (Status, error) {
	done, err := c.Bookings.CancelSeries(ctx, b.Cancellable(c.now(), id), "cancel/")
	b.replace(done)
	if err != nil {
		return Status{}, err
	}
	return c.Settle(ctx, b)
}

func (c *Checkout) after(ctx context.Context, b *Bill) {
	if c.AfterSettle != nil {
		c.AfterSettle(ctx, b)
	}
}

// latest is s's latest payment for key; nil if none, or s is nil.
func (c *Checkout) latest(ctx context.Context, s *payment.Service, key string) *payment.Payment {
	if s == nil {
		return nil
	}
	p, err := s.Latest(ctx, key)
	if err != nil {
		if !errors.Is(err, payment.ErrNotFound) {
			c.log().WarnContext(ctx, "checkout: payment", "error", err)
		}
		return nil
	}
	return p
}

// invoiced reports whether the bill has an invoice that stands.
func (c *Checkout) invoiced(ctx context.Context, b *Bill) bool {
	inv := c.latest(ctx, c.Invoices, b.InvoiceKey())
	return inv != nil && inv.State != payment.Terminated
}

// confirm confirms what the bill holds. A hold that ran out in between
// stays unconfirmed; reprice pays back its share.
func (c *Checkout) confirm(ctx context.Context, b *Bill, key string) error {
	held := b.Held(c.now())
	if len(held) == 0 {
		return nil
	}
	confirmed, err := c.Bookings.ConfirmSeries(ctx, held, key)
	b.replace(confirmed)
	var se *booking.SeriesError
	if err != nil && !errors.As(err, &se) {
		return fmt.Errorf("checkout: confirm %s: %w", b.Key(), err)
	}
	if err != nil {
		c.log().WarnContext(ctx, "checkout: holds ran out before payment", "key", key, "occurrences", len(se.Conflicts))
		if rerr := c.Reload(ctx, b); rerr != nil {
			return rerr
		}
	}
	return nil
}

// reprice makes what is paid match what is owed, once nothing is held.
//
// An unpaid invoice asks for what is owed and the payment has not paid:
// when that changes (a week cancelled in time, say), the invoice is
// credited and issued again with a new KID. Two callers racing there leave
// at worst an invoice that the next reprice issues again.
//
// What was paid (by the payment, else by the invoice) beyond what is owed
// goes back as one refund per reservation, labelled by its id, so that
// callers repricing at once, in one process or several, pay each back
// exactly once. The reservations not owed are taken in a fixed order (by
// start) as far as the excess reaches, so one cancelled before it was paid
// for gets nothing back.
func (c *Checkout) reprice(ctx context.Context, b *Bill) {
	if len(b.Held(c.now())) > 0 {
		return
	}
	owed := booking.Owed(b.Reservations)
	vp, inv := c.latest(ctx, c.Payments, b.Key()), c.latest(ctx, c.Invoices, b.InvoiceKey())
	var byPayment money.Amount
	if vp != nil {
		byPayment = vp.Aggregate.Captured
	}
	if inv != nil && inv.State == payment.Created {
		if want := max(owed-byPayment, 0); inv.Amount != want {
			c.reissue(ctx, b, inv, want)
		}
	}
	svc, key, p := c.Payments, b.Key(), vp
	if byPayment == 0 {
		svc, key, p = c.Invoices, b.InvoiceKey(), inv
	}
	if p == nil || p.Aggregate.Captured <= owed {
		return
	}
	excess := p.Aggregate.Captured - owed
	rs := slices.Clone(b.Reservations)
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
		if _, err := svc.Refund(ctx, key, payment.Modification{Amount: r.Price, Label: "refund/" + r.ID}); err != nil {
			c.log().WarnContext(ctx, "checkout: refund", "reference", p.Reference, "error", err)
		}
	}
}

// reissue credits an unpaid invoice and issues it again for want.
func (c *Checkout) reissue(ctx context.Context, b *Bill, inv *payment.Payment, want money.Amount) {
	if _, err := c.Invoices.Cancel(ctx, b.InvoiceKey()); err != nil {
		c.log().WarnContext(ctx, "checkout: invoice credit", "reference", inv.Reference, "error", err)
		return
	}
	if want == 0 {
		return
	}
	o := payment.Order{BusinessKey: b.InvoiceKey(), Amount: want, Description: inv.Description, Metadata: b.Metadata()}
	if _, err := c.Invoices.Start(ctx, o); err != nil {
		c.log().WarnContext(ctx, "checkout: invoice reissue", "reference", inv.Reference, "error", err)
	}
}
