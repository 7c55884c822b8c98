package svarut

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/secret"
)

// KS's test and production hosts. The SvarUT API lives under /api, SvarInn
// under /tjenester. An empty Config.BaseURL means TestBaseURL: production is
// reached only by naming it.
const (
	TestBaseURL       = "https://test.svarut.ks.no"
	ProductionBaseURL = "https://svarut.ks.no"
)

// Scope is the Maskinporten scope SvarUT requires.
const Scope = "ks:fiks"

// Headers that carry the Fiks integration's credentials.
const (
	HeaderIntegrasjonID      = "IntegrasjonId"
	HeaderIntegrasjonPassord = "IntegrasjonPassord"
)

// Config configures a Client. New checks all of it.
type Config struct {
	// BaseURL is the SvarUT host; empty means TestBaseURL, KS's test
	// environment. Set ProductionBaseURL to send real letters.
	BaseURL string
	// KontoID is the sending account (a UUID), required for sending,
	// the status search and the eksternReferanse look-up; a Client that
	// only receives through SvarInn does without.
	KontoID string
	// IntegrasjonID (a UUID) and IntegrasjonPassord are the Fiks
	// integration's credentials, sent as headers on every call; required.
	IntegrasjonID      string
	IntegrasjonPassord secret.Value
	// HTTPClient sends the requests. Its Transport must add the Maskinporten
	// bearer token (scope ks:fiks), for example the auth/maskinporten
	// RoundTripper. nil means http.DefaultClient, which adds none.
	HTTPClient *http.Client
	// MaxAttempts bounds the retries of calls that are safe to retry (with
	// backoff, honouring Retry-After); 0 means 4. A send is never retried
	// here: the Outbox does that, after asking SvarUT whether the shipment
	// already arrived.
	MaxAttempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug lines; nil discards.
	Logger *slog.Logger
}

// ConfigFromEnv reads a Config from the variables prefix+name, with prefix
// "GRUNNMUR_SVARUT_" in grunnmur's services:
//
//	BASE_URL             SvarUT's host; unset means TestBaseURL
//	KONTO_ID             the sending account
//	INTEGRASJON_ID       the Fiks integration
//	INTEGRASJON_PASSORD  its password (or INTEGRASJON_PASSORD_FILE, a file holding it)
//
// It checks what it read as New does: a malformed variable gives an error
// wrapping ErrConfig that names it. When none of the variables is set, the
// error matches config.ErrUnset instead. The HTTPClient with the Maskinporten
// token is the caller's to add.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	r := config.NewReader(prefix, getenv)
	cfg := Config{
		BaseURL:            r.URL("BASE_URL"),
		KontoID:            r.String("KONTO_ID"),
		IntegrasjonID:      r.String("INTEGRASJON_ID"),
		IntegrasjonPassord: r.Secret("INTEGRASJON_PASSORD"),
	}
	if err := r.Err(); errors.Is(err, config.ErrUnset) {
		return Config{}, fmt.Errorf("svarut: %w", err)
	} else if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if _, err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// check validates the configuration and returns the parsed BaseURL.
func (cfg *Config) check() (*url.URL, error) {
	base := cfg.BaseURL
	if base == "" {
		base = TestBaseURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: BaseURL %q is not an http(s) URL", ErrConfig, httpx.SafeURL(base))
	}
	var errs []error
	if cfg.KontoID != "" {
		if _, err := uuid.Parse(cfg.KontoID); err != nil {
			errs = append(errs, fmt.Errorf("%w: KontoID is not a UUID", ErrConfig))
		}
	}
	if _, err := uuid.Parse(cfg.IntegrasjonID); err != nil {
		errs = append(errs, fmt.Errorf("%w: IntegrasjonID is not a UUID", ErrConfig))
	}
	if cfg.IntegrasjonPassord.IsZero() {
		errs = append(errs, fmt.Errorf("%w: IntegrasjonPassord is required", ErrConfig))
	}
	if cfg.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("%w: MaxAttempts is negative", ErrConfig))
	}
	return u, errors.Join(errs...)
}

// Client calls the SvarUT REST v2 API and the SvarInn v2 API.
type Client struct {
	cfg  *Config // a pointer: fmt shows an address, not the configuration
	base *url.URL
	http *httpx.Client
}

// New returns a Client, or an error wrapping ErrConfig that names every
// field of cfg that is wrong.
func New(cfg Config) (*Client, error) {
	u, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Logger = defaults.Logger(cfg.Logger)
	return &Client{cfg: &cfg, base: u, http: &httpx.Client{
		HTTPClient: cfg.HTTPClient, MaxAttempts: cfg.MaxAttempts, Now: cfg.Now, Logger: cfg.Logger,
	}}, nil
}

