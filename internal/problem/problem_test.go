package problem

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	problemJSON := http.Header{"Content-Type": {"application/problem+json"}}
	for _, tc := range []struct {
		name    string
		status  int
		header  http.Header
		body    string
		want    Error
		is      error
		message string
	}{
		{
			name: "rfc9457", status: 404, header: problemJSON,
			body: `{"type":"https://example.no/probs/no-such-org","title":"Not found","status":404,"detail":"No enhet 123456789","instance":"/enheter/123456789"}`,
			want: Error{Status: 404, Type: "https://example.no/probs/no-such-org", Title: "Not found", Detail: "No enhet 123456789", Instance: "/enheter/123456789"},
			is:   ErrNotFound, message: "http 404: Not found: No enhet 123456789",
		},
		{
			name: "vipps style with traceId and extensions", status: 400,
			header: http.Header{"Content-Type": {"application/json"}},
			body:   `{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems#validation-error","title":"Bad Request","status":400,"detail":"Input validation failed","instance":"/v1/payments","traceId":"abc-123","extraDetails":[{"name":"reference","reason":"too short"}]}`,
			want:   Error{Status: 400, Type: "https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems#validation-error", Title: "Bad Request", Detail: "Input validation failed", Instance: "/v1/payments", RequestID: "abc-123"},
			is:     ErrBadRequest, message: "http 400: Bad Request: Input validation failed (request id abc-123)",
		},
		{
			name: "html from a proxy", status: 502, header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"rid-1"}},
			body: "<html><body>Bad Gateway</body></html>",
			want: Error{Status: 502, Type: "about:blank", RequestID: "rid-1"},
			is:   ErrServer, message: "http 502 Bad Gateway (request id rid-1)",
		},
		{
			name: "empty body", status: 429, header: http.Header{},
			want: Error{Status: 429, Type: "about:blank"},
			is:   ErrRateLimited, message: "http 429 Too Many Requests",
		},
		{
			name: "json array is not a problem", status: 410, header: problemJSON, body: `[1,2]`,
			want: Error{Status: 410, Type: "about:blank"},
			is:   ErrGone, message: "http 410 Gone",
		},
		{
			name: "json without content type", status: 403, header: http.Header{},
			body: ` {"title":"Forbidden","detail":"missing scope ks:fiks"}`,
			want: Error{Status: 403, Type: "about:blank", Title: "Forbidden", Detail: "missing scope ks:fiks"},
			is:   ErrForbidden, message: "http 403: Forbidden: missing scope ks:fiks",
		},
		{
			name: "personal number in detail is masked", status: 404, header: problemJSON,
			body: `{"title":"Ukjent person","detail":"person 01019012345 finnes ikke"}`,
			want: Error{Status: 404, Type: "about:blank", Title: "Ukjent person", Detail: "person 01019012345 finnes ikke"},
			is:   ErrNotFound, message: "http 404: Ukjent person: person 010190***** finnes ikke",
		},
		{
			name: "non-string members", status: 409, header: problemJSON,
			body: `{"type":7,"title":null,"status":"409"}`,
			want: Error{Status: 409, Type: "7"}, // null is absent; a string status stays an extension
			is:   ErrConflict,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.status, tc.header, []byte(tc.body))
			if got.Status != tc.want.Status || got.Type != tc.want.Type || got.Title != tc.want.Title ||
				got.Detail != tc.want.Detail || got.Instance != tc.want.Instance || got.RequestID != tc.want.RequestID {
				t.Errorf("Parse = %+v,\nwant %+v", *got, tc.want)
			}
			if !errors.Is(got, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", got, tc.is)
			}
			if tc.message != "" && got.Error() != tc.message {
				t.Errorf("Error() = %q, want %q", got.Error(), tc.message)
			}
		})
	}
}

