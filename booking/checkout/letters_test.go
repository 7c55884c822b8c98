package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking/checkout"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"

type letterEnv struct {
	*env
	fake    *svaruttest.Server
	letters *checkout.Letters
}

// newLetterEnv adds an outbox on the fake SvarUT to a checkout env; its
// entries are kept on PostgreSQL with pg.
func newLetterEnv(t *testing.T, pg bool) *letterEnv {
	t.Helper()
	e := newEnv(t, pg)
	fake := svaruttest.New(svaruttest.Config{KontoID: konto})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client, err := svarut.New(svarut.Config{BaseURL: srv.URL, KontoID: konto, IntegrasjonID: "0b7f7c1e-1111-4222-8333-944455556666",
		IntegrasjonPassord: secret.New("passord"), MaxAttempts: 1, HTTPClient: &http.Client{Transport: maskinporten{}}})
	if err != nil {
		t.Fatal(err)
	}
	var store svarut.Store = svarut.NewMemoryStore()
	if pg {
		store = postgres.NewSvarUTStore(postgrestest.Open(t))
	}
	outbox := &svarut.Outbox{Client: client, Store: store, Documents: e.co.Documents(render), Now: e.clk.Now}
	l := &checkout.Letters{Outbox: outbox, Now: e.clk.Now}
	e.co.AfterSettle = l.Settle
	return &letterEnv{env: e, fake: fake, letters: l}
}

// maskinporten stands in for the Maskinporten token source.
type maskinporten struct{}

func (maskinporten) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer token-from-maskinporten")
	return http.DefaultTransport.RoundTrip(r)
}

// render is the letter: the ids it confirms.
func render(_ context.Context, b *checkout.Bill, ids []string) ([]byte, error) {
	return []byte("%PDF-1.7 " + b.Key() + " " + strings.Join(ids, " ")), nil
}

func shipment(b *checkout.Bill) checkout.Shipment {
	return func(_ context.Context, ids []string) (*svarut.Shipment, error) {
		return &svarut.Shipment{Title: "Bekreftelse på leie", ExternalRef: "hall-" + b.ID,
			Recipient: svarut.Recipient{Org: ident.Orgnr("974760673"), Address: svarut.Address{Name: "IL Ballklubb", Line1: "Postboks 1", PostalCode: "0155", PostTown: "Oslo"}},
			Documents: []svarut.Document{{Name: "bekreftelse.pdf", MimeType: svarut.MimePDF, Ref: checkout.DocumentRef(b, ids)}}}, nil
	}
}

