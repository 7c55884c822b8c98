package idportentest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// LoginFault makes the next login misbehave. Each queued fault is used by
// one login, in order (see FailNextLogin).
type LoginFault struct {
	// Signature faults.
	BadSignature bool   // flip a bit of the id_token signature
	OmitKID      bool   // no kid in the header
	Alg          string // "ES256" (a valid EC signature), "HS256" (keyed with the public key), "none"
	// Claim faults: a non-empty value replaces the right one.
	Issuer   string
	Audience string
	Nonce    string
	ACR      string        // e.g. a lower level than asked for
	Expired  bool          // exp in the past
	IatShift time.Duration // move iat, e.g. +30 s into the future
	Omit     []string      // claims to leave out: "pid", "sub", "iat", "nonce", ...
	// UserinfoSub replaces sub at the userinfo endpoint.
	UserinfoSub string
	// CallbackIssuer replaces the iss parameter of the authorization response
	// (RFC 9207); "-" leaves it out.
	CallbackIssuer string
	// Cancel makes the person cancel at the login page, picker or not: the
	// authorization response is error=access_denied, as ID-porten's when
	// the person presses Avbryt. Nothing else of the fault applies.
	Cancel bool
}

// FailNextLogin queues f for the next login at any provider.
func (s *Server) FailNextLogin(f LoginFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login = append(s.login, f)
}

// takeCancel takes the next queued fault if it is a Cancel.
func (s *Server) takeCancel() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.login) == 0 || !s.login[0].Cancel {
		return false
	}
	s.login = s.login[1:]
	return true
}

func (s *Server) takeLoginFault() LoginFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.login) == 0 {
		return LoginFault{}
	}
	f := s.login[0]
	s.login = s.login[1:]
	return f
}

// SetDiscoveryIssuer makes p's discovery document name issuer instead of the
// right one ("" restores it).
func (s *Server) SetDiscoveryIssuer(p Provider, issuer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.discIss[p] = issuer
}

// ExpirePARs makes every pending pushed authorization request expire now.
func (s *Server) ExpirePARs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.pars {
		a.expires = time.Time{}.Add(1)
	}
}

type authRequest struct {
	id            string
	provider      Provider
	clientID      string
	redirectURI   string
	scope         string
	state         string
	nonce         string
	codeChallenge string
	acr           string
	uiLocales     []string
	prompt        string
	loginHint     string
	expires       time.Time // PAR only
	pushed        bool
}

type codeGrant struct {
	req      *authRequest
	user     User
	acr      string
	sid      string
	authTime time.Time
	expires  time.Time
	used     bool
	fault    LoginFault
	issuer   string
	tokens   []string // access tokens issued from it, revoked on reuse
}

type accessGrant struct {
	provider Provider
	clientID string
	sub      string
	user     User
	acr      string
	expires  time.Time
	fault    LoginFault
}

type ssoSession struct {
	provider Provider
	sid      string
	user     User
	acr      string
	authTime time.Time
	lastSeen time.Time
	clients  []string
}

const (
	ssoIdle = 30 * time.Minute
	ssoMax  = 120 * time.Minute
)

func (e endpointCtx) metadata(w http.ResponseWriter, r *http.Request) {
	e.s.mu.Lock()
	iss := e.issuer
	if o := e.s.discIss[e.p]; o != "" {
		iss = o
	}
	e.s.mu.Unlock()
	if e.p == Maskinporten {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                iss,
			"token_endpoint":                        e.url("/token"),
			"jwks_uri":                              e.url("/jwks"),
			"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
			"grant_types_supported":                 []string{"urn:ietf:params:oauth:grant-type:jwt-bearer"},
			"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "RS384", "RS512"},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         e.url("/authorize"),
		"pushed_authorization_request_endpoint":          e.url("/par"),
		"token_endpoint":                                 e.url("/token"),
		"userinfo_endpoint":                              e.url("/userinfo"),
		"end_session_endpoint":                           e.url("/endsession"),
		"jwks_uri":                                       e.url("/jwks"),
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query", "form_post"},
		"subject_types_supported":                        []string{"pairwise"},
		"scopes_supported":                               []string{"openid", "profile"},
		"acr_values_supported":                           []string{"idporten-loa-substantial", "idporten-loa-high"},
		"ui_locales_supported":                           []string{"nb", "nn", "en", "se"},
		"claims_supported":                               []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "pid", "sid", "locale"},
		"code_challenge_methods_supported":               []string{"S256"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		"frontchannel_logout_supported":                  true,
		"frontchannel_logout_session_supported":          true,
		"authorization_response_iss_parameter_supported": true,
		"request_parameter_supported":                    false,
	})
}