func TestExtensionsAndOwnSentinel(t *testing.T) {
	errNoSuchPayment := errors.New("vipps: payment not found")
	p := Parse(404, http.Header{"Content-Type": {"application/problem+json"}},
		[]byte(`{"title":"Not Found","extraDetails":[{"name":"reference","reason":"unknown"}],"secretish":"x"}`))
	p.Err = errNoSuchPayment
	var details []struct{ Name, Reason string }
	if !p.Extension("extraDetails", &details) || len(details) != 1 || details[0].Reason != "unknown" {
		t.Fatalf("extraDetails = %+v", details)
	}
	if p.Extension("missing", &details) {
		t.Fatal("absent extension reported present")
	}
	if !errors.Is(p, errNoSuchPayment) || !errors.Is(p, ErrNotFound) {
		t.Fatal("*Error must unwrap to its own sentinel and the status sentinel")
	}
	if got := fmt.Sprintf("%+v", p); got != "http 404: Not Found [type about:blank +extraDetails +secretish]" {
		t.Fatalf("%%+v = %q", got)
	}
	if got := fmt.Sprintf("%v", error(p)); strings.Contains(got, "unknown") {
		t.Fatalf("%%v prints extension values: %q", got)
	}
}

func TestCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, "fine")
		case "/huge":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(500)
			io.WriteString(w, `{"title":"`+strings.Repeat("x", 2*MaxBody)+`"}`)
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("X-Correlation-Id", "corr-9")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"title":"Maintenance"}`)
		}
	}))
	defer srv.Close()

	for _, tc := range []struct {
		path   string
		status int
		title  string
		rid    string
	}{
		{"/ok", 0, "", ""},
		{"/down", 503, "Maintenance", "corr-9"},
		{"/huge", 500, "", ""}, // cut at MaxBody: no valid JSON, still a typed error
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(resp)
		resp.Body.Close()
		if tc.status == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.path, err)
			}
			continue
		}
		var p *Error
		if !errors.As(err, &p) || p.Status != tc.status || p.Title != tc.title || p.RequestID != tc.rid {
			t.Errorf("%s: err = %#v", tc.path, err)
		}
		if !p.Temporary() {
			t.Errorf("%s: %d should be temporary", tc.path, p.Status)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(404, "application/problem+json", `{"type":"x","title":"t","status":404,"detail":"d","traceId":"r"}`)
	f.Add(500, "text/html", "<html>")
	f.Add(400, "", `{"title":{"nested":true},"detail":[1],"requestId":5}`)
	f.Add(0, "application/json; charset=utf-8", `{`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		p := Parse(status, http.Header{"Content-Type": {contentType}}, []byte(body))
		if p.Status != status {
			t.Fatalf("status %d became %d", status, p.Status)
		}
		msg := p.Error()
		if strings.Contains(body, "01019012345") && strings.Contains(msg, "01019012345") {
			t.Fatalf("personal number leaked: %q", msg)
		}
		_ = fmt.Sprintf("%+v %q %d", p, p, p)
	})
}

func TestParseOAuth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   OAuth
	}{
		{"rfc6749", 400, http.Header{"X-Request-Id": {"r1"}}, `{"error":"invalid_grant","error_description":"Invalid assertion"}`,
			OAuth{Code: "invalid_grant", Description: "Invalid assertion", RequestID: "r1"}},
		{"maskinporten code", 400, http.Header{"Correlation-Id": {"c1"}}, `{"error":"invalid_scope","error_code":"MP-012"}`,
			OAuth{Code: "invalid_scope", ErrorCode: "MP-012", RequestID: "c1"}},
		{"html from a proxy", 502, nil, `<html>bad gateway</html>`, OAuth{Code: "bad_gateway"}},
		{"wrong types", 401, nil, `{"error":5,"error_description":"x"}`, OAuth{Code: "unauthorized", Description: "x"}},
		{"unknown status", 599, nil, ``, OAuth{Code: ""}},
	} {
		if got := ParseOAuth(tc.status, tc.header, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func FuzzParseOAuth(f *testing.F) {
	f.Add(400, `{"error":"invalid_grant","error_description":"d","error_code":"MP-001"}`)
	f.Add(502, "<html>")
	f.Add(401, `{"error":["x"]}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := ParseOAuth(status, http.Header{}, []byte(body))
		if e.Code == "" && http.StatusText(status) != "" {
			t.Fatalf("no code for status %d: %+v", status, e)
		}
	})
}
