package maskinporten

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth/internal/oauthx"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/secret"
)

// Issuers of Maskinporten. The trailing slash is part of the identifier, and
// of the grant's aud. An empty Config.Issuer means TestIssuer: production is
// reached only by naming it.
const (
	TestIssuer       = "https://test.maskinporten.no/"
	ProductionIssuer = "https://maskinporten.no/"
)

// Config configures a TokenSource. ClientID, Key and one of KeyID or
// Certificates are required.
type Config struct {
	// Issuer is Maskinporten's identifier: empty means TestIssuer (the test
	// environment); set ProductionIssuer for production. The grant's aud is
	// the issuer, with its trailing slash.
	Issuer string
	// TokenURL defaults to Issuer + "token".
	TokenURL string
	// Audience is the grant's aud; default the Issuer (with its trailing
	// slash). Set it only for another RFC 7523 server.
	Audience string
	// Subject, if set, is sent as sub. Maskinporten does not want it; a
	// generic RFC 7523 server requires it (usually the client id).
	Subject string
	// ClientID is the integration's client id (the grant's iss).
	ClientID string
	// Key signs the grant. Send KeyID (a key registered on the client) or
	// Certificates (the business certificate chain, leaf first, sent as x5c).
	Key          crypto.Signer
	KeyID        string
	Certificates []*x509.Certificate
	// Scopes, Resource and ConsumerOrg are the defaults for Token.
	Scopes      []string
	Resource    []string
	ConsumerOrg string
	// Lifetime is exp − iat of each grant: default 60 s, at most 120 s.
	Lifetime time.Duration
	// RefreshBefore is how long before its expiry a cached token is renewed:
	// default 30 s (capped at half the token's life).
	RefreshBefore time.Duration
	// MaxAttempts is how often a grant is tried on a 5xx or connection
	// error, each time with a fresh jti: default 3.
	MaxAttempts int

	// HTTPClient sends the grants; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now reads the clock (grant times, token expiry); nil means time.Now.
	Now func() time.Time
	// Logger receives a debug line per retried grant; nil discards.
	Logger *slog.Logger
}

// Format prints the configuration with its private key shown only by kind
// ("[REDACTED *rsa.PrivateKey]") and its secrets redacted, for every verb:
// a configuration logged with %v or %+v must not leak a key.
func (c Config) Format(f fmt.State, verb rune) {
	type config Config // no methods: fmt prints the fields
	p := config(c)
	p.Key = redact.Signer(p.Key)
	redact.Struct(f, verb, p)
}

// LogValue keeps slog, the JSON handler too, as safe as Format.
func (c Config) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", c)) }

// Request selects a token. Tokens are cached per Request (scopes, resource,
// consumer_org and pid).
type Request struct {
	Scopes      []string
	Resource    []string // the API the token is for (audience-restricted tokens)
	ConsumerOrg string   // act for this organisation, which delegated to us in Altinn
	PID         ident.Fodselsnummer
}

func (r Request) key() string {
	s := slices.Clone(r.Scopes)
	slices.Sort(s)
	res := slices.Clone(r.Resource)
	slices.Sort(res)
	return strings.Join(s, " ") + "\x00" + strings.Join(res, " ") + "\x00" + r.ConsumerOrg + "\x00" + r.PID.Reveal()
}

// Token is an access token from Maskinporten. It never prints the token:
// every fmt verb, slog and JSON show it redacted, and
// AccessToken.Reveal() returns it for the Authorization header.
type Token struct {
	AccessToken secret.Value
	TokenType   string
	Expiry      time.Time
	Scope       string
	life        time.Duration // expires_in, for the refresh margin's cap
}

func (t Token) describe() string {
	return fmt.Sprintf("maskinporten.Token{AccessToken: %v, TokenType: %q, Expiry: %s, Scope: %q}", t.AccessToken, t.TokenType, t.Expiry.Format(time.RFC3339), t.Scope)
}

// String implements fmt.Stringer without the token and without the
// unexported fields, which fmt would otherwise show.
func (t Token) String() string { return t.describe() }

// GoString keeps %#v safe.
func (t Token) GoString() string { return t.describe() }

// Format keeps every verb, %+v and %x included, from printing the token.
func (t Token) Format(f fmt.State, _ rune) { io.WriteString(f, t.describe()) }

// LogValue implements slog.LogValuer.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("access_token", t.AccessToken), slog.Time("expiry", t.Expiry), slog.String("scope", t.Scope))
}

