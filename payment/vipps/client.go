package vipps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/secret"
)

// TestBaseURL and ProductionBaseURL are Vipps MobilePay's API hosts. An
// empty Config.BaseURL means TestBaseURL: production is reached only by
// setting BaseURL to ProductionBaseURL.
const (
	TestBaseURL       = "https://apitest.vipps.no"
	ProductionBaseURL = "https://api.vipps.no"
)

// Config configures a Client. An empty BaseURL means the test environment.
type Config struct {
	BaseURL         string // "" means TestBaseURL; set ProductionBaseURL for production
	ClientID        string
	ClientSecret    secret.Value
	SubscriptionKey secret.Value // Ocp-Apim-Subscription-Key
	MSN             string       // Merchant-Serial-Number

	// The Vipps-System-* headers Vipps asks every integration to send.
	// SystemName defaults to "grunnmur".
	SystemName, SystemVersion, PluginName, PluginVersion string

	// HTTPClient sends requests; nil means http.DefaultClient. Give it a
	// timeout: a capture that hangs is worse than one that fails.
	HTTPClient *http.Client
	// MaxAttempts caps the tries of one request, the first included: a GET,
	// or a create, capture, refund or cancel with its Idempotency-Key, is
	// tried again after a transport failure, a 429, 502, 503 or 504, with
	// backoff and Retry-After honoured; 0 means 4, and 1 never retries.
	MaxAttempts int
	// Now reads the clock, for the token cache; nil means time.Now.
	Now func() time.Time
	// Logger receives debug lines; nil discards. Secrets never reach it.
	Logger *slog.Logger
}

// Client talks to the ePayment v1, Access token and Webhooks APIs. It is a
// payment.Provider. It is safe for concurrent use.
//
// The credentials and the cached access token sit behind pointers, so that
// fmt, printing a Client whole, shows addresses: it cannot call
// secret.Value's Format on an unexported field.
type Client struct {
	cfg  *Config
	base *url.URL
	http *httpx.Client

	// tokenLock is held while the token is read or fetched. It is a
	// channel, not a sync.Mutex, so that a caller whose context ends stops
	// waiting for another caller's fetch.
	tokenLock chan struct{}
	token     *accessToken
}

// accessToken is a cached access token and when to renew it.
type accessToken struct {
	value   secret.Value
	expires time.Time
}

// New returns a Client. It checks the configuration, so that a bad one
// fails here and not at the first payment, but makes no request.
func New(cfg Config) (*Client, error) {
	u, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if cfg.SystemName == "" {
		cfg.SystemName = "grunnmur"
	}
	return &Client{
		tokenLock: make(chan struct{}, 1),
		cfg:       &cfg,
		base:      u,
		http:      &httpx.Client{HTTPClient: cfg.HTTPClient, MaxAttempts: cfg.MaxAttempts, Now: cfg.Now, Logger: cfg.Logger},
	}, nil
}

// check reports what is wrong with the configuration, as an ErrConfig, and
// returns the API's base URL.
func (cfg *Config) check() (*url.URL, error) {
	base := cfg.BaseURL
	if base == "" {
		base = TestBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: BaseURL %q is not an http(s) URL", ErrConfig, httpx.SafeURL(base))
	}
	var missing []string
	for _, f := range []struct {
		name  string
		unset bool
	}{{"ClientID", cfg.ClientID == ""}, {"ClientSecret", cfg.ClientSecret.IsZero()}, {"SubscriptionKey", cfg.SubscriptionKey.IsZero()}} {
		if f.unset {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s required but not set", ErrConfig, strings.Join(missing, ", "))
	}
	if !msnRE.MatchString(cfg.MSN) {
		return nil, fmt.Errorf("%w: MSN %q is not 4 to 6 digits", ErrConfig, cfg.MSN)
	}
	return u, nil
}

// ConfigFromEnv reads a Config from the variables prefix+name, where the
// names are BASE_URL, CLIENT_ID, CLIENT_SECRET, SUBSCRIPTION_KEY and MSN;
// the two secrets may instead be in the files named by CLIENT_SECRET_FILE
// and SUBSCRIPTION_KEY_FILE. The prefix is usually "GRUNNMUR_VIPPS_". An
// unset BASE_URL means the test environment, as in Config.
//
// When none of the variables is set, the error matches config.ErrUnset. A
// configuration that is set but malformed or incomplete is an ErrConfig that
// names what is wrong, and no secret.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	r := config.NewReader(prefix, getenv)
	cfg := Config{
		BaseURL:         r.URL("BASE_URL"),
		ClientID:        r.String("CLIENT_ID"),
		ClientSecret:    r.Secret("CLIENT_SECRET"),
		SubscriptionKey: r.Secret("SUBSCRIPTION_KEY"),
		MSN:             r.String("MSN"),
	}
	if err := r.Err(); errors.Is(err, config.ErrUnset) {
		return Config{}, fmt.Errorf("vipps: %w", err)
	} else if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if _, err := cfg.check(); err != nil {
		return Config{}, fmt.Errorf("%w (from %s* variables)", err, prefix)
	}
	return cfg, nil
}

