package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/examples/internal/site"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/svarut"
)

// browser is a logged-in citizen's cookie jar on a served app.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string // from the last page that had a form
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		if b.csrf != "" {
			form.Set("csrf_token", b.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(raw)); m != nil {
		b.csrf = m[1]
	}
	return res, string(raw)
}

// logIn logs pid in through the fake ID-porten's test-user picker.
func logIn(t *testing.T, base, pid string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, c: &http.Client{Jar: jar}, base: base}
	_, picker := b.do("GET", "/min-side", nil)
	res, _ := b.do("POST", match(t, `<form method="post" action="([^"]+)"`, picker), url.Values{
		"request": {match(t, `name="request" value="([^"]+)"`, picker)},
		"pid":     {pid}, "acr": {"idporten-loa-substantial"},
	})
	if res.StatusCode != 200 || res.Request.URL.Path != "/min-side" {
		t.Fatalf("login: %d at %s", res.StatusCode, res.Request.URL)
	}
	return b
}

// holdFreeSlot books the first free slot from the week calendar's button
// (button[data-start], as the browser journey does) and returns the
// booking's page.
func holdFreeSlot(t *testing.T, app *App, b *browser) string {
	t.Helper()
	slots, err := app.book.Availability(context.Background(), "storhallen", app.now().Add(72*time.Hour), app.now().Add(10*24*time.Hour))
	if err != nil || len(slots) == 0 {
		t.Fatal(slots, err)
	}
	start := slots[0].Start.UTC().Format(time.RFC3339)
	_, week := b.do("GET", "/hall/storhallen?uke="+booking.DateOf(slots[0].Start.In(site.Oslo())).String(), nil)
	form := match(t, `<form method="post" action="([^"]+)"><input type="hidden" name="csrf_token" value="[^"]+"><input type="hidden" name="start" value="`+regexp.QuoteMeta(start)+`"><input type="hidden" name="key" value="[^"]+"><button [^>]*data-start=`, week)
	key := match(t, `name="key" value="([^"]+)"`, week)
	res, _ := b.do("POST", form, url.Values{"start": {start}, "key": {key}})
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
	b := logIn(t, base, registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	b.do("GET", "/klubb", nil)
	if res, _ := b.do("POST", "/klubb", url.Values{"orgnr": {"976030788"}}); res.Request.URL.Path != "/" {
		t.Fatalf("acting for the club: %s", res.Request.URL)
	}
	page := holdFreeSlot(t, app, b)
	id := strings.TrimPrefix(page, "/booking/")
	res, body := b.do("POST", page+"/faktura", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, `id="confirmed"`) {
		t.Fatalf("invoice: %d", res.StatusCode)
	}
	for _, want := range []string{`<dd id="party">SESAM AS (org.nr. 976030788)</dd>`, `<dd id="invoice-to">SESAM AS (org.nr. 976030788)</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the booking page lacks %s", want)
		}
	}
	b.do("GET", page+"?lang=en", nil)
	if _, body := b.do("GET", page, nil); !strings.Contains(body, `<dd id="invoice-to">SESAM AS (org. no. 976030788)</dd>`) {
		t.Error("the English invoice does not name the club")
	}
	b.do("GET", page+"?lang=nb", nil)
	waitFor(t, "the letter sent", func() bool {
		e, err := app.letters.Get(ctx, "bekreftelse-"+id)
		return err == nil && (e.State == svarut.EntrySent || e.State == svarut.EntryDone)
	})

	// "Avbestill" is a link to the confirmation page, not a form.
	_, body = b.do("GET", page, nil)
	if !strings.Contains(body, `<a class="ds-button ds-button--danger" id="cancel" href="`+page+`/avbestill">`) {
		t.Fatal("the booking page has no link to confirm cancelling")
	}
	// A POST without the confirmation cancels nothing: it shows the page.
	res, body = b.do("POST", page+"/avbestill", url.Values{})
	if res.StatusCode != 200 || res.Request.URL.Path != page+"/avbestill" || !strings.Contains(body, `id="cancel-confirm"`) {
		t.Fatalf("an unconfirmed cancel: %d at %s", res.StatusCode, res.Request.URL)
	}
	if r, _ := app.book.Reservation(ctx, id); r.State != booking.Confirmed {
		t.Fatalf("cancelled without confirmation: %s", r.State)
	}
	for _, want := range []string{`<form method="post" action="` + page + `/avbestill" class="ds-button-group"><input type="hidden" name="csrf_token"`,
		`<input type="hidden" name="confirm" value="yes">`, `id="cancel-free"`, `<a class="ds-button ds-button--secondary" id="cancel-back" href="` + page + `">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the confirmation page lacks %s", want)
		}
	}
	res, body = b.do("POST", page+"/avbestill", url.Values{"confirm": {"yes"}})
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
	b := logIn(t, base, registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	page := holdFreeSlot(t, app, b)
	id := strings.TrimPrefix(page, "/booking/")
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if res, _ := b.do("POST", page+"/vipps", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("to Vipps: %d", res.StatusCode)
	}
	b.c.CheckRedirect = nil
	if e, err := app.letters.Get(ctx, "bekreftelse-"+id); err != nil || !e.Held {
		t.Fatalf("no letter prepared: %v", err)
	}
	b.do("GET", page+"/avbestill", nil)
	res, body := b.do("POST", page+"/avbestill", url.Values{"confirm": {"yes"}})
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
