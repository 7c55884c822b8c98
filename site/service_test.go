package site_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
	"github.com/grunnmur/grunnmur/svarut"
)

// pages are a test service's page templates.
var pages = fstest.MapFS{
	"templates/mine.html":  {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1><p id="data">{{.Data}}</p>{{end}}`)},
	"templates/start.html": {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1>{{end}}`)},
}

var texts = site.Messages{
	"service":      {"nb": "Prøvetjeneste", "nn": "Prøveteneste", "en": "Test service"},
	"mine.title":   {"nb": "Mine saker", "nn": "Mine saker", "en": "My cases"},
	"start.title":  {"nb": "Velkommen", "nn": "Velkomen", "en": "Welcome"},
	"nav.mine":     {"nb": "Min side", "nn": "Mi side", "en": "My page"},
	"nav.officer":  {"nb": "Saker", "nn": "Saker", "en": "Cases"},
	"officer.list": {"nb": "Saksliste", "nn": "Saksliste", "en": "Case list"},
}

// fixed is the test services' clock: a fixed day, moving on.
func fixed() func() time.Time {
	start, since := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), time.Now()
	return func() time.Time { return start.Add(time.Since(since)) }
}

// serve builds a Service for a free loopback URL with c (its Config's
// PublicURL, Getenv and Now filled in), adds the test pages and serves
// it until the test ends.
func serve(t *testing.T, c site.ServiceConfig) (*site.Service, string) {
	t.Helper()
	var svc *site.Service
	base := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		c.PublicURL, c.Getenv, c.Now, c.Sandbox = public, func(string) string { return "" }, fixed(), devenv.Sandbox
		var err error
		if svc, err = site.New(context.Background(), c); err != nil {
			return nil, nil, err
		}
		return svc.Handler(), svc.Close, nil
	})
	svc.Mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		svc.Render(w, r, "start", http.StatusOK, svc.Page(r, "start.title", nil))
	})
	svc.Mux.Handle("GET /mine", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		owner, err := svc.Owner(r)
		if err != nil {
			svc.Fail(w, r, err)
			return
		}
		svc.Render(w, r, "mine", http.StatusOK, svc.Page(r, "mine.title", owner != ""))
	}))
	svc.Mux.Handle("GET /mine/{id}", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		svc.Fail(w, r, fmt.Errorf("look-up: %w", site.ErrNotYours))
	}))
	svc.Mux.Handle("GET /broken", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		svc.Fail(w, r, errors.New("the disk is on fire"))
	}))
	return svc, base
}

func full() site.ServiceConfig {
	return site.ServiceConfig{Messages: texts, Pages: pages, Officers: true, Forms: true,
		Cases: &sak.Service{}, Payments: &payment.Service{ReferencePrefix: "test"}, Bookings: &booking.Service{},
		Letters: &svarut.Outbox{Documents: svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) {
			return nil, errors.New("no documents in this test")
		})},
		Menu: func(r *http.Request, officer bool) []site.NavLink {
			if officer {
				return []site.NavLink{{Href: "/ansatt", Text: "nav.officer"}}
			}
			return []site.NavLink{{Href: "/mine", Text: "nav.mine"}}
		}}
}

var sigrid = registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal()

