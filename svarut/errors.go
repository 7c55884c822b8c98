package svarut

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

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
	// ErrBadRequest: SvarUT refused the request as malformed (400, 422).
	ErrBadRequest = errors.New("svarut: bad request")
	// ErrRateLimited: SvarUT asked the caller to slow down (429).
	ErrRateLimited = errors.New("svarut: rate limited")
	// ErrServer: SvarUT failed (5xx), or gave no answer at all.
	ErrServer = errors.New("svarut: server error")
	// ErrInvalidText: an entry holds a string that is not UTF-8 or holds a
	// NUL, which PostgreSQL cannot keep. Every Store refuses it, the memory
	// store as PostgreSQL does; it is an ErrInvalid.
	ErrInvalidText = fmt.Errorf("%w: text that is not UTF-8 or holds a NUL", ErrInvalid)
)

// Error is a failed call to SvarUT or SvarInn: an error response (its
// ErrorMessage body, with the HTTP status), or no answer at all (Status 0:
// the connection failed or the context ended). It unwraps to the sentinels
// that match its status: ErrBadRequest (400, 422), ErrUnauthorized (401,
// 403), ErrNotFound (404, 410), ErrConflict (409), ErrTooLarge (413),
// ErrRateLimited (429) and ErrServer (5xx), and, without an answer, to the
// transport's error (context.DeadlineExceeded, say).
type Error struct {
	Status    int    // the response's status code; 0 when no answer came
	Code      string // errorCode
	Message   string // message, with personal numbers masked
	RequestID string // errorId (or an X-Request-Id header): quote it to KS support

	ErrorText    string // error: the reason phrase SvarUT writes ("Bad Request")
	Path         string // path, with personal numbers masked
	OriginalPath string
	Timestamp    int64 // milliseconds since the epoch
	// ErrorJSON is errorJson: a JSON document with details (validation
	// failures, for one), with personal numbers masked; kept raw when it is
	// still valid JSON after the masking, else as a JSON string.
	ErrorJSON json.RawMessage

	err error // the transport's error, when Status is 0
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Status == 0 {
		b.WriteString("svarut: no answer")
	} else {
		b.WriteString("svarut: http ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	switch {
	case e.Message != "":
		b.WriteString(": ")
		b.WriteString(e.Message)
	case e.ErrorText != "":
		b.WriteString(": ")
		b.WriteString(e.ErrorText)
	case http.StatusText(e.Status) != "":
		b.WriteString(": ")
		b.WriteString(http.StatusText(e.Status))
	}
	if e.RequestID != "" {
		b.WriteString(" (errorId ")
		b.WriteString(e.RequestID)
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
	if s := statusSentinel(e.Status); s != nil {
		errs = append(errs, s)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

func statusSentinel(status int) error {
	switch {
	case status == 0:
		return nil
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrBadRequest
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusNotFound, status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return nil
}

// Temporary reports whether a retry could succeed: 429, 5xx, or no answer.
func (e *Error) Temporary() bool {
	return e.Status == 0 || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// transportError is the *Error of a call that got no answer.
func transportError(what string, err error) *Error {
	return &Error{Message: what + ": " + err.Error(), err: err}
}

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

// parseError reads an error response. It never fails: a body that is not an
// ErrorMessage (HTML from a proxy, nothing) still gives an *Error with the status.
func parseError(status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status, RequestID: requestID(header)}
	var m errorMessage
	if json.Unmarshal(body, &m) != nil {
		return e
	}
	e.Code = truncate(redact.Numbers(str(m.ErrorCode)), 200)
	e.Message = truncate(redact.Numbers(str(m.Message)), 1000)
	e.ErrorText = truncate(redact.Numbers(str(m.Error)), 200)
	if id := str(m.ErrorID); id != "" {
		e.RequestID = id
	}
	e.RequestID = truncate(redact.Numbers(e.RequestID), 100)
	e.Path = redact.Numbers(str(m.Path))
	e.OriginalPath = redact.Numbers(str(m.OriginalPath))
	if m.Timestamp != nil {
		e.Timestamp, _ = m.Timestamp.Int64()
	}
	if j := redact.Numbers(str(m.ErrorJSON)); j != "" {
		if json.Valid([]byte(j)) {
			e.ErrorJSON = json.RawMessage(j)
		} else {
			q, _ := json.Marshal(j)
			e.ErrorJSON = q
		}
	}
	return e
}

// requestID reads the request id a proxy in front of SvarUT may set.
func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "X-Correlation-Id", "Correlation-Id", "Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// checkResponse returns nil for a 2xx response and an *Error otherwise,
// reading at most maxErrorBody bytes.
func checkResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return parseError(resp.StatusCode, resp.Header, body)
}

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 64 << 10

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
