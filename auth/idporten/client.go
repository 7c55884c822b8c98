package idporten

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grunnmur/grunnmur/auth/internal/oauthx"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/secret"
)

// Client is an OpenID Connect relying party for ID-porten or Ansattporten.
// It is safe for concurrent use.
type Client struct {
	cfg            *Config // a pointer: fmt shows an address, not ClientSecret
	http           *httpx.Client
	algs           []string
	skew           time.Duration
	discoveryTTL   time.Duration
	jwksMinRefresh time.Duration
	jwksMaxAge     time.Duration
	authMethod     AuthMethod
	scopes         []string
	disc           discovery
	keys           keyCache
	lastHeader     atomic.Pointer[knownHeader]
}

// New checks cfg and returns a Client. It does no I/O: the discovery document
// is fetched on first use. An empty Issuer means TestIssuer.
func New(cfg Config) (*Client, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = TestIssuer
	}
	if err := checkURLs(cfg); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:            &cfg,
		http:           &httpx.Client{HTTPClient: cfg.HTTPClient, Logger: cfg.Logger, Now: cfg.Now},
		skew:           orDefault(cfg.Skew, 10*time.Second),
		discoveryTTL:   orDefault(cfg.DiscoveryTTL, 24*time.Hour),
		jwksMinRefresh: orDefault(cfg.JWKSMinRefresh, 10*time.Second),
		jwksMaxAge:     orDefault(cfg.JWKSMaxAge, time.Hour),
		authMethod:     cfg.AuthMethod,
	}
	for _, a := range cmpOr(cfg.Algorithms, defaultAlgorithms) {
		if a == "" || strings.EqualFold(a, "none") || strings.HasPrefix(strings.ToUpper(a), "HS") {
			return nil, fmt.Errorf("%w: algorithm %q may never sign an id_token", ErrConfig, a)
		}
		c.algs = append(c.algs, a)
	}
	if err := c.checkAuthMethod(); err != nil {
		return nil, err
	}
	if cfg.ACR != "" && !cfg.ACR.Valid() {
		return nil, fmt.Errorf("%w: unknown ACR %q", ErrConfig, cfg.ACR)
	}
	c.scopes = []string{"openid"}
	for _, s := range cmpOr(cfg.Scopes, []string{"profile"}) {
		if !slices.Contains(c.scopes, s) {
			c.scopes = append(c.scopes, s)
		}
	}
	return c, nil
}

// checkURLs refuses a configuration whose URLs cannot work.
func checkURLs(cfg Config) error {
	switch {
	case cfg.ClientID == "":
		return fmt.Errorf("%w: ClientID is empty", ErrConfig)
	case cfg.RedirectURI == "":
		return fmt.Errorf("%w: RedirectURI is empty", ErrConfig)
	}
	for _, f := range []struct{ name, v string }{{"Issuer", cfg.Issuer}, {"RedirectURI", cfg.RedirectURI}, {"PostLogoutRedirectURI", cfg.PostLogoutRedirectURI}} {
		if f.v == "" {
			continue
		}
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: %s is not an absolute http(s) URL", ErrConfig, f.name)
		}
	}
	return nil
}

