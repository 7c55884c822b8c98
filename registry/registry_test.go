package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

func TestMemoryCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &registry.MemoryCache{MaxEntries: 3, Now: func() time.Time { return now }}
	c.Set("a", 1, time.Minute)
	c.Set("b", 2, 2*time.Minute)
	c.Set("zero", 3, 0) // not stored
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Errorf("a = %v %v", v, ok)
	}
	if _, ok := c.Get("zero"); ok {
		t.Error("ttl 0 was stored")
	}
	now = now.Add(90 * time.Second)
	if _, ok := c.Get("a"); ok {
		t.Error("a outlived its TTL")
	}
	if _, ok := c.Get("b"); !ok {
		t.Error("b expired early")
	}
	// Full: the expired entry goes first.
	c.Set("c", 3, time.Minute)
	c.Set("d", 4, time.Minute)
	if c.Len() > 3 {
		t.Errorf("len %d over the bound", c.Len())
	}
	if _, ok := c.Get("d"); !ok {
		t.Error("newest entry missing")
	}
	c.Set("e", 5, time.Minute)
	if c.Len() != 3 {
		t.Errorf("len %d, want 3", c.Len())
	}
	c.Delete("e")
	if _, ok := c.Get("e"); ok {
		t.Error("deleted entry found")
	}
	var n registry.NoCache
	n.Set("x", 1, time.Hour)
	if _, ok := n.Get("x"); ok {
		t.Error("NoCache cached")
	}
	var zero registry.MemoryCache
	zero.Set("x", 1, time.Hour)
	if v, ok := zero.Get("x"); !ok || v != 1 {
		t.Error("zero MemoryCache unusable")
	}
}

func TestGroupCollapses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g registry.Group
		var calls atomic.Int32
		gate := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]any, 50)
		for i := range 50 {
			wg.Go(func() {
				v, err, _ := g.Do(context.Background(), "k", func(ctx context.Context) (any, error) {
					calls.Add(1)
					<-gate
					return "v", nil
				})
				if err != nil {
					t.Error(err)
				}
				results[i] = v
			})
		}
		synctest.Wait()
		if g.Waiting("k") != 50 {
			t.Errorf("waiting %d", g.Waiting("k"))
		}
		close(gate)
		wg.Wait()
		if calls.Load() != 1 {
			t.Errorf("%d calls", calls.Load())
		}
		for _, r := range results {
			if r != "v" {
				t.Fatalf("result %v", r)
			}
		}
		if g.Waiting("k") != 0 {
			t.Error("call left behind")
		}
	})
}

func TestGroupCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g registry.Group
		started := make(chan struct{})
		var workErr atomic.Value
		ctx1, cancel1 := context.WithCancel(context.Background())
		ctx2, cancel2 := context.WithCancel(context.Background())
		done := make(chan struct{})
		fn := func(ctx context.Context) (any, error) {
			close(started)
			<-ctx.Done()
			workErr.Store(ctx.Err())
			close(done)
			return nil, ctx.Err()
		}
		errs := make(chan error, 2)
		go func() { _, err, _ := g.Do(ctx1, "k", fn); errs <- err }()
		<-started
		go func() { _, err, _ := g.Do(ctx2, "k", fn); errs <- err }()
		synctest.Wait()
		// The first caller leaves: the work goes on for the second.
		cancel1()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("first caller: %v", err)
		}
		synctest.Wait()
		if workErr.Load() != nil {
			t.Fatal("work cancelled while a caller still waits")
		}
		// The last caller leaves: the work is cancelled.
		cancel2()
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("second caller: %v", err)
		}
		<-done
		if !errors.Is(workErr.Load().(error), context.Canceled) {
			t.Error("work not cancelled")
		}
	})
}

