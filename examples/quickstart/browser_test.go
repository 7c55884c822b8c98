package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestBrowserJourney walks the journey in Chromium, as a citizen does, and
// checks every page on the way with axe-core and the Nu Html Checker.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser journey starts Chromium")
	}
	base, logs := sitetest.StartService(t, func(ctx context.Context, public string, log *slog.Logger) (*sitetest.Started, error) {
		app, err := start(ctx, site.Config{PublicURL: public, Getenv: func(string) string { return "" }, Logger: log})
		if err != nil {
			return nil, err
		}
		return &sitetest.Started{Handler: app.Handler, Close: app.Close}, nil
	})
	j := sitetest.NewJourney(t, base, sitetest.ScreenshotDir(t), logs)
	j.Open("start in nynorsk", "/?lang=nn")
	j.Page("start-nn")
	j.Open("start", "/?lang=nb")
	j.Page("start")
	j.Click("log in", "#login")
	j.Login("Sigrid Haugland")
	j.Page("logged-in")

	j.Click("start the form", "#start")
	j.Click("continue without answers", `button[value="continue"]`)
	j.Page("form-errors")
	j.Fill("about you", map[string][]string{"/deg/navn": {"Sigrid Haugland"}, "/deg/epost": {"sigrid@example.com"},
		"/deg/telefon": {"91234567"}})
	j.Click("continue", `button[value="continue"]`)
	j.Page("form-stall")
	j.Fill("the stall", map[string][]string{"/plass/dato~day": {"17"}, "/plass/dato~month": {"5"}, "/plass/dato~year": {"2030"},
		"/plass/varer": {"Jordbær"}, "/plass/meter": {"3"}, "/plass/strom": {"ja"}})
	j.Click("continue", `button[value="continue"]`)
	j.Page("check")
	j.Click("submit", `button[value="submit"]`)
	if s := j.Text("#case-state"); !strings.Contains(s, "Venter på betaling") {
		t.Fatalf("the receipt before paying: %q", s)
	}
	j.Page("receipt-unpaid")

	j.Click("pay", "#pay")
	j.Page("vipps")
	j.Click("approve", "button.approve")
	if s := j.Text("#case-state"); !strings.Contains(s, "Under behandling") {
		t.Fatalf("the receipt after paying: %q", s)
	}
	j.Page("receipt-paid")
	j.Logout("/auth/logout")
}
