// Package fetch is the request plumbing the registry clients share: base URLs,
// retries through internal/httpx, registry error mapping and bounded JSON
// decoding.
package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/registry"
)

// MaxBody bounds a decoded response. The largest registry answers (a KRR batch
// of 1000 persons with certificates) stay well below it.
const MaxBody = 32 << 20

// Client sends one registry's requests.
type Client struct {
	Registry string // for errors: "brreg", ...
	BaseURL  string // scheme://host[/prefix], no trailing slash
	HTTP     httpx.Client
	Accept   string // default Accept header; "" means application/json
}

// New returns a Client for registry at base (def when base is empty).
func New(registryName, base, def string, hc *http.Client, logger *slog.Logger, maxAttempts int) *Client {
	if base == "" {
		base = def
	}
	return &Client{
		Registry: registryName,
		BaseURL:  strings.TrimRight(base, "/"),
		HTTP:     httpx.Client{HTTPClient: hc, Logger: logger, MaxAttempts: maxAttempts},
	}
}

// Response is a decoded answer's status and headers.
type Response struct {
	Status int
	Header http.Header
}

// Get sends GET path?query with accept (or the default) and decodes a 2xx JSON
// body into v. Statuses in pass are returned without error (their body
// decoded into v when it is JSON), for the callers that give a status its own
// meaning, such as Enhetsregisteret's 410.
func (c *Client) Get(ctx context.Context, op, path string, query url.Values, accept string, v any, pass ...int) (*Response, error) {
	return c.Do(ctx, http.MethodGet, op, path, query, accept, nil, v, pass...)
}

// Post sends a JSON body. It is marked retry-safe: the registries' POSTs are
// read-only look-ups (KRR personer, Folkeregisteret bulkoppslag).
func (c *Client) Post(ctx context.Context, op, path string, query url.Values, body, v any) (*Response, error) {
	return c.Do(ctx, http.MethodPost, op, path, query, "", body, v)
}

// Do sends one request.
func (c *Client) Do(ctx context.Context, method, op, path string, query url.Values, accept string, body, v any, pass ...int) (*Response, error) {
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	var raw []byte
	if body != nil {
		var err error
		raw, err = json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: encode request: %w", c.Registry, op, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &registry.Error{Registry: c.Registry, Op: op, Kind: registry.ErrInvalid, Err: fmt.Errorf("build request for %s", httpx.SafeURL(u))}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
		req = httpx.RetrySafe(req)
	}
	if accept == "" {
		accept = c.Accept
	}
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, registry.TransportError(c.Registry, op, err)
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	passed := false
	for _, s := range pass {
		if s == resp.StatusCode {
			passed = true
		}
	}
	if !passed {
		if err := registry.CheckResponse(c.Registry, op, resp); err != nil {
			return out, err
		}
	}
	if v == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return out, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return out, registry.TransportError(c.Registry, op, err)
	}
	if len(data) > MaxBody {
		return out, registry.DecodeError(c.Registry, op, fmt.Errorf("response larger than %d bytes", MaxBody))
	}
	if passed && len(bytes.TrimSpace(data)) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return out, registry.DecodeError(c.Registry, op, err)
	}
	return out, nil
}
