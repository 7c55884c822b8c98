package svarut

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sentinels callers branch on.
var (
	ErrNotFound      = errors.New("svarut: shipment not found")
	ErrUnknownStatus = errors.New("svarut: unknown status")
	ErrInvalid       = errors.New("svarut: invalid shipment")
	ErrConfig        = errors.New("svarut: bad configuration")
	ErrConflict      = errors.New("svarut: conflict")
	ErrDecrypt       = errors.New("svarut: cannot decrypt shipment")
	ErrHashMismatch  = errors.New("svarut: file hash mismatch")
	ErrTooLarge      = errors.New("svarut: shipment too large")
	ErrBadShipment   = errors.New("svarut: malformed shipment")
	ErrAmbiguousRef  = errors.New("svarut: several shipments share the eksternReferanse")
	ErrUnauthorized  = errors.New("svarut: unauthorized")
	ErrBadResponse   = errors.New("svarut: malformed response")
	// ErrInvalidText: an entry holds a string that is not UTF-8 or holds a
	// NUL, which PostgreSQL cannot keep. Every Store refuses it, the memory
	// store as PostgreSQL does; it is an ErrInvalid.
	ErrInvalidText = fmt.Errorf("%w: text that is not UTF-8 or holds a NUL", ErrInvalid)
)

// Error is an error response from SvarUT: its ErrorMessage body, with the
// HTTP status. It unwraps to the matching problem sentinel
// (problem.ErrNotFound, problem.ErrServer, ...) and to ErrNotFound or
// ErrUnauthorized where those apply.
type Error struct {
	HTTPStatus   int    // the response's status code
	Code         string // errorCode
	Message      string // message, with personal numbers masked
	ErrorText    string // error: the reason phrase SvarUT writes ("Bad Request")
	ErrorID      string // errorId: quote it to KS support
	Path         string // path, with personal numbers masked
	OriginalPath string
	Timestamp    int64 // milliseconds since the epoch
	// ErrorJSON is errorJson: a JSON document with details (validation
	// failures, for one), kept raw when it is valid JSON.
	ErrorJSON json.RawMessage
	// Problem is the same response read as RFC 9457 problem details.
	Problem *problem.Error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("svarut: http ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.ErrorText != "" {
		b.WriteString(": ")
		b.WriteString(e.ErrorText)
	} else if t := http.StatusText(e.HTTPStatus); t != "" {
		b.WriteString(": ")
		b.WriteString(t)
	}
	if e.ErrorID != "" {
		b.WriteString(" (errorId ")
		b.WriteString(e.ErrorID)
		b.WriteString(")")
	}
	return b.String()
}

// Format keeps %+v as safe as %v.
func (e *Error) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		io.WriteString(f, e.Error())
	}
}

// Unwrap returns the sentinels that match.
func (e *Error) Unwrap() []error {
	var errs []error
	switch e.HTTPStatus {
	case http.StatusNotFound:
		errs = append(errs, ErrNotFound)
	case http.StatusUnauthorized, http.StatusForbidden:
		errs = append(errs, ErrUnauthorized)
	}
	if e.Problem != nil {
		errs = append(errs, e.Problem)
	}
	return errs
}

// Temporary reports whether a retry could succeed (429 and 5xx).
func (e *Error) Temporary() bool {
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500
}

// RequestID is the errorId.
func (e *Error) RequestID() string { return e.ErrorID }

// errorMessage is the spec's ErrorMessage.
type errorMessage struct {
	Timestamp    *json.Number `json:"timestamp"`
	Status       *json.Number `json:"status"`
	Error        *string      `json:"error"`
	ErrorID      *string      `json:"errorId"`
	Path         *string      `json:"path"`
	OriginalPath *string      `json:"originalPath"`
	Message      *string      `json:"message"`
	ErrorCode    *string      `json:"errorCode"`
	ErrorJSON    *string      `json:"errorJson"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ParseError reads an error response. It never fails: a body that is not an
// ErrorMessage (HTML from a proxy, nothing) still gives an *Error with the status.
func ParseError(status int, header http.Header, body []byte) *Error {
	e := &Error{HTTPStatus: status, Problem: problem.Parse(status, header, body)}
	e.ErrorID = e.Problem.RequestID
	var m errorMessage
	if json.Unmarshal(body, &m) != nil {
		return e
	}
	e.Code = truncate(redact.Numbers(str(m.ErrorCode)), 200)
	e.Message = truncate(redact.Numbers(str(m.Message)), 1000)
	e.ErrorText = truncate(redact.Numbers(str(m.Error)), 200)
	if id := str(m.ErrorID); id != "" {
		e.ErrorID = truncate(redact.Numbers(id), 100)
	}
	e.Path = redact.Numbers(str(m.Path))
	e.OriginalPath = redact.Numbers(str(m.OriginalPath))
	if m.Timestamp != nil {
		e.Timestamp, _ = m.Timestamp.Int64()
	}
	if j := str(m.ErrorJSON); j != "" {
		if json.Valid([]byte(j)) {
			e.ErrorJSON = json.RawMessage(j)
		} else {
			q, _ := json.Marshal(j)
			e.ErrorJSON = q
		}
	}
	return e
}

// checkResponse returns nil for a 2xx response and an *Error otherwise,
// reading at most problem.MaxBody bytes.
func checkResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, problem.MaxBody))
	return ParseError(resp.StatusCode, resp.Header, body)
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
