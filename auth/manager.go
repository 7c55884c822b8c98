package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/formbody"
)

// Citizen is the logged-in person, as handlers see them.
type Citizen struct {
	PID     ident.Fodselsnummer // redacts itself; Reveal for the digits
	Subject string
	ACR     idporten.ACR
	AMR     []string
	Locale  string
	Issuer  string
}

type ctxKey struct{}

type ctxValue struct {
	m       *Manager
	session *Session
}

// CitizenFrom returns the logged-in citizen that RequireLogin put in ctx.
func CitizenFrom(ctx context.Context) (*Citizen, bool) {
	v, ok := ctx.Value(ctxKey{}).(*ctxValue)
	if !ok || !v.session.LoggedIn() {
		return nil, false
	}
	s := v.session
	return &Citizen{PID: s.PID, Subject: s.Subject, ACR: s.ACR, AMR: s.AMR, Locale: s.Locale, Issuer: s.Issuer}, true
}

// Manager runs login sessions for one provider (ID-porten, or Ansattporten
// for officers). Its handlers live under Prefix: login, callback, logout,
// logged-out and frontchannel-logout. The zero value with Login set works.
type Manager struct {
	// Login is the provider's client; its RedirectURI must point at
	// Prefix+"/callback" and its PostLogoutRedirectURI at Prefix+"/logged-out".
	Login *idporten.Client
	// Store keeps the sessions; nil means an in-memory store.
	Store Store
	// Prefix of the handlers; default "/auth".
	Prefix string
	// CookieName default "grunnmur_session"; use another for a second
	// Manager (officers).
	CookieName string
	// Insecure drops the Secure flag, for plain-http localhost only.
	Insecure bool
	// SameSite defaults to Lax: the cookie must come along on ID-porten's
	// top-level redirect back to the callback.
	SameSite http.SameSite
	// IdleTimeout (default 30 min) and MaxAge (default 120 min) follow
	// ID-porten's own session.
	IdleTimeout, MaxAge time.Duration
	// AfterLogout is where logged-out users land; default "/".
	AfterLogout string
	// AfterCancel, when set, is where a person who cancels the login at the
	// provider (access_denied at the callback) lands, rather than on an
	// error page: the start page with a short message, say "/?avbrutt=1".
	AfterCancel string
	// Lang, when set, gives the citizen's language (a cookie, say) for
	// ID-porten's ui_locales when the login URL carries no lang parameter,
	// as when RequireLogin sends the citizen to log in. site.Lang fits;
	// "" sends none.
	Lang func(r *http.Request) i18n.Lang
	// ErrorHandler answers a failed login; nil writes a plain 401/400 page.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	Now    func() time.Time
	Logger *slog.Logger

	memOnce  sync.Once
	memStore *MemoryStore
}

func (m *Manager) store() Store {
	if m.Store != nil {
		return m.Store
	}
	m.memOnce.Do(func() { m.memStore = NewMemoryStore() })
	return m.memStore
}

func (m *Manager) prefix() string {
	if m.Prefix == "" {
		return "/auth"
	}
	return strings.TrimSuffix(m.Prefix, "/")
}

func (m *Manager) cookieName() string {
	if m.CookieName == "" {
		return "grunnmur_session"
	}
	return m.CookieName
}

func (m *Manager) now() time.Time { return defaults.Now(m.Now) }

func (m *Manager) log() *slog.Logger { return defaults.Logger(m.Logger) }

func (m *Manager) idle() time.Duration {
	if m.IdleTimeout > 0 {
		return m.IdleTimeout
	}
	return 30 * time.Minute
}

func (m *Manager) maxAge() time.Duration {
	if m.MaxAge > 0 {
		return m.MaxAge
	}
	return 120 * time.Minute
}

