package fiksio

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/secret"
)

// KS' hosts. An empty Config.BaseURL or AMQPURL means the test environment:
// production is reached only by naming it.
const (
	TestBaseURL       = "https://api.fiks.test.ks.no"
	ProductionBaseURL = "https://api.fiks.ks.no"
	TestAMQPURL       = "amqps://io.fiks.test.ks.no:5671"
	ProductionAMQPURL = "amqps://io.fiks.ks.no:5671"
)

// Scope is the Maskinporten scope Fiks IO requires.
const Scope = "ks:fiks"

// Headers that carry the Fiks integration's credentials on every REST call.
const (
	HeaderIntegrasjonID      = "IntegrasjonId"
	HeaderIntegrasjonPassord = "IntegrasjonPassord"
)

// Config configures a Client. New checks all of it.
type Config struct {
	// BaseURL is the REST host (send, katalog, Dokumentlager); empty means
	// TestBaseURL.
	BaseURL string
	// AMQPURL is the broker, amqps://host:port; empty means TestAMQPURL.
	// User and password in the URL are ignored: the integration logs in.
	AMQPURL string
	// AllowPlainAMQP permits an amqp:// (unencrypted) AMQPURL. Only the
	// local fake (fiksiotest) needs it; never set it for KS' hosts.
	AllowPlainAMQP bool
	// TLSConfig is the base of the broker's TLS configuration (extra root
	// CAs, say); nil means the system roots. The server name is always
	// checked against the AMQPURL's host.
	TLSConfig *tls.Config

	// KontoID is this system's account (a UUID): the sender of Send and the
	// queue Receive consumes. Required.
	KontoID string
	// IntegrasjonID (a UUID) and IntegrasjonPassord are the Fiks
	// integration's credentials. Required.
	IntegrasjonID      string
	IntegrasjonPassord secret.Value
	// Maskinporten gives the tokens (scope ks:fiks) for the REST calls and
	// for every broker login. Required.
	Maskinporten *maskinporten.TokenSource

	// ApplicationName names the broker connection in KS' monitoring; empty
	// means "grunnmur-fiksio".
	ApplicationName string
	// Prefetch is how many unacknowledged messages the broker may send
	// ahead (basic.qos); 0 means 10, as KS' .NET client.
	Prefetch int
	// Workers is how many messages are handled at once; 0 means 1, which
	// keeps the queue's order.
	Workers int
	// ReconnectMin and ReconnectMax bound the backoff between broker
	// reconnects; 0 means 500 ms and 30 s.
	ReconnectMin, ReconnectMax time.Duration

	// PublicKeys gives the receivers' certificates. nil means the katalog,
	// which KS warns weakens end-to-end security: inject a provider of
	// certificates verified out of band where that matters.
	PublicKeys PublicKeyProvider
	// Roots, when set, is the pool a receiver's certificate must chain to.
	// Without it the certificate's own validity period and key type are
	// checked (KS' katalog keys are mostly self-signed).
	Roots *x509.CertPool
	// KatalogTTL is how long katalog answers (accounts, keys) are cached;
	// 0 means 10 minutes, negative disables the cache.
	KatalogTTL time.Duration

	// Signer signs the containers SendFiles seals: a business certificate
	// or a key pair registered with Fiks IO, separate from the encryption
	// key, as KS asks. Required for SendFiles only.
	Signer asice.Signer
	// Keys are this account's private keys (RSA), which Received.Open
	// tries in turn: during a rotation, the new and the old.
	Keys []crypto.Decrypter
	// TempDir holds decrypted containers larger than
	// asice.DefaultMaxMemory while they are open (smaller ones stay in
	// memory); empty means os.TempDir().
	TempDir string

	// HTTPClient sends the REST calls; nil means http.DefaultClient. The
	// Client adds the bearer token itself.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug and warning lines; nil discards.
	Logger *slog.Logger
}

// Format prints the configuration with its secrets redacted, for every verb.
func (c Config) Format(f fmt.State, verb rune) {
	type config Config
	p := config(c)
	p.Signer.Key = redact.Signer(p.Signer.Key)
	p.Keys = make([]crypto.Decrypter, len(c.Keys))
	for i := range c.Keys {
		p.Keys[i] = hiddenKey{}
	}
	redact.Struct(f, verb, p)
}