func (c *Client) now() time.Time { return defaults.Now(c.cfg.Now) }

func (c *Client) logger() *slog.Logger { return defaults.Logger(c.cfg.Logger) }

// Name implements payment.Provider.
func (c *Client) Name() string { return "vipps" }

// tokenResponse is the access token API's answer. Every number arrives as a
// string; flexInt accepts a number too.
type tokenResponse struct {
	TokenType   string  `json:"token_type"`
	ExpiresIn   flexInt `json:"expires_in"`
	AccessToken string  `json:"access_token"`
}

type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %q", s)
	}
	*f = flexInt(n)
	return nil
}

// accessToken returns a cached token, fetching a new one shortly before the
// old one expires. Callers wait for one fetch rather than each fetching.
func (c *Client) accessToken(ctx context.Context) (secret.Value, error) {
	select {
	case c.tokenLock <- struct{}{}:
	case <-ctx.Done():
		return secret.Value{}, fmt.Errorf("vipps: access token: %w", ctx.Err())
	}
	defer func() { <-c.tokenLock }()
	if c.token != nil && c.now().Before(c.token.expires) {
		return c.token.value, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+"/accesstoken/get", http.NoBody)
	if err != nil {
		return secret.Value{}, err
	}
	req.Header.Set("client_id", c.cfg.ClientID)
	req.Header.Set("client_secret", c.cfg.ClientSecret.Reveal())
	req.Header.Set("Ocp-Apim-Subscription-Key", c.cfg.SubscriptionKey.Reveal())
	req.Header.Set("Merchant-Serial-Number", c.cfg.MSN)
	c.systemHeaders(req.Header)
	resp, err := c.http.Do(httpx.RetrySafe(req)) // asking for a token twice does no harm
	if err != nil {
		return secret.Value{}, fmt.Errorf("vipps: access token: %w", err)
	}
	defer resp.Body.Close()
	if err := problem.Check(resp); err != nil {
		return secret.Value{}, fmt.Errorf("vipps: access token: %w", newError(err))
	}
	var tr tokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		return secret.Value{}, fmt.Errorf("vipps: access token: %w: %v", ErrBadResponse, err)
	}
	if tr.AccessToken == "" || tr.ExpiresIn <= 0 {
		return secret.Value{}, fmt.Errorf("vipps: access token: %w: no token or lifetime", ErrBadResponse)
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	// Renew early: 5 minutes, or a tenth of a short lifetime.
	c.token = &accessToken{value: secret.New(tr.AccessToken), expires: c.now().Add(life - min(5*time.Minute, life/10))}
	c.logger().DebugContext(ctx, "vipps: new access token", "lifetime", life)
	return c.token.value, nil
}

// forgetToken drops a token the API refused, so the next call fetches anew.
func (c *Client) forgetToken(old secret.Value) {
	c.tokenLock <- struct{}{}
	defer func() { <-c.tokenLock }()
	if c.token != nil && c.token.value.Equal(old) {
		c.token = nil
	}
}

func (c *Client) systemHeaders(h http.Header) {
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("Vipps-System-Name", c.cfg.SystemName)
	set("Vipps-System-Version", c.cfg.SystemVersion)
	set("Vipps-System-Plugin-Name", c.cfg.PluginName)
	set("Vipps-System-Plugin-Version", c.cfg.PluginVersion)
}

// call sends one API request and decodes the answer into out (if not nil).
// A 401 is retried once with a fresh token.
func (c *Client) call(ctx context.Context, method, path, idempotencyKey string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for try := 0; ; try++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		var rd io.Reader = http.NoBody
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok.Reveal())
		req.Header.Set("Ocp-Apim-Subscription-Key", c.cfg.SubscriptionKey.Reveal())
		req.Header.Set("Merchant-Serial-Number", c.cfg.MSN)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if idempotencyKey != "" {
			req.Header.Set(httpx.IdempotencyKeyHeader, idempotencyKey)
		}
		c.systemHeaders(req.Header)
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("vipps: %s %s: %w", method, redactPath(path), err)
		}
		if resp.StatusCode == http.StatusUnauthorized && try == 0 {
			resp.Body.Close()
			c.forgetToken(tok)
			continue
		}
		defer resp.Body.Close()
		if err := problem.Check(resp); err != nil {
			return fmt.Errorf("vipps: %s %s: %w", method, redactPath(path), newError(err))
		}
		if out == nil {
			return nil
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(out); err != nil {
			return fmt.Errorf("vipps: %s %s: %w: %v", method, redactPath(path), ErrBadResponse, err)
		}
		return nil
	}
}

// redactPath keeps a path fit for an error string (references are ours and
// carry no personal data, but stay safe anyway).
func redactPath(p string) string { return httpx.SafeURL(p) }