// parseAuthRequest validates authorization parameters (from the browser or a
// PAR body). A returned redirect is set once redirect_uri is trusted: errors
// after that point go back to the client.
func (e endpointCtx) parseAuthRequest(q url.Values) (*authRequest, *Client, error) {
	e.s.mu.Lock()
	c := e.s.clients[q.Get("client_id")]
	e.s.mu.Unlock()
	if c == nil {
		return nil, nil, errors.New("unknown client_id")
	}
	ru := q.Get("redirect_uri")
	if !slices.Contains(c.RedirectURIs, ru) {
		return nil, nil, errors.New("redirect_uri is not registered for the client")
	}
	a := &authRequest{
		provider: e.p, clientID: c.ID, redirectURI: ru, scope: q.Get("scope"),
		state: q.Get("state"), nonce: q.Get("nonce"), codeChallenge: q.Get("code_challenge"),
		acr: q.Get("acr_values"), prompt: q.Get("prompt"), loginHint: q.Get("login_hint"),
	}
	if l := q.Get("ui_locales"); l != "" {
		a.uiLocales = strings.Fields(l)
	}
	switch {
	case q.Get("response_type") != "code":
		return a, c, oauthErr("unsupported_response_type", "response_type must be code")
	case !slices.Contains(strings.Fields(a.scope), "openid"):
		return a, c, oauthErr("invalid_scope", "scope must include openid")
	case a.state == "":
		return a, c, oauthErr("invalid_request", "state is required")
	case a.nonce == "":
		return a, c, oauthErr("invalid_request", "nonce is required")
	case a.codeChallenge == "" || q.Get("code_challenge_method") != "S256":
		return a, c, oauthErr("invalid_request", "PKCE with code_challenge_method S256 is required")
	case a.prompt != "" && a.prompt != "login" && a.prompt != "none":
		return a, c, oauthErr("invalid_request", "prompt must be login or none")
	}
	if a.acr == "" {
		a.acr = "idporten-loa-substantial"
	}
	if level(a.acr) == 0 {
		return a, c, oauthErr("invalid_request", "acr_values must be idporten-loa-substantial or idporten-loa-high")
	}
	for _, l := range a.uiLocales {
		if !slices.Contains([]string{"nb", "nn", "en", "se"}, l) {
			return a, c, oauthErr("invalid_request", "ui_locales must be nb, nn, en or se")
		}
	}
	return a, c, nil
}

func level(acr string) int {
	switch acr {
	case "idporten-loa-substantial", "Level3", "substantial":
		return 3
	case "idporten-loa-high", "Level4", "high":
		return 4
	}
	return 0
}

type authzError struct{ code, desc string }

func (e *authzError) Error() string { return e.code + ": " + e.desc }

func oauthErr(code, desc string) error { return &authzError{code, desc} }