// TestServiceLoginPagesAndLogout logs in at the fake ID-porten without a
// browser, renders a page in nb, nn and en with the menu and the logout
// button, answers a foreign record and a failure with the error page, and
// logs out.
func TestServiceLoginPagesAndLogout(t *testing.T) {
	svc, base := serve(t, full())
	b := sitetest.NewBrowser(t)
	res, page := b.Login(base+"/mine?lang=nn", sigrid)
	if res.StatusCode != 200 || res.Request.URL.Path != "/mine" {
		t.Fatalf("after the login: %d %s %.500s", res.StatusCode, res.Request.URL, page)
	}
	for lang, want := range map[string][]string{
		"nn": {`<html lang="nn">`, "Mine saker", "Prøveteneste", "Mi side", "Logg ut"},
		"nb": {`<html lang="nb">`, "Mine saker", "Prøvetjeneste", "Min side"},
		"en": {`<html lang="en">`, "My cases", "Test service", "My page", "Log out"},
	} {
		res, page := b.Do("GET", base+"/mine?lang="+lang, nil)
		for _, w := range append(want, `action="/auth/logout"`, `aria-current="page"`, `name="csrf_token"`, `<p id="data">true</p>`) {
			if res.StatusCode != 200 || !strings.Contains(page, w) {
				t.Errorf("%s: %d, no %q in %.3000s", lang, res.StatusCode, w, page)
			}
		}
	}
	if res, page := b.Do("GET", base+"/mine/someone-elses?lang=en", nil); res.StatusCode != 404 || !strings.Contains(page, "Page not found") {
		t.Errorf("someone else's record: %d %.2000s", res.StatusCode, page)
	}
	if res, page := b.Do("GET", base+"/broken?lang=nb", nil); res.StatusCode != 500 || !strings.Contains(page, "Noe gikk galt") || strings.Contains(page, "fire") {
		t.Errorf("a failure: %d %.2000s", res.StatusCode, page)
	}
	if res, page := b.Do("GET", base+"/no/such/page?lang=nn", nil); res.StatusCode != 404 || !strings.Contains(page, "Fann ikkje sida") {
		t.Errorf("no such page: %d %.2000s", res.StatusCode, page)
	}
	// Without the CSRF token the logout is refused; with it, the person is
	// logged out and back at the start page.
	if res, _ := b.Do("POST", base+"/auth/logout", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without CSRF: %d", res.StatusCode)
	}
	// The fake ID-porten's logged-out page goes back to the service by
	// script; the test follows its link.
	_, page = b.Post(base+"/auth/logout", url.Values{})
	res, page = b.Do("GET", html.UnescapeString(sitetest.Match(t, `<a href="([^"]+/auth/logged-out[^"]*)"`, page)), nil)
	if res.StatusCode != 200 || res.Request.URL.Path != "/" || strings.Contains(page, "Logg ut") {
		t.Fatalf("after the logout: %d %s %.1000s", res.StatusCode, res.Request.URL, page)
	}
	if res, _ := b.NoFollow("GET", base+"/mine", nil); res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Errorf("a citizen page after the logout: %d", res.StatusCode)
	}
	if svc.Forms == nil || svc.Files == nil || svc.Cases.Store == nil || svc.Bookings.Store == nil || svc.Payments.Store == nil || svc.Letters.Client == nil || svc.Webhook == nil {
		t.Errorf("parts not completed: %+v", svc)
	}
}

// TestServiceOfficers lets only the allow-listed officer into ForOfficers'
// pages, with the officers' menu and logout.
func TestServiceOfficers(t *testing.T) {
	svc, base := serve(t, full())
	svc.Mux.Handle("GET /ansatt", svc.ForOfficers(func(w http.ResponseWriter, r *http.Request) {
		svc.Render(w, r, "mine", http.StatusOK, svc.Page(r, "officer.list", nil))
	}))
	if res, page := sitetest.NewBrowser(t).Login(base+"/ansatt?lang=en", sigrid); res.StatusCode != http.StatusForbidden || !strings.Contains(page, "not on the list of case officers") {
		t.Errorf("a citizen in the officers' view: %d %.2000s", res.StatusCode, page)
	}
	res, page := sitetest.NewBrowser(t).Login(base+"/ansatt?lang=en", svc.Fakes.Officer.PID.Reveal())
	for _, w := range []string{"Case list", `action="/ansatt/auth/logout"`, `href="/ansatt" aria-current="page"`} {
		if res.StatusCode != 200 || !strings.Contains(page, w) {
			t.Errorf("the officer: %d, no %q in %.2000s", res.StatusCode, w, page)
		}
	}
}

// TestServiceSecurityHeaders checks the headers derived from the logins
// and Vipps.
func TestServiceSecurityHeaders(t *testing.T) {
	svc, base := serve(t, full())
	res, _ := sitetest.NewBrowser(t).NoFollow("GET", base+"/", nil)
	csp := res.Header.Get("Content-Security-Policy")
	x := svc.Externals
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self' ",
		origin(x.IDPorten.Issuer), origin(x.Ansattporten.Issuer), origin(x.Vipps.BaseURL), "https://pay.vipps.no"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("headers: %v", res.Header)
	}
	for _, p := range []string{"/auth/frontchannel-logout", "/ansatt/auth/frontchannel-logout"} {
		res, _ := sitetest.NewBrowser(t).NoFollow("GET", base+p, nil)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+origin(x.IDPorten.Issuer)) || res.Header.Get("X-Frame-Options") != "" {
			t.Errorf("%s: CSP %q", p, csp)
		}
	}
	for _, p := range []string{"/healthz", "/readyz", "/static/site.css", "/static/forms.css"} {
		if res, body := sitetest.NewBrowser(t).Do("GET", base+p, nil); res.StatusCode != 200 {
			t.Errorf("%s: %d %.200s", p, res.StatusCode, body)
		}
	}
}

func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Scheme + "://" + p.Host
}

