package checkout_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
)

// A hall rented for three weeks is paid with Vipps, confirmed when the
// payment settles, and a week cancelled in time is paid back.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 9, 0, 0, 0, civil.Oslo)
	clock := func() time.Time { return now }

	fake := vippstest.New(vippstest.Config{})
	srv := httptest.NewServer(fake)
	defer func() { fake.Close(); srv.Close() }()
	client, _ := vipps.New(fake.ClientConfig(srv.URL))

	co := &checkout.Checkout{Bookings: &booking.Service{Now: clock}, Now: clock}
	co.Payments = &payment.Service{Provider: client, Wanted: co.Wanted, OnSettled: co.OnSettled}

	co.Bookings.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Storhallen", Capacity: 1, Slot: time.Hour,
		Hours: booking.EveryDay(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}), MaxHorizon: 90 * 24 * time.Hour,
		Price: money.Kroner(600), CancelDeadline: 48 * time.Hour})
	rs, _ := co.Bookings.HoldSeries(ctx, booking.SeriesInput{
		HoldInput: booking.HoldInput{ResourceID: "hall", Owner: "club-1", Start: time.Date(2026, 3, 31, 18, 0, 0, 0, civil.Oslo)},
		Rule:      booking.Recurrence{Freq: booking.Weekly, Count: 3}})

	b, _ := co.SeriesBill(ctx, "club-1", rs[0].SeriesID)
	p, _ := co.Pay(ctx, b, payment.Order{Description: "Fast leie av Storhallen", ReturnURL: "https://example.no/serie/1"})
	fmt.Println(p.Amount, p.Metadata["kind"])

	fake.Approve(p.Reference) // the payer approves in Vipps
	st, _ := co.Settle(ctx, b)
	fmt.Println(len(b.Confirmed()), "confirmed; paid:", st.Paid)

	st, _ = co.Cancel(ctx, b, b.Reservations[2].ID)
	fmt.Println(len(b.Confirmed()), "confirmed; refunded:", st.Refunded)
	// Output:
	// 1 800,00 kr series
	// 3 confirmed; paid: true
	// 2 confirmed; refunded: 600,00 kr
}
