package idportentest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/secret"
)

const redirect = "https://rp.example/cb"

func start(t *testing.T, cfg idportentest.Config) (*idportentest.Server, *httptest.Server) {
	t.Helper()
	f := idportentest.New(cfg)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.SetBaseURL(srv.URL)
	f.RegisterClient(idportentest.Client{ID: "rp", Secret: "secret", RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{"https://rp.example/out"}})
	return f, srv
}

func noFollow() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDiscovery(t *testing.T) {
	f, srv := start(t, idportentest.Config{})
	for _, tc := range []struct {
		p    idportentest.Provider
		path string
		iss  string
	}{
		{idportentest.IDPorten, "/.well-known/openid-configuration", srv.URL},
		{idportentest.Ansattporten, "/ansattporten/.well-known/openid-configuration", srv.URL + "/ansattporten"},
		{idportentest.Maskinporten, "/maskinporten/.well-known/oauth-authorization-server", srv.URL + "/maskinporten/"},
	} {
		md := getJSON(t, srv.URL+tc.path)
		if md["issuer"] != tc.iss || f.Issuer(tc.p) != tc.iss {
			t.Errorf("%s: issuer %v, Issuer() %q, want %q", tc.p, md["issuer"], f.Issuer(tc.p), tc.iss)
		}
		if !strings.HasPrefix(md["token_endpoint"].(string), strings.TrimSuffix(tc.iss, "/")+"/token") {
			t.Errorf("%s: token_endpoint %v", tc.p, md["token_endpoint"])
		}
		keys := getJSON(t, md["jwks_uri"].(string))["keys"].([]any)
		if len(keys) != 1 {
			t.Errorf("%s: %d keys", tc.p, len(keys))
		}
	}
	// Without a base URL the issuer follows the request's host.
	f2 := idportentest.New(idportentest.Config{})
	rec := httptest.NewRecorder()
	f2.ServeHTTP(rec, httptest.NewRequest("GET", "http://idp.localhost:9000/.well-known/openid-configuration", nil))
	var md map[string]any
	json.NewDecoder(rec.Body).Decode(&md)
	if md["issuer"] != "http://idp.localhost:9000" {
		t.Fatalf("issuer from the request: %v", md["issuer"])
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	_, srv := start(t, idportentest.Config{})
	good := url.Values{
		"client_id": {"rp"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"s"}, "nonce": {"n"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"}, "acr_values": {"idporten-loa-high"},
	}
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		status int
		errc   string
	}{
		{"ok", func(url.Values) {}, 302, ""},
		{"unknown-client", func(v url.Values) { v.Set("client_id", "nope") }, 400, ""},
		{"unregistered-redirect", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, 400, ""},
		{"no-pkce", func(v url.Values) { v.Del("code_challenge") }, 302, "invalid_request"},
		{"plain-pkce", func(v url.Values) { v.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		{"no-state", func(v url.Values) { v.Del("state") }, 302, "invalid_request"},
		{"no-nonce", func(v url.Values) { v.Del("nonce") }, 302, "invalid_request"},
		{"no-openid", func(v url.Values) { v.Set("scope", "profile") }, 302, "invalid_scope"},
		{"bad-acr", func(v url.Values) { v.Set("acr_values", "idporten-loa-low") }, 302, "invalid_request"},
		{"bad-locale", func(v url.Values) { v.Set("ui_locales", "de") }, 302, "invalid_request"},
		{"token-flow", func(v url.Values) { v.Set("response_type", "token") }, 302, "unsupported_response_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = append([]string(nil), v...)
			}
			tc.change(q)
			resp, err := noFollow().Get(srv.URL + "/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 302 {
				loc, _ := resp.Location()
				if got := loc.Query().Get("error"); got != tc.errc || loc.Query().Get("iss") != srv.URL {
					t.Fatalf("redirect %s, want error %q", loc, tc.errc)
				}
			}
		})
	}
}

func TestAnsattportenIsAnotherIssuer(t *testing.T) {
	f, srv := start(t, idportentest.Config{})
	newClient := func(p idportentest.Provider) *idporten.Client {
		c, err := idporten.New(idporten.Config{Issuer: f.Issuer(p), ClientID: "rp", ClientSecret: secret.New("secret"), RedirectURI: redirect, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ansatt, citizen := newClient(idportentest.Ansattporten), newClient(idportentest.IDPorten)
	ctx := context.Background()
	u, p, err := ansatt.Start(ctx, idporten.AuthOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noFollow().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	l, err := ansatt.Callback(ctx, loc.Query(), p)
	if err != nil {
		t.Fatal(err)
	}
	if l.IDToken.Issuer != srv.URL+"/ansattporten" {
		t.Fatalf("issuer %s", l.IDToken.Issuer)
	}
	// An Ansattporten token is no ID-porten token: another issuer and key.
	if _, err := citizen.ValidateIDToken(ctx, l.IDToken.Raw.Reveal(), idporten.ValidateOptions{Nonce: p.Nonce}); err == nil {
		t.Fatal("ID-porten client accepted an Ansattporten token")
	}
}

func TestFaultInjection(t *testing.T) {
	f, srv := start(t, idportentest.Config{})
	f.Inject(fake.Fault{Match: "GET /jwks", Status: 503, Times: 2})
	for i, want := range []int{503, 503, 200} {
		resp, err := http.Get(srv.URL + "/jwks")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("call %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
	f.Inject(fake.Fault{Drop: true})
	if resp, err := http.Get(srv.URL + "/.well-known/openid-configuration"); err == nil {
		resp.Body.Close()
		t.Fatal("dropped connection gave a response")
	}
	f.Inject(fake.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/jwks", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("delayed call: %v", err)
	}
	if got := f.Requests("GET /jwks"); got != 4 {
		t.Fatalf("%d requests to /jwks, want 4", got)
	}
	if f.Pending() != 0 {
		t.Fatalf("%d faults left", f.Pending())
	}
}

// Authorize refuses before the fake's own checks; 0 lets the request on to
// them.
func TestAuthorize(t *testing.T) {
	_, srv := start(t, idportentest.Config{Authorize: func(r *http.Request) int {
		if r.URL.Path == "/maskinporten/token" && r.Header.Get("X-Allowed") == "" {
			return http.StatusForbidden
		}
		return 0
	}})
	post := func(allowed bool) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/maskinporten/token", strings.NewReader("grant_type=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if allowed {
			req.Header.Set("X-Allowed", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Error
	}
	if status, code := post(false); status != 403 || code != "access_denied" {
		t.Fatalf("refused: %d %s", status, code)
	}
	if status, code := post(true); status != 400 || code != "unsupported_grant_type" {
		t.Fatalf("let through: %d %s, want the fake's own refusal", status, code)
	}
	resp, err := http.Get(srv.URL + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %v", err)
	}
	resp.Body.Close()
}

func TestTokenEndpointRefusals(t *testing.T) {
	_, srv := start(t, idportentest.Config{})
	post := func(form url.Values, user, pass string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Error string `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error
	}
	if s, e := post(url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "rp", "wrong"); s != 401 || e != "invalid_client" {
		t.Fatalf("wrong secret: %d %s", s, e)
	}
	if s, e := post(url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "rp", "secret"); s != 400 || e != "invalid_grant" {
		t.Fatalf("unknown code: %d %s", s, e)
	}
	if s, e := post(url.Values{"grant_type": {"password"}}, "rp", "secret"); s != 400 || e != "unsupported_grant_type" {
		t.Fatalf("password grant: %d %s", s, e)
	}
	resp, err := http.Get(srv.URL + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("userinfo without token: %d", resp.StatusCode)
	}
	resp, err = noFollow().Get(srv.URL + "/endsession?client_id=rp&post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("logout to an unregistered URI: %d", resp.StatusCode)
	}
}

func TestVerifyMaskinportenToken(t *testing.T) {
	f, _ := start(t, idportentest.Config{})
	if _, err := f.VerifyMaskinportenToken("not.a.token", ""); !errors.Is(err, idportentest.ErrToken) {
		t.Fatalf("garbage: %v", err)
	}
}

// FuzzEndpoints posts arbitrary forms to the token endpoints: never a panic,
// never a 5xx, never a token.
func FuzzEndpoints(f *testing.F) {
	fake := idportentest.New(idportentest.Config{})
	fake.SetBaseURL("http://fake.test")
	fake.RegisterClient(idportentest.Client{ID: "rp", Secret: "secret", RedirectURIs: []string{redirect}, Scopes: []string{"s"}})
	f.Add("/maskinporten/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJycCJ9.c2ln")
	f.Add("/token", "grant_type=authorization_code&code=x&client_id=rp&client_secret=secret")
	f.Add("/token", "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c")
	f.Add("/par", "client_id=rp&client_secret=secret&response_type=code&redirect_uri=https%3A%2F%2Frp.example%2Fcb")
	f.Fuzz(func(t *testing.T, path, body string) {
		switch path {
		case "/token", "/par", "/maskinporten/token", "/ansattporten/token":
		default:
			return
		}
		req := httptest.NewRequest("POST", "http://fake.test"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		if rec.Code >= 500 || strings.Contains(string(b), "access_token") {
			t.Fatalf("%s %q: %d %s", path, body, rec.Code, b)
		}
	})
}

// TestPickerPageStructure checks the picker's accessible structure in every
// language: the page language, one h1, every control labelled, choices
// grouped with a legend, and nb/nn/en all translated.
func TestPickerPageStructure(t *testing.T) {
	_, srv := start(t, idportentest.Config{Interactive: true})
	for _, lang := range []string{"nb", "nn", "en", "se"} {
		q := url.Values{
			"client_id": {"rp"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
			"state": {"s"}, "nonce": {"n"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
			"code_challenge_method": {"S256"}, "ui_locales": {lang},
		}
		resp, err := http.Get(srv.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		wantLang := map[string]string{"se": "nb"}[lang]
		if wantLang == "" {
			wantLang = lang
		}
		if !strings.Contains(page, `<html lang="`+wantLang+`">`) || strings.Count(page, "<h1>") != 1 || !strings.Contains(page, "<title>") {
			t.Errorf("%s: page language, heading or title missing", lang)
		}
		if strings.Count(page, "<fieldset") != strings.Count(page, "<legend>") {
			t.Errorf("%s: a fieldset without a legend", lang)
		}
		// Every visible control is inside a <label> or named by one.
		for _, m := range regexp.MustCompile(`(?s)(<label[^>]*>)?\s*<input([^>]*)>`).FindAllStringSubmatch(page, -1) {
			attrs := m[2]
			if strings.Contains(attrs, `type="hidden"`) || m[1] != "" {
				continue
			}
			id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(attrs)
			if id == nil || !strings.Contains(page, `<label for="`+id[1]+`">`) {
				t.Errorf("%s: unlabelled input %s", lang, attrs)
			}
		}
		if lang != "se" && lang != "nb" && strings.Contains(page, "Velg en testperson") {
			t.Errorf("%s: page not translated", lang)
		}
	}
}

func TestMaskinportenSource(t *testing.T) {
	f, srv := start(t, idportentest.Config{})
	ts, err := f.MaskinportenSource("svarut-client", "974760673", srv.Client(), "ks:fiks")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mt, err := f.VerifyMaskinportenToken(tok.AccessToken.Reveal(), "ks:fiks")
	if err != nil || mt.Consumer != "974760673" || mt.ClientID != "svarut-client" {
		t.Fatalf("%+v %v", mt, err)
	}
	if _, err := idportentest.New(idportentest.Config{}).MaskinportenSource("c", "974760673", nil, "s"); err == nil {
		t.Fatal("no error without a base URL")
	}
}
