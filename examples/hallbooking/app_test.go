package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/payment"
)

func TestMessagesComplete(t *testing.T) {
	if m := messages.Missing(); len(m) > 0 {
		t.Errorf("texts missing a language: %v", m)
	}
}

func newApp(t *testing.T, now func() time.Time) *App {
	t.Helper()
	a, err := New(context.Background(), Config{PublicURL: "http://127.0.0.1:1", Getenv: func(string) string { return "" }, Now: now})
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
	code, body := get(t, a.Handler, "/hall/storhallen?uke=2026-12-23")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"Uken som starter 2026-12-21", "1. juledag", "2. juledag",
		`slot--past">16.00–17.00`, `slot--free">20.00–21.00`, `slot--free">12.00–13.00`, "Logg inn for å booke"} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	if code, _ := get(t, a.Handler, "/hall/nope"); code != 404 {
		t.Errorf("unknown hall: %d", code)
	}
	if code, _ := get(t, a.Handler, "/booking/x"); code != http.StatusFound && code != http.StatusSeeOther {
		t.Errorf("booking page without login: %d", code)
	}
}

func TestConfigRefusesBadAccount(t *testing.T) {
	_, err := New(context.Background(), Config{PublicURL: "http://127.0.0.1:1", Getenv: func(k string) string {
		if k == "GRUNNMUR_INVOICE_ACCOUNT" {
			return "1234.56.78901"
		}
		return ""
	}})
	if err == nil || !strings.Contains(err.Error(), "GRUNNMUR_INVOICE_ACCOUNT") {
		t.Fatalf("err = %v", err)
	}
}

func TestSeasonEnd(t *testing.T) {
	for _, c := range []struct{ start, want string }{
		{"2027-01-11T17:00:00+01:00", "2027-06-15"},
		{"2026-09-01T17:00:00+02:00", "2026-12-15"},
		{"2026-12-20T17:00:00+01:00", "2027-06-15"},
		{"2027-06-20T17:00:00+02:00", "2027-12-15"},
		{"2027-06-15T17:00:00+02:00", "2027-06-15"},
	} {
		s, _ := time.Parse(time.RFC3339, c.start)
		if got := seasonEnd(s).Format("2006-01-02"); got != c.want {
			t.Errorf("seasonEnd(%s) = %s, want %s", c.start, got, c.want)
		}
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
	if _, err := New(context.Background(), Config{PublicURL: "http://127.0.0.1:1", Getenv: env("20036914700, 12345678901")}); err == nil || !strings.Contains(err.Error(), "GRUNNMUR_HALL_ADMINS") {
		t.Fatalf("a bad number: %v", err)
	}
	a, err := New(context.Background(), Config{PublicURL: "http://127.0.0.1:1", Getenv: env("20036914700, 03851598730")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if len(a.admins) != 2 || !a.admins["20036914700"] || a.admins[a.ext.Fakes.Officer.PID.Reveal()] {
		t.Fatalf("admins: %d", len(a.admins))
	}
	if code, _ := get(t, a.Handler, "/admin"); code != http.StatusFound && code != http.StatusSeeOther {
		t.Errorf("/admin without login: %d", code)
	}
}

func TestParseHours(t *testing.T) {
	got, err := parseHours(" 08:00-12:00, 16:00 - 22:00 ,")
	if err != nil || len(got) != 2 || got[1].To.String() != "22:00" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"8-12", "12:00-08:00", "25:00-26:00", "10:00-10:00", "x"} {
		if _, err := parseHours(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseHours: what an admin types never panics, and what is accepted
// is a list of valid, non-empty spans within the day.
func FuzzParseHours(f *testing.F) {
	f.Add("16:00-22:00")
	f.Add("08:00-12:00,13:00-24:00")
	f.Add("99:99-00:00,,")
	f.Fuzz(func(t *testing.T, s string) {
		spans, err := parseHours(s)
		if err != nil {
			return
		}
		for _, sp := range spans {
			if sp.From >= sp.To || sp.To > booking.At(24, 0) {
				t.Fatalf("%q gives %v", s, sp)
			}
		}
	})
}

// TestHoldExpiresBeforePayment: the payer approves in Vipps after the hold
// ran out; the reserved money is released and nothing is booked.
func TestHoldExpiresBeforePayment(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newApp(t, clock)
	ctx := context.Background()
	slots, err := a.book.Availability(ctx, "storhallen", now.Add(72*time.Hour), now.Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	res, err := a.book.Hold(ctx, booking.HoldInput{ResourceID: "storhallen", Owner: "o", Start: slots[0].Start, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.vipps.Start(ctx, payment.Order{BusinessKey: payKey(res.ID), Amount: payment.Amount(res.PriceOre), Description: "Leie av hall", ReturnURL: "http://127.0.0.1:1/x"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(holdTTL + time.Minute)
	mu.Unlock()
	if err := a.ext.Fakes.Env.Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	b := &bill{ID: res.ID, RS: []*booking.Reservation{res}}
	q, err := a.settle(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.RS[0]; got.State == booking.Confirmed || q.Aggregate.Captured != 0 || q.State == payment.Authorized {
		t.Fatalf("after expiry: booking %s, payment %s captured %d", got.State, q.State, q.Aggregate.Captured)
	}
}