// Handler serves Prefix+"/login", "/callback", "/logout", "/logged-out" and
// "/frontchannel-logout". Mount it with mux.Handle(m.Prefix+"/", m.Handler()).
func (m *Manager) Handler() http.Handler {
	mux := http.NewServeMux()
	p := m.prefix()
	mux.HandleFunc("GET "+p+"/login", m.login)
	mux.HandleFunc("GET "+p+"/callback", m.callback)
	mux.Handle("POST "+p+"/logout", m.CSRF(http.HandlerFunc(m.logout)))
	mux.HandleFunc("GET "+p+"/logged-out", m.loggedOut)
	mux.HandleFunc("GET "+p+"/frontchannel-logout", m.frontChannel)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.Login == nil {
			m.log().ErrorContext(r.Context(), "auth: Manager.Login is not set")
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func storeID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (m *Manager) setCookie(w http.ResponseWriter, token string) {
	ss := m.SameSite
	if ss == 0 {
		ss = http.SameSiteLaxMode
	}
	http.SetCookie(w, &http.Cookie{
		Name: m.cookieName(), Value: token, Path: "/", HttpOnly: true, Secure: !m.Insecure, SameSite: ss,
	})
}

func (m *Manager) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: m.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: !m.Insecure, SameSite: http.SameSiteLaxMode})
}

// Session returns the request's live session (logged in or not), ending it
// if it has passed the idle or absolute limit.
func (m *Manager) Session(r *http.Request) (*Session, error) {
	if v, ok := r.Context().Value(ctxKey{}).(*ctxValue); ok && v.m == m {
		return v.session, nil
	}
	ck, err := r.Cookie(m.cookieName())
	if err != nil || ck.Value == "" {
		return nil, ErrNoSession
	}
	id := storeID(ck.Value)
	s, err := m.store().Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if !m.owns(s) {
		return nil, ErrNoSession // another Manager's: left alone for it
	}
	now := m.now()
	if now.Sub(s.LastSeen) >= m.idle() || now.Sub(s.Created) >= m.maxAge() {
		_ = m.store().Delete(r.Context(), id)
		return nil, ErrNoSession
	}
	// Write LastSeen at most once a minute: reads far outnumber the need.
	if now.Sub(s.LastSeen) >= time.Minute {
		if err := m.store().Touch(r.Context(), id, now); errors.Is(err, ErrNotFound) {
			return nil, ErrNoSession // logged out meanwhile
		}
		s.LastSeen = now
	}
	return s, nil
}

// owns reports whether s was made by this Manager's provider and client.
// Managers may share a Store (one database table): a session token moved
// from one's cookie into the other's must not log anyone in there.
func (m *Manager) owns(s *Session) bool {
	return m.Login != nil && s.Issuer == m.Login.Issuer() && s.ClientID == m.Login.ClientID()
}

// RequireLogin lets a request through only with a login at level min or
// higher ("" for any). Others are sent to log in (GET, HEAD) or get 401.
// The handler finds the citizen with CitizenFrom.
func (m *Manager) RequireLogin(min idporten.ACR) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := m.Session(r)
			if err != nil && !errors.Is(err, ErrNoSession) {
				m.log().ErrorContext(r.Context(), "auth: session store", "error", err)
				http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
				return
			}
			if !s.LoggedIn() || !s.ACR.Satisfies(min) {
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
					return
				}
				q := url.Values{"return": {r.URL.RequestURI()}}
				if min != "" {
					q.Set("acr", string(min))
				}
				http.Redirect(w, r, m.prefix()+"/login?"+q.Encode(), http.StatusSeeOther)
				return
			}
			w.Header().Add("Cache-Control", "private, no-store")
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &ctxValue{m: m, session: s})))
		})
	}
}

