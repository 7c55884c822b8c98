package registry

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
)

// Sentinels for the conditions callers branch on. Every client's errors unwrap
// to one of them where it applies, so one errors.Is works across registries.
var (
	// ErrNotFound: the registry has no such entry (and, for Enhetsregisteret,
	// never had).
	ErrNotFound = errors.New("registry: not found")
	// ErrGone: the entry existed but is deleted or removed.
	ErrGone = errors.New("registry: gone")
	// ErrForbidden: the caller is not allowed the look-up, most often because
	// its Maskinporten token lacks the scope (401 and 403).
	ErrForbidden = errors.New("registry: forbidden")
	// ErrRateLimited: the registry asked us to slow down (429), and the retries
	// ran out.
	ErrRateLimited = errors.New("registry: rate limited")
	// ErrInvalid: the input was refused before or by the registry (400).
	ErrInvalid = errors.New("registry: invalid request")
	// ErrUnavailable: the registry failed (5xx) or could not be reached.
	ErrUnavailable = errors.New("registry: unavailable")
	// ErrNoPurpose: an audit hook is configured but the look-up carried no
	// purpose (see WithPurpose).
	ErrNoPurpose = errors.New("registry: person look-up without a purpose")
	// ErrDecode: the registry's answer could not be decoded.
	ErrDecode = errors.New("registry: undecodable response")
)

// Error is a failed registry call. It names the registry and the operation,
// never the personal number the call was about.
type Error struct {
	Registry   string        // "brreg", "folkeregisteret", "krr", "adresse"
	Op         string        // what was asked: "enhet", "roller", "personer", ...
	Status     int           // the HTTP status; 0 when no response came
	Code       string        // the registry's own error code, if it gave one (FREG-001, ...)
	Message    string        // the registry's message, with personal numbers masked
	RequestID  string        // the registry's request or trace id, for support
	RetryAfter time.Duration // from a 429's Retry-After header, if any

	// Kind is the sentinel above that this error is (ErrNotFound, ...).
	Kind error
	// Err is the cause: a *problem.Error for an HTTP error, or a transport error.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Registry)
	b.WriteString(": ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "registry: "))
	} else {
		b.WriteString("failed")
	}
	if e.Status != 0 {
		b.WriteString(" (http ")
		b.WriteString(strconv.Itoa(e.Status))
		if e.Code != "" {
			b.WriteString(" ")
			b.WriteString(e.Code)
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(redact.Numbers(e.Message))
	} else if e.Status == 0 && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(redact.Numbers(e.Err.Error()))
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the kind sentinel and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Temporary reports whether a later retry could succeed.
func (e *Error) Temporary() bool {
	return e.Kind == ErrRateLimited || e.Kind == ErrUnavailable
}

// KindForStatus maps an HTTP status to the sentinel for it, or nil.
func KindForStatus(status int) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusGone:
		return ErrGone
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrInvalid
	case status >= 500:
		return ErrUnavailable
	}
	return nil
}

// CheckResponse returns nil for a 2xx or 3xx response, and otherwise an *Error
// built from the registry's error body. It knows the error shapes of the
// national registries: RFC 9457 problem details, Enhetsregisteret's
// {feilmelding, valideringsfeil, trace}, Folkeregisteret's {kode, melding} and
// Spring's {error, message, path}. The caller still closes the body.
func CheckResponse(registryName, op string, resp *http.Response) error {
	if resp.StatusCode < 400 {
		return nil
	}
	err := problem.Check(resp)
	var p *problem.Error
	if !errors.As(err, &p) {
		return &Error{Registry: registryName, Op: op, Status: resp.StatusCode, Kind: KindForStatus(resp.StatusCode), Err: err}
	}
	e := &Error{
		Registry:  registryName,
		Op:        op,
		Status:    p.Status,
		RequestID: p.RequestID,
		Kind:      KindForStatus(p.Status),
		Err:       p,
	}
	e.Message = p.Detail
	if e.Message == "" {
		e.Message = p.Title
	}
	var s string
	for _, name := range []string{"feilmelding", "melding", "message", "error_description"} {
		if p.Extension(name, &s) && s != "" {
			e.Message = s
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
			e.Message = strings.TrimSpace(e.Message + ": " + strings.Join(msgs, "; "))
			e.Message = strings.TrimPrefix(e.Message, ": ")
		}
	}
	for _, name := range []string{"kode", "code", "error"} {
		// Spring's "error" is a reason phrase ("Internal Server Error"), OAuth's a code ("invalid_token").
		if p.Extension(name, &s) && s != "" && !strings.Contains(s, " ") {
			e.Code = s
			break
		}
	}
	if e.RequestID == "" && p.Extension("trace", &s) {
		e.RequestID = s
	}
	// Keep server text masked even in %#v: a registry may echo a number back.
	e.Message = redact.Numbers(e.Message)
	if e.Kind == ErrRateLimited {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return e
}

// TransportError wraps an error that ended a request before any response.
func TransportError(registryName, op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind := ErrUnavailable
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		kind = nil // the caller gave up; the registry is not to blame
	}
	return &Error{Registry: registryName, Op: op, Kind: kind, Err: err}
}

// DecodeError wraps a response that did not decode.
func DecodeError(registryName, op string, err error) error {
	return &Error{Registry: registryName, Op: op, Kind: ErrDecode, Err: fmt.Errorf("%s", redact.Numbers(err.Error()))}
}