// hiddenKey stands in for a private key when a Config is printed.
type hiddenKey struct{ crypto.Decrypter }

func (hiddenKey) String() string               { return "[REDACTED key]" }
func (k hiddenKey) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }
func (k hiddenKey) LogValue() slog.Value       { return slog.StringValue(k.String()) }
func (k hiddenKey) GoString() string           { return k.String() }

// LogValue keeps slog as safe as Format.
func (c Config) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", c)) }

// Client sends, receives and looks up Fiks IO messages for one account.
// It is safe for concurrent use.
type Client struct {
	cfg     *Config // a pointer: fmt shows an address, not the configuration
	api     *url.URL
	amqp    *url.URL
	konto   uuid.UUID
	http    *httpx.Client
	katalog cache
}

// ConfigFromEnv reads a Config from the variables prefix+name, with prefix
// "GRUNNMUR_FIKSIO_" in grunnmur's services:
//
//	BASE_URL             the REST host; unset means TestBaseURL
//	AMQP_URL             the broker; unset means TestAMQPURL
//	KONTO_ID             this system's account
//	INTEGRASJON_ID       the Fiks integration
//	INTEGRASJON_PASSORD  its password (or INTEGRASJON_PASSORD_FILE, a file holding it)
//
// An amqp:// (unencrypted) AMQP_URL is accepted for a loopback host only
// (127.0.0.1, ::1, localhost): the local fake that `grunnmur dev` starts,
// whose traffic never leaves the machine. Any other host needs amqps://.
//
// It checks what it read as New does: a malformed variable gives an error
// wrapping ErrConfig that names it. When none is set, the error matches
// config.ErrUnset instead. The Maskinporten token source is the caller's
// to add.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	r := config.NewReader(prefix, getenv)
	cfg := Config{
		BaseURL:            r.URL("BASE_URL"),
		AMQPURL:            r.String("AMQP_URL"),
		KontoID:            r.String("KONTO_ID"),
		IntegrasjonID:      r.String("INTEGRASJON_ID"),
		IntegrasjonPassord: r.Secret("INTEGRASJON_PASSORD"),
	}
	if u, err := url.Parse(cfg.AMQPURL); err == nil && u.Scheme == "amqp" {
		h := u.Hostname()
		ip := net.ParseIP(h)
		cfg.AllowPlainAMQP = h == "localhost" || ip != nil && ip.IsLoopback()
	}
	if err := r.Err(); errors.Is(err, config.ErrUnset) {
		return Config{}, fmt.Errorf("fiksio: %w", err)
	} else if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if _, _, _, errs := cfg.check(); len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// check validates everything but the token source, which ConfigFromEnv
// cannot read.
func (cfg *Config) check() (apiURL, amqpURL *url.URL, konto uuid.UUID, errs []error) {
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...))
	}
	api := cfg.BaseURL
	if api == "" {
		api = TestBaseURL
	}
	apiURL, err := url.Parse(strings.TrimRight(api, "/"))
	if err != nil || (apiURL.Scheme != "https" && apiURL.Scheme != "http") || apiURL.Host == "" {
		bad("BaseURL %q is not an http(s) URL", httpx.SafeURL(api))
	}
	am := cfg.AMQPURL
	if am == "" {
		am = TestAMQPURL
	}
	amqpURL, err = url.Parse(am)
	switch {
	case err != nil || amqpURL.Host == "":
		bad("AMQPURL is not a URL")
	case amqpURL.Scheme == "amqps":
	case amqpURL.Scheme == "amqp" && cfg.AllowPlainAMQP:
	case amqpURL.Scheme == "amqp":
		bad("AMQPURL is amqp:// (unencrypted); use amqps://, or set AllowPlainAMQP for a local fake")
	default:
		bad("AMQPURL scheme %q is not amqps", amqpURL.Scheme)
	}
	if amqpURL != nil {
		amqpURL.User = nil
	}
	konto, err = uuid.Parse(cfg.KontoID)
	if err != nil {
		bad("KontoID is not a UUID")
	}
	if _, err := uuid.Parse(cfg.IntegrasjonID); err != nil {
		bad("IntegrasjonID is not a UUID")
	}
	if cfg.IntegrasjonPassord.IsZero() {
		bad("IntegrasjonPassord is required")
	}
	if cfg.Prefetch < 0 || cfg.Prefetch > 65535 {
		bad("Prefetch must be 0..65535")
	}
	if cfg.Workers < 0 {
		bad("Workers is negative")
	}
	return apiURL, amqpURL, konto, errs
}

