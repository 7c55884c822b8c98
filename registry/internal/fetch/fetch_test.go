package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/registry"
)

func TestCachedDoesNotCacheErrors(t *testing.T) {
	ctx := context.Background()
	c := NewCache("test", registry.NewMemoryCache(0), time.Minute, nil, nil)
	calls := 0
	l := Lookup[string]{
		Key: "k",
		Fetch: func(context.Context) (Entry, error) {
			calls++
			switch calls {
			case 1:
				return Entry{}, errors.New("down")
			case 2:
				return Entry{Status: 200, Body: []byte(`not json`)}, nil
			}
			return Entry{Status: 200, Body: []byte(`"ok"`)}, nil
		},
		Decode: func(e Entry) (string, error) {
			var s string
			err := json.Unmarshal(e.Body, &s)
			return s, err
		},
	}
	for i := range 2 {
		if _, err := Cached(ctx, c, l); err == nil {
			t.Fatalf("call %d: want the error", i+1)
		}
	}
	for range 2 {
		if v, err := Cached(ctx, c, l); err != nil || v != "ok" {
			t.Fatalf("%v %v", v, err)
		}
	}
	if calls != 3 {
		t.Errorf("%d fetches, want 3: the good answer is cached", calls)
	}
}

func response(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func TestCheckResponse(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name  string
		resp  *http.Response
		kind  error
		msg   string
		code  string
		reqID string
	}{
		{"ok", response(200, nil, ""), nil, "", "", ""},
		{"brreg 400", response(400, json, `{"status":400,"feilmelding":"Feilaktig forespørsel","valideringsfeil":[{"feilmelding":"Organisasjonsnummer må være et nummer med nøyaktig 9 siffer","parametere":["x"]}]}`),
			registry.ErrInvalid, "Feilaktig forespørsel: Organisasjonsnummer må være et nummer med nøyaktig 9 siffer", "", ""},
		{"brreg 500", response(500, json, `{"timestamp":"2021-05-28T11:34:33.435+0000","status":500,"error":"Internal Server Error","message":"Internal Server Error","path":"/x","trace":"5631709a"}`),
			registry.ErrUnavailable, "Internal Server Error", "", "5631709a"},
		{"freg", response(403, json, `{"kode":"FREG-003","melding":"Mangler tilgang for 01017012345"}`), registry.ErrForbidden, "Mangler tilgang for 010170*****", "FREG-003", ""},
		{"problem", response(429, http.Header{"Content-Type": {"application/problem+json"}, "Retry-After": {"30"}, "X-Request-Id": {"r1"}}, `{"title":"Too many","detail":"slow down"}`),
			registry.ErrRateLimited, "slow down", "", "r1"},
		{"html", response(502, http.Header{"Content-Type": {"text/html"}}, "<html>bad gateway</html>"), registry.ErrUnavailable, "", "", ""},
		{"404 empty", response(404, nil, ""), registry.ErrNotFound, "", "", ""},
		{"410", response(410, nil, ""), registry.ErrGone, "", "", ""},
		{"401", response(401, nil, ""), registry.ErrForbidden, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckResponse("test", "op", tt.resp)
			if tt.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *registry.Error
			if !errors.As(err, &e) || !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), "01017012345") {
				t.Error("number leaked")
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message %q, want %q", e.Message, tt.msg)
			}
			if e.Code != tt.code || e.RequestID != tt.reqID {
				t.Errorf("code %q id %q", e.Code, e.RequestID)
			}
			if tt.name == "problem" && e.RetryAfter != 30*time.Second {
				t.Errorf("RetryAfter %v", e.RetryAfter)
			}
			if !strings.HasPrefix(err.Error(), "test: op: ") {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestTransportError(t *testing.T) {
	err := TransportError("x", "op", context.DeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("deadline: %v", err)
	}
	err = TransportError("x", "op", io.ErrUnexpectedEOF)
	if !errors.Is(err, registry.ErrUnavailable) || !err.(*registry.Error).Temporary() {
		t.Errorf("eof: %v", err)
	}
}

func FuzzCheckResponse(f *testing.F) {
	f.Add(400, `{"feilmelding":"x","valideringsfeil":[{"feilmelding":"y"}]}`)
	f.Add(500, `{"kode":"FREG-001","melding":"z"}`)
	f.Add(429, `{"title":1,"detail":[],"trace":{}}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			return
		}
		resp := response(status, http.Header{"Content-Type": {"application/json"}}, body)
		err := CheckResponse("fuzz", "op", resp)
		if (status >= 400) != (err != nil) {
			t.Fatalf("status %d: err %v", status, err)
		}
		if err != nil {
			_ = fmt.Sprintf("%v %+v", err, err)
		}
	})
}

type brokenCache struct{}

func (brokenCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	return nil, false, errors.New("connection refused while reading " + key)
}

func (brokenCache) Set(_ context.Context, key string, _ []byte, _ time.Duration) error {
	return errors.New("connection refused while writing " + key)
}

// A cache that fails is a miss: the look-up goes on, and the log line masks
// a personal number even where the cache's own error quotes the key.
func TestBrokenCacheIsAMiss(t *testing.T) {
	var logs bytes.Buffer
	c := NewCache("krr", brokenCache{}, time.Minute, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	calls := 0
	v, err := Cached(context.Background(), c, Lookup[string]{
		Key: "krr:03851598730",
		Fetch: func(context.Context) (Entry, error) {
			calls++
			return Entry{Status: 200, Body: []byte(`"ok"`)}, nil
		},
		Decode: func(e Entry) (string, error) {
			var s string
			return s, json.Unmarshal(e.Body, &s)
		},
	})
	if err != nil || v != "ok" || calls != 1 {
		t.Fatalf("%q %v after %d fetches", v, err, calls)
	}
	out := logs.String()
	if strings.Count(out, "cache failed") != 2 || strings.Contains(out, "03851598730") {
		t.Errorf("logs: %s", out)
	}
}