// ErrConfig is returned by New for a configuration that cannot work, and
// by TokenFor for a Request without scopes. Maskinporten's own answers are
// *oauth.Error (package auth/oauth), which unwraps to oauth.ErrInvalidGrant,
// oauth.ErrInvalidScope, oauth.ErrInvalidClient or oauth.ErrServer.
var ErrConfig = errors.New("maskinporten: invalid configuration")

// provider names the package in an *oauth.Error.
const provider = "maskinporten"

// TokenSource gets and caches Maskinporten tokens. It is safe for concurrent
// use; concurrent callers for the same Request share one grant.
type TokenSource struct {
	cfg      Config
	issuer   string
	audience string
	tokenURL string
	lifetime time.Duration

	mu       sync.Mutex
	cache    map[string]*Token
	inflight map[string]*call
}

type call struct {
	done chan struct{}
	tok  *Token
	err  error
}

// New checks cfg and returns a TokenSource. It does no I/O.
func New(cfg Config) (*TokenSource, error) {
	// The source keeps the key wrapped: printed whole, it shows no key
	// material.
	cfg.Key = redact.Signer(cfg.Key)
	ts := &TokenSource{cfg: cfg, cache: map[string]*Token{}, inflight: map[string]*call{}}
	ts.issuer = cfg.Issuer
	if ts.issuer == "" {
		ts.issuer = TestIssuer
	}
	if !strings.HasSuffix(ts.issuer, "/") {
		ts.issuer += "/"
	}
	ts.audience = cfg.Audience
	if ts.audience == "" {
		ts.audience = ts.issuer
	}
	ts.tokenURL = cfg.TokenURL
	if ts.tokenURL == "" {
		ts.tokenURL = ts.issuer + "token"
	}
	ts.lifetime = cfg.Lifetime
	if ts.lifetime <= 0 {
		ts.lifetime = 60 * time.Second
	}
	switch {
	case cfg.ClientID == "":
		return nil, fmt.Errorf("%w: ClientID is empty", ErrConfig)
	case cfg.Key == nil:
		return nil, fmt.Errorf("%w: Key is nil", ErrConfig)
	case cfg.KeyID == "" && len(cfg.Certificates) == 0:
		return nil, fmt.Errorf("%w: set KeyID or Certificates", ErrConfig)
	case ts.lifetime > 120*time.Second:
		return nil, fmt.Errorf("%w: Lifetime over 120 s is refused by Maskinporten", ErrConfig)
	}
	if err := oauthx.CheckKey(cfg.Key); err != nil {
		return nil, fmt.Errorf("%w: Key: %w", ErrConfig, err)
	}
	for _, f := range []struct{ name, v string }{{"Issuer", ts.issuer}, {"TokenURL", ts.tokenURL}} {
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%w: %s is not an absolute http(s) URL", ErrConfig, f.name)
		}
	}
	return ts, nil
}

func (ts *TokenSource) now() time.Time { return defaults.Now(ts.cfg.Now) }

func (ts *TokenSource) log() *slog.Logger { return defaults.Logger(ts.cfg.Logger) }

// Token returns a token for the configured scopes, resource and consumer_org.
func (ts *TokenSource) Token(ctx context.Context) (*Token, error) {
	return ts.TokenFor(ctx, Request{Scopes: ts.cfg.Scopes, Resource: ts.cfg.Resource, ConsumerOrg: ts.cfg.ConsumerOrg})
}

