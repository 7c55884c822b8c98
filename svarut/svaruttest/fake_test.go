package svaruttest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

const konto = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"

func newFake(t *testing.T, opts svaruttest.Options) (*svaruttest.Server, *svarut.Client, string) {
	opts.KontoID = konto
	fake, ts := svaruttest.NewServer(opts)
	t.Cleanup(ts.Close)
	c, err := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: "i", IntegrasjonPassord: "p",
		HTTPClient: &http.Client{Transport: token{}, Timeout: 200 * time.Millisecond}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, ts.URL
}

var src = svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("%PDF-1.7 x")), nil
})

func paper(ref string) *svarut.Shipment {
	return &svarut.Shipment{Title: "Brev", ExternalRef: ref,
		Recipient: svarut.Recipient{Address: svarut.Address{Name: "Ola", PostalCode: "0155", PostTown: "Oslo"}},
		Documents: []svarut.Document{{Name: "brev.pdf", MimeType: svarut.MimePDF}}}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	fake, c, _ := newFake(t, svaruttest.Options{})
	cases := []struct {
		name  string
		fault svaruttest.Fault
		check func(err error) bool
		kept  int // shipments the fake holds afterwards
	}{
		{"status", svaruttest.Fault{Status: 502}, func(err error) bool {
			var se *svarut.Error
			return errors.As(err, &se) && se.Status == 502 && se.Code == "INJISERT_FEIL"
		}, 0},
		{"drop before", svaruttest.Fault{Drop: true}, func(err error) bool { return err != nil }, 0},
		{"drop after", svaruttest.Fault{Drop: true, AfterHandling: true}, func(err error) bool { return err != nil }, 1},
		{"timeout", svaruttest.Fault{Delay: time.Second}, func(err error) bool {
			// The text depends on where the deadline struck (sending the
			// body or awaiting headers); the kind does not.
			var ne net.Error
			return errors.As(err, &ne) && ne.Timeout()
		}, -1},
		{"status after", svaruttest.Fault{Status: 500, AfterHandling: true}, func(err error) bool { return err != nil }, 1},
		{"other path", svaruttest.Fault{Match: "GET /api/v2/forsendelsestyper", Status: 500}, func(err error) bool { return err == nil }, 1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.InjectFault(tc.fault)
			ref := "f-" + tc.name
			_, err := c.Send(ctx, paper(ref), src)
			if !tc.check(err) {
				t.Fatalf("case %d: err = %v", i, err)
			}
			if tc.kept >= 0 && len(fake.ByExternalRef(ref)) != tc.kept {
				t.Fatalf("the fake holds %d with the ref, want %d", len(fake.ByExternalRef(ref)), tc.kept)
			}
			if tc.fault.Match != "" {
				if _, err := c.ShipmentTypes(ctx); err == nil {
					t.Fatal("the matching call did not fail")
				}
			}
			if fake.PendingFaults() != 0 {
				t.Fatalf("%d faults left", fake.PendingFaults())
			}
		})
	}
	// Times counts down.
	fake.InjectFault(svaruttest.Fault{Status: 503, Times: 2})
	for i, wantErr := range []bool{true, true, false} {
		if _, err := c.ShipmentTypes(ctx); (err != nil) != wantErr {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

func TestAutoAdvanceAndAuth(t *testing.T) {
	clock := svaruttest.NewClock(time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC))
	fake, c, url := newFake(t, svaruttest.Options{Now: clock.Now, AutoAdvance: time.Hour})
	ctx := context.Background()
	id, err := c.Send(ctx, paper("auto"), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []svarut.Status{svarut.StatusMottatt, svarut.StatusAkseptert, svarut.StatusSendtPrint, svarut.StatusPrintet, svarut.StatusPrintet} {
		st, err := c.Status(ctx, id)
		if err != nil || st.Status != want {
			t.Fatalf("status %v, %v; want %s", st.Status, err, want)
		}
		clock.Advance(time.Hour)
	}
	ev, _ := c.Events(ctx, id)
	if len(ev) != 4 || !ev[3].At.Equal(time.Date(2026, 3, 29, 3, 30, 0, 0, time.UTC)) {
		t.Fatalf("history %v", ev)
	}
	if err := fake.SetStatus(id, "BOGUS"); !errors.Is(err, svarut.ErrUnknownStatus) {
		t.Fatalf("SetStatus(bogus) = %v", err)
	}
	// No bearer token: 401.
	noToken, _ := svarut.New(svarut.Config{BaseURL: url, KontoID: konto,
		IntegrasjonID: "i", IntegrasjonPassord: "p"})
	if _, err := noToken.ShipmentTypes(ctx); !errors.Is(err, svarut.ErrUnauthorized) {
		t.Fatalf("without a token: %v", err)
	}
	// Another account: 403.
	other, _ := svarut.New(svarut.Config{BaseURL: url, KontoID: "00000000-0000-4000-8000-000000000000",
		IntegrasjonID: "i", IntegrasjonPassord: "p", HTTPClient: &http.Client{Transport: token{}}})
	if _, err := other.FindByExternalRef(ctx, "auto"); !errors.Is(err, svarut.ErrUnauthorized) {
		t.Fatalf("other account: %v", err)
	}
}

// TestErrorsDatedByTheClock: the fake's error messages carry its clock's
// time, as everything else it dates does.
func TestErrorsDatedByTheClock(t *testing.T) {
	at := time.Date(2026, time.March, 29, 0, 30, 0, 0, time.UTC)
	fake, c, _ := newFake(t, svaruttest.Options{Now: func() time.Time { return at }})
	fake.InjectFault(svaruttest.Fault{Status: 502})
	_, err := c.ShipmentTypes(context.Background())
	var se *svarut.Error
	if !errors.As(err, &se) || se.Timestamp != at.UnixMilli() {
		t.Fatalf("err = %v (%+v)", err, se)
	}
}
