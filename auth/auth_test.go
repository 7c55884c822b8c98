package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/authtest"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/internal/testlog"
	"github.com/grunnmur/grunnmur/secret"
)

func TestMemoryStore(t *testing.T) {
	authtest.TestStore(t, func(t *testing.T) auth.Store { return auth.NewMemoryStore() })
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type site struct {
	fake    *idportentest.Server
	idp     *httptest.Server
	rp      *httptest.Server
	m       *auth.Manager
	clock   *clock
	browser *http.Client
	logs    *testlog.Logs
}

// newSite starts the fake ID-porten and a relying party with a protected
// page, a form that posts, and the Manager's handlers.
func newSite(t *testing.T, interactive bool) *site {
	t.Helper()
	clk := &clock{t: time.Now()}
	fake := idportentest.New(idportentest.Config{Now: clk.Now, Interactive: interactive})
	idp := httptest.NewServer(fake)
	t.Cleanup(idp.Close)
	fake.SetBaseURL(idp.URL)

	var logs testlog.Logs
	m := &auth.Manager{Insecure: true, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	mux := http.NewServeMux()
	mux.Handle("/auth/", m.Handler())
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := auth.CitizenFrom(r.Context())
		if !ok {
			http.Error(w, "no citizen", 500)
			return
		}
		fmt.Fprintf(w, "pid=%s acr=%s locale=%s\n<form method=post action=/send>%s</form>", c.PID.Reveal(), c.ACR, c.Locale, m.CSRFField(r))
	})
	mux.Handle("/min-side", m.RequireLogin(idporten.Substantial)(page))
	mux.Handle("/hoy", m.RequireLogin(idporten.High)(page))
	mux.Handle("POST /send", m.RequireLogin("")(m.CSRF(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "sent")
	}))))
	// /verdi sets the session value k to v when asked, then shows it.
	mux.Handle("/verdi", m.RequireLogin("")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("v") {
			if err := m.SetValue(r, q.Get("k"), q.Get("v")); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		fmt.Fprintf(w, "%s=%s", q.Get("k"), m.Value(r, q.Get("k")))
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "front page") })
	rp := httptest.NewServer(mux)
	t.Cleanup(rp.Close)

	fake.RegisterClient(idportentest.Client{
		ID: "kommune-rp", Secret: "rp-secret",
		RedirectURIs: []string{rp.URL + "/auth/callback"}, PostLogoutRedirectURIs: []string{rp.URL + "/auth/logged-out"},
		FrontchannelLogoutURI: rp.URL + "/auth/frontchannel-logout",
	})
	client, err := idporten.New(idporten.Config{
		Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "kommune-rp", ClientSecret: secret.New("rp-secret"),
		RedirectURI: rp.URL + "/auth/callback", PostLogoutRedirectURI: rp.URL + "/auth/logged-out", Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Login = client
	jar, _ := cookiejar.New(nil)
	return &site{fake: fake, idp: idp, rp: rp, m: m, clock: clk, browser: &http.Client{Jar: jar}, logs: &logs}
}

func (s *site) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := s.browser.Get(s.rp.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (s *site) post(t *testing.T, u string, form url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestLoginEndToEnd logs in through the fake ID-porten with a real
// http.Client and cookie jar, posts a form with and without the CSRF token,
// and logs out both ways.
func TestLoginEndToEnd(t *testing.T) {
	s := newSite(t, false)
	user := s.fake.Users()[1]
	s.fake.LoginAs(user)

	resp, body := s.get(t, "/min-side?tab=1")
	if resp.StatusCode != 200 || !strings.Contains(body, "pid="+user.PID.Reveal()) || !strings.Contains(body, "acr=idporten-loa-substantial") {
		t.Fatalf("after login: %d %s", resp.StatusCode, body)
	}
	if resp.Request.URL.RequestURI() != "/min-side?tab=1" {
		t.Fatalf("landed on %s, want the page asked for", resp.Request.URL)
	}
	// The cookie is opaque. (The jar ignores ports, so the fake's SSO cookie
	// shows up here too.)
	u, _ := url.Parse(s.rp.URL)
	n := 0
	for _, c := range s.browser.Jar.Cookies(u) {
		if c.Name == "grunnmur_session" {
			n++
			if strings.Contains(c.Value, user.PID.Reveal()) || len(c.Value) < 40 {
				t.Fatalf("session cookie %q is not an opaque random token", c.Value)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d session cookies", n)
	}
	if strings.Contains(s.logs.String(), user.PID.Reveal()) {
		t.Fatal("the log holds the personal number")
	}

	// Step-up: /hoy asks for high, the session has substantial: log in again.
	resp, body = s.get(t, "/hoy")
	if resp.StatusCode != 200 || !strings.Contains(body, "acr=idporten-loa-high") {
		t.Fatalf("step-up: %d %s", resp.StatusCode, body)
	}

	token := csrfRE.FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no CSRF field in the form")
	}
	if r, _ := s.post(t, s.rp.URL+"/send", url.Values{}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("post without CSRF token: %d", r.StatusCode)
	}
	if r, _ := s.post(t, s.rp.URL+"/send", url.Values{"csrf_token": {token[1]}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", r.StatusCode)
	}
	if r, b := s.post(t, s.rp.URL+"/send", url.Values{"csrf_token": {token[1]}}, map[string]string{"Origin": s.rp.URL}); r.StatusCode != 200 || b != "sent" {
		t.Fatalf("post with CSRF token: %d %s", r.StatusCode, b)
	}

	// RP-initiated logout: POST /auth/logout goes through ID-porten's
	// end_session and back to /auth/logged-out, then "/".
	r, b := s.post(t, s.rp.URL+"/auth/logout", url.Values{"csrf_token": {token[1]}}, nil)
	if r.StatusCode != 200 || b != "front page" {
		t.Fatalf("logout ended at %s: %d %s", r.Request.URL, r.StatusCode, b)
	}
	if s.fake.Requests("/endsession") != 1 {
		t.Fatal("logout did not go through the provider's end_session_endpoint")
	}
	noClient := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noClient.Get(s.rp.URL + "/min-side")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") {
		t.Fatalf("after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestFrontChannelLogout ends the session from ID-porten's side: the request
// carries no cookie, the session is found by sid.
func TestFrontChannelLogout(t *testing.T) {
	s := newSite(t, false)
	if resp, _ := s.get(t, "/min-side"); resp.StatusCode != 200 {
		t.Fatal("login failed")
	}
	// Learn the sid the way the provider knows it: from a second login's
	// token, the same SSO session.
	sid := sidOf(t, s)
	var sids []string
	for _, u := range s.fake.Users() {
		sids = append(sids, s.fake.SessionIDs(idportentest.IDPorten, u.PID)...)
	}
	if len(sids) != 1 || sids[0] != sid {
		t.Errorf("SessionIDs: %v, want [%s]", sids, sid)
	}
	if !s.fake.EndSession(context.Background(), idportentest.IDPorten, sid) {
		t.Fatal("no SSO session with that sid")
	}
	noFollow := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.rp.URL + "/min-side")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session survived front-channel logout: %d", resp.StatusCode)
	}
	// A forged logout (wrong iss) is refused.
	r, err := http.Get(s.rp.URL + "/auth/frontchannel-logout?iss=https%3A%2F%2Fevil.example&sid=" + url.QueryEscape(sid))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged front-channel logout: %d", r.StatusCode)
	}
}

// sidOf finds the sid of the browser's ID-porten SSO session by logging a
// second client in silently (prompt=none) and reading its id_token.
func sidOf(t *testing.T, s *site) string {
	t.Helper()
	s.fake.RegisterClient(idportentest.Client{ID: "probe", Secret: "probe-secret", RedirectURIs: []string{"https://probe.example/cb"}})
	c, err := idporten.New(idporten.Config{Issuer: s.fake.Issuer(idportentest.IDPorten), ClientID: "probe", ClientSecret: secret.New("probe-secret"), RedirectURI: "https://probe.example/cb", Now: s.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	u, p, err := c.Start(context.Background(), idporten.AuthOptions{Prompt: "none"})
	if err != nil {
		t.Fatal(err)
	}
	b := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	l, err := c.Callback(context.Background(), loc.Query(), p)
	if err != nil {
		t.Fatal(err)
	}
	return l.IDToken.SID
}

func TestSessionLimits(t *testing.T) {
	noFollow := func(s *site) *http.Client {
		return &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	status := func(t *testing.T, s *site) int {
		resp, err := noFollow(s).Get(s.rp.URL + "/min-side")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("idle-30-min", func(t *testing.T) {
		s := newSite(t, false)
		s.get(t, "/min-side")
		s.clock.Add(29 * time.Minute)
		if status(t, s) != 200 {
			t.Fatal("session ended before 30 idle minutes")
		}
		s.clock.Add(29 * time.Minute) // active 29 min ago: still alive
		if status(t, s) != 200 {
			t.Fatal("activity did not extend the session")
		}
		s.clock.Add(30 * time.Minute)
		if status(t, s) != http.StatusSeeOther {
			t.Fatal("session outlived 30 idle minutes")
		}
	})
	t.Run("absolute-120-min", func(t *testing.T) {
		s := newSite(t, false)
		s.get(t, "/min-side")
		for i := range 4 {
			s.clock.Add(25 * time.Minute)
			if status(t, s) != 200 {
				t.Fatalf("session ended %d minutes after login", 25*(i+1))
			}
		}
		s.clock.Add(25 * time.Minute)
		// 125 minutes after login, active all along.
		if status(t, s) != http.StatusSeeOther {
			t.Fatal("session outlived 120 minutes")
		}
	})
	t.Run("cleanup", func(t *testing.T) {
		s := newSite(t, false)
		s.get(t, "/min-side")
		s.get(t, "/auth/login") // logging in again ends the session it replaces
		s.get(t, "/auth/login")
		// a login left halfway: the browser never comes back from ID-porten
		noFollow := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for range 2 {
			resp, err := noFollow.Get(s.rp.URL + "/auth/login")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		cleaner := s.m.Cleaner()
		s.logs.Reset()
		if err := cleaner.RunOnce(context.Background()); err != nil || strings.Contains(s.logs.String(), "expired sessions deleted") {
			t.Fatalf("cleanup of fresh sessions: %v\n%s", err, s.logs)
		}
		s.clock.Add(31 * time.Minute)
		if err := cleaner.RunOnce(context.Background()); err != nil || !strings.Contains(s.logs.String(), "sessions=2") {
			t.Fatalf("cleanup after 31 idle minutes: %v; want the login and one halfway login\n%s", err, s.logs)
		}
	})
	t.Run("post-without-login-is-401", func(t *testing.T) {
		s := newSite(t, false)
		r, _ := s.post(t, s.rp.URL+"/send", url.Values{}, nil)
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", r.StatusCode)
		}
	})
	t.Run("open-redirect-refused", func(t *testing.T) {
		s := newSite(t, false)
		resp, _ := s.get(t, "/auth/login?return=//evil.example/x")
		if resp.Request.URL.Host != strings.TrimPrefix(s.rp.URL, "http://") || resp.Request.URL.Path != "/" {
			t.Fatalf("login returned to %s", resp.Request.URL)
		}
	})
	// Browsers drop tabs and newlines from a URL (WHATWG URL parsing), so a
	// Location of "/\t/evil.example" takes them to //evil.example.
	t.Run("open-redirect-refused-control-chars", func(t *testing.T) {
		for _, ret := range []string{"/\t/evil.example/x", "/\x00/evil.example/x", "/\x7f/evil.example/x"} {
			s := newSite(t, false)
			resp, _ := s.get(t, "/auth/login?return="+url.QueryEscape(ret))
			if resp.Request.URL.Host != strings.TrimPrefix(s.rp.URL, "http://") || resp.Request.URL.Path != "/" {
				t.Fatalf("login with return %q returned to %s", ret, resp.Request.URL)
			}
		}
	})
	t.Run("callback-without-login-refused", func(t *testing.T) {
		s := newSite(t, false)
		resp, _ := s.get(t, "/auth/callback?code=x&state=y")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

// TestInteractivePicker logs in through the fake's test-user picker page, as
// a developer would in `grunnmur dev`.
func TestInteractivePicker(t *testing.T) {
	s := newSite(t, true)
	resp, body := s.get(t, "/auth/login?lang=en&return=/min-side")
	if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "<legend>Test persons</legend>") {
		t.Fatalf("picker: %d %s", resp.StatusCode, body)
	}
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(body)[1]
	reqID := regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(body)[1]
	user := s.fake.Users()[2]

	// A bad number shows the page again with an error.
	r, b := s.post(t, action, url.Values{"request": {reqID}, "pid": {"other"}, "other": {"12345678901"}}, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `role="alert"`) {
		t.Fatalf("bad number: %d", r.StatusCode)
	}
	reqID = regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(b)[1]
	r, b = s.post(t, action, url.Values{"request": {reqID}, "pid": {user.PID.Reveal()}, "acr": {"idporten-loa-high"}}, nil)
	if r.StatusCode != 200 || !strings.Contains(b, "pid="+user.PID.Reveal()) || !strings.Contains(b, "acr=idporten-loa-high") {
		t.Fatalf("after picking: %d %s", r.StatusCode, b)
	}
	// Cancel gives access_denied, which the Manager shows as 403.
	_, body = s.get(t, "/auth/login?return=/min-side&acr=idporten-loa-high")
	if !strings.Contains(body, "request") {
		// a live SSO session at high logs straight in
		return
	}
}

func TestCancelledLogin(t *testing.T) {
	s := newSite(t, true)
	_, body := s.get(t, "/auth/login")
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(body)[1]
	reqID := regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(body)[1]
	r, _ := s.post(t, action, url.Values{"request": {reqID}, "cancel": {"1"}}, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("cancel: %d", r.StatusCode)
	}
}

func TestSessionNeverPrints(t *testing.T) {
	sess := authtest.NewSession("sid", time.Now())
	out := fmt.Sprintf("%v %+v %s", sess, sess, sess)
	if strings.Contains(out, sess.PID.Reveal()) || strings.Contains(out, sess.IDToken.Reveal()) {
		t.Fatalf("session printed secrets: %s", out)
	}
}

func TestCookieAttributes(t *testing.T) {
	s := newSite(t, false)
	for _, insecure := range []bool{false, true} {
		s.m.Insecure = insecure
		rec := httptest.NewRecorder()
		s.m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", s.rp.URL+"/auth/login", nil))
		c := rec.Result().Cookies()
		if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Secure == insecure || c[0].Path != "/" {
			t.Fatalf("insecure=%v: cookie %+v", insecure, c)
		}
	}
}

// TestOfficersWithAnsattporten runs a second Manager for case officers on
// Ansattporten beside the citizens' one: separate cookies, issuers and
// front-channel logouts.
func TestOfficersWithAnsattporten(t *testing.T) {
	s := newSite(t, false)
	officers := &auth.Manager{Prefix: "/saksbehandler/auth", CookieName: "grunnmur_officer", Insecure: true, Now: s.clock.Now}
	mux := http.NewServeMux()
	mux.Handle("/saksbehandler/auth/", officers.Handler())
	mux.Handle("/saksbehandler", officers.RequireLogin(idporten.High)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.CitizenFrom(r.Context())
		fmt.Fprintf(w, "officer %s from %s", c.PID.Reveal(), c.Issuer)
	})))
	mux.Handle("/", s.rp.Config.Handler)
	s.rp.Config.Handler = mux
	s.fake.RegisterClient(idportentest.Client{
		ID: "kommune-officers", Secret: "officer-secret",
		RedirectURIs:          []string{s.rp.URL + "/saksbehandler/auth/callback"},
		FrontchannelLogoutURI: s.rp.URL + "/saksbehandler/auth/frontchannel-logout",
	})
	login, err := idporten.New(idporten.Config{
		Issuer: s.fake.Issuer(idportentest.Ansattporten), ClientID: "kommune-officers", ClientSecret: secret.New("officer-secret"),
		RedirectURI: s.rp.URL + "/saksbehandler/auth/callback", Now: s.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	officers.Login = login

	if resp, _ := s.get(t, "/min-side"); resp.StatusCode != 200 { // a citizen login first
		t.Fatal("citizen login failed")
	}
	officer := s.fake.Users()[4]
	s.fake.LoginAs(officer)
	resp, body := s.get(t, "/saksbehandler")
	if resp.StatusCode != 200 || body != "officer "+officer.PID.Reveal()+" from "+s.fake.Issuer(idportentest.Ansattporten) {
		t.Fatalf("officer page: %d %q", resp.StatusCode, body)
	}
	// Both sessions live side by side.
	if resp, _ := s.get(t, "/min-side"); resp.StatusCode != 200 || resp.Request.URL.Path != "/min-side" {
		t.Fatal("the officer login ended the citizen session")
	}
	// An ID-porten front-channel logout for the officer's sid does nothing
	// to the officer (another issuer).
	r, err := http.Get(s.rp.URL + "/saksbehandler/auth/frontchannel-logout?iss=" + url.QueryEscape(s.fake.Issuer(idportentest.IDPorten)) + "&sid=x")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("cross-issuer front-channel logout: %d", r.StatusCode)
	}
}

// %#v, a Session value (not a pointer) and slog must not show the CSRF token
// or the PKCE verifier either.
func TestSessionNeverPrintsTokens(t *testing.T) {
	sess := authtest.NewSession("sid", time.Now())
	sess.CSRF = "csrf-token-hemmelig"
	sess.Pending = &idporten.Pending{State: "st", Nonce: "no", CodeVerifier: secret.New("pkce-verifier-hemmelig")}
	sess.Values = map[string]string{"k": "value-hemmelig"}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "session", sess, "value", *sess)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "session", sess, "value", *sess)
	js, err := json.Marshal(sess)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v %+v %#v %s %q | %v %+v %#v | %s | %s", sess, sess, sess, sess, sess, *sess, *sess, *sess, logged.String(), js)
	for _, secret := range []string{sess.PID.Reveal(), sess.IDToken.Reveal(), "csrf-token-hemmelig", "pkce-verifier-hemmelig", "value-hemmelig"} {
		if strings.Contains(out, secret) {
			t.Fatalf("session printed %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "auth.Session{ID: "+sess.ID[:8]) {
		t.Fatalf("session printed nothing useful: %s", out)
	}
}

// TestLangForUILocales sends the citizen's language (from Manager.Lang) to
// ID-porten as ui_locales when RequireLogin starts the login.
func TestLangForUILocales(t *testing.T) {
	s := newSite(t, false)
	s.m.Lang = func(r *http.Request) i18n.Lang {
		if c, err := r.Cookie("lang"); err == nil {
			return i18n.Lang(c.Value)
		}
		return ""
	}
	noFollow := &http.Client{Jar: s.browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(s.rp.URL)
	s.browser.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "nn", Path: "/"}})
	res, err := noFollow.Get(s.rp.URL + "/min-side")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = noFollow.Get(s.rp.URL + res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if got := loc.Query().Get("ui_locales"); got != "nn" {
		t.Fatalf("ui_locales = %q in %s", got, loc)
	}
}

// TestSessionValues keeps a value across requests, bounds the values, and
// starts a new login without them.
func TestSessionValues(t *testing.T) {
	s := newSite(t, false)
	if _, b := s.get(t, "/verdi?k=club&v=974760673"); b != "club=974760673" {
		t.Fatalf("set: %q", b)
	}
	if _, b := s.get(t, "/verdi?k=club"); b != "club=974760673" {
		t.Fatalf("next request: %q", b)
	}
	if r, _ := s.get(t, "/verdi?k=big&v="+strings.Repeat("x", auth.MaxValueSize)); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("oversized value: %d", r.StatusCode)
	}
	for i := 1; i < auth.MaxValues; i++ {
		if r, b := s.get(t, fmt.Sprintf("/verdi?k=k%d&v=x", i)); r.StatusCode != 200 {
			t.Fatalf("key %d: %d %s", i, r.StatusCode, b)
		}
	}
	if r, _ := s.get(t, "/verdi?k=one-too-many&v=x"); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("key past MaxValues: %d", r.StatusCode)
	}
	if r, b := s.get(t, "/verdi?k=club&v=986105174"); r.StatusCode != 200 || b != "club=986105174" {
		t.Fatalf("replacing an existing key at the limit: %d %s", r.StatusCode, b)
	}
	if _, b := s.get(t, "/verdi?k=club&v="); b != "club=" {
		t.Fatalf("remove: %q", b)
	}
	if r, b := s.get(t, "/verdi?k=&v=x"); r.StatusCode != http.StatusBadRequest || !strings.Contains(b, "needs a key") {
		t.Fatalf("no key: %d %s", r.StatusCode, b)
	}
	// Text no store can keep is refused the same on every store, before it
	// reaches one.
	for _, q := range []string{"k=club&v=a%00b", "k=club&v=%ff", "k=%00&v=x", "k=%c3%28&v=x"} {
		if r, b := s.get(t, "/verdi?"+q); r.StatusCode != http.StatusBadRequest || !strings.Contains(b, "invalid text") {
			t.Fatalf("%s: %d %s", q, r.StatusCode, b)
		}
	}
	if _, b := s.get(t, "/verdi?k=club&v=Bar+%F0%9F%8D%BA+%E2%80%AE"); b != "club=Bar 🍺 \u202e" {
		t.Fatalf("odd but valid text: %q", b)
	}
	if _, b := s.get(t, "/verdi?k=club&v=974760673"); b != "club=974760673" {
		t.Fatalf("set again: %q", b)
	}

	// Logging out ends the values with the session.
	_, body := s.get(t, "/min-side")
	token := csrfRE.FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no CSRF field")
	}
	s.post(t, s.rp.URL+"/auth/logout", url.Values{"csrf_token": {token[1]}}, nil)
	if _, b := s.get(t, "/verdi?k=club"); b != "club=" {
		t.Fatalf("a new login kept the old session's value: %q", b)
	}
}

// TestSessionValuesConcurrent: many requests of one session set values at
// once. Each may overwrite another's change (SetValue's documented limit),
// but none fails, the session stays valid, and the value read back is one
// that was written.
func TestSessionValuesConcurrent(t *testing.T) {
	s := newSite(t, false)
	if r, _ := s.get(t, "/min-side"); r.StatusCode != 200 {
		t.Fatal("login failed")
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			r, err := s.browser.Get(s.rp.URL + fmt.Sprintf("/verdi?k=club&v=v%d", i))
			if err != nil {
				t.Error(err)
				return
			}
			r.Body.Close()
			if r.StatusCode != 200 {
				t.Errorf("request %d: %d", i, r.StatusCode)
			}
		})
	}
	wg.Wait()
	_, b := s.get(t, "/verdi?k=club")
	v, ok := strings.CutPrefix(b, "club=v")
	if n, err := strconv.Atoi(v); !ok || err != nil || n < 0 || n >= 16 {
		t.Fatalf("after the race: %q", b)
	}
	if r, _ := s.get(t, "/min-side"); r.StatusCode != 200 {
		t.Fatal("the session did not survive")
	}
}

// TestCancelledLoginAfterCancel: with AfterCancel set, a person who cancels
// at ID-porten lands there, not on an error page, without a session; the
// next login works.
func TestCancelledLoginAfterCancel(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		s := newSite(t, interactive)
		s.m.AfterCancel = "/?avbrutt=1"
		if interactive {
			_, body := s.get(t, "/min-side")
			action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(body)[1]
			reqID := regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(body)[1]
			r, b := s.post(t, action, url.Values{"request": {reqID}, "cancel": {"1"}}, nil)
			if r.StatusCode != 200 || r.Request.URL.RequestURI() != "/?avbrutt=1" || b != "front page" {
				t.Fatalf("cancel at the picker: %d at %s: %q", r.StatusCode, r.Request.URL, b)
			}
			continue
		}
		s.fake.FailNextLogin(idportentest.LoginFault{Cancel: true})
		resp, body := s.get(t, "/min-side")
		if resp.StatusCode != 200 || resp.Request.URL.RequestURI() != "/?avbrutt=1" || body != "front page" {
			t.Fatalf("cancel: %d at %s: %q", resp.StatusCode, resp.Request.URL, body)
		}
		if !strings.Contains(s.logs.String(), "login cancelled") {
			t.Error("the cancel is not logged")
		}
		resp, body = s.get(t, "/min-side")
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/min-side" || !strings.Contains(body, "pid=") {
			t.Fatalf("the login after the cancel: %d at %s", resp.StatusCode, resp.Request.URL)
		}
	}
	// Without AfterCancel the cancel is a failed login, as before.
	s := newSite(t, false)
	s.fake.FailNextLogin(idportentest.LoginFault{Cancel: true})
	if resp, _ := s.get(t, "/min-side"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cancel without AfterCancel: %d", resp.StatusCode)
	}
}
