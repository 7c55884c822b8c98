package postgres_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/authtest"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/secret"
)

func TestAuthStore(t *testing.T) {
	authtest.TestStore(t, func(t *testing.T) auth.Store {
		return postgres.NewAuthStore(postgrestest.Open(t))
	})
}

// TestAuthStoreLogin logs in through the fake ID-porten with the sessions in
// PostgreSQL, then ends the session with a front-channel logout (found by sid
// in the database) and checks that the page asks for a login again.
func TestAuthStoreLogin(t *testing.T) {
	db := postgrestest.Open(t)
	store := postgres.NewAuthStore(db)
	fake := idportentest.New(idportentest.Config{})
	idp := httptest.NewServer(fake)
	defer idp.Close()
	fake.SetBaseURL(idp.URL)

	m := &auth.Manager{Store: store, Insecure: true}
	mux := http.NewServeMux()
	mux.Handle("/auth/", m.Handler())
	mux.Handle("/min-side", m.RequireLogin(idporten.High)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.CitizenFrom(r.Context())
		fmt.Fprint(w, c.PID.Reveal())
	})))
	site := httptest.NewServer(mux)
	defer site.Close()
	fake.RegisterClient(idportentest.Client{ID: "rp", Secret: "s", RedirectURIs: []string{site.URL + "/auth/callback"},
		FrontchannelLogoutURI: site.URL + "/auth/frontchannel-logout"})
	login, err := idporten.New(idporten.Config{Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: site.URL + "/auth/callback"})
	if err != nil {
		t.Fatal(err)
	}
	m.Login = login

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(site.URL + "/min-side")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := fake.Users()[0].PID.Reveal()
	if resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("login: %d %q", resp.StatusCode, body)
	}
	// One logged-in session with a sid; the halfway login was removed.
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM auth_sessions WHERE sid <> ''`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d sessions with a sid, %v", n, err)
	}
	if !endAnySession(t, fake, site.URL, browser) {
		t.Fatal("front-channel logout did not end the session")
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM auth_sessions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d sessions left after the logout, %v", n, err)
	}
}

// endAnySession ends the browser's ID-porten session from the provider's
// side (a logout at another service) and reports whether our page then asks
// for a new login.
func endAnySession(t *testing.T, fake *idportentest.Server, site string, browser *http.Client) bool {
	t.Helper()
	// The SSO session's sid comes from a silent second login's id_token.
	fake.RegisterClient(idportentest.Client{ID: "probe", Secret: "p", RedirectURIs: []string{"https://probe.example/cb"}})
	probe, _ := idporten.New(idporten.Config{Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "probe", ClientSecret: secret.New("p"), RedirectURI: "https://probe.example/cb"})
	u, p, err := probe.Start(context.Background(), idporten.AuthOptions{Prompt: "none", ACR: idporten.High})
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{Jar: browser.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	l, err := probe.Callback(context.Background(), loc.Query(), p)
	if err != nil {
		t.Fatal(err)
	}
	fake.EndSession(context.Background(), idportentest.IDPorten, l.IDToken.SID)
	resp, err = noFollow.Get(site + "/min-side")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther
}
