package registry

import (
	"errors"
	"time"

	"github.com/grunnmur/grunnmur/internal/problem"
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
	// Err is the cause when there is one besides the status: the transport
	// error that ended the request, or why an answer did not decode.
	Err error
}

func (e *Error) Error() string {
	c := problem.Call{Service: e.Registry, Op: e.Op, Kind: e.Kind, KindPrefix: "registry: ", Status: e.Status, Code: e.Code,
		Message: e.Message, RequestID: e.RequestID}
	if e.Status == 0 {
		c.Cause = e.Err // with an answer, its status and message say enough
	}
	return c.String()
}

// Unwrap returns the kind sentinel and the cause.
func (e *Error) Unwrap() []error { return problem.Causes(e.Kind, e.Err) }

// Temporary reports whether a later retry could succeed: the registry asked
// us to slow down (429), failed (5xx) or could not be reached.
func (e *Error) Temporary() bool {
	return e.Kind == ErrRateLimited || e.Kind == ErrUnavailable
}