func (e endpointCtx) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var a *authRequest
	if ru := q.Get("request_uri"); ru != "" {
		e.s.mu.Lock()
		a = e.s.pars[ru]
		if a != nil {
			delete(e.s.pars, ru) // single use
		}
		e.s.mu.Unlock()
		if a == nil || a.clientID != q.Get("client_id") || a.provider != e.p {
			errorPage(w, http.StatusBadRequest, "invalid_request_uri", "request_uri is unknown, used or not this client's")
			return
		}
		if !e.s.now().Before(a.expires) {
			e.redirectError(w, r, a, "invalid_request_uri", "the pushed authorization request has expired")
			return
		}
	} else {
		var c *Client
		var err error
		a, c, err = e.parseAuthRequest(q)
		if c == nil || a == nil {
			errorPage(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		if err != nil {
			var oe *authzError
			errors.As(err, &oe)
			e.redirectError(w, r, a, oe.code, oe.desc)
			return
		}
	}
	if e.s.takeCancel() {
		e.redirectError(w, r, a, "access_denied", "the user cancelled the login")
		return
	}
	// Single sign-on: an existing session at a level high enough is reused
	// unless the client asks for a new login.
	if sess := e.ssoFromCookie(r); sess != nil && a.prompt != "login" && level(sess.acr) >= level(a.acr) {
		e.issueCode(w, r, a, sess)
		return
	}
	if a.prompt == "none" {
		e.redirectError(w, r, a, "login_required", "no single sign-on session")
		return
	}
	if e.s.cfg.Interactive {
		e.s.mu.Lock()
		a.id = random(16)
		e.s.pending[a.id] = a
		e.s.mu.Unlock()
		e.picker(w, r, a, "")
		return
	}
	e.s.mu.Lock()
	u := e.s.users[0]
	if e.s.next != nil {
		u = *e.s.next
	}
	e.s.mu.Unlock()
	if a.loginHint != "" {
		for _, cand := range e.s.Users() {
			if cand.PID.Reveal() == a.loginHint {
				u = cand
			}
		}
	}
	acr := a.acr
	if level(maxACR(u)) < level(acr) {
		e.redirectError(w, r, a, "access_denied", "the test user cannot log in at the level asked for")
		return
	}
	e.newSSO(w, a, u, acr)
}

func maxACR(u User) string {
	if u.MaxACR == "" {
		return "idporten-loa-high"
	}
	return u.MaxACR
}

func (e endpointCtx) newSSO(w http.ResponseWriter, a *authRequest, u User, acr string) {
	now := e.s.now()
	sess := &ssoSession{provider: e.p, sid: random(16), user: u, acr: acr, authTime: now, lastSeen: now}
	cookie := random(24)
	e.s.mu.Lock()
	e.s.sso[cookie] = sess
	e.s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: ssoCookie(e.p), Value: cookie, Path: "/", HttpOnly: true, SameSite: http.SameSiteNoneMode, Secure: strings.HasPrefix(e.base, "https:")})
	e.issueCode(w, nil, a, sess)
}

func ssoCookie(p Provider) string { return "fake_" + shortName(p) + "_sso" }

func (e endpointCtx) ssoFromCookie(r *http.Request) *ssoSession {
	ck, err := r.Cookie(ssoCookie(e.p))
	if err != nil {
		return nil
	}
	now := e.s.now()
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	sess := e.s.sso[ck.Value]
	if sess == nil {
		return nil
	}
	if now.Sub(sess.lastSeen) > ssoIdle || now.Sub(sess.authTime) > ssoMax {
		delete(e.s.sso, ck.Value)
		return nil
	}
	sess.lastSeen = now
	return sess
}

func (e endpointCtx) issueCode(w http.ResponseWriter, _ *http.Request, a *authRequest, sess *ssoSession) {
	fault := e.s.takeLoginFault()
	code := random(24)
	now := e.s.now()
	e.s.mu.Lock()
	e.s.codes[code] = &codeGrant{req: a, user: sess.user, acr: a.acr, sid: sess.sid, authTime: sess.authTime,
		expires: now.Add(ttl(e.s.cfg.CodeTTL, 60*time.Second)), fault: fault, issuer: e.issuer}
	if level(sess.acr) > level(a.acr) {
		e.s.codes[code].acr = sess.acr
	}
	if !slices.Contains(sess.clients, a.clientID) {
		sess.clients = append(sess.clients, a.clientID)
	}
	e.s.mu.Unlock()
	v := url.Values{"code": {code}, "state": {a.state}}
	switch fault.CallbackIssuer {
	case "":
		v.Set("iss", e.issuer)
	case "-":
	default:
		v.Set("iss", fault.CallbackIssuer)
	}
	http.Redirect(w, &http.Request{Method: http.MethodGet}, addQuery(a.redirectURI, v), http.StatusFound)
}

func (e endpointCtx) redirectError(w http.ResponseWriter, r *http.Request, a *authRequest, code, desc string) {
	v := url.Values{"error": {code}, "error_description": {desc}, "iss": {e.issuer}}
	if a.state != "" {
		v.Set("state", a.state)
	}
	http.Redirect(w, r, addQuery(a.redirectURI, v), http.StatusFound)
}

func addQuery(u string, v url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + v.Encode()
	}
	return u + "?" + v.Encode()
}

