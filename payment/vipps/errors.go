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

// ProblemTypeBase is the base of the problem types the fake sends; the
// client matches types by their last segment, so the host may differ.
const ProblemTypeBase = "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/errors/"

// Problem type names, the last segment of a problem's type URI.
const (
	TypeValidation          = "validation-error"
	TypePaymentNotFound     = "payment-not-found"
	TypeInvalidState        = "invalid-payment-state"
	TypeAmountTooHigh       = "amount-too-high"
	TypeIdempotencyConflict = "idempotency-conflict"
	TypeReferenceConflict   = "reference-conflict"
	TypeUnauthorized        = "unauthorized"
)

var typeSentinels = map[string]error{
	TypeValidation:          ErrValidation,
	TypePaymentNotFound:     ErrPaymentNotFound,
	TypeInvalidState:        ErrInvalidState,
	TypeAmountTooHigh:       ErrAmountTooHigh,
	TypeIdempotencyConflict: ErrIdempotencyConflict,
	TypeReferenceConflict:   ErrReferenceConflict,
	TypeUnauthorized:        ErrUnauthorized,
}

// ExtraDetail names one invalid field of a request.
type ExtraDetail struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Error is a problem-details answer from Vipps.
type Error struct {
	Status       int
	Type         string // the problem type URI; match it with errors.Is on the sentinels
	Title        string
	Detail       string
	TraceID      string // give it to Vipps support
	ExtraDetails []ExtraDetail

	p *problem.Error
}

func newError(err error) error {
	var p *problem.Error
	if !errors.As(err, &p) {
		return err
	}
	e := &Error{Status: p.Status, Type: p.Type, Title: p.Title, Detail: p.Detail, TraceID: p.RequestID, p: p}
	p.Extension("extraDetails", &e.ExtraDetails)
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.p.Error())
	if e.Type != "" && e.Type != "about:blank" {
		fmt.Fprintf(&b, " [%s]", typeName(e.Type))
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

func typeName(t string) string {
	t = strings.TrimRight(t, "/")
	if i := strings.LastIndexAny(t, "/#"); i >= 0 {
		return t[i+1:]
	}
	return t
}

// Unwrap lets errors.Is match the type's sentinel, the status sentinels of
// internal/problem and the payment package's classes.
func (e *Error) Unwrap() []error {
	errs := []error{e.p}
	if s, ok := typeSentinels[typeName(e.Type)]; ok {
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
