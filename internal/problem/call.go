package problem

import (
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// Call is what the SDK's clients say of a failed call, in one shape: the
// registry clients' and fiksio's *Error each format themselves with it.
type Call struct {
	Service string // "brreg", "fiksio": the error text's prefix
	Op      string // what was asked: "enhet", "send"
	// Kind is the client's sentinel for the failure (ErrNotFound, ...);
	// its text's prefix KindPrefix (default Service + ": ") is dropped.
	Kind       error
	KindPrefix string
	Status     int    // the HTTP status; 0 when no answer came
	Code       string // the service's own error code, if it gave one
	Message    string // the service's message
	RequestID  string // the service's request or trace id, for support
	// Cause is told when there is no Message: the transport's error, or
	// why an answer did not decode.
	Cause error
}

// String is "service: op: kind (http status code): message (request id
// id)", each part only when known. The service's message and the cause
// are masked with redact.Numbers: a service that echoes a fødselsnummer
// cannot leak it into a log line.
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Service + ": " + c.Op + ": ")
	if c.KindPrefix == "" {
		c.KindPrefix = c.Service + ": "
	}
	if c.Kind != nil {
		b.WriteString(strings.TrimPrefix(c.Kind.Error(), c.KindPrefix))
	} else {
		b.WriteString("failed")
	}
	if c.Status != 0 {
		b.WriteString(" (http " + strconv.Itoa(c.Status))
		if c.Code != "" {
			b.WriteString(" " + c.Code)
		}
		b.WriteString(")")
	}
	if c.Message != "" {
		b.WriteString(": " + redact.Numbers(c.Message))
	} else if c.Cause != nil {
		b.WriteString(": " + redact.Numbers(c.Cause.Error()))
	}
	if c.RequestID != "" {
		b.WriteString(" (request id " + c.RequestID + ")")
	}
	return b.String()
}

// Causes is what a client's *Error unwraps to: its kind and its cause,
// each when set.
func Causes(kind, cause error) []error {
	var errs []error
	if kind != nil {
		errs = append(errs, kind)
	}
	if cause != nil {
		errs = append(errs, cause)
	}
	return errs
}