func (m *Manager) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := idporten.AuthOptions{ACR: idporten.ACR(q.Get("acr"))}
	if opts.ACR != "" && !opts.ACR.Valid() {
		http.Error(w, "unknown acr", http.StatusBadRequest)
		return
	}
	l := q.Get("lang")
	if l == "" && m.Lang != nil {
		l = string(m.Lang(r))
	}
	if l != "" {
		opts.UILocales = []string{l}
	}
	authURL, p, err := m.Login.Start(r.Context(), opts)
	if err != nil {
		m.fail(w, r, err)
		return
	}
	token := newToken()
	now := m.now()
	s := &Session{ID: storeID(token), Issuer: m.Login.Issuer(), ClientID: m.Login.ClientID(), CSRF: newToken(), Pending: p,
		ReturnTo: SafeReturnPath(q.Get("return")), Created: now, LastSeen: now}
	// An abandoned login in progress is dropped; a logged-in session (a
	// step-up) is ended when the new login completes, so none is left behind.
	if ck, err := r.Cookie(m.cookieName()); err == nil && ck.Value != "" {
		if old, err := m.store().Get(r.Context(), storeID(ck.Value)); err == nil && m.owns(old) {
			if old.LoggedIn() {
				s.Replaces = old.ID
			} else {
				_ = m.store().Delete(r.Context(), old.ID)
				s.Replaces = old.Replaces
			}
		}
	}
	if err := m.store().Create(r.Context(), s); err != nil {
		m.fail(w, r, err)
		return
	}
	m.setCookie(w, token)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
}

func (m *Manager) callback(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(m.cookieName())
	if err != nil {
		m.fail(w, r, idporten.ErrStateMismatch)
		return
	}
	old, err := m.store().Get(r.Context(), storeID(ck.Value))
	if err != nil || old.Pending == nil || !m.owns(old) {
		m.fail(w, r, idporten.ErrStateMismatch)
		return
	}
	// A pending login lives as long as the idle limit, no longer.
	if m.now().Sub(old.Pending.Created) > m.idle() {
		_ = m.store().Delete(r.Context(), old.ID)
		m.fail(w, r, idporten.ErrStateMismatch)
		return
	}
	l, err := m.Login.Callback(r.Context(), r.URL.Query(), old.Pending)
	// The pending state is single-use, whatever the outcome.
	_ = m.store().Delete(r.Context(), old.ID)
	if err != nil {
		m.clearCookie(w)
		if errors.Is(err, oauth.ErrAccessDenied) && m.AfterCancel != "" {
			m.log().InfoContext(r.Context(), "auth: login cancelled", "error", err)
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, SafeReturnPath(m.AfterCancel), http.StatusSeeOther)
			return
		}
		m.fail(w, r, err)
		return
	}
	// A new id at login defeats session fixation.
	token := newToken()
	now := m.now()
	t := l.IDToken
	s := &Session{
		ID: storeID(token), Issuer: m.Login.Issuer(), ClientID: m.Login.ClientID(), Subject: t.Subject, PID: t.PID, ACR: t.ACR, AMR: t.AMR,
		SID: t.SID, Locale: t.Locale, IDToken: t.Raw, CSRF: newToken(), Created: now, LastSeen: now,
	}
	if err := m.store().Create(r.Context(), s); err != nil {
		m.fail(w, r, err)
		return
	}
	if old.Replaces != "" {
		_ = m.store().Delete(r.Context(), old.Replaces)
	}
	m.log().InfoContext(r.Context(), "auth: login", "pid", t.PID, "acr", t.ACR, "issuer", t.Issuer)
	m.setCookie(w, token)
	// Decided again on the way out: a stored session may predate the rules.
	http.Redirect(w, r, SafeReturnPath(old.ReturnTo), http.StatusSeeOther)
}