// TestServicePartsAreOptIn builds a service with none of the parts: it has
// no officers' login, no webhook, no forms, and Vipps is not in its CSP.
func TestServicePartsAreOptIn(t *testing.T) {
	svc, base := serve(t, site.ServiceConfig{Messages: texts, Pages: pages})
	if svc.Officer != nil || svc.Payments != nil || svc.Webhook != nil || svc.Bookings != nil || svc.Cases != nil || svc.Letters != nil || svc.Forms != nil || svc.DB != nil {
		t.Errorf("parts that were not asked for: %+v", svc)
	}
	b := sitetest.NewBrowser(t)
	for _, p := range []string{"/ansatt/auth/login", site.WebhookPath} {
		if res, _ := b.NoFollow("POST", base+p, url.Values{}); res.StatusCode != 404 {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	svc.Mux.Handle("GET /ansatt", svc.ForOfficers(func(w http.ResponseWriter, r *http.Request) { t.Error("an officer page without officers") }))
	if res, _ := b.NoFollow("GET", base+"/ansatt", nil); res.StatusCode != 404 {
		t.Errorf("an officer page without officers: %d", res.StatusCode)
	}
	res, _ := b.NoFollow("GET", base+"/", nil)
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "vipps") || !strings.Contains(csp, origin(svc.Externals.IDPorten.Issuer)) {
		t.Errorf("CSP without payments: %q", csp)
	}
	// The citizens' login works without the other parts.
	if res, page := b.Login(base+"/mine?lang=en", sigrid); res.StatusCode != 200 || !strings.Contains(page, "My cases") {
		t.Errorf("login: %d %.1000s", res.StatusCode, page)
	}
}

// TestServicePostgres keeps every part in PostgreSQL, the sessions too.
func TestServicePostgres(t *testing.T) {
	c := full()
	c.DatabaseURL = postgrestest.URL(t)
	svc, base := serve(t, c)
	if svc.DB == nil {
		t.Fatal("no database")
	}
	stores := map[string]bool{}
	for name, st := range map[string]any{"forms": svc.Forms, "files": svc.Files, "sak": svc.Cases.Store, "booking": svc.Bookings.Store,
		"payment": svc.Payments.Store, "svarut": svc.Letters.Store} {
		stores[name] = strings.Contains(fmt.Sprintf("%T", st), "postgres.")
	}
	for name, pg := range stores {
		if !pg {
			t.Errorf("the %s store is not PostgreSQL's", name)
		}
	}
	if err := svc.Ready(context.Background()); err != nil {
		t.Errorf("ready: %v", err)
	}
	if res, page := sitetest.NewBrowser(t).Login(base+"/mine?lang=en", sigrid); res.StatusCode != 200 || !strings.Contains(page, "My cases") {
		t.Fatalf("login: %d %.1000s", res.StatusCode, page)
	}
	var n int
	if err := svc.DB.Pool.QueryRow(context.Background(), "SELECT count(*) FROM auth_sessions").Scan(&n); err != nil || n == 0 {
		t.Errorf("sessions in the database: %d %v", n, err)
	}
}

// TestServiceRunJobsStopsOnCancel runs every part's background work and stops
// it; run with -race.
func TestServiceRunJobsStopsOnCancel(t *testing.T) {
	svc, _ := serve(t, full())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RunJobs(ctx); close(done) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("RunJobs returned before its ctx ended")
	default:
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunJobs did not stop")
	}
}

// TestServiceConfigErrors refuses a service without a public URL and
// letters without documents, with ErrConfig.
func TestServiceConfigErrors(t *testing.T) {
	if _, err := site.New(context.Background(), site.ServiceConfig{}); !errors.Is(err, site.ErrConfig) {
		t.Errorf("no public URL: %v", err)
	}
	_, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "http://127.0.0.1:1", Getenv: func(string) string { return "" }},
		Letters: &svarut.Outbox{}, Sandbox: devenv.Sandbox})
	if !errors.Is(err, site.ErrConfig) {
		t.Errorf("letters without documents: %v", err)
	}
}

// TestServiceForm mounts a flow: a logged-in citizen starts a draft in the
// service's store.
func TestServiceForm(t *testing.T) {
	def, err := forms.Parse([]byte(`{"id": "f", "version": 1, "title": "t",
  "texts": {"t": {"nb": "Skjema", "nn": "Skjema", "en": "Form"}},
  "pages": [{"id": "p", "title": "t", "components": [
    {"id": "navn", "type": "text", "bind": "/navn", "label": "t"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	svc, base := serve(t, full())
	svc.Form(&forms.Flow{Def: def, Prefix: "/soknad"})
	b := sitetest.NewBrowser(t)
	b.Login(base+"/mine", sigrid)
	res, page := b.Post(base+"/soknad/", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.Path, "/soknad/") || !strings.Contains(page, "/static/forms.css") || !strings.Contains(page, `name="csrf_token"`) {
		t.Fatalf("new draft: %d %s %.2000s", res.StatusCode, res.Request.URL, page)
	}
	if res, _ := b.Do("POST", base+"/soknad/", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a post without CSRF: %d", res.StatusCode)
	}
}