// New returns a Client, or an error wrapping ErrConfig that names every
// field of cfg that is wrong.
func New(cfg Config) (*Client, error) {
	apiURL, amqpURL, konto, errs := cfg.check()
	if cfg.Maskinporten == nil {
		errs = append(errs, fmt.Errorf("%w: Maskinporten is required", ErrConfig))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.ApplicationName == "" {
		cfg.ApplicationName = "grunnmur-fiksio"
	}
	if cfg.Prefetch == 0 {
		cfg.Prefetch = 10
	}
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	if cfg.ReconnectMin <= 0 {
		cfg.ReconnectMin = 500 * time.Millisecond
	}
	if cfg.ReconnectMax <= 0 {
		cfg.ReconnectMax = 30 * time.Second
	}
	if cfg.KatalogTTL == 0 {
		cfg.KatalogTTL = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Logger = defaults.Logger(cfg.Logger)
	cfg.Keys = slices.Clone(cfg.Keys) // the caller's slice is not written to
	for i, k := range cfg.Keys {
		cfg.Keys[i] = precomputed(k)
	}
	cfg.Signer.Key = precomputed(cfg.Signer.Key)
	c := &Client{cfg: &cfg, api: apiURL, amqp: amqpURL, konto: konto,
		http: &httpx.Client{HTTPClient: cfg.HTTPClient, Now: cfg.Now, Logger: cfg.Logger}}
	c.katalog.ttl = cfg.KatalogTTL
	c.katalog.now = cfg.Now
	return c, nil
}

// KontoID is the account this Client sends from and receives for.
func (c *Client) KontoID() uuid.UUID { return c.konto }

func (c *Client) url(path string, q url.Values) string {
	u := *c.api
	u.Path = c.api.Path + path
	if q != nil {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

var tokenRequest = maskinporten.Request{Scopes: []string{Scope}}

// newRequest builds a REST request with the three credentials Fiks IO wants.
func (c *Client) newRequest(ctx context.Context, op, method, u string, body io.Reader) (*http.Request, error) {
	tok, err := c.cfg.Maskinporten.TokenFor(ctx, tokenRequest)
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrUnauthorized, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrConfig, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken.Reveal())
	req.Header.Set(HeaderIntegrasjonID, c.cfg.IntegrasjonID)
	req.Header.Set(HeaderIntegrasjonPassord, c.cfg.IntegrasjonPassord.Reveal())
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// do sends req; a non-2xx answer is an *Error, and the caller closes the
// body of a successful one.
func (c *Client) do(op string, req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, &Error{Op: op, Err: ctxErr}
		}
		return nil, transportError(op, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusUnauthorized {
		// A rejected token is never worth reusing.
		c.cfg.Maskinporten.Invalidate(tokenRequest)
	}
	return nil, httpError(op, resp, body)
}

// precomputed returns an RSA private key with its CRT values computed once,
// here, instead of in every private-key operation: a key built by hand
// (rsa.PrivateKey without Precompute) otherwise costs half as much again
// per signature or decryption. Each message costs one of each, so this is
// most of a message's CPU. It works on a copy: the caller's key is not
// written to, which another goroutine may be reading. Other keys (an HSM's
// crypto.Signer, say) are returned as they are.
func precomputed[K any](k K) K {
	rk, ok := any(k).(*rsa.PrivateKey)
	if !ok || rk == nil {
		return k
	}
	cp := *rk
	cp.Precompute()
	out, _ := any(&cp).(K)
	return out
}
