package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/devenv/sandbox"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func TestMessagesComplete(t *testing.T) { sitetest.MessagesComplete(t, messages, messagesErr) }

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func httpGet(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := noRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestSecurityHeaders(t *testing.T) {
	app, base, _ := startApp(t, "", pinned(t))
	res, _ := httpGet(t, base+"/", nil)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self' ", app.Fakes.IDPortenURL, app.Fakes.VippsURL} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers: %v", res.Header)
	}
	// ID-porten's front-channel logout iframe may frame that one path.
	res, _ = httpGet(t, base+"/auth/frontchannel-logout", nil)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+app.Fakes.IDPortenURL) || res.Header.Get("X-Frame-Options") != "" {
		t.Errorf("front-channel logout CSP %q, X-Frame-Options %q", csp, res.Header.Get("X-Frame-Options"))
	}
	// Behind a proxy that ends TLS: HSTS.
	res, _ = httpGet(t, base+"/", map[string]string{"X-Forwarded-Proto": "https"})
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS behind TLS: %v", res.Header)
	}
}

func TestHealthAndErrors(t *testing.T) {
	_, base, _ := startApp(t, "", pinned(t))
	for _, p := range []string{"/healthz", "/readyz"} {
		if res, body := httpGet(t, base+p, nil); res.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
	for lang, want := range map[string]string{"nb": "Fant ikke siden", "nn": "Fann ikkje sida", "en": "Page not found"} {
		res, body := httpGet(t, base+"/finnes-ikke?lang="+lang, nil)
		if res.StatusCode != 404 || !strings.Contains(body, want) || !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Errorf("%s 404 page: %d %s", lang, res.StatusCode, body)
		}
	}
	// The language sticks in a cookie, and Accept-Language is honoured.
	res, _ := httpGet(t, base+"/?lang=nn", nil)
	if !strings.Contains(res.Header.Get("Set-Cookie"), "lang=nn") {
		t.Errorf("no language cookie: %v", res.Header)
	}
	if _, body := httpGet(t, base+"/", map[string]string{"Accept-Language": "en-GB,en;q=0.8"}); !strings.Contains(body, "Apply for a liquor licence") {
		t.Errorf("Accept-Language ignored: %s", body)
	}
	// Protected pages send the citizen to log in, with ui_locales.
	res, _ = httpGet(t, base+"/min-side", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login?") {
		t.Errorf("min side without login: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = httpGet(t, base+"/ansatt", nil)
	if !strings.HasPrefix(res.Header.Get("Location"), "/ansatt/auth/login?") {
		t.Errorf("officer view without login: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestConfigFromEnvironment points services at real endpoints: no fake
// starts for them, and the same code path takes their settings.
func TestConfigFromEnvironment(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := filepath.Join(t.TempDir(), "mp.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	env := map[string]string{
		"GRUNNMUR_IDPORTEN_ISSUER": "https://test.idporten.no", "GRUNNMUR_IDPORTEN_CLIENT_ID": "kommune-web",
		"GRUNNMUR_IDPORTEN_CLIENT_SECRET": "s3cret",
		"GRUNNMUR_ANSATTPORTEN_ISSUER":    "https://test.ansattporten.no", "GRUNNMUR_ANSATTPORTEN_CLIENT_ID": "kommune-ansatt",
		"GRUNNMUR_ANSATTPORTEN_CLIENT_SECRET": "s3cret2",
		"GRUNNMUR_OFFICERS":                   "20036914700, 03851598730",
		"GRUNNMUR_MASKINPORTEN_ISSUER":        "https://test.maskinporten.no/", "GRUNNMUR_MASKINPORTEN_CLIENT_ID": "mp-client",
		"GRUNNMUR_MASKINPORTEN_KEY_FILE": keyFile, "GRUNNMUR_MASKINPORTEN_KID": "kid-1",
		"GRUNNMUR_VIPPS_BASE_URL": "https://apitest.vipps.no", "GRUNNMUR_VIPPS_CLIENT_ID": "vc", "GRUNNMUR_VIPPS_MSN": "123456",
		"GRUNNMUR_VIPPS_CLIENT_SECRET": "vs", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "vk",
		"GRUNNMUR_SVARUT_BASE_URL": "https://test.svarut.ks.no", "GRUNNMUR_SVARUT_KONTO_ID": "9c6f7a43-5b0e-4f0e-9a55-2f1d3c1a6b01",
		"GRUNNMUR_SVARUT_INTEGRASJON_ID": "2b1e0c6a-8f4d-4c3b-9e2a-7d5f1a0b3c4d", "GRUNNMUR_SVARUT_INTEGRASJON_PASSORD": "pw",
		"GRUNNMUR_BRREG_BASE_URL": "https://data.brreg.no",
	}
	x, err := site.Setup(func(k string) string { return env[k] }, site.Options{Public: "https://skjenk.kommune.example", Scopes: []string{scopeFiks}, OfficerPrefix: "/ansatt/auth"})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Fakes.Sandbox != nil {
		t.Errorf("the sandbox started though every service is configured")
	}
	if x.IDPorten.Issuer != "https://test.idporten.no" || x.IDPorten.RedirectURI != "https://skjenk.kommune.example/auth/callback" ||
		x.IDPorten.PostLogoutRedirectURI != "https://skjenk.kommune.example/auth/logged-out" {
		t.Errorf("ID-porten: %+v", x.IDPorten)
	}
	if x.Ansattporten.Issuer != "https://test.ansattporten.no" || x.Ansattporten.RedirectURI != "https://skjenk.kommune.example/ansatt/auth/callback" {
		t.Errorf("Ansattporten: %+v", x.Ansattporten)
	}
	if !x.Officers["20036914700"] || !x.Officers["03851598730"] || len(x.Officers) != 2 {
		t.Errorf("officers: %d", len(x.Officers))
	}
	if x.Vipps.BaseURL != "https://apitest.vipps.no" || x.Vipps.MSN != "123456" || x.SvarUT.KontoID != env["GRUNNMUR_SVARUT_KONTO_ID"] ||
		x.SvarUT.IntegrasjonPassord.Reveal() != "pw" || x.Vipps.ClientSecret.Reveal() != "vs" || x.Brreg.BaseURL != "https://data.brreg.no" {
		t.Errorf("vipps %s, svarut %s, brreg %s", x.Vipps.BaseURL, x.SvarUT.KontoID, x.Brreg.BaseURL)
	}

	// Only Vipps real: the rest from the sandbox.
	only := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, "GRUNNMUR_VIPPS_") {
			only[k] = v
		}
	}
	y, err := site.Setup(func(k string) string { return only[k] }, site.Options{Public: "http://127.0.0.1:8080", OfficerPrefix: "/ansatt/auth", Sandbox: sandbox.Start})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if y.Fakes.Sandbox == nil || y.Vipps.BaseURL != "https://apitest.vipps.no" || y.SvarUT.BaseURL == "" || y.SvarUT.BaseURL == env["GRUNNMUR_SVARUT_BASE_URL"] ||
		!strings.HasPrefix(y.IDPorten.Issuer, "http://127.0.0.1:") || len(y.Officers) != 1 {
		t.Errorf("mixed: vipps %s, svarut %s, idporten %s, %d officers", y.Vipps.BaseURL, y.SvarUT.BaseURL, y.IDPorten.Issuer, len(y.Officers))
	}

	env["GRUNNMUR_OFFICERS"] = "12345678901"
	if x, err := site.Setup(func(k string) string { return env[k] }, site.Options{Public: "https://skjenk.kommune.example", Scopes: []string{scopeFiks}, OfficerPrefix: "/ansatt/auth"}); err == nil {
		x.Close()
		t.Error("a bad officer number was accepted")
	} else if strings.Contains(err.Error(), "12345678901") {
		t.Errorf("the error shows the number: %v", err)
	}
}

// TestRunShutsDownGracefully starts the command as `go run` does, serves a
// request and stops on cancel.
func TestRunShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(strings.TrimPrefix(line, "skjenkebevilling: "))
	if res, body := httpGet(t, url+"/healthz", nil); res.StatusCode != 200 {
		t.Fatalf("healthz: %d %s", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
}

// fakes are the sandbox's fakes, for a test to drive.
func fakes(f *site.Fakes) *devenv.Env { return f.Sandbox.(*devenv.Env) }
