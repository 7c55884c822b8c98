package fiksio

import (
	"errors"
	"net/http"
	"strings"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels callers branch on. Every *Error unwraps to one of them.
var (
	// ErrConfig: the Config or a Message is wrong; nothing was sent.
	ErrConfig = errors.New("fiksio: bad configuration")
	// ErrInvalid: a Message breaks a rule of the protocol (no type, a TTL
	// under one second, a header name Fiks IO cannot carry).
	ErrInvalid = errors.New("fiksio: invalid message")
	// ErrUnauthorized: Fiks IO refused the credentials: the Maskinporten
	// token, the integration id or its password (HTTP 401 or 403, or the
	// broker's ACCESS_REFUSED).
	ErrUnauthorized = errors.New("fiksio: unauthorized")
	// ErrUnknownAccount: no such account, or it may not receive (the
	// katalog's 404, a send to an unknown receiver).
	ErrUnknownAccount = errors.New("fiksio: unknown account")
	// ErrQueueFull: the receiver's queue holds as much as it may, and Fiks
	// IO refused the message (HTTP 429 on send). Send again later.
	ErrQueueFull = errors.New("fiksio: the receiver's queue is full")
	// ErrCertificate: the receiver's certificate does not verify (see
	// *CertificateError).
	ErrCertificate = errors.New("fiksio: the receiver's certificate does not verify")
	// ErrHeader: a received message's headers break the protocol (see
	// *HeaderError).
	ErrHeader = errors.New("fiksio: malformed message headers")
	// ErrBadResponse: an answer from Fiks IO did not decode.
	ErrBadResponse = errors.New("fiksio: malformed response")
	// ErrBadRequest: Fiks IO refused the request as malformed (400, 422).
	ErrBadRequest = errors.New("fiksio: bad request")
	// ErrServer: Fiks IO failed (5xx) or could not be reached.
	ErrServer = errors.New("fiksio: server error")
	// ErrClosed: the Receiver was shut down.
	ErrClosed = errors.New("fiksio: closed")
)

// Error is a failed call to Fiks IO: an error answer (Status set) or none at
// all (Status 0, Err the transport's error). It names the operation, never a
// token or a password, and masks personal numbers in the server's text.
type Error struct {
	Op        string // "send", "lookup", "offentligNokkel", "dokumentlager", "amqp"
	Status    int    // the HTTP status; 0 when no answer came
	Code      string // Fiks' errorCode, if it gave one
	Message   string // the server's message, personal numbers masked
	RequestID string // errorId or a request id header: quote it to KS support

	// Kind is the sentinel this error is (ErrUnauthorized, ...).
	Kind error
	// Err is the cause besides the status, when there is one.
	Err error
}

func (e *Error) Error() string {
	return problem.Call{Service: "fiksio", Op: e.Op, Kind: e.Kind, Status: e.Status, Code: e.Code,
		Message: e.Message, RequestID: e.RequestID, Cause: e.Err}.String()
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error { return problem.Causes(e.Kind, e.Err) }

// Temporary reports whether a later try could succeed: a full queue, a
// server error or no answer.
func (e *Error) Temporary() bool {
	return e.Kind == ErrQueueFull || e.Kind == ErrServer || e.Status == http.StatusTooManyRequests
}

// httpError reads an error answer of operation op. notFound is the kind a
// 404 means for this operation.
func httpError(op string, resp *http.Response, body []byte) *Error {
	p := problem.Parse(resp.StatusCode, resp.Header, body)
	e := &Error{Op: op, Status: resp.StatusCode, RequestID: truncate(redact.Numbers(p.RequestID), 100)}
	var s string
	if p.Extension("errorCode", &s) {
		e.Code = truncate(redact.Numbers(s), 100)
	}
	msg := p.Detail
	if p.Extension("message", &s) && s != "" {
		msg = s
	} else if msg == "" {
		msg = p.Title
	}
	e.Message = truncate(redact.Numbers(msg), 500)
	switch st := resp.StatusCode; {
	case st == http.StatusUnauthorized, st == http.StatusForbidden:
		e.Kind = ErrUnauthorized
	case st == http.StatusNotFound, st == http.StatusGone:
		e.Kind = ErrUnknownAccount
	case st == http.StatusTooManyRequests && op == "send":
		e.Kind = ErrQueueFull
	case st == http.StatusBadRequest, st == http.StatusUnprocessableEntity:
		e.Kind = ErrBadRequest
	case st >= 500, st == http.StatusTooManyRequests:
		e.Kind = ErrServer
	}
	return e
}

func transportError(op string, err error) *Error {
	return &Error{Op: op, Kind: ErrServer, Err: err}
}

func decodeError(op string, err error) *Error {
	return &Error{Op: op, Kind: ErrBadResponse, Err: err}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// CertificateError is a receiver's public key that cannot be used: it does
// not parse, is not an RSA certificate, is outside its validity period, or
// does not chain to the configured roots.
type CertificateError struct {
	KontoID string
	Reason  string
	Err     error
}

func (e *CertificateError) Error() string {
	s := "fiksio: the certificate of account " + e.KontoID + " does not verify: " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrCertificate and the cause.
func (e *CertificateError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrCertificate, e.Err}
	}
	return []error{ErrCertificate}
}

// HeaderError is a received message whose headers break the protocol. It
// names the header, never its value.
type HeaderError struct {
	Header string // the AMQP header (or "routing key")
	Reason string
}

func (e *HeaderError) Error() string {
	return "fiksio: malformed message headers: " + e.Header + ": " + e.Reason
}

// Unwrap returns ErrHeader.
func (e *HeaderError) Unwrap() error { return ErrHeader }
