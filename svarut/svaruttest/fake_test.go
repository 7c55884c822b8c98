package svaruttest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

const (
	konto  = "6f3c2a1e-8d4b-4c2f-9a7e-1b2c3d4e5f60"
	integ  = "0b7f7c1e-1111-4222-8333-944455556666"
	passwd = "pw"
)

func newFake(t *testing.T, cfg svaruttest.Config) (*svaruttest.Server, *svarut.Client, string) {
	cfg.KontoID = konto
	srv := svaruttest.New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, IntegrasjonID: integ, IntegrasjonPassord: secret.New(passwd),
		HTTPClient: &http.Client{Transport: token{}, Timeout: 200 * time.Millisecond}, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, ts.URL
}

// inProcess serves requests with h in memory, for a synctest bubble.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", "Bearer test")
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if r.Body != nil {
		r.Body.Close()
	}
	return rec.Result(), nil
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
	srv, c, _ := newFake(t, svaruttest.Config{})
	cases := []struct {
		name  string
		fault fake.Fault
		check func(err error) bool
		kept  int // shipments the fake holds afterwards
	}{
		{"status", fake.Fault{Status: 502}, func(err error) bool {
			var se *svarut.Error
			return errors.As(err, &se) && se.Status == 502 && se.Code == "INJISERT_FEIL"
		}, 0},
		{"drop before", fake.Fault{Drop: true}, func(err error) bool { return err != nil }, 0},
		{"drop after", fake.Fault{Drop: true, AfterEffect: true}, func(err error) bool { return err != nil }, 1},
		{"timeout", fake.Fault{Delay: time.Second}, func(err error) bool {
			// The text depends on where the deadline struck (sending the
			// body or awaiting headers); the kind does not.
			var ne net.Error
			return errors.As(err, &ne) && ne.Timeout()
		}, -1},
		{"status after", fake.Fault{Status: 500, AfterEffect: true}, func(err error) bool { return err != nil }, 1},
		{"other path", fake.Fault{Match: "GET /api/v2/forsendelsestyper", Status: 500}, func(err error) bool { return err == nil }, 1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.Inject(tc.fault)
			ref := "f-" + tc.name
			_, err := c.Send(ctx, paper(ref), src)
			if !tc.check(err) {
				t.Fatalf("case %d: err = %v", i, err)
			}
			if tc.kept >= 0 && len(srv.ByExternalRef(ref)) != tc.kept {
				t.Fatalf("the fake holds %d with the ref, want %d", len(srv.ByExternalRef(ref)), tc.kept)
			}
			if tc.fault.Match != "" {
				if _, err := c.ShipmentTypes(ctx); err == nil {
					t.Fatal("the matching call did not fail")
				}
			}
			if srv.Pending() != 0 {
				t.Fatalf("%d faults left", srv.Pending())
			}
		})
	}
	// Times counts down.
	srv.Inject(fake.Fault{Status: 503, Times: 2})
	for i, wantErr := range []bool{true, true, false} {
		if _, err := c.ShipmentTypes(ctx); (err != nil) != wantErr {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

// TestAutoAdvance: statuses move along the route as the (bubble's) time
// passes, and the history carries the times they moved.
func TestAutoAdvance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the spring DST day
		skew := time.Until(t0)
		srv := svaruttest.New(svaruttest.Config{KontoID: konto, AutoAdvance: time.Hour,
			Now: func() time.Time { return time.Now().Add(skew) }})
		c, err := svarut.New(svarut.Config{KontoID: konto, IntegrasjonID: integ, IntegrasjonPassord: secret.New(passwd),
			HTTPClient: &http.Client{Transport: inProcess{srv}}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
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
			time.Sleep(time.Hour)
		}
		ev, _ := c.Events(ctx, id)
		if len(ev) != 4 || !ev[3].At.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("history %v", ev)
		}
		if err := srv.SetStatus(id, "BOGUS"); !errors.Is(err, svarut.ErrUnknownStatus) {
			t.Fatalf("SetStatus(bogus) = %v", err)
		}
	})
}

// TestAuthorize: without Authorize any bearer token passes and none is
// refused; with it, its status decides; the integration's credentials and
// the account are checked either way.
func TestAuthorize(t *testing.T) {
	ctx := context.Background()
	client := func(t *testing.T, srv *svaruttest.Server, kontoID, password string, rt http.RoundTripper) *svarut.Client {
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: kontoID, IntegrasjonID: integ,
			IntegrasjonPassord: secret.New(password), HTTPClient: &http.Client{Transport: rt}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	own := svaruttest.New(svaruttest.Config{KontoID: konto, IntegrasjonID: integ, IntegrasjonPassord: secret.New(passwd)})
	hook := svaruttest.New(svaruttest.Config{KontoID: konto, Authorize: func(r *http.Request) int {
		if r.Header.Get("Authorization") != "Bearer good" {
			return http.StatusForbidden
		}
		return 0
	}})
	other := "00000000-0000-4000-8000-000000000000"
	for _, c := range []struct {
		name       string
		srv        *svaruttest.Server
		kontoID    string
		password   string
		rt         http.RoundTripper
		wantStatus int
	}{
		{"own check, token", own, konto, passwd, token{}, 0},
		{"own check, no token", own, konto, passwd, http.DefaultTransport, 401},
		{"own check, wrong password", own, konto, "wrong", token{}, 401},
		{"own check, other account", own, other, passwd, token{}, 403},
		{"hook lets through", hook, konto, passwd, bearer("good"), 0},
		{"hook refuses", hook, konto, passwd, bearer("bad"), 403},
		{"hook refuses a missing token", hook, konto, passwd, http.DefaultTransport, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := client(t, c.srv, c.kontoID, c.password, c.rt).FindByExternalRef(ctx, "x")
			var se *svarut.Error
			switch {
			case c.wantStatus == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantStatus != 0 && (!errors.As(err, &se) || se.Status != c.wantStatus || !errors.Is(err, svarut.ErrUnauthorized)):
				t.Fatalf("err = %v, want %d", err, c.wantStatus)
			}
		})
	}
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// TestErrorsDatedByTheClock: the fake's error messages carry its clock's
// time, as everything else it dates does.
func TestErrorsDatedByTheClock(t *testing.T) {
	at := time.Date(2026, time.March, 29, 0, 30, 0, 0, time.UTC)
	srv, c, _ := newFake(t, svaruttest.Config{Now: func() time.Time { return at }})
	srv.Inject(fake.Fault{Status: 502})
	_, err := c.ShipmentTypes(context.Background())
	var se *svarut.Error
	if !errors.As(err, &se) || se.Timestamp != at.UnixMilli() {
		t.Fatalf("err = %v (%+v)", err, se)
	}
}