// checkAuthMethod settles the client authentication method and checks that
// its credentials are there.
func (c *Client) checkAuthMethod() error {
	cfg := c.cfg
	if c.authMethod == "" {
		c.authMethod = ClientSecretBasic
		if cfg.Key != nil {
			c.authMethod = PrivateKeyJWT
		}
	}
	switch c.authMethod {
	case ClientSecretBasic, ClientSecretPost:
		if cfg.ClientSecret.IsZero() {
			return fmt.Errorf("%w: %s needs ClientSecret", ErrConfig, c.authMethod)
		}
	case PrivateKeyJWT:
		if cfg.Key == nil || (cfg.KeyID == "" && len(cfg.Certificates) == 0) {
			return fmt.Errorf("%w: private_key_jwt needs Key and KeyID or Certificates", ErrConfig)
		}
		if err := oauthx.CheckKey(cfg.Key); err != nil {
			return fmt.Errorf("%w: Key: %w", ErrConfig, err)
		}
	default:
		return fmt.Errorf("%w: unknown AuthMethod %q", ErrConfig, c.authMethod)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func cmpOr[T any](a, b []T) []T {
	if len(a) > 0 {
		return a
	}
	return b
}

// Issuer returns the issuer: Config.Issuer, or TestIssuer when that was empty.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ClientID returns the configured client id.
func (c *Client) ClientID() string { return c.cfg.ClientID }

func (c *Client) now() time.Time { return defaults.Now(c.cfg.Now) }

func (c *Client) log() *slog.Logger { return defaults.Logger(c.cfg.Logger) }

// AuthOptions are the per-login choices.
type AuthOptions struct {
	ACR       ACR      // level asked for; default Config.ACR, then Substantial
	UILocales []string // nb, nn, en, se: the language of ID-porten's pages
	Prompt    string   // "login" forces a new login; "none" fails without SSO
	LoginHint string
}

// Pending is what a relying party keeps between sending the browser to the
// provider and the callback, tied to the browser (auth keeps it in the
// server-side session). Every field is needed by Callback.
type Pending struct {
	State        string       `json:"state"`
	Nonce        string       `json:"nonce"`
	CodeVerifier secret.Value `json:"-"`
	ACR          ACR          `json:"acr"`
	Created      time.Time    `json:"created"`
}

// LogValue keeps the PKCE verifier, state and nonce out of logs. In JSON the
// verifier is left out too: a store that keeps a Pending writes it out
// on purpose, with CodeVerifier.Reveal (as package postgres does).
func (p Pending) LogValue() slog.Value {
	return slog.GroupValue(slog.String("acr", string(p.ACR)), slog.Time("created", p.Created))
}

// Start builds the authorization request: fresh state, nonce and PKCE
// verifier, and either a front-channel URL or, with UsePAR, a pushed request
// whose request_uri the URL carries. Keep the returned Pending for Callback.
func (c *Client) Start(ctx context.Context, opts AuthOptions) (authURL string, p *Pending, err error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return "", nil, err
	}
	acr := opts.ACR
	if acr == "" {
		acr = c.cfg.ACR
	}
	if acr == "" {
		acr = Substantial
	}
	if !acr.Valid() {
		return "", nil, fmt.Errorf("%w: unknown ACR %q", ErrConfig, acr)
	}
	acr = acr.Normalize()
	verifier := randomString(32)
	p = &Pending{State: randomString(24), Nonce: randomString(24), CodeVerifier: secret.New(verifier), ACR: acr, Created: c.now()}
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":             {c.cfg.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {c.cfg.RedirectURI},
		"scope":                 {strings.Join(c.scopes, " ")},
		"state":                 {p.State},
		"nonce":                 {p.Nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
		"acr_values":            {string(acr)},
	}
	for _, l := range opts.UILocales {
		switch l {
		case "nb", "nn", "en", "se":
		default:
			return "", nil, fmt.Errorf("%w: ui_locales %q is not nb, nn, en or se", ErrConfig, l)
		}
	}
	if len(opts.UILocales) > 0 {
		q.Set("ui_locales", strings.Join(opts.UILocales, " "))
	}
	if opts.Prompt != "" {
		q.Set("prompt", opts.Prompt)
	}
	if opts.LoginHint != "" {
		q.Set("login_hint", opts.LoginHint)
	}
	if c.cfg.UsePAR || md.RequirePushedAuthorizationRequests {
		if md.PushedAuthorizationRequestEndpoint == "" {
			return "", nil, fmt.Errorf("%w: provider has no pushed_authorization_request_endpoint", ErrDiscovery)
		}
		requestURI, err := c.push(ctx, md, q)
		if err != nil {
			return "", nil, err
		}
		q = url.Values{"client_id": {c.cfg.ClientID}, "request_uri": {requestURI}}
	}
	return addQuery(md.AuthorizationEndpoint, q), p, nil
}

func addQuery(endpoint string, q url.Values) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + q.Encode()
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// push sends a pushed authorization request (RFC 9126) and returns its request_uri.
func (c *Client) push(ctx context.Context, md *Metadata, q url.Values) (string, error) {
	var out struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  int    `json:"expires_in"`
	}
	if err := c.postForm(ctx, md.PushedAuthorizationRequestEndpoint, md.Issuer, q, &out); err != nil {
		return "", err
	}
	if out.RequestURI == "" {
		return "", &oauth.Error{Provider: provider, Status: http.StatusCreated, Code: oauth.CodeInvalidResponse, Message: "PAR response has no request_uri"}
	}
	return out.RequestURI, nil
}

// Login is the outcome of a successful callback.
type Login struct {
	IDToken     *IDToken
	AccessToken secret.Value
	Expiry      time.Time // of the access token
	Scope       string
}

