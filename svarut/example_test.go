package svarut_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// Example sends a decision letter through the outbox to the fake SvarUT and
// follows it until the recipient has read it.
func Example() {
	ctx := context.Background()
	const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	fake := svaruttest.New(svaruttest.Config{KontoID: konto})
	ts := httptest.NewServer(fake)
	defer ts.Close()

	client, _ := svarut.New(svarut.Config{
		BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integrasjon, IntegrasjonPassord: secret.New("passord"),
		HTTPClient: &http.Client{Transport: maskinportenStandIn{}}, // in production: the Maskinporten RoundTripper
	})
	docs := svarut.SourceFunc(func(_ context.Context, d svarut.Document) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7 " + d.Ref)), nil // in production: open d.Ref in storage
	})
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	outbox := &svarut.Outbox{
		Now:    func() time.Time { return now },
		Client: client, Store: svarut.NewMemoryStore(), Documents: docs,
		OnFinal: func(_ context.Context, e *svarut.Entry) error {
			fmt.Println("final:", e.Status, "delivered:", e.Status.Delivered())
			return nil
		},
	}
	entry, err := outbox.Enqueue(ctx, "sak-2026-42-vedtak", &svarut.Shipment{
		Title: "Vedtak om skjenkebevilling",
		Recipient: svarut.Recipient{
			Person:  ident.MustParseFodselsnummer("20036914700"),
			Address: svarut.Address{Name: "Kari Nordmann", Line1: "Storgata 1", PostalCode: "0155", PostTown: "Oslo"},
		},
		Documents: []svarut.Document{{Name: "vedtak.pdf", MimeType: svarut.MimePDF, Ref: "vedtak/42"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	outbox.RunOnce(ctx) // sends

	sent, _ := outbox.Store.Get(ctx, entry.ID)
	fmt.Println(sent.State, sent.Status)

	fake.Complete(sent.ShipmentID)  // the recipient reads the letter
	now = now.Add(10 * time.Minute) // past the poll interval
	outbox.RunOnce(ctx)             // polls and reports
	// Output:
	// sent MOTTATT
	// final: LEST delivered: true
}

// ExampleOutbox_Prepare prepares a booking's confirmation while the payer
// pays, and releases it when the payment comes through.
func ExampleOutbox_Prepare() {
	ctx := context.Background()
	fake, outbox, stop := exampleOutbox()
	defer stop()
	// At checkout, where the payer is logged in and their address known.
	_, err := outbox.Prepare(ctx, "bekreftelse-booking-7", &svarut.Shipment{
		Title: "Bekreftelse på leie",
		Recipient: svarut.Recipient{
			Person:  ident.MustParseFodselsnummer("20036914700"),
			Address: svarut.Address{Name: "Kari Nordmann", Line1: "Storgata 1", PostalCode: "0155", PostTown: "Oslo"},
		},
		Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: "booking/7"}},
	}, time.Now().Add(30*time.Minute)) // withdrawn unsent if the payment has not come through by then
	if err != nil {
		fmt.Println(err)
		return
	}
	outbox.RunOnce(ctx)
	fmt.Println("sent while held:", len(fake.ByExternalRef("bekreftelse-booking-7")))

	// In the payment's webhook: the booking is paid for.
	outbox.Release(ctx, "bekreftelse-booking-7")
	outbox.RunOnce(ctx)
	fmt.Println("sent after release:", len(fake.ByExternalRef("bekreftelse-booking-7")))
	// Output:
	// sent while held: 0
	// sent after release: 1
}

// ExampleOutbox_Send lets a prepared letter go after a withdrawal raced
// the payment: it goes as a copy, once, however often Send is called.
func ExampleOutbox_Send() {
	ctx := context.Background()
	fake, outbox, stop := exampleOutbox()
	defer stop()
	letter := &svarut.Shipment{
		Title:     "Bekreftelse på leie",
		Recipient: svarut.Recipient{Org: "974760673", Address: svarut.Address{Name: "IL Ballklubb", Line1: "Postboks 1", PostalCode: "0155", PostTown: "Oslo"}},
		Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: "booking/8"}},
	}
	outbox.Prepare(ctx, "bekreftelse-booking-8", letter, time.Now().Add(30*time.Minute))
	outbox.Withdraw(ctx, "bekreftelse-booking-8") // the payer seemed to leave

	// The payment comes through after all, seen by the webhook and the
	// payer's return at once.
	for range 2 {
		e, err := outbox.Send(ctx, "bekreftelse-booking-8", nil)
		fmt.Println(e.ID, e.State, err)
	}
	outbox.RunOnce(ctx)
	cur, _ := outbox.Current(ctx, "bekreftelse-booking-8")
	fmt.Println(cur.ID, cur.State, len(fake.ByExternalRef(svarut.ResentID("bekreftelse-booking-8"))))
	// Output:
	// bekreftelse-booking-8-2 pending <nil>
	// bekreftelse-booking-8-2 pending <nil>
	// bekreftelse-booking-8-2 sent 1
}

