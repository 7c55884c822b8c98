// Package auth provides server-side login sessions for net/http: a session
// Store, middleware that requires a login at a given ID-porten level, the
// logged-in citizen in the request context, and CSRF protection for form posts.
//
// The OpenID Connect client lives in auth/idporten, machine-to-machine tokens in
// auth/maskinporten, the providers' shared error type in auth/oauth, and a fake
// ID-porten for tests in auth/idportentest.
//
//	cfg, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", os.Getenv) // empty ISSUER: the test environment
//	login, err := idporten.New(cfg) // RedirectURI: https://host/auth/callback
//	m := &auth.Manager{Login: login, Store: postgres.NewAuthStore(db)} // Store nil: in memory
//	mux.Handle("/auth/", m.Handler()) // login, callback, logout, logged-out, frontchannel-logout
//	mux.Handle("/min-side", m.RequireLogin(idporten.Substantial)(minSide))
//	mux.Handle("POST /soknad", m.RequireLogin(idporten.Substantial)(auth.LimitBody(1<<20)(m.CSRF(send))))
//	go m.Cleaner().Run(ctx, 5*time.Minute) // deletes expired sessions
//
//	func minSide(w http.ResponseWriter, r *http.Request) {
//		c, _ := auth.CitizenFrom(r.Context()) // c.PID is an ident.Fodselsnummer
//		tmpl.Execute(w, map[string]any{"CSRF": m.CSRFField(r), ...})
//	}
//
// The cookie (Secure, HttpOnly, SameSite=Lax by default) holds only a random
// token; the store keys the session by its SHA-256. A session ends after
// 30 idle minutes or 120 minutes in all, as ID-porten's own, on logout
// (POST /auth/logout, through ID-porten's end_session_endpoint), and on
// front-channel logout, which finds sessions by ID-porten's sid because the
// provider's cross-site iframe does not carry our cookie. A new session id is
// issued at login, against session fixation. Officers logging in with
// Ansattporten get a second Manager with its own Prefix and CookieName; the
// two may share a Store, since a session keeps the issuer and client id it
// was made for and a Manager accepts only its own. Expired sessions are
// refused at once; the Cleaner job (Run, or RunOnce from a scheduler of
// your own) deletes them from the Store and logs how many.
//
// SafeReturnPath decides every path the Manager sends a browser back to
// after a login: cleaned first, then checked, so that nothing a browser
// reads as another host ("/\evil.example") gets through. A login cancelled
// at the provider lands on AfterCancel when it is set. CSRF reads a form's
// token under the cap the route set with LimitBody (forms.Flow.Limit for a
// form), so that the route's limit is the one that applies.
//
// HTTPStatus maps this package's errors, and a failed login's, to a status
// and a stable code ("not_logged_in", "csrf", "access_denied",
// "login_failed", "provider_unavailable"); the Manager's own failure page
// uses it.
//
// # Glossary
//
//   - ID-porten: the national login service for citizens, run by Digdir.
//   - Ansattporten: Digdir's login service for employees (officers).
//   - Fødselsnummer (pid): the national identity number; ident.Fodselsnummer
//     keeps it redacted in logs.
//   - Min side: "my page", a citizen's own overview, the usual page behind a
//     login.
package auth