func (e endpointCtx) pickerSubmit(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	e.s.mu.Lock()
	a := e.s.pending[r.PostForm.Get("request")]
	delete(e.s.pending, r.PostForm.Get("request"))
	e.s.mu.Unlock()
	if a == nil || a.provider != e.p {
		errorPage(w, http.StatusBadRequest, "invalid_request", "the login request is unknown or already used; start again from the service")
		return
	}
	if r.PostForm.Get("cancel") != "" {
		e.redirectError(w, r, a, "access_denied", "the user cancelled the login")
		return
	}
	var u User
	pid := strings.TrimSpace(r.PostForm.Get("pid"))
	if other := strings.TrimSpace(r.PostForm.Get("other")); pid == "other" || (pid == "" && other != "") {
		fnr, err := ident.ParseFodselsnummer(other)
		if err != nil {
			e.s.mu.Lock()
			a.id = random(16)
			e.s.pending[a.id] = a
			e.s.mu.Unlock()
			e.picker(w, r, a, "invalid")
			return
		}
		u = User{PID: fnr, Name: "", AMR: "TestID"}
	} else {
		found := false
		for _, cand := range e.s.Users() {
			if cand.PID.Reveal() == pid {
				u, found = cand, true
			}
		}
		if !found {
			e.s.mu.Lock()
			a.id = random(16)
			e.s.pending[a.id] = a
			e.s.mu.Unlock()
			e.picker(w, r, a, "choose")
			return
		}
	}
	acr := a.acr
	if chosen := r.PostForm.Get("acr"); level(chosen) >= level(a.acr) {
		acr = chosen
	}
	if level(maxACR(u)) < level(acr) {
		e.redirectError(w, r, a, "access_denied", "the test user cannot log in at the level asked for")
		return
	}
	e.newSSO(w, a, u, acr)
}

func (e endpointCtx) par(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	c, err := e.authenticateClient(r)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	if r.PostForm.Has("request_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "request_uri is not allowed in a pushed request")
		return
	}
	form := cloneForm(r.PostForm)
	form.Set("client_id", c.ID)
	a, _, err := e.parseAuthRequest(form)
	if err != nil {
		var oe *authzError
		if errors.As(err, &oe) {
			oauthError(w, http.StatusBadRequest, oe.code, oe.desc)
		} else {
			oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		}
		return
	}
	life := ttl(e.s.cfg.PARTTL, 60*time.Second)
	a.pushed = true
	a.expires = e.s.now().Add(life)
	uri := "urn:ietf:params:oauth:request_uri:" + random(24)
	e.s.mu.Lock()
	e.s.pars[uri] = a
	e.s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"request_uri": uri, "expires_in": int(life.Seconds())})
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k == "client_secret" || k == "client_assertion" || k == "client_assertion_type" {
			continue
		}
		out[k] = slices.Clone(vs)
	}
	return out
}

func (e endpointCtx) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	c, err := e.authenticateClient(r)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code")
		return
	}
	g, refusal := e.redeemCode(r, c)
	if refusal != "" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", refusal)
		return
	}
	now := e.s.now()
	sub := pairwiseSub(g.user.PID.Reveal(), c.ID)
	idt, err := e.prov.sign(e.idTokenClaims(g, c, sub, now), signOptions{badSignature: g.fault.BadSignature, omitKID: g.fault.OmitKID, alg: g.fault.Alg})
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	at := random(32)
	atTTL := ttl(e.s.cfg.AccessTokenTTL, 120*time.Second)
	e.s.mu.Lock()
	e.s.tokens[at] = &accessGrant{provider: e.p, clientID: c.ID, sub: sub, user: g.user, acr: g.acr, expires: now.Add(atTTL), fault: g.fault}
	g.tokens = append(g.tokens, at)
	e.s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "id_token": idt, "token_type": "Bearer",
		"expires_in": int(atTTL.Seconds()), "scope": g.req.scope,
	})
}

// redeemCode takes the request's code for client c, once: it returns the
// grant, or why the code is refused (invalid_grant).
func (e endpointCtx) redeemCode(r *http.Request, c *Client) (*codeGrant, string) {
	now := e.s.now()
	e.s.mu.Lock()
	g := e.s.codes[r.PostForm.Get("code")]
	if g != nil && g.used {
		// RFC 6749 4.1.2: a reused code revokes what it gave.
		for _, t := range g.tokens {
			delete(e.s.tokens, t)
		}
		e.s.mu.Unlock()
		return nil, "the code has already been used"
	}
	if g != nil {
		g.used = true
	}
	e.s.mu.Unlock()
	switch {
	case g == nil || g.req.provider != e.p:
		return nil, "unknown code"
	case !now.Before(g.expires):
		return nil, "the code has expired"
	case g.req.clientID != c.ID:
		return nil, "the code was issued to another client"
	case r.PostForm.Get("redirect_uri") != g.req.redirectURI:
		return nil, "redirect_uri does not match the authorization request"
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.req.codeChallenge)) != 1 {
		return nil, "PKCE verification failed"
	}
	return g, ""
}

