package main

import (
	"context"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestMessagesComplete(t *testing.T) { sitetest.MessagesComplete(t, messages, messagesErr) }

func newApp(t *testing.T, now func() time.Time) *App {
	t.Helper()
	a, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", Getenv: func(string) string { return "" }, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// TestCalendar: the week of Christmas 2026 shows the holidays closed by
// name, opening hours as slots, the past as past, and needs no login.
func TestCalendar(t *testing.T) {
	now := time.Date(2026, 12, 22, 18, 30, 0, 0, time.UTC) // 19.30 in Oslo
	a := newApp(t, func() time.Time { return now })
	code, body := get(t, a.Handler(), "/hall/storhallen?uke=2026-12-23")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"Uke 52, 21.–27. desember 2026", `<span class="ds-week__closed">1. juledag</span>`, `<span class="ds-week__closed">2. juledag</span>`, "Logg inn for å booke"} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	// Tuesday 16.00 is past, 21.00 free; the holidays are closed; Sunday
	// opens at 12.00.
	g := weekGrid(t, body)
	for _, c := range []struct {
		row   string
		day   int
		state string
	}{{"16.00–17.00", 1, "past"}, {"21.00–22.00", 1, "free"}, {"16.00–17.00", 4, "closed"}, {"12.00–13.00", 5, "closed"}, {"12.00–13.00", 6, "free"}} {
		if got := g[c.row][c.day]; got != c.state {
			t.Errorf("%s on day %d: %q, want %q", c.row, c.day, got, c.state)
		}
	}
	if code, _ := get(t, a.Handler(), "/hall/nope"); code != 404 {
		t.Errorf("unknown hall: %d", code)
	}
	if code, _ := get(t, a.Handler(), "/booking/x"); code != http.StatusFound && code != http.StatusSeeOther {
		t.Errorf("booking page without login: %d", code)
	}
}

func TestConfigRefusesBadAccount(t *testing.T) {
	_, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", Getenv: func(k string) string {
		if k == "GRUNNMUR_INVOICE_ACCOUNT" {
			return "1234.56.78901"
		}
		return ""
	}})
	if err == nil || !strings.Contains(err.Error(), "GRUNNMUR_INVOICE_ACCOUNT") {
		t.Fatalf("err = %v", err)
	}
}

func TestHallAdmins(t *testing.T) {
	env := func(admins string) func(string) string {
		return func(k string) string {
			if k == "GRUNNMUR_HALL_ADMINS" {
				return admins
			}
			return ""
		}
	}
	if _, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", Getenv: env("20036914700, 12345678901")}); err == nil || !strings.Contains(err.Error(), "GRUNNMUR_HALL_ADMINS") {
		t.Fatalf("a bad number: %v", err)
	}
	a, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", Getenv: env("20036914700, 03851598730")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if len(a.admins) != 2 || !a.admins["20036914700"] || a.admins[a.Externals.Fakes.Officer.PID.Reveal()] {
		t.Fatalf("admins: %d", len(a.admins))
	}
	if code, _ := get(t, a.Handler(), "/admin"); code != http.StatusFound && code != http.StatusSeeOther {
		t.Errorf("/admin without login: %d", code)
	}
}

