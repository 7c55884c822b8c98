package site_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/site"
)

// Lang picks the page's language: the lang parameter, then the cookie, then
// the browser's Accept-Language, then bokmål.
func ExampleLang() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "nn-NO, en;q=0.8")
	fmt.Println(site.Lang(r))
	r = httptest.NewRequest("GET", "/?lang=en", nil)
	fmt.Println(site.Lang(r))
	// Output:
	// nn
	// en
}

// Messages word a service in nb, nn and en; the layout's own texts come
// from Common.
func ExampleMessages() {
	messages := site.Messages{"service": {"nb": "Hundeskatt", "nn": "Hundeskatt", "en": "Dog tax"}}
	fmt.Println(messages.T(i18n.EN, "service"))
	fmt.Println(messages.T(i18n.NN, "logout"))
	fmt.Println(messages.Missing(), messages.Shadowed())
	// Output:
	// Dog tax
	// Logg ut
	// [] []
}

// Secure sets the security headers on every answer; FormAction lets a form
// post end at the login provider.
func ExampleHeaders_Secure() {
	h := site.Headers{FormAction: []string{"https://login.idporten.no/logout"}}
	srv := h.Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		fmt.Printf("%s: %s\n", k, rec.Header().Get(k))
	}
	// Output:
	// Content-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self' https://login.idporten.no; frame-ancestors 'none'
	// X-Content-Type-Options: nosniff
	// X-Frame-Options: DENY
}

// Log writes one line per request; what lies below a subtree route (here a
// calendar feed's secret token) and the query are left out.
func ExampleLog() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kalender/", func(w http.ResponseWriter, r *http.Request) {})
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "took" {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	site.Log(log, mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/kalender/s3cr3t-feed-token.ics?code=x", nil))
	// Output:
	// level=INFO msg=request method=GET route="GET /kalender/" path=/kalender/[redacted] status=200
}

// LoggedPath keeps what the route names: the ids its wildcards match.
func ExampleLoggedPath() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sak/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Println(site.LoggedPath(r)) })
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/sak/0b6a5b3e?token=secret", nil))
	// Output: /sak/0b6a5b3e
}

// Templates puts each page of a service in the layout; Render writes one.
func ExampleTemplates() {
	fsys := fstest.MapFS{"templates/start.html": {Data: []byte(`{{define "content"}}<h1>{{.Title}}</h1><p>{{.Data}}</p>{{end}}`)}}
	pages, err := site.Templates(fsys, nil, "templates/*.html")
	if err != nil {
		fmt.Println(err)
		return
	}
	messages := site.Messages{"service": {"nb": "Hundeskatt", "nn": "Hundeskatt", "en": "Dog tax"},
		"start": {"nb": "Velkommen", "nn": "Velkomen", "en": "Welcome"}}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/?lang=nn", nil)
	site.Render(rec, nil, pages, "start", http.StatusOK, site.NewPage(r, messages, "start", "Hei!"))
	body := rec.Body.String()
	for _, re := range []string{`<html lang="nn">`, `<title>.*</title>`, `<h1>.*</h1><p>.*</p>`, `<a class="ds-skip-link"[^>]*>[^<]*</a>`} {
		fmt.Println(regexp.MustCompile(re).FindString(body))
	}
	// Output:
	// <html lang="nn">
	// <title>Velkomen – Hundeskatt</title>
	// <h1>Velkomen</h1><p>Hei!</p>
	// <a class="ds-skip-link" href="#main">Hopp til hovudinnhaldet</a>
}