// sent counts the shipments of the bill's letter at SvarUT, the copy too.
func (e *letterEnv) sent(t *testing.T, b *checkout.Bill) int {
	t.Helper()
	for range 3 {
		if err := e.letters.Outbox.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return len(e.fake.ByExternalRef("hall-"+b.ID)) + len(e.fake.ByExternalRef(svarut.ResentID("hall-"+b.ID)))
}

func TestLettersPaid(t *testing.T) {
	e := newLetterEnv(t, false)
	ctx := context.Background()
	b := e.holdSeries(t, "club-1", 2)
	if err := e.letters.Prepare(ctx, b, shipment(b)); err != nil {
		t.Fatal(err)
	}
	if err := e.letters.Prepare(ctx, b, shipment(b)); err != nil {
		t.Fatalf("preparing again: %v", err)
	}
	if en, err := e.letters.State(ctx, b); err != nil || !en.Held || !en.NextAttempt.Equal(b.Reservations[0].HoldExpires.Add(15*time.Minute).UTC()) {
		t.Fatalf("prepared: %+v %v", en, err)
	}
	if n := e.sent(t, b); n != 0 {
		t.Fatalf("%d letters before payment", n)
	}
	e.pay(t, b)
	if _, err := e.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := e.sent(t, b); n != 1 {
		t.Fatalf("%d letters after payment", n)
	}
	if got := e.letters.Confirms(ctx, b); !slices.Equal(got, b.Confirmed()) || len(got) != 2 {
		t.Fatalf("the letter confirms %v", got)
	}
	doc, err := e.letters.Outbox.Documents.Open(ctx, svarut.Document{Ref: checkout.DocumentRef(b, b.Confirmed())})
	if err != nil {
		t.Fatal(err)
	}
	doc.Close()
}

// A payer who leaves: once the holds run out the letter is withdrawn, and
// a bill that holds nothing prepares nothing.
func TestLettersAbandoned(t *testing.T) {
	e := newLetterEnv(t, false)
	ctx := context.Background()
	b := e.holdOne(t, "person-1", 0)
	if err := e.letters.Prepare(ctx, b, shipment(b)); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(11 * time.Minute)
	if _, err := e.co.Settle(ctx, b); err != nil {
		t.Fatal(err)
	}
	if en, err := e.letters.State(ctx, b); err != nil || en.State != svarut.EntryWithdrawn {
		t.Fatalf("after the holds ran out: %+v %v", en, err)
	}
	if n := e.sent(t, b); n != 0 {
		t.Fatalf("%d letters", n)
	}
	b2 := e.holdOne(t, "club-2", 1)
	e.clk.Add(11 * time.Minute)
	if err := e.letters.Prepare(ctx, b2, shipment(b2)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.letters.State(ctx, b2); !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("a letter for nothing held: %v", err)
	}
}

// An invoice confirms at once and Send makes the letter nobody prepared.
func TestLettersInvoice(t *testing.T) {
	e := newLetterEnv(t, false)
	ctx := context.Background()
	b := e.holdSeries(t, "club-1", 2)
	e.letters.Send(ctx, b, shipment(b)) // nothing confirmed: nothing goes
	if _, err := e.letters.State(ctx, b); !errors.Is(err, svarut.ErrNotFound) {
		t.Fatalf("a letter before confirmation: %v", err)
	}
	if _, err := e.co.Invoice(ctx, b, order()); err != nil {
		t.Fatal(err)
	}
	e.letters.Send(ctx, b, shipment(b))
	if n := e.sent(t, b); n != 1 {
		t.Fatalf("%d letters", n)
	}
}

// The payment's settle, page views and a withdrawal that lost the race to
// the confirmation, from two processes at once: the letter goes exactly
// once, as itself or as its copy.
func TestLettersRaceOnce(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "postgres"}[pg], func(t *testing.T) {
			if pg && testing.Short() {
				t.Skip("PostgreSQL race: not in -short")
			}
			e := newLetterEnv(t, pg)
			ctx := context.Background()
			b := e.holdSeries(t, "club-1", 3)
			if err := e.letters.Prepare(ctx, b, shipment(b)); err != nil {
				t.Fatal(err)
			}
			e.pay(t, b)
			other := e.newCheckout()
			other.AfterSettle = e.letters.Settle
			var wg sync.WaitGroup
			for i := range 9 {
				wg.Go(func() {
					co := []*checkout.Checkout{e.co, other}[i%2]
					bb, err := co.SeriesBill(ctx, "club-1", b.ID)
					if err != nil {
						t.Error(err)
						return
					}
					switch i % 3 {
					case 0:
						_, err = co.Settle(ctx, bb)
					case 1:
						e.letters.Send(ctx, bb, shipment(bb))
					case 2:
						_, err = e.letters.Outbox.Withdraw(ctx, e.letters.LetterID(bb))
						if errors.Is(err, svarut.ErrNotHeld) {
							err = nil
						}
					}
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if _, err := e.co.Settle(ctx, b); err != nil {
				t.Fatal(err)
			}
			if n := e.sent(t, b); n != 1 {
				t.Fatalf("%d letters", n)
			}
		})
	}
}

func TestDocumentRef(t *testing.T) {
	b := &checkout.Bill{ID: "s-1", Series: true}
	ref := checkout.DocumentRef(b, []string{"r-1", "r-2"})
	got, ids, err := checkout.ParseDocumentRef(ref)
	if err != nil || got.ID != "s-1" || !got.Series || !slices.Equal(ids, []string{"r-1", "r-2"}) {
		t.Fatalf("ParseDocumentRef(%q) = %+v %v %v", ref, got, ids, err)
	}
	for _, bad := range []string{"", "series", "series:s-1", "series:s-1:", "case:s-1:r-1", ":s-1:r-1", "booking::r-1", "booking:b-1:r-1,,r-2"} {
		if _, _, err := checkout.ParseDocumentRef(bad); !errors.Is(err, checkout.ErrDocumentRef) || strings.Contains(err.Error(), "s-1") {
			t.Errorf("ParseDocumentRef(%q): %v", bad, err)
		}
	}
}

// FuzzParseDocumentRef: any reference is read or refused with
// ErrDocumentRef, and what is read writes back to the same reference.
func FuzzParseDocumentRef(f *testing.F) {
	f.Add("series:s-1:r-1,r-2")
	f.Add("booking:b-1:b-1")
	f.Add("booking:b:1:2")
	f.Fuzz(func(t *testing.T, ref string) {
		b, ids, err := checkout.ParseDocumentRef(ref)
		if err != nil {
			if !errors.Is(err, checkout.ErrDocumentRef) {
				t.Fatal(err)
			}
			return
		}
		if again := checkout.DocumentRef(b, ids); again != ref {
			t.Fatalf("%q read and written back is %q", ref, again)
		}
	})
}
