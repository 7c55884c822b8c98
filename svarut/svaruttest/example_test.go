package svaruttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

type token struct{}

func (token) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test")
	return http.DefaultTransport.RoundTrip(r)
}

// Example sends a letter to the fake, moves it to print, and injects a fault.
func Example() {
	ctx := context.Background()
	const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	const integrasjon = "0b7f7c1e-1111-4222-8333-944455556666"
	srv := svaruttest.New(svaruttest.Config{KontoID: konto})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, _ := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integrasjon,
		IntegrasjonPassord: secret.New("pw"), HTTPClient: &http.Client{Transport: token{}}, MaxAttempts: 1})

	letter := &svarut.Shipment{
		Title:     "Innkalling til befaring",
		Recipient: svarut.Recipient{Address: svarut.Address{Name: "Ola Nordmann", PostalCode: "0155", PostTown: "Oslo"}},
		Documents: []svarut.Document{{Name: "innkalling.pdf", MimeType: svarut.MimePDF}},
	}
	pdf := svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7 ...")), nil
	})
	id, _ := client.Send(ctx, letter, pdf)
	for range 3 {
		st, _ := srv.Advance(id)
		fmt.Println(st)
	}

	// The next send fails, after SvarUT stored the letter: the client
	// cannot know that it arrived (the Outbox asks before sending again).
	srv.Inject(fake.Fault{Match: "POST /api/v2/kontoer/{konto}/forsendelser", Status: http.StatusServiceUnavailable, AfterEffect: true})
	_, err := client.Send(ctx, letter, pdf)
	fmt.Println(errors.Is(err, svarut.ErrServer), len(srv.Shipments()), srv.Requests("POST /api/v2/kontoer/{konto}/forsendelser"))
	// Output:
	// AKSEPTERT
	// SENDT_PRINT
	// PRINTET
	// true 2 2
}