// TokenFor returns a cached token for r, or gets a new one. Callers waiting
// for the same r share one grant; a caller whose ctx ends stops waiting, but
// the grant goes on for the others.
func (ts *TokenSource) TokenFor(ctx context.Context, r Request) (*Token, error) {
	if len(r.Scopes) == 0 {
		return nil, fmt.Errorf("%w: no scopes", ErrConfig)
	}
	key := r.key()
	ts.mu.Lock()
	if t := ts.cache[key]; t != nil && ts.fresh(t) {
		ts.mu.Unlock()
		return t, nil
	}
	c := ts.inflight[key]
	if c == nil {
		c = &call{done: make(chan struct{})}
		ts.inflight[key] = c
		go ts.fetch(context.WithoutCancel(ctx), key, r, c)
	}
	ts.mu.Unlock()
	select {
	case <-c.done:
		return c.tok, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (ts *TokenSource) fresh(t *Token) bool {
	margin := ts.cfg.RefreshBefore
	if margin <= 0 {
		margin = 30 * time.Second
	}
	if t.life > 0 {
		// A token shorter-lived than twice the margin would never count as
		// fresh, and every call would fetch a new one.
		margin = min(margin, t.life/2)
	}
	return ts.now().Before(t.Expiry.Add(-margin))
}

// Invalidate drops the cached token for r, e.g. after an API refused it.
func (ts *TokenSource) Invalidate(r Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	delete(ts.cache, r.key())
}

func (ts *TokenSource) fetch(ctx context.Context, key string, r Request, c *call) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	c.tok, c.err = ts.grant(ctx, r)
	ts.mu.Lock()
	if c.err == nil {
		// Drop the expired tokens first: keyed by pid or consumer_org, the
		// cache would otherwise keep one token (and one personal number) per
		// person or organisation ever served.
		now := ts.now()
		for k, t := range ts.cache {
			if !now.Before(t.Expiry) {
				delete(ts.cache, k)
			}
		}
		ts.cache[key] = c.tok
	}
	delete(ts.inflight, key)
	ts.mu.Unlock()
	close(c.done)
}

// grant sends the JWT-bearer grant, retrying a 5xx or a connection error
// with a new assertion (and so a new jti) each time.
func (ts *TokenSource) grant(ctx context.Context, r Request) (*Token, error) {
	attempts := ts.cfg.MaxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	var err error
	for i := range attempts {
		if i > 0 {
			t := time.NewTimer(time.Duration(100<<i) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		var tok *Token
		tok, err = ts.grantOnce(ctx, r)
		if err == nil {
			return tok, nil
		}
		var oe *oauth.Error
		if !errors.As(err, &oe) || !oe.Temporary() {
			return nil, err
		}
		ts.log().DebugContext(ctx, "maskinporten: grant failed, retrying", "attempt", i+1, "error", err)
	}
	return nil, err
}

func (ts *TokenSource) grantOnce(ctx context.Context, r Request) (*Token, error) {
	assertion, err := ts.Assertion(r)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := (&httpx.Client{HTTPClient: ts.cfg.HTTPClient, MaxAttempts: 1}).Do(req)
	if err != nil {
		return nil, oauthx.Transport(provider, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, oauthx.Transport(provider, fmt.Errorf("read response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, oauthx.ParseError(provider, resp.StatusCode, resp.Header, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return nil, &oauth.Error{Provider: provider, Status: resp.StatusCode, Code: oauth.CodeInvalidResponse, Message: "token response is not a JSON object with access_token"}
	}
	if tr.ExpiresIn <= 0 {
		tr.ExpiresIn = 60
	}
	if tr.TokenType == "" {
		tr.TokenType = "Bearer"
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	return &Token{AccessToken: secret.New(tr.AccessToken), life: life, TokenType: tr.TokenType, Scope: tr.Scope,
		Expiry: ts.now().Add(life)}, nil
}

// Assertion builds and signs one JWT grant for r: aud the issuer, iss the
// client id, a fresh jti, exp − iat = Lifetime, and kid or x5c in the header.
func (ts *TokenSource) Assertion(r Request) (string, error) {
	now := ts.now()
	var jti [18]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{
		"aud":   ts.audience,
		"iss":   ts.cfg.ClientID,
		"scope": strings.Join(r.Scopes, " "),
		"iat":   now.Unix(),
		"exp":   now.Add(ts.lifetime).Unix(),
		"jti":   base64.RawURLEncoding.EncodeToString(jti[:]),
	}
	switch len(r.Resource) {
	case 0:
	case 1:
		claims["resource"] = r.Resource[0]
	default:
		claims["resource"] = r.Resource
	}
	if ts.cfg.Subject != "" {
		claims["sub"] = ts.cfg.Subject
	}
	if r.ConsumerOrg != "" {
		claims["consumer_org"] = r.ConsumerOrg
	}
	if !r.PID.IsZero() {
		claims["pid"] = r.PID.Reveal()
	}
	kid := ts.cfg.KeyID
	if len(ts.cfg.Certificates) > 0 {
		kid = "" // x5c identifies the key
	}
	a, err := oauthx.Sign(ts.cfg.Key, kid, ts.cfg.Certificates, claims)
	if err != nil {
		return "", fmt.Errorf("maskinporten: %w", err)
	}
	return a, nil
}