func (m *Manager) logout(w http.ResponseWriter, r *http.Request) {
	s, err := m.Session(r)
	m.clearCookie(w)
	if err != nil || !s.LoggedIn() {
		http.Redirect(w, r, m.afterLogout(), http.StatusSeeOther)
		return
	}
	_ = m.store().Delete(r.Context(), s.ID)
	u, err := m.Login.LogoutURL(r.Context(), s.IDToken, newToken()[:16])
	if err != nil {
		m.log().WarnContext(r.Context(), "auth: no provider logout", "error", err)
		http.Redirect(w, r, m.afterLogout(), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (m *Manager) afterLogout() string {
	if m.AfterLogout != "" {
		return m.AfterLogout
	}
	return "/"
}

func (m *Manager) loggedOut(w http.ResponseWriter, r *http.Request) {
	m.clearCookie(w)
	http.Redirect(w, r, m.afterLogout(), http.StatusSeeOther)
}

// frontChannel ends every session of the provider session named by sid. The
// browser loads it in the provider's iframe without our cookie, so the
// lookup is by sid.
func (m *Manager) frontChannel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache, no-store")
	sid, err := m.Login.FrontChannelLogout(r)
	if err != nil {
		http.Error(w, "bad logout request", http.StatusBadRequest)
		return
	}
	n, err := m.store().DeleteBySID(r.Context(), m.Login.Issuer(), sid)
	if err != nil {
		m.log().ErrorContext(r.Context(), "auth: front-channel logout", "error", err)
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	m.log().InfoContext(r.Context(), "auth: front-channel logout", "sessions", n)
	w.WriteHeader(http.StatusOK)
}

func (m *Manager) fail(w http.ResponseWriter, r *http.Request, err error) {
	m.log().WarnContext(r.Context(), "auth: login failed", "error", err)
	if m.ErrorHandler != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	status, _ := HTTPStatus(err)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Innlogginga mislyktes / Login failed", status)
}

// CSRFFieldName is the form field (and X-CSRF-Token the header) that carries
// the token.
const CSRFFieldName = "csrf_token"

// DefaultMaxBody caps the body CSRF reads a form token from when the route
// has set no cap of its own with LimitBody (or forms.Flow.Limit).
const DefaultMaxBody = 10 << 20

// LimitBody caps the body of the requests to next at n bytes. Put it
// outside CSRF, which reads the form to find the token: the route's cap
// then applies to that read, the only one, both ways (a larger upload
// passes, a larger post to a small route does not).
func LimitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = formbody.Limit(w, r, n)
			defer formbody.Cleanup(r)
			next.ServeHTTP(w, r)
		})
	}
}

// CSRF refuses a state-changing request (anything but GET, HEAD, OPTIONS,
// TRACE) unless it carries the session's CSRF token, in the csrf_token form
// field or the X-CSRF-Token header, and does not come from another site
// (Sec-Fetch-Site, Origin). It needs a session: put it behind RequireLogin.
//
// To find a form token it reads the form, under the cap the route set with
// LimitBody (else DefaultMaxBody); a body over the cap gets 413.
func (m *Manager) CSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		r, err := m.checkCSRF(w, r)
		defer formbody.Cleanup(r)
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, "CSRF check failed", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkCSRF returns r with its form read, when the token is to be found there.
func (m *Manager) checkCSRF(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return r, ErrCSRF
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return r, ErrCSRF
		}
	}
	s, err := m.Session(r)
	if err != nil {
		return r, ErrCSRF
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if _, ok := formbody.Cap(r); !ok {
			r = formbody.Limit(w, r, DefaultMaxBody)
		}
		if err := formbody.Parse(r); err != nil {
			return r, err
		}
		got = r.PostForm.Get(CSRFFieldName)
	}
	if s.CSRF == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
		return r, ErrCSRF
	}
	return r, nil
}

// CSRFToken returns the session's CSRF token for a form ("" without a session).
func (m *Manager) CSRFToken(r *http.Request) string {
	s, err := m.Session(r)
	if err != nil {
		return ""
	}
	return s.CSRF
}

// CSRFField returns the hidden input to put in every POST form.
func (m *Manager) CSRFField(r *http.Request) template.HTML {
	return template.HTML(`<input type="hidden" name="` + CSRFFieldName + `" value="` + template.HTMLEscapeString(m.CSRFToken(r)) + `">`)
}
