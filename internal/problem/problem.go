// Package problem turns an HTTP error response into a typed error. It reads RFC
// 9457 (formerly 7807) problem details, and falls back to the status line for a
// body that is not one, so every client reports API errors the same way.
//
//	resp, err := client.Do(req)
//	if err != nil { ... }
//	defer resp.Body.Close()
//	if err := problem.Check(resp); err != nil {
//		var p *problem.Error
//		if errors.As(err, &p) && p.Type == "https://.../not-found" { ... }
//		if errors.Is(err, problem.ErrNotFound) { ... }
//	}
//
// Text that came from the server (title, detail) is masked with redact.Numbers
// before it reaches Error(), so a server that echoes a fødselsnummer cannot leak
// it into a log line.
package problem

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/internal/redact"
)

// MaxBody is how much of an error body Check reads. Error bodies are small; a
// larger one is cut, never buffered whole.
const MaxBody = 64 << 10

// Sentinels for the status classes callers branch on. A *Error unwraps to the
// one that matches its status.
var (
	ErrBadRequest   = errors.New("problem: bad request")
	ErrUnauthorized = errors.New("problem: unauthorized")
	ErrForbidden    = errors.New("problem: forbidden")
	ErrNotFound     = errors.New("problem: not found")
	ErrConflict     = errors.New("problem: conflict")
	ErrGone         = errors.New("problem: gone")
	ErrTooLarge     = errors.New("problem: request too large")
	ErrRateLimited  = errors.New("problem: rate limited")
	ErrServer       = errors.New("problem: server error")
)

// Error is an HTTP error response. Its fields follow RFC 9457.
type Error struct {
	Status    int    // the HTTP status code
	Type      string // a URI that identifies the problem type; "about:blank" when absent
	Title     string
	Detail    string
	Instance  string
	RequestID string // from the body (requestId, traceId, correlationId) or the X-Request-Id family of headers

	// Extensions holds every other member of the problem object, undecoded,
	// for a client to read its API's own fields (Vipps' extraDetails, say).
	Extensions map[string]json.RawMessage

	// Err is a client package's own sentinel for this problem, if it set one;
	// errors.Is matches it as well as the status sentinel.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("http ")
	b.WriteString(strconv.Itoa(e.Status))
	if t := redact.Numbers(e.Title); t != "" {
		b.WriteString(": ")
		b.WriteString(t)
	} else if st := http.StatusText(e.Status); st != "" {
		b.WriteString(" ")
		b.WriteString(st)
	}
	if d := redact.Numbers(e.Detail); d != "" && d != e.Title {
		b.WriteString(": ")
		b.WriteString(d)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns Err (if set) and the sentinel for the status class.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if s := statusSentinel(e.Status); s != nil {
		errs = append(errs, s)
	}
	return errs
}

// Temporary reports whether a later retry could succeed (429 and 5xx).
func (e *Error) Temporary() bool { return e.Status == http.StatusTooManyRequests || e.Status >= 500 }

func statusSentinel(status int) error {
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrBadRequest
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusGone:
		return ErrGone
	case status == http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return nil
}

// Check returns nil for a 1xx-3xx response. For any other it reads at most
// MaxBody bytes of the body and returns a *Error. The caller still closes the body.
func Check(resp *http.Response) error {
	if resp.StatusCode < 400 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	return Parse(resp.StatusCode, resp.Header, body)
}

// requestIDHeaders are tried in order; the national APIs each use their own.
var requestIDHeaders = []string{"X-Request-Id", "X-Correlation-Id", "Correlation-Id", "Request-Id", "X-Amzn-Requestid"}

// requestIDMembers are the body members that carry a request id.
var requestIDMembers = []string{"requestId", "traceId", "correlationId", "correlation_id", "errorId"}

// Parse builds a *Error from a status, headers and a body. A body that is not a
// JSON object (HTML from a proxy, plain text, nothing) still gives a useful
// error with the status, never a parse failure.
func Parse(status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status, Type: "about:blank"}
	for _, h := range requestIDHeaders {
		if v := header.Get(h); v != "" {
			e.RequestID = v
			break
		}
	}
	if !isJSON(header.Get("Content-Type"), body) {
		return e
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return e
	}
	str := func(name string) string {
		raw, ok := members[name]
		if !ok {
			return ""
		}
		delete(members, name)
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		// Not a string (a number, say): keep its JSON text rather than lose it.
		return string(bytes.TrimSpace(raw))
	}
	if t := str("type"); t != "" {
		e.Type = t
	}
	e.Title = str("title")
	e.Detail = str("detail")
	e.Instance = str("instance")
	if raw, ok := members["status"]; ok {
		// The status member is advisory (RFC 9457 3.1.3); the response's wins.
		var n int
		if json.Unmarshal(raw, &n) == nil {
			delete(members, "status")
		}
	}
	for _, name := range requestIDMembers {
		if _, ok := members[name]; ok && e.RequestID == "" {
			e.RequestID = str(name)
		}
	}
	if len(members) > 0 {
		e.Extensions = members
	}
	return e
}

func isJSON(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil && (mt == "application/json" || mt == "application/problem+json" || strings.HasSuffix(mt, "+json")) {
		return true
	}
	// Some servers send JSON as text/plain or with no type at all.
	trimmed := bytes.TrimSpace(body)
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// Extension decodes the extension member name into v. It reports false when the
// member is absent or does not decode.
func (e *Error) Extension(name string, v any) bool {
	raw, ok := e.Extensions[name]
	if !ok {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// Format keeps %+v as safe as %v: the extensions, which may hold anything the
// server sent, are printed by name only.
func (e *Error) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v', 's':
		io.WriteString(f, e.Error())
		if verb == 'v' && f.Flag('+') {
			fmt.Fprintf(f, " [type %s", e.Type)
			for _, name := range slices.Sorted(maps.Keys(e.Extensions)) {
				fmt.Fprintf(f, " +%s", name)
			}
			io.WriteString(f, "]")
		}
	case 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		fmt.Fprintf(f, "%%!%c(*problem.Error)", verb)
	}
}
