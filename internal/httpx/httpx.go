// Package httpx is grunnmur's one HTTP request helper: every client sends its
// requests through a Client, which retries what is safe to retry.
//
//	c := &httpx.Client{HTTPClient: cfg.HTTPClient, Logger: cfg.Logger}
//	resp, err := c.Do(req)
//	if err != nil { ... }
//	defer resp.Body.Close()
//	if err := problem.Check(resp); err != nil { ... }
//
// A request is retried on a connection error and on 429, 502, 503 and 504, with
// exponential backoff and jitter, honouring Retry-After and the request's
// context. GET, HEAD, OPTIONS, PUT and DELETE are idempotent and always
// retryable. A POST or PATCH is retried only when it carries an Idempotency-Key
// header, or when the caller marks it with RetrySafe (a read-only search such as
// KRR's or SvarUT's status search): otherwise a retry could do the thing twice.
//
// Errors never carry a query string, and personal numbers in a URL path are
// masked, so an error can be logged as it is.
package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// Client sends requests with retries. Its zero value is ready to use.
type Client struct {
	// HTTPClient sends each attempt; nil means http.DefaultClient.
	HTTPClient *http.Client
	// MaxAttempts is the total number of attempts, the first included;
	// 0 means 4. 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry, doubled for each later
	// one; 0 means 200 ms. MaxDelay caps it; 0 means 10 s.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out; 0 means
	// 60 s. A server asking for longer ends the retries, and the caller gets
	// its response.
	MaxRetryAfter time.Duration
	// Now reads the clock for Retry-After dates; nil means time.Now.
	Now func() time.Time
	// Logger receives a debug line per retry; nil discards.
	Logger *slog.Logger
}

// IdempotencyKeyHeader marks a POST as safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

type retrySafeKey struct{}

// RetrySafe returns req marked as safe to retry whatever its method: use it for
// a POST that only reads, such as a search.
func RetrySafe(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), retrySafeKey{}, true))
}

// RetryableStatus reports whether a response status is worth a retry.
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Do sends req, retrying as the package doc describes. It returns the last
// response when the retries end on a status (the caller checks it, for example
// with problem.Check), or an error when they end on a connection error or the
// context.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	if !c.mayRetry(req) {
		attempts = 1
	}
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("httpx: rewind request body: %w", err)
			}
			req.Body = body
		}
		resp, err := c.httpClient().Do(req)
		last := attempt >= attempts
		var delay time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || last || !retryableError(err) {
				return nil, sanitize(err, attempt)
			}
			delay = c.backoff(attempt)
		case RetryableStatus(resp.StatusCode):
			if last {
				return resp, nil
			}
			var ok bool
			delay, ok = c.retryAfter(resp, attempt)
			if !ok {
				return resp, nil
			}
			// Drain a little so the connection can be reused, then let it go.
			_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
			resp.Body.Close()
		default:
			return resp, nil
		}
		c.logger().DebugContext(ctx, "httpx: retrying",
			"method", req.Method, "host", req.URL.Host, "path", redact.Numbers(req.URL.Path),
			"attempt", attempt, "status", statusOf(resp), "error", errText(err), "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return nil, sanitize(&url.Error{Op: urlOp(req.Method), URL: req.URL.String(), Err: err}, attempt)
		}
	}
}

func (c *Client) mayRetry(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false // the body cannot be sent again
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, "":
		return true
	}
	if req.Header.Get(IdempotencyKeyHeader) != "" {
		return true
	}
	safe, _ := req.Context().Value(retrySafeKey{}).(bool)
	return safe
}

// backoff is the delay before retry number attempt (1 = the first retry).
func (c *Client) backoff(attempt int) time.Duration {
	base, ceil := c.BaseDelay, c.MaxDelay
	if base <= 0 {
		base = 200 * time.Millisecond
	}
	if ceil <= 0 {
		ceil = 10 * time.Second
	}
	return Backoff(attempt, base, ceil)
}

// Backoff is the delay before retry number attempt (1 = the first retry):
// base doubled per retry, capped at ceil, with "equal jitter" (half fixed,
// half random) so that clients that failed together do not retry together
// yet never retry at once. Every retry loop in grunnmur (HTTP calls, broker
// reconnects) waits this long.
func Backoff(attempt int, base, ceil time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < ceil; i++ {
		d *= 2
	}
	d = min(d, ceil)
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter returns the delay before the next attempt after a retryable
// status, and false when the server asks for a wait longer than MaxRetryAfter.
func (c *Client) retryAfter(resp *http.Response, attempt int) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return c.backoff(attempt), true
	}
	limit := c.MaxRetryAfter
	if limit <= 0 {
		limit = 60 * time.Second
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(max(secs, 0)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		d = max(t.Sub(now()), 0)
	} else {
		return c.backoff(attempt), true // unparseable: fall back to our own backoff
	}
	return d, d <= limit
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

func (c *Client) logger() *slog.Logger { return defaults.Logger(c.Logger) }

// retryableError reports whether a transport error may be temporary. A failed
// certificate check is not: retrying cannot fix it.
func retryableError(err error) bool {
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sanitize rewrites a *url.Error so that it names the URL without its query
// and with personal numbers in the path masked.
func sanitize(err error, attempts int) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: SafeURL(ue.URL), Err: ue.Err}
	}
	if attempts > 1 {
		return &AttemptsError{Attempts: attempts, Err: err}
	}
	return err
}

// SafeURL returns raw without its query, fragment and user info, and with
// personal numbers in the path masked: fit for an error string or a log line.
func SafeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.Host == "" {
		return redact.Numbers(u.EscapedPath())
	}
	return u.Scheme + "://" + u.Host + redact.Numbers(u.EscapedPath())
}

// AttemptsError wraps the error that ended a request after retries.
type AttemptsError struct {
	Attempts int
	Err      error
}

func (e *AttemptsError) Error() string {
	return fmt.Sprintf("%v (after %d attempts)", e.Err, e.Attempts)
}

func (e *AttemptsError) Unwrap() error { return e.Err }

func urlOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return sanitize(err, 1).Error()
}