// ErrorPages answer a failure with a page in the citizen's language: an
// error listed in NotFound is a 404, any other a 500 that is logged.
func ExampleErrorPages() {
	pages, err := site.Templates(fstest.MapFS{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	errNoSuchDog := errors.New("no such dog")
	e := site.ErrorPages{Templates: pages, NotFound: []error{errNoSuchDog}}
	rec := httptest.NewRecorder()
	e.Fail(rec, httptest.NewRequest("GET", "/hund/7?lang=en", nil), fmt.Errorf("dog 7: %w", errNoSuchDog))
	fmt.Println(rec.Code, regexp.MustCompile(`<h1[^>]*>(.*)</h1>`).FindStringSubmatch(rec.Body.String())[1])
	// Output: 404 Page not found
}

// Health answers /healthz while the process runs and /readyz while ready
// has no error.
func ExampleHealth() {
	mux := http.NewServeMux()
	site.Health(mux, func(ctx context.Context) error { return errors.New("database down") })
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Print(path, " ", rec.Code, " ", rec.Body.String())
	}
	// Output:
	// /healthz 200 ok
	// /readyz 503 not ready
}

// ServeICS offers a calendar file, as booking.EventICS writes one.
func ExampleServeICS() {
	rec := httptest.NewRecorder()
	site.ServeICS(rec, "booking.ics", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
	fmt.Println(rec.Header().Get("Content-Type"))
	fmt.Println(rec.Header().Get("Content-Disposition"))
	// Output:
	// text/calendar; charset=utf-8
	// attachment; filename="booking.ics"
}

// RunJobs runs the background jobs until ctx ends; here one job of the
// service's own, which ends the run on its second pass.
func ExampleRunJobs() {
	ctx, cancel := context.WithCancel(context.Background())
	passes := 0
	err := site.RunJobs(ctx, nil, site.Job{Name: "reminders", Every: time.Millisecond, Func: func(ctx context.Context) error {
		passes++
		fmt.Println("pass", passes)
		if passes == 2 {
			cancel()
		}
		return nil
	}})
	fmt.Println("stopped:", err)
	// Output:
	// pass 1
	// pass 2
	// stopped: <nil>
}

// NewPDF starts a letter with its fonts embedded; Paragraph writes it and
// Bytes finishes it.
func ExampleNewPDF() {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	pdf, err := site.NewPDF("Vedtak om hundeskatt", "grunnmur example", at)
	if err != nil {
		fmt.Println(err)
		return
	}
	pdf.Paragraph(14, "B", "Vedtak")
	pdf.Paragraph(11, "", "Du får fritak for hundeskatt for 2027. Blåbær 🍓 er fint.")
	b, err := pdf.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b[:8]), strings.HasSuffix(strings.TrimSpace(string(b)), "%%EOF"))
	// Output: %PDF-1.3 true
}

// A Letter is the standard municipal letter: sender, recipient, date and
// reference, then the body's blocks. Text from citizens goes in as it is.
func ExampleLetter() {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	pdf, err := site.Letter{
		Title: "Vedtak om hundeskatt", Creator: "grunnmur example",
		From: []string{"Eksempelkommune", "Skatteetaten"}, To: []string{"Kari Nordmann 🐕"},
		Date: at, Reference: "2026/17", ReferenceLabel: "Saksnummer",
		Blocks: []site.Block{
			site.Heading("Vedtak: fritak innvilget"),
			site.Text("Du får fritak for hundeskatt for 2027."),
			site.Table([2]string{"Hund", "Fido"}, [2]string{"Rase", "Blandingshund"}),
			site.Subheading("Klagerett"),
			site.Text("Du kan klage innen tre uker."),
			site.Small("Brevet er godkjent elektronisk og har derfor ingen signatur."),
		},
	}.PDF()
	fmt.Println(string(pdf[:8]), err)
	// Output: %PDF-1.3 <nil>
}

// A service's own allow-list: the hall admins, who log in with ID-porten
// like anyone else and see more (Service.ForListed, Listed).
func ExampleAllowList() {
	getenv := func(name string) string {
		return map[string]string{"GRUNNMUR_HALL_ADMINS": "20036914700, 03851598730"}[name]
	}
	admins, err := site.AllowList(getenv, "GRUNNMUR_HALL_ADMINS")
	fmt.Println(len(admins), admins["20036914700"], err)

	_, err = site.AllowList(func(string) string { return "12345678901" }, "GRUNNMUR_HALL_ADMINS")
	fmt.Println(errors.Is(err, site.ErrConfig), err)
	// Output:
	// 2 true <nil>
	// true site: bad configuration: GRUNNMUR_HALL_ADMINS: ident: invalid fødselsnummer: wrong control digit (second control digit)
}

// A form shown again with an error: the title says so first.
func ExamplePage_Refused() {
	messages := site.Messages{"club": {"nb": "Velg klubb", "nn": "Vel klubb", "en": "Choose a club"}}
	r := httptest.NewRequest("POST", "/klubb?lang=en", nil)
	p := site.NewPage(r, messages, "club", nil)
	msg := p.Refused("org.not_found")
	fmt.Println(p.Title)
	fmt.Println(msg)
	// Output:
	// Error: Choose a club
	// No business with this organisation number is in the Central Coordinating Register.
}
