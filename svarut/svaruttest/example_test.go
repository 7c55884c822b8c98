package svaruttest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

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
	fake, ts := svaruttest.NewServer(svaruttest.Options{KontoID: konto})
	defer ts.Close()
	client, _ := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: "id",
		IntegrasjonPassord: "pw", HTTPClient: &http.Client{Transport: token{}}, MaxAttempts: 1})

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
		st, _ := fake.Advance(id)
		fmt.Println(st)
	}

	fake.InjectFault(svaruttest.Fault{Match: "POST /api/v2/kontoer/", Status: http.StatusServiceUnavailable})
	_, err := client.Send(ctx, letter, pdf)
	fmt.Println(err != nil, len(fake.Shipments()))
	// Output:
	// AKSEPTERT
	// SENDT_PRINT
	// PRINTET
	// true 1
}
