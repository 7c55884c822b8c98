package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/secret"
)

// A service with a page that needs an ID-porten login, visited by a browser
// with a cookie jar; the fake ID-porten logs the first test user in.
func ExampleManager() {
	fake := idportentest.New(idportentest.Config{})
	idp := httptest.NewServer(fake)
	defer idp.Close()
	fake.SetBaseURL(idp.URL)

	m := &auth.Manager{Insecure: true} // plain http on localhost only
	mux := http.NewServeMux()
	mux.Handle("/auth/", m.Handler())
	mux.Handle("/min-side", m.RequireLogin(idporten.Substantial)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.CitizenFrom(r.Context())
		fmt.Fprintf(w, "Hei, %s (%s)", c.PID, c.ACR)
	})))
	site := httptest.NewServer(mux)
	defer site.Close()

	fake.RegisterClient(idportentest.Client{ID: "kommune", Secret: "s3cret",
		RedirectURIs: []string{site.URL + "/auth/callback"}, PostLogoutRedirectURIs: []string{site.URL + "/auth/logged-out"},
		FrontchannelLogoutURI: site.URL + "/auth/frontchannel-logout"})
	login, err := idporten.New(idporten.Config{Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "kommune", ClientSecret: secret.New("s3cret"),
		RedirectURI: site.URL + "/auth/callback", PostLogoutRedirectURI: site.URL + "/auth/logged-out"})
	if err != nil {
		panic(err)
	}
	m.Login = login

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(site.URL + "/min-side")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	fmt.Println(string(page))
	// Output: Hei, 178585***** (idporten-loa-substantial)
}

// A handler of the service's own answers an auth error with the status and
// code HTTPStatus gives.
func ExampleHTTPStatus() {
	for _, err := range []error{auth.ErrNoSession, auth.ErrCSRF, &oauth.Error{Provider: "idporten", Code: oauth.CodeAccessDenied}, errors.New("database down")} {
		status, code := auth.HTTPStatus(err)
		fmt.Println(status, code)
	}
	// Output:
	// 401 not_logged_in
	// 403 csrf
	// 403 access_denied
	// 500 internal
}

// The Cleaner deletes expired sessions; a scheduler of the service's own
// calls RunOnce, or the service runs `go m.Cleaner().Run(ctx, 5*time.Minute)`.
func ExampleManager_Cleaner() {
	store := auth.NewMemoryStore()
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	store.Create(ctx, &auth.Session{ID: "idle", Created: now.Add(-time.Hour), LastSeen: now.Add(-31 * time.Minute)})
	store.Create(ctx, &auth.Session{ID: "active", Created: now.Add(-time.Hour), LastSeen: now.Add(-time.Minute)})

	m := &auth.Manager{Store: store, Now: func() time.Time { return now }}
	if err := m.Cleaner().RunOnce(ctx); err != nil {
		panic(err)
	}
	for _, id := range []string{"idle", "active"} {
		_, err := store.Get(ctx, id)
		fmt.Println(id, err == nil)
	}
	// Output:
	// idle false
	// active true
}
