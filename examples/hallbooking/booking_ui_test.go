package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"github.com/grunnmur/grunnmur/svarut"
)

// holdFreeSlot books the first free slot from the week calendar's button
// (button[data-start], as the browser journey does) and returns the
// booking's page.
func holdFreeSlot(t *testing.T, app *App, b *sitetest.Browser) string {
	t.Helper()
	slots, err := app.Bookings.Availability(context.Background(), "storhallen", app.Config.Now().Add(72*time.Hour), app.Config.Now().Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	start := slots[0].Start.UTC().Format(time.RFC3339)
	_, week := b.Do("GET", "/hall/storhallen?uke="+civil.DateOf(slots[0].Start.In(civil.Oslo)).String(), nil)
	form := sitetest.Match(t, `<form method="post" action="([^"]+)"><input type="hidden" name="csrf_token" value="[^"]+"><input type="hidden" name="start" value="`+regexp.QuoteMeta(start)+`"><input type="hidden" name="key" value="[^"]+"><button [^>]*data-start=`, week)
	key := sitetest.Match(t, `name="key" value="([^"]+)"`, week)
	res, _ := b.Post(form, url.Values{"start": {start}, "key": {key}})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.Path, "/booking/") {
		t.Fatalf("hold: %d at %s", res.StatusCode, res.Request.URL)
	}
	return res.Request.URL.Path
}

// TestClubBookingCancelledAfterItsLetter: a club's booking names the club
// on the booking and on the invoice; "Avbestill" asks first (a POST that
// did not come from the confirmation page cancels nothing); and the
// cancelled booking says its confirmation letter went before.
func TestClubBookingCancelledAfterItsLetter(t *testing.T) {
	app, base := serveOnly(t)
	ctx := context.Background()
	b := login(t, base, registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	b.Do("GET", "/klubb", nil)
	if res, _ := b.Post("/klubb", url.Values{"orgnr": {"976030788"}}); res.Request.URL.Path != "/" {
		t.Fatalf("acting for the club: %s", res.Request.URL)
	}
	page := holdFreeSlot(t, app, b)
	id := strings.TrimPrefix(page, "/booking/")
	res, body := b.Post(page+"/faktura", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirmed"`) {
		t.Fatalf("invoice: %d", res.StatusCode)
	}
	for _, want := range []string{`<dd id="party">SESAM AS (org.nr. 976030788)</dd>`, `<dd id="invoice-to">SESAM AS (org.nr. 976030788)</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the booking page lacks %s", want)
		}
	}
	b.Do("GET", page+"?lang=en", nil)
	if _, body := b.Do("GET", page, nil); !strings.Contains(body, `<dd id="invoice-to">SESAM AS (org. no. 976030788)</dd>`) {
		t.Error("the English invoice does not name the club")
	}
	b.Do("GET", page+"?lang=nb", nil)
	waitFor(t, "the letter sent", func() bool {
		e, err := app.Letters.Store.Get(ctx, "bekreftelse-"+id)
		return err == nil && (e.State == svarut.EntrySent || e.State == svarut.EntryDone)
	})

	// "Avbestill" is a link to the confirmation page, not a form.
	_, body = b.Do("GET", page, nil)
	if !strings.Contains(body, `<a class="ds-button ds-button--danger" id="cancel" href="`+page+`/avbestill">`) {
		t.Fatal("the booking page has no link to confirm cancelling")
	}
	// A POST without the confirmation cancels nothing: it shows the page.
	res, body = b.Post(page+"/avbestill", url.Values{})
	if res.StatusCode != 200 || res.Request.URL.Path != page+"/avbestill" || !strings.Contains(body, `id="cancel-confirm"`) {
		t.Fatalf("an unconfirmed cancel: %d at %s", res.StatusCode, res.Request.URL)
	}
	if r, _ := app.Bookings.Reservation(ctx, id); r.State != booking.Confirmed {
		t.Fatalf("cancelled without confirmation: %s", r.State)
	}
	for _, want := range []string{`<form method="post" action="` + page + `/avbestill" class="ds-button-group"><input type="hidden" name="csrf_token"`,
		`<input type="hidden" name="confirm" value="yes">`, `id="cancel-free"`, `<a class="ds-button ds-button--secondary" id="cancel-back" href="` + page + `">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the confirmation page lacks %s", want)
		}
	}
	res, body = b.Post(page+"/avbestill", url.Values{"confirm": {"yes"}})
	if res.Request.URL.Path != page || !strings.Contains(body, `id="cancelled"`) {
		t.Fatalf("confirmed cancel: %d at %s", res.StatusCode, res.Request.URL)
	}
	if !regexp.MustCompile(`<p class="ds-paragraph" id="letter-fate">Bekreftelsesbrevet ble (sendt|levert) før du avbestilte. Det gjelder ikke lenger.</p>`).MatchString(body) {
		t.Errorf("the cancelled booking does not say its letter went:\n%s", body)
	}
}

// TestHeldBookingCancelledWithdrawsLetter: the payer goes to Vipps, comes
// back and cancels the hold; the letter prepared at checkout is withdrawn,
// and the page says so.
func TestHeldBookingCancelledWithdrawsLetter(t *testing.T) {
	app, base := serveOnly(t)
	ctx := context.Background()
	b := login(t, base, registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	page := holdFreeSlot(t, app, b)
	id := strings.TrimPrefix(page, "/booking/")
	if res, _ := b.NoFollow("POST", page+"/vipps", url.Values{auth.CSRFFieldName: {b.Token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("to Vipps: %d", res.StatusCode)
	}
	if e, err := app.Letters.Store.Get(ctx, "bekreftelse-"+id); err != nil || !e.Held {
		t.Fatalf("no letter prepared: %v", err)
	}
	b.Do("GET", page+"/avbestill", nil)
	res, body := b.Post(page+"/avbestill", url.Values{"confirm": {"yes"}})
	if res.Request.URL.Path != page || !strings.Contains(body, `id="cancelled"`) {
		t.Fatalf("cancel: %d at %s", res.StatusCode, res.Request.URL)
	}
	if !strings.Contains(body, `<p class="ds-paragraph" id="letter-fate">Bekreftelsesbrevet ble trukket tilbake før det ble sendt.</p>`) {
		t.Errorf("the cancelled hold does not say its letter was withdrawn:\n%s", body)
	}
	if strings.Contains(body, `id="party"`) {
		t.Error("a person's own booking names a club")
	}
}