func TestGroupPanic(t *testing.T) {
	var g registry.Group
	_, err, _ := g.Do(context.Background(), "p", func(context.Context) (any, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("err = %v", err)
	}
}

func TestCachedDoesNotCacheErrors(t *testing.T) {
	var g registry.Group
	c := registry.NewMemoryCache(0)
	calls := 0
	fetch := func(context.Context) (string, error) {
		calls++
		if calls == 1 {
			return "", errors.New("down")
		}
		return "ok", nil
	}
	if _, _, err := registry.Cached(context.Background(), c, &g, "k", time.Minute, fetch); err == nil {
		t.Fatal("want the error")
	}
	v, hit, err := registry.Cached(context.Background(), c, &g, "k", time.Minute, fetch)
	if err != nil || v != "ok" || hit {
		t.Fatalf("%v %v %v", v, hit, err)
	}
	if v, hit, _ := registry.Cached(context.Background(), c, &g, "k", time.Minute, fetch); !hit || v != "ok" || calls != 2 {
		t.Errorf("not served from cache: %v %v %d", v, hit, calls)
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
			err := registry.CheckResponse("test", "op", tt.resp)
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
	err := registry.TransportError("x", "op", context.DeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("deadline: %v", err)
	}
	err = registry.TransportError("x", "op", io.ErrUnexpectedEOF)
	if !errors.Is(err, registry.ErrUnavailable) || !err.(*registry.Error).Temporary() {
		t.Errorf("eof: %v", err)
	}
}

func TestAuditRedacts(t *testing.T) {
	fnr := ident.MustParseFodselsnummer("03851598730")
	var buf bytes.Buffer
	a := registry.SlogAuditor{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	ctx := registry.WithPurpose(context.Background(), registry.Purpose{Actor: "a", Reason: "r", LegalBasis: "l"})
	if err := registry.Audit(ctx, a, nil, registry.AuditEvent{Registry: "krr", Operation: "personer", Persons: []ident.Fodselsnummer{fnr}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, fnr.Reveal()) || !strings.Contains(out, "038515*****") || !strings.Contains(out, `"legal_basis":"l"`) {
		t.Errorf("audit log: %s", out)
	}
	if err := registry.Audit(context.Background(), a, nil, registry.AuditEvent{}); !errors.Is(err, registry.ErrNoPurpose) {
		t.Errorf("no purpose: %v", err)
	}
	if err := registry.Audit(context.Background(), nil, nil, registry.AuditEvent{}); err != nil {
		t.Errorf("no auditor: %v", err)
	}
	if _, ok := registry.PurposeFrom(registry.WithPurpose(context.Background(), registry.Purpose{})); ok {
		t.Error("an empty purpose counts")
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{
		"2018-06-29T10:14:52+02":       "2018-06-29T08:14:52Z",
		"2019-06-05T09:33:23+02:00":    "2019-06-05T07:33:23Z",
		"2018-04-23T06:03:29.443Z":     "2018-04-23T06:03:29.443Z",
		"2021-05-28T11:34:33.435+0000": "2021-05-28T11:34:33.435Z",
		"2024-05-02T10:11:12":          "2024-05-02T10:11:12Z",
	} {
		got, err := registry.ParseTimestamp(in)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := registry.ParseTimestamp("string"); err == nil {
		t.Error("placeholder parsed")
	}
	if _, err := registry.ParseDate("2024-02-30"); err == nil {
		t.Error("Feb 30 parsed")
	}
	d, _ := registry.ParseDate("2024-02-29")
	if d.String() != "2024-02-29" || !registry.DateOf(d.Time(nil)).Before(registry.Date{Year: 2024, Month: 3, Day: 1}) {
		t.Errorf("date %v", d)
	}
	if _, err := registry.ParseTimestamp("12345678901x"); err == nil || strings.Contains(err.Error(), "12345678901") {
		t.Errorf("error leaks digits: %v", err)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2018-06-29T10:14:52+02", "2019-06-05T09:33:23+02:00", "", "2024-05-02", "string", "2024-13-40T99:99:99Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := registry.ParseTimestamp(s)
		if err == nil && s != "" && tm.IsZero() && !strings.HasPrefix(s, "0001-01-01") {
			t.Fatalf("%q parsed to the zero time", s)
		}
		var d registry.Date
		_ = d.UnmarshalJSON([]byte(fmt.Sprintf("%q", s)))
		_ = d.String()
	})
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
		err := registry.CheckResponse("fuzz", "op", resp)
		if (status >= 400) != (err != nil) {
			t.Fatalf("status %d: err %v", status, err)
		}
		if err != nil {
			_ = fmt.Sprintf("%v %+v", err, err)
		}
	})
}