// Callback completes the login from the query of the request to RedirectURI:
// it checks state and iss (RFC 9207), exchanges the code with the PKCE
// verifier and validates the id_token against p. An error response from the
// provider comes back as *oauth.Error (access_denied when the person cancels).
func (c *Client) Callback(ctx context.Context, query url.Values, p *Pending) (*Login, error) {
	if p == nil || p.State == "" {
		return nil, fmt.Errorf("%w: no login in progress", ErrStateMismatch)
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(p.State)) != 1 {
		return nil, ErrStateMismatch
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	iss, hasIss := query["iss"]
	if hasIss || md.AuthorizationResponseISSSupported {
		if len(iss) != 1 || iss[0] != md.Issuer {
			return nil, fmt.Errorf("%w: callback iss does not name the provider", ErrIssuerMismatch)
		}
	}
	if e := query.Get("error"); e != "" {
		return nil, &oauth.Error{Provider: provider, Code: e, Message: query.Get("error_description")}
	}
	code := query.Get("code")
	if code == "" {
		return nil, &oauth.Error{Provider: provider, Code: oauth.CodeInvalidRequest, Message: "callback has neither code nor error"}
	}
	verifier := p.CodeVerifier.Reveal()
	var tr struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.cfg.RedirectURI},
		"code_verifier": {verifier},
	}
	if err := c.postForm(ctx, md.TokenEndpoint, md.Issuer, form, &tr); err != nil {
		return nil, err
	}
	if tr.IDToken == "" {
		return nil, invalid("format", ErrMalformedToken, "token response has no id_token")
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, &oauth.Error{Provider: provider, Status: http.StatusOK, Code: oauth.CodeInvalidResponse, Message: "token_type is not Bearer"}
	}
	idt, err := c.ValidateIDToken(ctx, tr.IDToken, ValidateOptions{Nonce: p.Nonce, MinACR: p.ACR})
	if err != nil {
		return nil, err
	}
	l := &Login{IDToken: idt, AccessToken: secret.New(tr.AccessToken), Scope: tr.Scope}
	if tr.ExpiresIn > 0 {
		l.Expiry = c.now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return l, nil
}

// postForm posts a form to a token or PAR endpoint with client authentication
// and decodes a JSON answer.
func (c *Client) postForm(ctx context.Context, endpoint, issuer string, form url.Values, v any) error {
	form = cloneValues(form)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return err
	}
	if err := c.authenticate(req, form, issuer); err != nil {
		return err
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// A code is single-use: never retry the exchange.
	resp, err := (&httpx.Client{HTTPClient: c.cfg.HTTPClient, Logger: c.cfg.Logger, MaxAttempts: 1}).Do(req)
	if err != nil {
		return oauthx.Transport(provider, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return oauthError(resp, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &oauth.Error{Provider: provider, Status: resp.StatusCode, Code: oauth.CodeInvalidResponse, Message: "response is not JSON"}
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+4)
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func oauthError(resp *http.Response, body []byte) error {
	return oauthx.ParseError(provider, resp.StatusCode, resp.Header, body)
}

// provider names the package in an *oauth.Error.
const provider = "idporten"

// Userinfo fetches the userinfo endpoint with the login's access token and
// checks that its sub is the id_token's (OpenID Connect Core 5.3.2).
func (c *Client) Userinfo(ctx context.Context, l *Login) (map[string]any, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	if md.UserinfoEndpoint == "" {
		return nil, fmt.Errorf("%w: provider has no userinfo_endpoint", ErrDiscovery)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, md.UserinfoEndpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.AccessToken.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, oauthx.Transport(provider, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, oauthError(resp, b)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		return nil, &oauth.Error{Provider: provider, Status: resp.StatusCode, Code: oauth.CodeInvalidResponse, Message: "userinfo is not a JSON object (signed userinfo is not supported)"}
	}
	if sub, _ := claims["sub"].(string); sub == "" || sub != l.IDToken.Subject {
		return nil, ErrUserinfoSubject
	}
	return claims, nil
}

// LogoutURL returns the provider's end_session_endpoint with id_token_hint,
// post_logout_redirect_uri and, if not empty, state (RP-Initiated Logout 1.0).
func (c *Client) LogoutURL(ctx context.Context, idTokenHint secret.Value, state string) (string, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return "", err
	}
	if md.EndSessionEndpoint == "" {
		return "", fmt.Errorf("%w: provider has no end_session_endpoint", ErrDiscovery)
	}
	q := url.Values{}
	if !idTokenHint.IsZero() {
		q.Set("id_token_hint", idTokenHint.Reveal())
	} else {
		q.Set("client_id", c.cfg.ClientID)
	}
	if c.cfg.PostLogoutRedirectURI != "" {
		q.Set("post_logout_redirect_uri", c.cfg.PostLogoutRedirectURI)
	}
	if state != "" {
		q.Set("state", state)
	}
	return addQuery(md.EndSessionEndpoint, q), nil
}

// FrontChannelLogout reads a front-channel logout request (OpenID Connect
// Front-Channel Logout 1.0): it requires iss to be this provider and returns
// the sid whose sessions the caller must end. The caller looks sessions up by
// sid, not by cookie: the browser does not send ours in the provider's
// cross-site iframe.
func (c *Client) FrontChannelLogout(r *http.Request) (sid string, err error) {
	q := r.URL.Query()
	iss, sid := q.Get("iss"), q.Get("sid")
	if iss == "" || sid == "" {
		return "", fmt.Errorf("%w: iss and sid are required", ErrLogout)
	}
	if iss != c.cfg.Issuer {
		return "", fmt.Errorf("%w: %w", ErrLogout, ErrIssuerMismatch)
	}
	return sid, nil
}
