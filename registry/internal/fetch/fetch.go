// Package fetch is the request plumbing the registry clients share: base URLs,
// retries through internal/httpx, registry error mapping, bounded JSON
// decoding, and the cache with its single flight.
package fetch

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
	"strings"

	"github.com/grunnmur/grunnmur/internal/httpx"
)

// MaxBody bounds a decoded response. The largest registry answers (a KRR batch
// of 1000 persons with certificates) stay well below it.
const MaxBody = 32 << 20

// Client sends one registry's requests.
type Client struct {
	Registry string // for errors: "brreg", ...
	BaseURL  string // scheme://host[/prefix], no trailing slash
	HTTP     httpx.Client
}

// ErrBaseURL is a base URL that is not an absolute http or https URL.
var ErrBaseURL = errors.New("base URL must be an absolute http or https URL without query or fragment")

// BaseURL checks base and trims its trailing slash.
func BaseURL(registryName, base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s: BaseURL %q: %w", registryName, httpx.SafeURL(base), ErrBaseURL)
	}
	return strings.TrimRight(base, "/"), nil
}

// New returns a Client for registry at base, which BaseURL has checked.
func New(registryName, base string, hc *http.Client, logger *slog.Logger, maxAttempts int) *Client {
	return &Client{
		Registry: registryName,
		BaseURL:  base,
		HTTP:     httpx.Client{HTTPClient: hc, Logger: logger, MaxAttempts: maxAttempts},
	}
}

// Entry is an answer as the registry sent it: the status and the body. It is
// what the cache keeps.
type Entry struct {
	Status int
	Body   []byte
}

// Decode decodes e's JSON body into v; an empty body leaves v as it is.
func (c *Client) Decode(op string, e Entry, v any) error {
	if len(bytes.TrimSpace(e.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(e.Body, v); err != nil {
		return DecodeError(c.Registry, op, err)
	}
	return nil
}

// Get sends GET path?query with accept ("" means application/json) and
// decodes a 2xx JSON body into v.
func (c *Client) Get(ctx context.Context, op, path string, query url.Values, accept string, v any) error {
	e, err := c.Raw(ctx, http.MethodGet, op, path, query, accept, nil)
	if err != nil {
		return err
	}
	return c.Decode(op, e, v)
}

// Post sends a JSON body and decodes the JSON answer into v. It is marked
// retry-safe: the registries' POSTs are read-only look-ups (KRR personer,
// Folkeregisteret bulkoppslag).
func (c *Client) Post(ctx context.Context, op, path string, query url.Values, body, v any) error {
	e, err := c.Raw(ctx, http.MethodPost, op, path, query, "", body)
	if err != nil {
		return err
	}
	return c.Decode(op, e, v)
}

// Raw sends one request and returns the answer's status and body. Statuses in
// pass are returned without error, for the callers that give a status its own
// meaning, such as Enhetsregisteret's 410; any other status from 400 up is a
// *registry.Error.
func (c *Client) Raw(ctx context.Context, method, op, path string, query url.Values, accept string, body any, pass ...int) (Entry, error) {
	req, err := c.request(ctx, method, op, path, query, accept, body)
	if err != nil {
		return Entry{}, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Entry{}, TransportError(c.Registry, op, err)
	}
	defer resp.Body.Close()
	out := Entry{Status: resp.StatusCode}
	passed := false
	for _, s := range pass {
		passed = passed || s == resp.StatusCode
	}
	if !passed {
		if err := CheckResponse(c.Registry, op, resp); err != nil {
			return out, err
		}
	}
	if resp.StatusCode == http.StatusNoContent {
		return out, nil
	}
	out.Body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return out, TransportError(c.Registry, op, err)
	}
	if len(out.Body) > MaxBody {
		return out, DecodeError(c.Registry, op, fmt.Errorf("response larger than %d bytes", MaxBody))
	}
	return out, nil
}

func (c *Client) request(ctx context.Context, method, op, path string, query url.Values, accept string, body any) (*http.Request, error) {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s: %s: encode request: %w", c.Registry, op, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, Invalid(c.Registry, op, fmt.Errorf("build request for %s", httpx.SafeURL(u)))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
		req = httpx.RetrySafe(req)
	}
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	return req, nil
}