// idTokenClaims are the id_token's claims for grant g, with the login
// fault's changes.
func (e endpointCtx) idTokenClaims(g *codeGrant, c *Client, sub string, now time.Time) map[string]any {
	f := g.fault
	exp := now.Add(ttl(e.s.cfg.IDTokenTTL, 120*time.Second))
	if f.Expired {
		exp = now.Add(-5 * time.Minute)
	}
	claims := map[string]any{
		"iss": e.issuer, "sub": sub, "aud": c.ID, "exp": exp.Unix(), "iat": now.Add(f.IatShift).Unix(),
		"auth_time": g.authTime.Unix(), "nonce": g.req.nonce, "acr": g.acr, "amr": []string{amr(g.user)},
		"pid": g.user.PID.Reveal(), "sid": g.sid, "jti": random(12), "locale": "nb",
	}
	if len(g.req.uiLocales) > 0 {
		claims["locale"] = g.req.uiLocales[0]
	}
	for k, v := range map[string]string{"iss": f.Issuer, "aud": f.Audience, "nonce": f.Nonce, "acr": f.ACR} {
		if v != "" {
			claims[k] = v
		}
	}
	for _, k := range f.Omit {
		delete(claims, k)
	}
	return claims
}

func amr(u User) string {
	if u.AMR == "" {
		return "BankID"
	}
	return u.AMR
}

// pairwiseSub is stable per person and client, as ID-porten's sub.
func pairwiseSub(pid, clientID string) string {
	sum := sha256.Sum256([]byte("fake-idporten-sub\x00" + clientID + "\x00" + pid))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

func (e endpointCtx) userinfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "no bearer token")
		return
	}
	e.s.mu.Lock()
	g := e.s.tokens[tok]
	e.s.mu.Unlock()
	if g == nil || g.provider != e.p || !e.s.now().Before(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown or expired")
		return
	}
	sub := g.sub
	if g.fault.UserinfoSub != "" {
		sub = g.fault.UserinfoSub
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": sub, "pid": g.user.PID.Reveal(), "acr": g.acr})
}

func (e endpointCtx) endSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "bad request")
		return
	}
	q := r.Form
	clientID, sid := q.Get("client_id"), ""
	if hint := q.Get("id_token_hint"); hint != "" {
		var ok bool
		if clientID, sid, ok = e.readHint(hint); !ok {
			errorPage(w, http.StatusBadRequest, "invalid_request", "id_token_hint is not a token from this provider")
			return
		}
	}
	e.s.mu.Lock()
	c := e.s.clients[clientID]
	e.s.mu.Unlock()
	plr := q.Get("post_logout_redirect_uri")
	if plr != "" && (c == nil || !slices.Contains(c.PostLogoutRedirectURIs, plr)) {
		errorPage(w, http.StatusBadRequest, "invalid_request", "post_logout_redirect_uri is not registered for the client")
		return
	}
	ended := e.endSSO(r, sid)
	http.SetCookie(w, &http.Cookie{Name: ssoCookie(e.p), Value: "", Path: "/", MaxAge: -1})
	var frames []string
	if ended != nil {
		frames = e.frontChannelURLs(ended, clientID)
	}
	next := plr
	if st := q.Get("state"); plr != "" && st != "" {
		next = addQuery(plr, url.Values{"state": {st}})
	}
	if e.s.cfg.Interactive {
		loggedOutPage(w, frames, next)
		return
	}
	e.s.sendFrontChannel(r.Context(), frames)
	if next == "" {
		loggedOutPage(w, nil, "")
		return
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// readHint reads the client and sid of an id_token_hint this provider
// signed.
func (e endpointCtx) readHint(hint string) (clientID, sid string, ok bool) {
	payload, err := e.prov.verify(hint)
	var cl struct {
		Aud any    `json:"aud"`
		Sid string `json:"sid"`
		Iss string `json:"iss"`
	}
	if err != nil || json.Unmarshal(payload, &cl) != nil || cl.Iss != e.issuer {
		return "", "", false
	}
	switch a := cl.Aud.(type) {
	case string:
		clientID = a
	case []any:
		if len(a) > 0 {
			clientID, _ = a[0].(string)
		}
	}
	return clientID, cl.Sid, true
}

// endSSO ends the SSO session sid, else the browser's, and returns it (nil
// when there was none).
func (e endpointCtx) endSSO(r *http.Request, sid string) *ssoSession {
	var ended *ssoSession
	e.s.mu.Lock()
	for k, sess := range e.s.sso {
		if sess.provider == e.p && sess.sid == sid && sid != "" {
			ended = sess
			delete(e.s.sso, k)
		}
	}
	e.s.mu.Unlock()
	if ended != nil {
		return ended
	}
	sess := e.ssoFromCookie(r)
	if sess == nil {
		return nil
	}
	e.s.mu.Lock()
	for k, s2 := range e.s.sso {
		if s2 == sess {
			delete(e.s.sso, k)
		}
	}
	e.s.mu.Unlock()
	return sess
}

// frontChannelURLs lists the front-channel logout URIs of the session's other
// clients (the one that asked for logout already knows), with iss and sid.
func (e endpointCtx) frontChannelURLs(sess *ssoSession, except string) []string {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	var out []string
	for _, id := range sess.clients {
		c := e.s.clients[id]
		if c == nil || c.FrontchannelLogoutURI == "" || id == except {
			continue
		}
		out = append(out, addQuery(c.FrontchannelLogoutURI, url.Values{"iss": {e.issuer}, "sid": {sess.sid}}))
	}
	return out
}

// sendFrontChannel does what the browser's logout iframes do: a plain GET to
// each URL, without the service's cookies.
func (s *Server) sendFrontChannel(ctx context.Context, urls []string) {
	hc := s.cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		resp, err := hc.Do(req)
		if err != nil {
			s.log().Warn("idportentest: front-channel logout failed", "error", err)
			continue
		}
		resp.Body.Close()
	}
}

