package site_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestMinSidePage: the page is the logged-in party's, with the names of
// their bookings' resources; Booking answers one in the view from it, one
// made since (not in the view) from the store, and neither someone else's
// nor one that does not exist. Without a login it is auth.ErrNoSession.
func TestMinSidePage(t *testing.T) {
	ctx := context.Background()
	svc, base := serve(t, full())
	hours := booking.EveryDay(booking.Span{From: 0, To: booking.At(24, 0)})
	for _, h := range []*booking.Resource{{ID: "hall", Name: "Storhallen", Capacity: 1, Slot: time.Hour, Hours: hours},
		{ID: "rom", Name: "Møterom 2", Capacity: 1, Slot: time.Hour, Hours: hours}} {
		if err := svc.Bookings.PutResource(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	pid, _ := ident.ParseFodselsnummer(sigrid)
	owner, _ := svc.OwnerKeys.Key(forms.Owner{Person: pid})
	day := svc.Config.Now().Truncate(time.Hour).Add(48 * time.Hour)
	book := func(res, who string, at time.Time) string {
		t.Helper()
		r, err := svc.Bookings.Book(ctx, booking.HoldInput{ResourceID: res, Owner: who, Start: at})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	first, second := book("hall", owner, day), book("rom", owner, day.Add(time.Hour))
	theirs := book("hall", "someone-else", day.Add(2*time.Hour))
	var later string
	svc.Mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		p, err := svc.MinSidePage(r)
		if err != nil {
			fmt.Fprint(w, "error: ", err)
			return
		}
		later = book("hall", owner, day.Add(24*time.Hour)) // not in p's view
		fmt.Fprintf(w, "%t %t", p.Owner == owner, p.Org == nil)
		for _, b := range p.Bookings {
			fmt.Fprintf(w, " %s=%s", b.ID, p.Resources[b.Resource])
		}
		for _, id := range []string{first, later, theirs, "nosuch"} {
			b, err := p.Booking(r.Context(), id)
			fmt.Fprintf(w, " | %s %s %v", b.ID, b.State, errors.Is(err, booking.ErrNotFound))
		}
	})
	b := sitetest.NewBrowser(t)
	if _, page := b.Do("GET", base+"/page", nil); page != "error: "+auth.ErrNoSession.Error() {
		t.Errorf("without a login: %q", page)
	}
	b.Login(base+"/mine", sigrid)
	_, page := b.Do("GET", base+"/page", nil)
	want := fmt.Sprintf("true true %s=Storhallen %s=Møterom 2 | %s confirmed false | %s confirmed false |   true |   true",
		first, second, first, later)
	if page != want {
		t.Errorf("the page:\n%s\nwant\n%s", page, want)
	}
}

// TestSettleCaseFee: a case without a payment is returned as it was; with
// one, the payment is settled with Vipps and linked on the case with its
// state, once however often the page settles it. Submission finds the
// case's submission by its link, and is forms.ErrNotFound without one.
func TestSettleCaseFee(t *testing.T) {
	ctx := context.Background()
	svc, _ := serve(t, full())
	system := sak.Actor{Role: sak.RoleSystem, ID: "test"}
	sub := &forms.Submission{ID: "sub-1", FormID: "f", FormVersion: 1, Owner: "owner-a", Data: forms.Data{"navn": "SESAM AS"}, SubmittedAt: svc.Config.Now()}
	if err := svc.Forms.Submit(ctx, sub); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: "owner-a", AwaitPayment: true,
		Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: sub.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Submission(ctx, c); err != nil || got.ID != sub.ID || got.Data["navn"] != "SESAM AS" {
		t.Errorf("Submission: %+v %v", got, err)
	}
	bare, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: "owner-a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Submission(ctx, bare); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("Submission without a link: %v", err)
	}

	if got := svc.SettleCaseFee(ctx, system, c, c.ID+"/gebyr"); got != c {
		t.Errorf("without a payment: %+v, want the case as it was", got)
	}
	p, err := svc.Payments.Start(ctx, payment.Order{BusinessKey: c.ID + "/gebyr", Amount: money.Kroner(1500), Description: "Gebyr",
		ReturnURL: svc.Config.PublicURL + "/sak", Metadata: map[string]string{"case": c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Fakes.Sandbox.(*devenv.Env).Vipps.Approve(p.Reference); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the page settles it on every view
		c = svc.SettleCaseFee(ctx, system, c, c.ID+"/gebyr")
		stored, err := svc.Payments.Get(ctx, p.Reference)
		if err != nil {
			t.Fatal(err)
		}
		links := c.LinksOf(sak.LinkPayment)
		if stored.State == payment.Created || len(links) != 1 || links[0].Ref != p.Reference || links[0].Status != string(stored.State) {
			t.Errorf("view %d: %s, links %+v", i+1, stored.State, links)
		}
	}
	stored, err := svc.Payments.Get(ctx, p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if l := site.PaymentLink(stored); l.Kind != sak.LinkPayment || l.Ref != p.Reference || !strings.HasPrefix(l.Label, "1 500") || l.Status != string(stored.State) {
		t.Errorf("PaymentLink: %+v", l)
	}
}

// TestAllowLogin: each login spends its own tokens; once they are spent
// the answer is ErrRateLimited with Retry-After, and without a login
// auth.ErrNoSession.
func TestAllowLogin(t *testing.T) {
	svc, base := serve(t, full())
	lim := &site.Limiter{Every: 6 * time.Second, Burst: 2, Now: func() time.Time { return time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC) }}
	svc.Mux.HandleFunc("GET /hold", func(w http.ResponseWriter, r *http.Request) {
		err := svc.AllowLogin(w, r, lim)
		fmt.Fprint(w, errors.Is(err, site.ErrRateLimited), " ", errors.Is(err, auth.ErrNoSession), " ", err == nil)
	})
	b := sitetest.NewBrowser(t)
	if _, page := b.Do("GET", base+"/hold", nil); page != "false true false" {
		t.Errorf("without a login: %q", page)
	}
	b.Login(base+"/mine", sigrid)
	for i, want := range []string{"false false true", "false false true", "true false false"} {
		res, page := b.Do("GET", base+"/hold", nil)
		if page != want {
			t.Errorf("request %d: %q, want %q", i+1, page, want)
		}
		if ra := res.Header.Get("Retry-After"); (want[0] == 't') != (ra == "6") {
			t.Errorf("request %d: Retry-After %q", i+1, ra)
		}
	}
	other := sitetest.NewBrowser(t)
	other.Login(base+"/mine", sigrid) // the same person in a second browser: the same tokens
	if _, page := other.Do("GET", base+"/hold", nil); page != "true false false" {
		t.Errorf("the person's second login: %q", page)
	}
}