// exampleOutbox is an outbox on a fake SvarUT, for the examples of
// prepared letters; stop ends the fake.
func exampleOutbox() (fake *svaruttest.Server, outbox *svarut.Outbox, stop func()) {
	const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	fake = svaruttest.New(svaruttest.Config{KontoID: konto})
	ts := httptest.NewServer(fake)
	client, _ := svarut.New(svarut.Config{
		BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integrasjon, IntegrasjonPassord: secret.New("passord"),
		HTTPClient: &http.Client{Transport: maskinportenStandIn{}},
	})
	outbox = &svarut.Outbox{Client: client, Store: svarut.NewMemoryStore(),
		Documents: svarut.SourceFunc(func(_ context.Context, d svarut.Document) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("%PDF-1.7 " + d.Ref)), nil
		})}
	return fake, outbox, ts.Close
}

// ExampleValidate shows the field errors, in the citizen's language.
func ExampleValidate() {
	err := svarut.Validate(&svarut.Shipment{
		Title:       "Faktura",
		Recipient:   svarut.Recipient{Org: "974760673", Address: svarut.Address{Name: "Oslo kommune"}},
		DigitalOnly: true,
		Documents:   []svarut.Document{{Name: "faktura?.pdf", MimeType: svarut.MimePDF}},
	})
	if ve, ok := err.(*svarut.ValidationError); ok {
		for _, f := range ve.Fields {
			fmt.Println(f.Field, f.Message(i18n.NN))
		}
	}
	// Output:
	// dokumenter[0].filnavn Filnamnet kan ikkje innehalde * : " \ / < > | ?
}

// ExampleStatus shows how statuses are placed.
func ExampleStatus() {
	for _, s := range []svarut.Status{svarut.StatusVarslet, svarut.StatusPrintet, svarut.StatusIkkeLevert} {
		fmt.Println(s, s.Final(), s.Delivered(), s.Failed())
	}
	// Output:
	// VARSLET false false false
	// PRINTET true true false
	// IKKE_LEVERT true false true
}

// ExampleError reads a failed call: the status, SvarUT's code, the errorId
// to quote to KS support, and whether a retry could help.
func ExampleError() {
	const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	srv := svaruttest.New(svaruttest.Config{KontoID: konto})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, _ := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integrasjon,
		IntegrasjonPassord: secret.New("passord"), HTTPClient: &http.Client{Transport: maskinportenStandIn{}}, MaxAttempts: 1})

	srv.Inject(fake.Fault{Match: "GET /api/v2/forsendelsestyper", Status: http.StatusServiceUnavailable})
	_, err := client.ShipmentTypes(context.Background())
	var se *svarut.Error
	if errors.As(err, &se) {
		fmt.Println(se.Status, se.Code, se.RequestID != "", se.Temporary())
	}
	fmt.Println(errors.Is(err, svarut.ErrServer))

	_, err = client.Events(context.Background(), "6f3c2a1e-8d4b-4c2f-9a7e-000000000000")
	fmt.Println(errors.Is(err, svarut.ErrNotFound))
	// Output:
	// 503 INJISERT_FEIL true true
	// true
	// true
}

// integrasjon is the Fiks integration's id in the examples.
const integrasjon = "0b7f7c1e-1111-4222-8333-944455556666"

// ExampleConfigFromEnv reads the client's configuration from the
// environment; an unset BASE_URL means KS's test host.
func ExampleConfigFromEnv() {
	env := map[string]string{
		"GRUNNMUR_SVARUT_KONTO_ID":            "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60",
		"GRUNNMUR_SVARUT_INTEGRASJON_ID":      integrasjon,
		"GRUNNMUR_SVARUT_INTEGRASJON_PASSORD": "hemmelig",
	}
	cfg, err := svarut.ConfigFromEnv("GRUNNMUR_SVARUT_", func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.KontoID, cfg.IntegrasjonPassord)
	client, err := svarut.New(cfg) // add the HTTPClient with the Maskinporten token
	fmt.Println(client != nil, err)

	_, err = svarut.ConfigFromEnv("GRUNNMUR_SVARUT_", func(string) string { return "" })
	fmt.Println(errors.Is(err, config.ErrUnset))
	// Output:
	// 6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60 [redacted]
	// true <nil>
	// true
}

type maskinportenStandIn struct{}

func (maskinportenStandIn) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer token-from-maskinporten")
	return http.DefaultTransport.RoundTrip(r)
}