// EndSession ends the SSO session sid at p as if the person logged out at
// another service, and sends the front-channel logout to every client in it
// (including ones that did not start the logout). It reports whether sid was
// a live session.
func (s *Server) EndSession(ctx context.Context, p Provider, sid string) bool {
	var ended *ssoSession
	s.mu.Lock()
	for k, sess := range s.sso {
		if sess.provider == p && sess.sid == sid {
			ended = sess
			delete(s.sso, k)
		}
	}
	base := s.baseURL
	s.mu.Unlock()
	if ended == nil {
		return false
	}
	e := endpointCtx{s: s, p: p, prov: s.providers[p], base: base, issuer: issuerAt(base, p)}
	s.sendFrontChannel(ctx, e.frontChannelURLs(ended, ""))
	return true
}

// authenticateClient checks client_secret_basic, client_secret_post or
// private_key_jwt, and parses the form.
func (e endpointCtx) authenticateClient(r *http.Request) (*Client, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errors.New("bad form")
	}
	f := r.PostForm
	lookup := func(id string) *Client {
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		return e.s.clients[id]
	}
	if id, secret, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		c := lookup(id)
		if c == nil || c.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
			return nil, errors.New("client authentication failed")
		}
		return c, nil
	}
	if a := f.Get("client_assertion"); a != "" {
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			return nil, errors.New("client_assertion_type must be jwt-bearer")
		}
		cl, c, err := e.s.verifyAssertion(a, lookup)
		if err != nil {
			return nil, err
		}
		if cl.Sub != c.ID || (f.Get("client_id") != "" && f.Get("client_id") != c.ID) {
			return nil, errors.New("client assertion sub must be the client_id")
		}
		if !cl.audIs(e.issuer) && !cl.audIs(e.url("/token")) && !cl.audIs(e.url("/par")) {
			return nil, errors.New("client assertion aud must be the issuer")
		}
		if err := e.s.checkGrantTimes(cl); err != nil {
			return nil, err
		}
		if err := e.s.useJTI(cl); err != nil {
			return nil, err
		}
		return c, nil
	}
	c := lookup(f.Get("client_id"))
	if c == nil || c.Secret == "" || f.Get("client_secret") == "" ||
		subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(c.Secret)) != 1 {
		return nil, errors.New("client authentication failed")
	}
	return c, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SessionIDs returns the sids of the live single-sign-on sessions of the
// person pid at p, for a test that ends one with EndSession as if the person
// logged out at another service.
func (s *Server) SessionIDs(p Provider, pid ident.Fodselsnummer) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sess := range s.sso {
		if sess.provider == p && sess.user.PID == pid {
			out = append(out, sess.sid)
		}
	}
	slices.Sort(out)
	return out
}
