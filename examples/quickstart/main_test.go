package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// serve starts the quickstart on a free loopback port, with every outside
// service faked in the process as `go run` does and its stores in the
// database at databaseURL ("" for memory), and returns its URL and the log
// it writes.
func serve(t *testing.T, databaseURL string) (string, *sitetest.Logs) {
	t.Helper()
	// The app logs from its own goroutines (handlers, background jobs)
	// while the test reads the log: sitetest.Logs is safe for that.
	var logs sitetest.Logs
	base := sitetest.ServeOnly(t, func(public string) (http.Handler, func(), error) {
		cfg := site.Config{PublicURL: public, DatabaseURL: databaseURL, Getenv: func(string) string { return "" },
			Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		app, err := start(context.Background(), cfg)
		if err != nil {
			return nil, nil, err
		}
		return app.Handler, app.Close, nil
	})
	return base, &logs
}

// TestJourney walks the whole service over HTTP: log in at the fake
// ID-porten, fill in both pages (an error first, in nynorsk), submit, see
// the case wait for its fee, pay it at the fake Vipps, see the paid receipt
// and log out.
func TestJourney(t *testing.T) { runJourney(t, "") }

// TestJourneyPostgres walks it with every store in PostgreSQL.
func TestJourneyPostgres(t *testing.T) { runJourney(t, postgrestest.URL(t)) }

func runJourney(t *testing.T, databaseURL string) {
	base, logs := serve(t, databaseURL)
	sigrid := registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal()
	b := sitetest.NewBrowser(t)
	b.Base = base

	_, page := b.Do("GET", "/", nil)
	link := sitetest.Match(t, `id="login" href="([^"]+)"`, page)
	res, page := b.Login(strings.ReplaceAll(link, "&amp;", "&"), sigrid)
	if res.Request.URL.Path != "/" || !strings.Contains(page, `id="start"`) {
		t.Fatalf("after the login: %s %.500s", res.Request.URL, page)
	}

	// The first page, sent empty in nynorsk: every field is required.
	res, _ = b.Post("/soknad/?lang=nn", url.Values{})
	first := res.Request.URL.Path
	if !strings.HasSuffix(first, "/deg") {
		t.Fatalf("the form starts at %s", first)
	}
	res, page = b.Post(first+"?lang=nn", url.Values{"_action": {"continue"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Du må fylle ut «Namn».") {
		t.Fatalf("an empty first page: %d %.3000s", res.StatusCode, page)
	}
	// In English, a bad email address.
	res, page = b.Post(first+"?lang=en", url.Values{"_action": {"continue"}, "/deg/navn": {"Sigrid Haugland"},
		"/deg/epost": {"sigrid@"}, "/deg/telefon": {"91234567"}})
	if !strings.Contains(page, "Enter an email address in the correct format") {
		t.Fatalf("a bad email address: %d %.3000s", res.StatusCode, page)
	}
	res, _ = b.Post(first+"?lang=nb", url.Values{"_action": {"continue"}, "/deg/navn": {"Sigrid Haugland"},
		"/deg/epost": {"sigrid@example.com"}, "/deg/telefon": {"91234567"}})
	second := res.Request.URL.Path
	if !strings.HasSuffix(second, "/plass") {
		t.Fatalf("after the first page: %s", second)
	}
	res, page = b.Post(second, url.Values{"_action": {"continue"}, "/plass/dato~day": {"17"}, "/plass/dato~month": {"5"},
		"/plass/dato~year": {"2030"}, "/plass/varer": {"Jordbær"}, "/plass/meter": {"3"}, "/plass/strom": {"nei"}})
	if !strings.HasSuffix(res.Request.URL.Path, "/check") {
		t.Fatalf("after the second page: %s %.3000s", res.Request.URL, page)
	}
	res, page = b.Post(res.Request.URL.Path, url.Values{"_action": {"submit"}})
	receipt := res.Request.URL.Path
	if !strings.HasPrefix(receipt, "/soknad/receipt/") || !strings.Contains(page, "Venter på betaling") || !strings.Contains(page, `id="pay"`) {
		t.Fatalf("after submitting: %s %.3000s", receipt, page)
	}
	number := sitetest.Match(t, `id="case-number">([^<]+)<`, page)
	for _, answer := range []string{"<dt>Hva skal du selge?</dt><dd>Jordbær</dd>", "<dt>E-post</dt><dd>sigrid@example.com</dd>", "17. mai 2030"} {
		if !strings.Contains(page, answer) {
			t.Errorf("the receipt lacks the answer %q", answer)
		}
	}

	// The fee, approved on the fake Vipps' landing page, which sends the
	// citizen back to the receipt.
	res, page = b.Post(receipt, url.Values{})
	token := sitetest.Match(t, `name="token" value="([^"]+)"`, page)
	landing := res.Request.URL.ResolveReference(&url.URL{Path: "landing"}).String()
	res, page = b.Do("POST", landing, url.Values{"token": {token}, "action": {"approve"}})
	if res.Request.URL.Path != receipt || !strings.Contains(page, "Under behandling") || !strings.Contains(page, "Betalt") ||
		strings.Contains(page, `id="pay"`) || !strings.Contains(page, number) {
		t.Fatalf("back from Vipps: %s %.3000s", res.Request.URL, page)
	}

	// Log out: ID-porten ends its session and sends the citizen back to
	// the start page; the receipt then asks for a login again.
	_, page = b.Post("/auth/logout", url.Values{})
	res, page = b.Do("GET", strings.ReplaceAll(sitetest.Match(t, `<a href="([^"]+)">`, page), "&amp;", "&"), nil)
	if res.Request.URL.Path != "/" || !strings.Contains(page, `id="login"`) || !strings.Contains(page, "Du er logget ut") {
		t.Fatalf("after the logout: %s %.1000s", res.Request.URL, page)
	}
	if res, _ = b.NoFollow("GET", receipt, nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login") {
		t.Errorf("the receipt after the logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if strings.Contains(logs.String(), sigrid) {
		t.Error("the log holds the citizen's fødselsnummer")
	}
}

// TestTexts: every text of the pages is in nb, nn and en, and none words
// anew what site.Common words for every service.
func TestTexts(t *testing.T) {
	b, err := files.ReadFile("texts.json")
	if err != nil {
		t.Fatal(err)
	}
	var texts site.Messages
	if err := json.Unmarshal(b, &texts); err != nil {
		t.Fatal(err)
	}
	if m := texts.Missing(); len(m) > 0 {
		t.Errorf("texts missing a language: %v", m)
	}
	if m := texts.Shadowed(); len(m) > 0 {
		t.Errorf("texts worded apart from the other services (site.Common): %v", m)
	}
}

// TestOneScreen keeps the quickstart's promise: at most 150 lines of Go,
// comments and blank lines included, in the files that are not tests.
func TestOneScreen(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines += bytes.Count(b, []byte("\n"))
	}
	if lines > 150 {
		t.Errorf("the quickstart has %d lines of Go; it promises at most 150", lines)
	}
}

// TestProduction: with GRUNNMUR_ENV=production and nothing set, the
// quickstart refuses to start and names what it needs, ID-porten's and
// Vipps' variables, and nothing it does not use.
func TestProduction(t *testing.T) {
	env := map[string]string{"GRUNNMUR_ENV": "production"}
	_, err := start(context.Background(), site.Config{PublicURL: "https://torg.kommune.example", Getenv: func(k string) string { return env[k] }})
	var missing *site.MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("start in production with nothing set: %v", err)
	}
	names := strings.Join(missing.Names, " ")
	for _, want := range []string{"GRUNNMUR_IDPORTEN_ISSUER", "GRUNNMUR_IDPORTEN_CLIENT_ID", "GRUNNMUR_VIPPS_MSN"} {
		if !strings.Contains(names, want) {
			t.Errorf("%s is not named: %v", want, err)
		}
	}
	for _, unused := range []string{"ANSATTPORTEN", "MASKINPORTEN", "SVARUT", "BRREG"} {
		if strings.Contains(names, unused) {
			t.Errorf("a service the quickstart does not use is required: %v", err)
		}
	}
}