func TestHoldExpiresBeforePayment(t *testing.T) {
	var mu sync.Mutex
	now := sitetest.Oslo(t, sitetest.Edges()[0].At)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newApp(t, clock)
	ctx := context.Background()
	slots, err := a.Bookings.Availability(ctx, "storhallen", now.Add(72*time.Hour), now.Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	res, err := a.Bookings.Hold(ctx, booking.HoldInput{ResourceID: "storhallen", Owner: "o", Start: slots[0].Start, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	// The payer goes to Vipps half-way through the hold and approves a
	// minute after it ran out, while Vipps (on the same clock) still waits.
	mu.Lock()
	now = now.Add(holdTTL / 2)
	mu.Unlock()
	p, err := a.Payments.Start(ctx, payment.Order{BusinessKey: "booking/" + res.ID, Amount: res.Price, Description: "Leie av hall", ReturnURL: "http://127.0.0.1:1/x"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(holdTTL/2 + time.Minute)
	mu.Unlock()
	if err := fakes(a.Externals.Fakes).Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	b := &bill{ID: res.ID, Reservations: []*booking.Reservation{res}}
	st, err := a.co.Settle(ctx, b)
	q := st.Payment
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Reservations[0]; got.State == booking.Confirmed || q.Aggregate.Captured != 0 || q.State == payment.Authorized {
		t.Fatalf("after expiry: booking %s, payment %s captured %d", got.State, q.State, q.Aggregate.Captured)
	}
}

// holdSeries holds a weekly series of storhallen for owner, starting at
// the first free evening slot more than four days ahead.
func holdSeries(t *testing.T, a *App, owner string, weeks int) *bill {
	t.Helper()
	ctx := context.Background()
	now := a.Config.Now()
	slots, err := a.Bookings.Availability(ctx, "storhallen", now.Add(4*24*time.Hour), now.Add(11*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	for _, s := range slots {
		held, err := a.Bookings.HoldSeries(ctx, booking.SeriesInput{Rule: booking.Recurrence{Freq: booking.Weekly, Count: weeks},
			HoldInput: booking.HoldInput{ResourceID: "storhallen", Owner: owner, Start: s.Start, Title: "Storhallen", Key: owner + s.Start.String()}})
		if err == nil {
			b, err := a.co.SeriesBill(ctx, owner, held[0].SeriesID)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no free weekly series")
	return nil
}

// payVippsNow starts the bill's Vipps payment and approves it in the fake.
func payVippsNow(t *testing.T, a *App, b *bill) {
	t.Helper()
	p, err := a.Payments.Start(context.Background(), payment.Order{BusinessKey: b.Key(), Amount: booking.Total(b.Held(a.Config.Now())),
		Description: "Fast tid i Storhallen", ReturnURL: "http://127.0.0.1:1" + billPath(b), Metadata: b.Metadata()})
	if err != nil {
		t.Fatal(err)
	}
	if err := fakes(a.Externals.Fakes).Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
}

// TestSettleHeld: a payer approves in Vipps and never comes back, and the
// webhook is lost; polling and the background sweep capture the payment
// and confirm the whole series.
func TestSettleHeld(t *testing.T) {
	a := newApp(t, pinned(t))
	b := holdSeries(t, a, "person-1", 4)
	payVippsNow(t, a, b)
	// Payment polling finds the approval (the webhook cannot reach this
	// test's made-up URL), captures it and confirms (a.settled).
	if err := a.Payments.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := a.co.SeriesBill(context.Background(), "person-1", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Reservations {
		if r.State != booking.Confirmed {
			t.Fatalf("occurrence %s after the background settle", r.State)
		}
	}
	p, err := a.Payments.Latest(context.Background(), b.Key())
	if err != nil || p.Aggregate.Captured != booking.Total(b.Reservations) || p.Aggregate.Refunded != 0 {
		t.Fatalf("payment: %+v %v", p, err)
	}
}

// TestCancelSeriesRefundsOnce cancels one week early (its rent is paid
// back), then races many requests cancelling the rest of the series: the
// money paid back is exactly what is no longer owed, never more. Run on
// PostgreSQL too.
func TestCancelSeriesRefundsOnce(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testCancelSeriesRefundsOnce(t, "") })
	t.Run("postgres", func(t *testing.T) { testCancelSeriesRefundsOnce(t, postgrestest.URL(t)) })
}

func testCancelSeriesRefundsOnce(t *testing.T, databaseURL string) {
	a, err := New(context.Background(), site.Config{PublicURL: "http://127.0.0.1:1", DatabaseURL: databaseURL, Getenv: func(string) string { return "" }, Now: pinned(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ctx := context.Background()
	// The last week falls inside a long deadline: cancelling it is charged.
	h, _ := a.Bookings.Resource(ctx, "storhallen")
	h.CancelDeadline = 20 * 24 * time.Hour
	if err := a.Bookings.PutResource(ctx, h); err != nil {
		t.Fatal(err)
	}
	fakes(a.Externals.Fakes).Vipps.SetIdempotencyReplay(false)
	b := holdSeries(t, a, "club-1", 6)
	payVippsNow(t, a, b)
	if _, err := a.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	total := booking.Total(b.Reservations)

	// One week, free to cancel.
	last := b.Reservations[len(b.Reservations)-1]
	if _, err := a.Bookings.Cancel(ctx, last.ID, "cancel/"+last.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "club-1", b.ID)
	_, _ = a.co.Settle(ctx, b)
	vp, _ := a.Payments.Latest(ctx, b.Key())
	if vp.Aggregate.Refunded != last.Price {
		t.Fatalf("refunded %d after cancelling one week of %d", vp.Aggregate.Refunded, last.Price)
	}

	// The rest, from many requests at once.
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			b, err := a.co.SeriesBill(ctx, "club-1", b.ID)
			if err != nil {
				t.Error(err)
				return
			}
			for _, r := range b.Reservations {
				if r.State == booking.Confirmed {
					if _, err := a.Bookings.Cancel(ctx, r.ID, "cancel/"+r.ID); err != nil {
						t.Error(err)
					}
				}
			}
			b, _ = a.co.SeriesBill(ctx, "club-1", b.ID)
			_, _ = a.co.Settle(ctx, b)
		})
	}
	wg.Wait()
	b, _ = a.co.SeriesBill(ctx, "club-1", b.ID)
	owed := booking.Owed(b.Reservations)
	if owed == 0 || owed == total {
		t.Fatalf("owed %d of %d: the deadline should charge some weeks and free others", owed, total)
	}
	vp, _ = a.Payments.Latest(ctx, b.Key())
	if vp.Aggregate.Captured != total || vp.Aggregate.Refunded != total-owed {
		t.Fatalf("captured %d, refunded %d; want refunded %d", vp.Aggregate.Captured, vp.Aggregate.Refunded, total-owed)
	}
	// The fake's idempotency replay is off: each week's refund reached it
	// once, because the payment service sent it once.
	free := 0
	for _, r := range b.Reservations {
		if !r.Payable() {
			free++
		}
	}
	if n := fakes(a.Externals.Fakes).Vipps.Requests(vippstest.OpRefund); n != free {
		t.Fatalf("%d refund requests for %d free weeks", n, free)
	}
}

// authorize starts the bill's Vipps payment, approves it in the fake and
// asks Vipps for it (the webhook cannot reach this test's made-up URL),
// without settling it.
func authorize(t *testing.T, a *App, b *bill) *payment.Payment {
	t.Helper()
	payVippsNow(t, a, b)
	p, err := a.Payments.Reconcile(context.Background(), mustLatest(t, a.Payments, b.Key()).Reference)
	if err != nil || p.State != payment.Authorized {
		t.Fatalf("payment %+v %v", p, err)
	}
	return p
}

// TestUnpaidWeekNotRefunded: a week cancelled while held is not in what
// was paid, so nothing is paid back for it; a paid week cancelled later is.
func TestUnpaidWeekNotRefunded(t *testing.T) {
	a := newApp(t, pinned(t))
	ctx := context.Background()
	b := holdSeries(t, a, "person-2", 4)
	last := b.Reservations[3]
	if _, err := a.Bookings.Cancel(ctx, last.ID, "cancel/"+last.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "person-2", b.ID)
	authorize(t, a, b)
	st, err := a.co.Settle(ctx, b)
	p := st.Payment
	if err != nil {
		t.Fatal(err)
	}
	week := last.Price
	if p.Aggregate.Captured != 3*week || p.Aggregate.Refunded != 0 {
		t.Fatalf("captured %d, refunded %d: want 3 weeks and nothing back", p.Aggregate.Captured, p.Aggregate.Refunded)
	}
	second := b.Reservations[1]
	if _, err := a.Bookings.Cancel(ctx, second.ID, "cancel/"+second.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "person-2", b.ID)
	if st, _ = a.co.Settle(ctx, b); st.Payment.Aggregate.Refunded != week {
		t.Fatalf("refunded %d after cancelling a paid week, want %d", st.Payment.Aggregate.Refunded, week)
	}
}

// TestVippsAndInvoiceNeverBoth: a club's Vipps payment is authorised while
// an invoice confirms the same holds (another tab); the Vipps money is
// released, not captured. The other way round, an invoice issued while
// Vipps had paid is credited.
func TestVippsAndInvoiceNeverBoth(t *testing.T) {
	a := newApp(t, pinned(t))
	ctx := context.Background()
	b := holdSeries(t, a, "club-2", 2)
	authorize(t, a, b)
	inv, err := a.Invoices.Start(ctx, payment.Order{BusinessKey: b.InvoiceKey(), Amount: booking.Total(b.Reservations), Description: "Fast tid"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Bookings.ConfirmSeries(ctx, b.Held(a.Config.Now()), "confirm/"+inv.Reference); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "club-2", b.ID)
	st, err := a.co.Settle(ctx, b)
	p := st.Payment
	if err != nil {
		t.Fatal(err)
	}
	if p.Aggregate.Captured != 0 || p.State == payment.Authorized {
		t.Fatalf("the Vipps payment beside the invoice: %s, captured %d", p.State, p.Aggregate.Captured)
	}
	if q, _ := a.Invoices.Latest(ctx, b.InvoiceKey()); q.State != payment.Created || q.Amount != inv.Amount {
		t.Fatalf("the invoice: %s %d", q.State, q.Amount)
	}

	// Vipps paid first; an invoice issued in the race is credited.
	b2 := holdSeries(t, a, "club-3", 2)
	authorize(t, a, b2)
	inv2, err := a.Invoices.Start(ctx, payment.Order{BusinessKey: b2.InvoiceKey(), Amount: booking.Total(b2.Reservations), Description: "Fast tid"})
	if err != nil {
		t.Fatal(err)
	}
	// Settle as if the Vipps capture came before the invoice confirmed.
	if p, err := a.Payments.Capture(ctx, b2.Key(), payment.Modification{}); err != nil || p.Aggregate.Captured == 0 {
		t.Fatal("no capture", err)
	}
	if _, err := a.Bookings.ConfirmSeries(ctx, b2.Held(a.Config.Now()), "confirm/"+inv2.Reference); err != nil {
		t.Fatal(err)
	}
	b2, _ = a.co.SeriesBill(ctx, "club-3", b2.ID)
	if _, err := a.co.Settle(ctx, b2); err != nil {
		t.Fatal(err)
	}
	if q, _ := a.Invoices.Latest(ctx, b2.InvoiceKey()); q.State != payment.Terminated {
		t.Fatalf("the invoice beside a paid Vipps payment: %s %d", q.State, q.Amount)
	}
	if q := mustLatest(t, a.Payments, b2.Key()); q.Aggregate.Captured != booking.Total(b2.Reservations) || q.Aggregate.Refunded != 0 {
		t.Fatalf("the Vipps payment: captured %d, refunded %d", q.Aggregate.Captured, q.Aggregate.Refunded)
	}
}

func mustLatest(t *testing.T, s *payment.Service, key string) *payment.Payment {
	t.Helper()
	p, err := s.Latest(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCancelHeldReleasesAuthorisation: the payer approved in Vipps, then
// cancels the held booking before it was captured: the reserved money is
// released at once.
func TestCancelHeldReleasesAuthorisation(t *testing.T) {
	a := newApp(t, pinned(t))
	ctx := context.Background()
	b := holdSeries(t, a, "person-3", 1)
	authorize(t, a, b)
	r := b.Reservations[0]
	if _, err := a.Bookings.Cancel(ctx, r.ID, "cancel/"+r.ID); err != nil {
		t.Fatal(err)
	}
	b, _ = a.co.SeriesBill(ctx, "person-3", b.ID)
	st, err := a.co.Settle(ctx, b)
	p := st.Payment
	if err != nil {
		t.Fatal(err)
	}
	if p.State == payment.Authorized || p.Aggregate.Captured != 0 {
		t.Fatalf("after cancelling the hold: %s, captured %d", p.State, p.Aggregate.Captured)
	}
}

// fakes are the sandbox's fakes, for a test to drive.
func fakes(f *site.Fakes) *devenv.Env { return f.Sandbox.(*devenv.Env) }
