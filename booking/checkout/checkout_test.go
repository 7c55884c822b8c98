package checkout_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// clock is a settable clock: Monday 23 March 2026, 09:00 in Oslo.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 23, 9, 0, 0, 0, civil.Oslo)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var price = money.Kroner(600)

type env struct {
	*paymenttest.Env
	co  *checkout.Checkout
	clk *clock
	// inv is the invoice provider, to register incoming payments.
	inv *payment.Invoicing
	// newCheckout makes another Checkout on the same stores, as a second
	// process would have.
	newCheckout func() *checkout.Checkout
}

// stores are what one process keeps: its own pools on PostgreSQL.
type stores struct {
	book    booking.Store
	pay     payment.Store
	invoice payment.InvoiceStore
}

// newEnv wires a Checkout to the fake Vipps and an invoice service, on
// memory or, with pg, on PostgreSQL.
func newEnv(t *testing.T, pg bool) *env {
	t.Helper()
	clk := newClock()
	mem := stores{book: booking.NewMemoryStore(), pay: payment.NewMemoryStore(), invoice: payment.NewMemoryInvoiceStore()}
	open := func() stores { return mem } // a second process shares the memory
	if pg {
		u := postgrestest.URL(t)
		migrated := false
		open = func() stores {
			db := postgrestest.OpenURL(t, u, !migrated)
			migrated = true
			return stores{book: postgres.NewBookingStore(db), pay: postgres.NewPaymentStore(db), invoice: postgres.NewInvoiceStore(db)}
		}
	}
	first := open()
	e := &env{Env: paymenttest.NewEnv(t, first.pay, paymenttest.EnvOptions{}), clk: clk}
	build := func(s stores) (*checkout.Checkout, *payment.Invoicing) {
		co := &checkout.Checkout{Bookings: &booking.Service{Store: s.book, Now: clk.Now, HoldTTL: 10 * time.Minute}, Now: clk.Now}
		co.Payments = &payment.Service{Provider: e.Client, Store: s.pay, Lease: 5 * time.Second, Wanted: co.Wanted, OnSettled: co.OnSettled}
		inv := &payment.Invoicing{Account: ident.Kontonummer("15031012349"), Store: s.invoice, Now: clk.Now}
		co.Invoices = &payment.Service{Provider: inv, Store: s.pay, ReferencePrefix: "inv"}
		return co, inv
	}
	e.co, e.inv = build(first)
	e.newCheckout = func() *checkout.Checkout { co, _ := build(open()); return co }
	err := e.co.Bookings.PutResource(context.Background(), &booking.Resource{ID: "hall", Name: "Storhallen", Capacity: 1, Slot: time.Hour,
		Hours: booking.EveryDay(booking.Span{From: booking.At(8, 0), To: booking.At(22, 0)}), MaxHorizon: 100 * 24 * time.Hour,
		Price: price, CancelDeadline: 48 * time.Hour, ChargeLateCancel: true})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// start is Tuesday next week, 18:00 in Oslo.
func start() time.Time { return time.Date(2026, 3, 31, 18, 0, 0, 0, civil.Oslo) }

func (e *env) holdSeries(t *testing.T, owner string, weeks int) *checkout.Bill {
	t.Helper()
	ctx := context.Background()
	rs, err := e.co.Bookings.HoldSeries(ctx, booking.SeriesInput{HoldInput: booking.HoldInput{ResourceID: "hall", Owner: owner, Start: start(), Title: "Storhallen"},
		Rule: booking.Recurrence{Freq: booking.Weekly, Count: weeks}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.co.SeriesBill(ctx, owner, rs[0].SeriesID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// holdOne holds one booking for owner, weeks after start.
func (e *env) holdOne(t *testing.T, owner string, weeks int) *checkout.Bill {
	t.Helper()
	ctx := context.Background()
	r, err := e.co.Bookings.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: owner, Start: start().AddDate(0, 0, 7*weeks), Title: "Storhallen"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.co.Bill(ctx, owner, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func order() payment.Order {
	return payment.Order{Description: "Leie av Storhallen", ReturnURL: "http://127.0.0.1:1/booking"}
}

// pay starts the bill's payment and has the payer approve it.
func (e *env) pay(t *testing.T, b *checkout.Bill) *payment.Payment {
	t.Helper()
	p, err := e.co.Pay(context.Background(), b, order())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Fake.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	return p
}

func states(b *checkout.Bill) []booking.State {
	var out []booking.State
	for _, r := range b.Reservations {
		out = append(out, r.State)
	}
	return out
}

func TestPaySettleConfirms(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	b := e.holdSeries(t, "club-1", 3)
	if got := b.Metadata(); got["kind"] != "series" || got["id"] != b.ID || b.Key() != "series/"+b.ID {
		t.Fatalf("metadata %v key %s", got, b.Key())
	}
	p := e.pay(t, b)
	if p.Amount != 3*price || p.Metadata["id"] != b.ID {
		t.Fatalf("payment %+v", p)
	}
	st, err := e.co.Settle(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Confirmed()) != 3 || !st.Paid || st.Failed || st.Refunded != 0 {
		t.Fatalf("after settle: %v %+v", states(b), st)
	}
	if v, _ := e.Fake.Payment(p.Reference); v.Captured != int64(3*price) {
		t.Fatalf("captured at Vipps: %d", v.Captured)
	}
	if _, err := e.co.Pay(ctx, b, order()); !errors.Is(err, checkout.ErrNothingHeld) {
		t.Fatalf("paying again: %v", err)
	}
}

// A hold that ran out before the payer approved: Wanted says no, the
// money is released and nothing is confirmed.
func TestExpiredHoldReleases(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	b := e.holdOne(t, "person-1", 0)
	p := e.pay(t, b)
	e.clk.Add(11 * time.Minute)
	st, err := e.co.Settle(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Paid || st.Payment.State != payment.Terminated || st.Payment.Aggregate.Captured != 0 {
		t.Fatalf("status %+v payment %+v", st, st.Payment)
	}
	if len(b.Confirmed()) != 0 {
		t.Fatalf("confirmed %v", states(b))
	}
	if v, _ := e.Fake.Payment(p.Reference); v.Captured != 0 {
		t.Fatalf("captured at Vipps: %d", v.Captured)
	}
}

func TestBillOf(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	one := e.holdOne(t, "person-1", 0)
	for _, tc := range []struct {
		meta map[string]string
		want string
	}{
		{one.Metadata(), one.ID},
		{map[string]string{"kind": "booking", "id": "no-such"}, ""},
		{map[string]string{"kind": "series", "id": "no-such"}, ""},
		{map[string]string{"kind": "case", "id": one.ID}, ""},
		{nil, ""},
	} {
		b, err := e.co.BillOf(ctx, &payment.Payment{Metadata: tc.meta})
		if err != nil {
			t.Fatal(err)
		}
		if (b == nil) != (tc.want == "") || (b != nil && b.ID != tc.want) {
			t.Errorf("BillOf(%v) = %+v", tc.meta, b)
		}
	}
	if _, err := e.co.Bill(ctx, "someone-else", one.ID); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("another owner's bill: %v", err)
	}
}

// A week cancelled before its deadline is paid back, a week cancelled
// after it is charged.
func TestCancelRefunds(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	b := e.holdSeries(t, "club-1", 3)
	e.pay(t, b)
	if _, err := e.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	first := b.Reservations[0].ID
	e.clk.set(start().Add(-24 * time.Hour)) // the first week is past its deadline
	q, err := e.co.Quote(ctx, b, "")
	if err != nil || len(q.Cancel) != 3 || len(q.Charged) != 1 || q.Charged[0].ID != first || len(q.Refused) != 0 {
		t.Fatalf("quote %+v %v", q, err)
	}
	if q, err := e.co.Quote(ctx, b, b.Reservations[1].ID); err != nil || len(q.Cancel) != 1 || len(q.Charged) != 0 {
		t.Fatalf("quote for one week %+v %v", q, err)
	}
	st, err := e.co.Cancel(ctx, b, first)
	if err != nil {
		t.Fatal(err)
	}
	if st.Refunded != 0 || !b.Reservation(first).Charged {
		t.Fatalf("late cancel: %+v %+v", st, b.Reservation(first))
	}
	st, err = e.co.Cancel(ctx, b, "")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Cancelled() || st.Refunded != 2*price || !st.Paid {
		t.Fatalf("after cancelling the rest: %v %+v", states(b), st)
	}
	if q, err := e.co.Quote(ctx, b, ""); err != nil || len(q.Cancel) != 0 {
		t.Fatalf("quote with nothing left %+v %v", q, err)
	}
}

// A resource that does not charge late cancellations refuses them.
func TestQuoteRefused(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	h, _ := e.co.Bookings.Resource(ctx, "hall")
	h.ChargeLateCancel = false
	if err := e.co.Bookings.PutResource(ctx, h); err != nil {
		t.Fatal(err)
	}
	b := e.holdOne(t, "club-1", 0)
	e.pay(t, b)
	if _, err := e.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	e.clk.set(start().Add(-time.Hour))
	q, err := e.co.Quote(ctx, b, "")
	if err != nil || len(q.Refused) != 1 || len(q.Charged) != 0 {
		t.Fatalf("quote %+v %v", q, err)
	}
	if _, err := e.co.Cancel(ctx, b, ""); !errors.Is(err, booking.ErrTooLateToCancel) {
		t.Fatalf("cancel: %v", err)
	}
}

// Many callers, in two processes, settle a paid series at once, then
// cancel two of its weeks at once: the series is captured and confirmed
// once, and each week cancelled free is paid back exactly once.
func TestCancelRaceRefundsOnce(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "memory", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			if pg && testing.Short() {
				t.Skip("PostgreSQL race: not in -short")
			}
			e := newEnv(t, pg)
			ctx := context.Background()
			b := e.holdSeries(t, "club-1", 4)
			p := e.pay(t, b)
			// The payer's return, the job and the webhook settle at once.
			others := []*checkout.Checkout{e.co, e.newCheckout()}
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					co := others[i%2]
					bb, err := co.SeriesBill(ctx, "club-1", b.ID)
					if err != nil {
						t.Error(err)
						return
					}
					if i%4 == 3 {
						err = co.Payments.RunOnce(ctx)
					} else {
						_, err = co.Settle(ctx, bb)
					}
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if err := e.co.Reload(ctx, b); err != nil {
				t.Fatal(err)
			}
			if v, _ := e.Fake.Payment(p.Reference); len(b.Confirmed()) != 4 || v.Captured != int64(4*price) {
				t.Fatalf("after the settle race: %v, captured %d", states(b), v.Captured)
			}
			for i := range 12 {
				wg.Go(func() {
					co := others[i%2]
					bb, err := co.SeriesBill(ctx, "club-1", b.ID)
					if err != nil {
						t.Error(err)
						return
					}
					id := bb.Reservations[1+i%2].ID // two of the four weeks
					if _, err := co.Cancel(ctx, bb, id); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			st, err := e.co.Settle(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := e.Fake.Payment(p.Reference)
			if len(b.Confirmed()) != 2 || st.Refunded != 2*price || v.Refunded != int64(2*price) {
				t.Fatalf("refunded %s (Vipps %d) for %v", st.Refunded, v.Refunded, states(b))
			}
		})
	}
}

// An invoice confirms at once; a week cancelled in time takes its price
// off the unpaid invoice, which is issued again with a new KID.
func TestInvoice(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	b := e.holdSeries(t, "club-1", 2)
	inv, err := e.co.Invoice(ctx, b, order())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Confirmed()) != 2 || inv.Amount != 2*price {
		t.Fatalf("invoice %+v, %v", inv, states(b))
	}
	if _, err := e.co.Invoice(ctx, b, order()); !errors.Is(err, checkout.ErrNothingHeld) {
		t.Fatalf("second invoice: %v", err)
	}
	st, err := e.co.Cancel(ctx, b, b.Reservations[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Invoice == nil || st.Invoice.Amount != price || st.Invoice.Reference == inv.Reference {
		t.Fatalf("the invoice after a cancellation: %+v", st.Invoice)
	}
	old, err := e.inv.Get(ctx, inv.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if old.State != payment.Terminated {
		t.Fatalf("the first invoice at the provider: %+v", old)
	}
}

// No invoice beside an authorised payment; a payment approved after an
// invoice was taken is released.
func TestInvoiceAndPaymentExclude(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	b := e.holdOne(t, "club-1", 0)
	p := e.pay(t, b)
	if _, err := e.Payments().Reconcile(ctx, p.Reference); err != nil {
		t.Fatal(err)
	}
	if _, err := e.co.Invoice(ctx, b, order()); !errors.Is(err, checkout.ErrPaid) {
		t.Fatalf("invoice beside an authorised payment: %v", err)
	}

	b2 := e.holdOne(t, "club-2", 1)
	p2 := e.pay(t, b2)
	if _, err := e.co.Invoice(ctx, b2, order()); err != nil { // not reconciled yet: the invoice wins
		t.Fatal(err)
	}
	st, err := e.co.Settle(ctx, b2)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Fake.Payment(p2.Reference); v.Captured != 0 || st.Payment.State != payment.Terminated || st.Invoice == nil {
		t.Fatalf("Vipps beside an invoice: captured %d, %+v", v.Captured, st)
	}
}

func (e *env) Payments() *payment.Service { return e.co.Payments }

func TestNoInvoices(t *testing.T) {
	e := newEnv(t, false)
	e.co.Invoices = nil
	b := e.holdOne(t, "club-1", 0)
	if _, err := e.co.Invoice(context.Background(), b, order()); !errors.Is(err, checkout.ErrNoInvoices) {
		t.Fatal(err)
	}
	if st, err := e.co.Settle(context.Background(), b); err != nil || st.Invoice != nil {
		t.Fatal(st, err)
	}
}