func (c *Client) url(path string, q url.Values) string {
	u := *c.base
	u.Path = c.base.Path + path
	if q != nil {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func (c *Client) kontoPath(rest string) (string, error) {
	if c.cfg.KontoID == "" {
		return "", fmt.Errorf("%w: KontoID is required", ErrConfig)
	}
	return "/api/v2/kontoer/" + url.PathEscape(c.cfg.KontoID) + rest, nil
}

func (c *Client) newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("svarut: %w", err)
	}
	req.Header.Set(HeaderIntegrasjonID, c.cfg.IntegrasjonID)
	req.Header.Set(HeaderIntegrasjonPassord, c.cfg.IntegrasjonPassord.Reveal())
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// do sends req and decodes a JSON response into out (when out is not nil).
func (c *Client) do(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(req.Method+" "+redactPath(req.URL.Path), err)
	}
	defer resp.Body.Close()
	if err := checkResponse(resp); err != nil {
		return err
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(out); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadResponse, redactPath(req.URL.Path), err)
	}
	return nil
}

func redactPath(p string) string { return httpx.SafeURL(p) }

func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	req, err := c.newRequest(ctx, http.MethodGet, c.url(path, q), nil)
	if err != nil {
		return err
	}
	return c.do(req, out)
}

func (c *Client) postJSON(ctx context.Context, path string, in any, out any, retrySafe bool) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("svarut: %w", err)
	}
	req, err := c.newRequest(ctx, http.MethodPost, c.url(path, nil), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if retrySafe {
		req = httpx.RetrySafe(req)
	}
	return c.do(req, out)
}

func checkID(id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return fmt.Errorf("%w: shipment id %q is not a UUID", ErrNotFound, truncate(id, 40))
	}
	return nil
}

// DocumentSource opens a document's content by its Ref. Each call must return
// the content from the start: a re-send streams it afresh.
type DocumentSource interface {
	Open(ctx context.Context, doc Document) (io.ReadCloser, error)
}

// SourceFunc adapts a function to DocumentSource.
type SourceFunc func(ctx context.Context, doc Document) (io.ReadCloser, error)

// Open implements DocumentSource.
func (f SourceFunc) Open(ctx context.Context, doc Document) (io.ReadCloser, error) {
	return f(ctx, doc)
}

// FSSource opens each document's Ref as a path in FS (os.DirFS, say).
type FSSource struct{ FS fs.FS }

// Open implements DocumentSource.
func (s FSSource) Open(_ context.Context, doc Document) (io.ReadCloser, error) {
	return s.FS.Open(doc.Ref)
}

// Send validates s and sends it with its documents as one multipart request
// (a "forsendelse" JSON part, then one part per document in order, the
// file name in the part's filename). Documents are streamed from src, never
// held in memory. It returns SvarUT's id for the shipment.
//
// Send is not retried: when it fails without an answer, the shipment may
// still have arrived. Use FindByExternalRef before sending again, or the Outbox,
// which does.
func (c *Client) Send(ctx context.Context, s *Shipment, src DocumentSource) (string, error) {
	if err := Validate(s); err != nil {
		return "", err
	}
	path, err := c.kontoPath("/forsendelser")
	if err != nil {
		return "", err
	}
	meta, err := json.Marshal(s.wire())
	if err != nil {
		return "", fmt.Errorf("svarut: %w", err)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, err := c.newRequest(ctx, http.MethodPost, c.url(path, nil), pr)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	go func() { pw.CloseWithError(writeMultipart(ctx, mw, meta, s, src)) }()
	var out struct {
		ID string `json:"id"`
	}
	err = c.do(req, &out)
	pr.CloseWithError(errors.New("svarut: request ended")) // stop the writer if the server answered early
	if err != nil {
		return "", err
	}
	if _, perr := uuid.Parse(out.ID); perr != nil {
		return "", fmt.Errorf("%w: send returned id %q", ErrBadResponse, truncate(out.ID, 40))
	}
	c.cfg.Logger.DebugContext(ctx, "svarut: sent", "id", out.ID, "documents", len(s.Documents))
	return out.ID, nil
}

func writeMultipart(ctx context.Context, mw *multipart.Writer, meta []byte, s *Shipment, src DocumentSource) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="forsendelse"`)
	h.Set("Content-Type", "application/json;charset=UTF-8")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := w.Write(meta); err != nil {
		return err
	}
	var printed int64
	for i, d := range s.Documents {
		rc, err := src.Open(ctx, d)
		if err != nil {
			return fmt.Errorf("svarut: open document %d: %w", i, err)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", formDisposition(fmt.Sprintf("filer_%d", i), d.Name))
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			rc.Close()
			return err
		}
		var dst io.Writer = w
		var lw *limitWriter
		if !s.DigitalOnly && !d.ExcludeFromPrint {
			lw = &limitWriter{w: w, n: printed, max: MaxPrintSize}
			dst = lw
		}
		n, err := io.Copy(dst, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("svarut: stream document %d: %w", i, err)
		}
		if lw != nil {
			printed = lw.n
		}
		if d.Size > 0 && n != d.Size {
			return fmt.Errorf("%w: document %d is %d bytes, not the declared %d", ErrInvalid, i, n, d.Size)
		}
	}
	return mw.Close()
}

// limitWriter fails once the running total passes max.
type limitWriter struct {
	w      io.Writer
	n, max int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	l.n += int64(len(p))
	if l.n > l.max {
		return 0, fmt.Errorf("%w: printable documents exceed %d bytes", ErrTooLarge, l.max)
	}
	return l.w.Write(p)
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func formDisposition(name, filename string) string {
	return `form-data; name="` + quoteEscaper.Replace(name) + `"; filename="` + quoteEscaper.Replace(filename) + `"`
}
