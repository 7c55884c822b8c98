package checkout_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
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

// A club's booking paid by invoice: it is confirmed at once, and its
// confirmation letter goes through the SvarUT outbox; the letter is
// rendered again from its DocumentRef for each attempt.
func ExampleLetters() {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 9, 0, 0, 0, civil.Oslo)
	clock := func() time.Time { return now }

	fake := svaruttest.New(svaruttest.Config{KontoID: konto})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, _ := svarut.New(svarut.Config{BaseURL: srv.URL, KontoID: konto, IntegrasjonID: "0b7f7c1e-1111-4222-8333-944455556666",
		IntegrasjonPassord: secret.New("passord"), HTTPClient: &http.Client{Transport: maskinporten{}}}) // in production: Maskinporten

	co := &checkout.Checkout{Bookings: &booking.Service{Now: clock}, Now: clock,
		Invoices: &payment.Service{Provider: &payment.Invoicing{Account: ident.Kontonummer("15031012349"), Now: clock}}}
	letters := &checkout.Letters{Now: clock, Outbox: &svarut.Outbox{Client: client,
		Documents: co.Documents(func(_ context.Context, b *checkout.Bill, ids []string) ([]byte, error) {
			return []byte("%PDF-1.7 " + strings.Join(ids, ",")), nil // in production: a site.Letter's PDF
		})}}
	co.AfterSettle = letters.Settle

	co.Bookings.PutResource(ctx, &booking.Resource{ID: "hall", Name: "Storhallen", Capacity: 1, Slot: time.Hour,
		Hours: booking.EveryDay(booking.Span{From: booking.At(16, 0), To: booking.At(22, 0)}), Price: money.Kroner(600)})
	r, _ := co.Bookings.Hold(ctx, booking.HoldInput{ResourceID: "hall", Owner: "club-1", Start: time.Date(2026, 3, 31, 18, 0, 0, 0, civil.Oslo)})
	b, _ := co.Bill(ctx, "club-1", r.ID)

	inv, _ := co.Invoice(ctx, b, payment.Order{Description: "Leie av Storhallen"})
	fmt.Println(inv.Amount, inv.DueDate, len(b.Confirmed()), "confirmed")

	letters.Send(ctx, b, func(_ context.Context, ids []string) (*svarut.Shipment, error) {
		return &svarut.Shipment{Title: "Bekreftelse på leie", ExternalRef: "hall-" + b.ID,
			Recipient: svarut.Recipient{Org: "974760673", Address: svarut.Address{Name: "IL Ballklubb", Line1: "Postboks 1", PostalCode: "0155", PostTown: "Oslo"}},
			Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: checkout.DocumentRef(b, ids)}}}, nil
	})
	letters.Outbox.RunOnce(ctx)
	e, _ := letters.State(ctx, b)
	fmt.Println(e.State, len(fake.ByExternalRef("hall-"+b.ID)))
	// Output:
	// 600,00 kr 2026-04-06 1 confirmed
	// sent 1
}
