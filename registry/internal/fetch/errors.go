package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/registry"
)

// KindForStatus maps an HTTP status to the registry sentinel for it, or nil.
func KindForStatus(status int) error {
	switch {
	case status == http.StatusNotFound:
		return registry.ErrNotFound
	case status == http.StatusGone:
		return registry.ErrGone
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return registry.ErrForbidden
	case status == http.StatusTooManyRequests:
		return registry.ErrRateLimited
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return registry.ErrInvalid
	case status >= 500:
		return registry.ErrUnavailable
	}
	return nil
}

// CheckResponse returns nil for a 2xx or 3xx response, and otherwise a
// *registry.Error built from the registry's error body. It knows the error
// shapes of the national registries: RFC 9457 problem details,
// Enhetsregisteret's {feilmelding, valideringsfeil, trace}, Folkeregisteret's
// {kode, melding} and Spring's {error, message, path}. The caller still closes
// the body.
func CheckResponse(registryName, op string, resp *http.Response) error {
	if resp.StatusCode < 400 {
		return nil
	}
	e := &registry.Error{Registry: registryName, Op: op, Status: resp.StatusCode, Kind: KindForStatus(resp.StatusCode)}
	var p *problem.Error
	if !errors.As(problem.Check(resp), &p) {
		return e
	}
	e.Status, e.RequestID, e.Kind = p.Status, p.RequestID, KindForStatus(p.Status)
	e.Message = message(p)
	e.Code = code(p)
	var s string
	if e.RequestID == "" && p.Extension("trace", &s) {
		e.RequestID = s
	}
	// Keep server text masked even in %#v: a registry may echo a number back.
	e.Message = redact.Numbers(e.Message)
	if e.Kind == registry.ErrRateLimited {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return e
}

// message picks the registry's own words from the error body, with
// Enhetsregisteret's validation failures appended.
func message(p *problem.Error) string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	var s string
	for _, name := range []string{"feilmelding", "melding", "message", "error_description"} {
		if p.Extension(name, &s) && s != "" {
			msg = s
			break
		}
	}
	var details []struct {
		Feilmelding string `json:"feilmelding"`
	}
	if p.Extension("valideringsfeil", &details) {
		var msgs []string
		for _, d := range details {
			if d.Feilmelding != "" {
				msgs = append(msgs, d.Feilmelding)
			}
		}
		if len(msgs) > 0 {
			msg = strings.TrimSpace(msg + ": " + strings.Join(msgs, "; "))
			msg = strings.TrimPrefix(msg, ": ")
		}
	}
	return msg
}

// code picks the registry's error code from the error body.
func code(p *problem.Error) string {
	var s string
	for _, name := range []string{"kode", "code", "error"} {
		// Spring's "error" is a reason phrase ("Internal Server Error"), OAuth's a code ("invalid_token").
		if p.Extension(name, &s) && s != "" && !strings.Contains(s, " ") {
			return s
		}
	}
	return ""
}

// TransportError wraps an error that ended a request before any response.
func TransportError(registryName, op string, err error) error {
	if err == nil {
		return nil
	}
	var e *registry.Error
	if errors.As(err, &e) {
		return err
	}
	kind := registry.ErrUnavailable
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		kind = nil // the caller gave up; the registry is not to blame
	}
	return &registry.Error{Registry: registryName, Op: op, Kind: kind, Err: err}
}

// DecodeError wraps a response that did not decode.
func DecodeError(registryName, op string, err error) error {
	return &registry.Error{Registry: registryName, Op: op, Kind: registry.ErrDecode, Err: fmt.Errorf("%s", redact.Numbers(err.Error()))}
}

// Invalid is an input refused before any request.
func Invalid(registryName, op string, err error) error {
	return &registry.Error{Registry: registryName, Op: op, Kind: registry.ErrInvalid, Err: err}
}
