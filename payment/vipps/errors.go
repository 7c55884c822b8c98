package vipps

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/payment"
)

// Sentinels. An *Error matches the one its problem type names, and the
// payment package's ErrRejected, ErrNotFound or ErrConflict where they fit.
var (
	ErrConfig = errors.New("vipps: invalid configuration")
	// ErrInvalid is a request refused before sending; it also matches
	// payment.ErrInvalid, so the payment Service knows nothing was sent.
	ErrInvalid     error = &sentinel{"vipps: invalid request", payment.ErrInvalid}
	ErrBadResponse       = errors.New("vipps: response does not decode")

	ErrValidation          = errors.New("vipps: validation error")
	ErrPaymentNotFound     = errors.New("vipps: payment not found")
	ErrInvalidState        = errors.New("vipps: payment in a state that does not allow this")
	ErrAmountTooHigh       = errors.New("vipps: amount exceeds what is allowed")
	ErrIdempotencyConflict = errors.New("vipps: idempotency key reused with another request")
	ErrReferenceConflict   = errors.New("vipps: reference already used")
	ErrUnauthorized        = errors.New("vipps: unauthorized")
)

// Problem codes: the last segment of a problem's type URI, found in
// Error.Code. Each has its sentinel (CodePaymentNotFound matches
// ErrPaymentNotFound, and so on).
const (
	CodeValidation          = "validation-error"
	CodePaymentNotFound     = "payment-not-found"
	CodeInvalidState        = "invalid-payment-state"
	CodeAmountTooHigh       = "amount-too-high"
	CodeIdempotencyConflict = "idempotency-conflict"
	CodeReferenceConflict   = "reference-conflict"
	CodeUnauthorized        = "unauthorized"
)

var codeSentinels = map[string]error{
	CodeValidation:          ErrValidation,
	CodePaymentNotFound:     ErrPaymentNotFound,
	CodeInvalidState:        ErrInvalidState,
	CodeAmountTooHigh:       ErrAmountTooHigh,
	CodeIdempotencyConflict: ErrIdempotencyConflict,
	CodeReferenceConflict:   ErrReferenceConflict,
	CodeUnauthorized:        ErrUnauthorized,
}

// ExtraDetail names one invalid field of a request.
type ExtraDetail struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Error is an error answer from Vipps (problem details, RFC 9457). A
// transport failure (no answer at all) is not an *Error; it is returned
// wrapped as it came, and its outcome is unknown.
type Error struct {
	Status int
	// Code is the last segment of the problem type, such as
	// CodePaymentNotFound; "" when the answer named no type.
	Code string
	// Message is the problem's detail, or its title when it has none. It
	// is Vipps' text as it came: Error() masks personal numbers in it.
	Message string
	// RequestID is Vipps' traceId: give it to Vipps support.
	RequestID string

	// Type is the whole problem type URI.
	Type         string
	ExtraDetails []ExtraDetail

	p *problem.Error
}

func newError(err error) error {
	var p *problem.Error
	if !errors.As(err, &p) {
		return err
	}
	e := &Error{Status: p.Status, Message: p.Detail, RequestID: p.RequestID, Type: p.Type, p: p}
	if e.Message == "" {
		e.Message = p.Title
	}
	if p.Type != "" && p.Type != "about:blank" {
		e.Code = typeName(p.Type)
	}
	p.Extension("extraDetails", &e.ExtraDetails)
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.p.Error())
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	for _, d := range e.ExtraDetails {
		fmt.Fprintf(&b, "; %s: %s", redact.Numbers(d.Name), redact.Numbers(d.Reason))
	}
	return b.String()
}

// Format keeps %+v and %#v as safe as %v: the fields hold the server's text
// unmasked, Error masks personal numbers in it.
func (e *Error) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", e.Error())
		return
	}
	io.WriteString(f, e.Error())
}

// Temporary reports whether the same request may succeed later: a 408,
// 423, 429 or 5xx answer. Any other answer is a definite refusal, and also
// matches payment.ErrRejected.
func (e *Error) Temporary() bool { return !e.definite() }

func typeName(t string) string {
	t = strings.TrimRight(t, "/")
	if i := strings.LastIndexAny(t, "/#"); i >= 0 {
		return t[i+1:]
	}
	return t
}

// Unwrap lets errors.Is match the sentinel of the Code, and the payment
// package's ErrRejected (a definite refusal), ErrNotFound (404) and
// ErrConflict (409).
func (e *Error) Unwrap() []error {
	errs := []error{e.p}
	if s, ok := codeSentinels[e.Code]; ok {
		errs = append(errs, s)
	}
	if e.definite() {
		errs = append(errs, payment.ErrRejected)
	}
	switch e.Status {
	case http.StatusNotFound:
		errs = append(errs, payment.ErrNotFound)
	case http.StatusConflict:
		errs = append(errs, payment.ErrConflict)
	}
	return errs
}

// definite reports whether the answer means the request was not carried out.
func (e *Error) definite() bool {
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusLocked, http.StatusTooManyRequests:
		return false
	}
	return e.Status >= 400 && e.Status < 500
}

// sentinel is an error that also matches another package's sentinel.
type sentinel struct {
	msg string
	is  error
}

func (s *sentinel) Error() string        { return s.msg }
func (s *sentinel) Is(target error) bool { return target == s.is }
