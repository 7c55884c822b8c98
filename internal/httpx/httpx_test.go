package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// flaky is an httptest handler that fails the first n requests with status
// (or, with status 0, by dropping the connection) and then answers 200 with
// the request body it got.
type flaky struct {
	n, status int
	calls     atomic.Int32
	bodies    chan string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if f.bodies != nil {
		f.bodies <- string(body)
	}
	if int(f.calls.Add(1)) <= f.n {
		if f.status == 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(f.status)
		return
	}
	w.Write(body)
}

func fastClient() *Client {
	return &Client{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		key        bool // send an Idempotency-Key
		safe       bool // mark with RetrySafe
		failures   int
		status     int // 0 drops the connection
		wantCalls  int32
		wantStatus int // 0: want an error
	}{
		{"GET 503 then ok", "GET", false, false, 2, 503, 3, 200},
		{"GET 429 then ok", "GET", false, false, 1, 429, 2, 200},
		{"GET 502 and 504 are retried", "GET", false, false, 1, 504, 2, 200},
		{"GET dropped connection then ok", "GET", false, false, 2, 0, 3, 200},
		{"GET gives up after MaxAttempts", "GET", false, false, 10, 503, 4, 503},
		{"GET 500 is not retried", "GET", false, false, 1, 500, 1, 500},
		{"GET 400 is not retried", "GET", false, false, 1, 400, 1, 400},
		{"DELETE is idempotent", "DELETE", false, false, 1, 503, 2, 200},
		{"POST without key is not retried", "POST", false, false, 1, 503, 1, 503},
		{"POST without key, dropped connection: error, no retry", "POST", false, false, 1, 0, 1, 0},
		{"POST with Idempotency-Key is retried", "POST", true, false, 2, 503, 3, 200},
		{"POST with Idempotency-Key after a dropped connection", "POST", true, false, 1, 0, 2, 200},
		{"POST marked RetrySafe is retried", "POST", false, true, 1, 503, 2, 200},
		{"PATCH without key is not retried", "PATCH", false, false, 1, 502, 1, 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &flaky{n: tc.failures, status: tc.status, bodies: make(chan string, 16)}
			srv := httptest.NewServer(f)
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL+"/x", strings.NewReader(`{"amount":100}`))
			if tc.key {
				req.Header.Set(IdempotencyKeyHeader, "k-1")
			}
			if tc.safe {
				req = RetrySafe(req)
			}
			resp, err := fastClient().Do(req)
			if got := f.calls.Load(); got != tc.wantCalls {
				t.Errorf("server saw %d calls, want %d", got, tc.wantCalls)
			}
			if tc.wantStatus == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			close(f.bodies)
			for b := range f.bodies {
				if b != `{"amount":100}` {
					t.Errorf("attempt sent body %q: the body must be replayed whole", b)
				}
			}
		})
	}
}

func TestBodyThatCannotBeRewoundIsSentOnce(t *testing.T) {
	f := &flaky{n: 1, status: 503}
	srv := httptest.NewServer(f)
	defer srv.Close()
	req, _ := http.NewRequest("PUT", srv.URL, io.NopCloser(strings.NewReader("stream")))
	req.GetBody = nil
	resp, err := fastClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f.calls.Load() != 1 || resp.StatusCode != 503 {
		t.Fatalf("calls=%d status=%d: a streamed body must not be retried", f.calls.Load(), resp.StatusCode)
	}
}

// fakeTransport answers from a list of responses, recording when each request
// arrived, for the synctest timing tests.
type fakeTransport struct {
	responses []func() (*http.Response, error)
	at        []time.Time
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.at = append(f.at, time.Now())
	i := len(f.at) - 1
	if i >= len(f.responses) {
		i = len(f.responses) - 1
	}
	return f.responses[i]()
}

func status(code int, header ...string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(bytes.NewReader(nil))}, nil
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name      string
		first     func() (*http.Response, error)
		wantCalls int
		wantWait  time.Duration // between the two calls
	}{
		{"seconds", status(429, "Retry-After", "3"), 2, 3 * time.Second},
		{"http date", status(503, "Retry-After", "Sun, 22 Nov 2026 10:00:07 GMT"), 2, 7 * time.Second},
		{"longer than MaxRetryAfter ends the retries", status(429, "Retry-After", "3600"), 1, 0},
		{"date in the past retries at once", status(503, "Retry-After", "Sun, 22 Nov 2026 09:00:00 GMT"), 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				ft := &fakeTransport{responses: []func() (*http.Response, error){tc.first, status(200)}}
				c := &Client{
					HTTPClient: &http.Client{Transport: ft},
					// The bubble's clock starts at 2000-01-01; pretend it is 10:00:00 on the day of the dates above.
					Now: func() time.Time {
						return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC).Add(time.Since(start))
					},
				}
				req, _ := http.NewRequest("GET", "https://api.example/x", nil)
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if len(ft.at) != tc.wantCalls {
					t.Fatalf("%d calls, want %d", len(ft.at), tc.wantCalls)
				}
				if tc.wantCalls == 2 {
					if got := ft.at[1].Sub(ft.at[0]); got != tc.wantWait {
						t.Fatalf("waited %v, want %v", got, tc.wantWait)
					}
				} else if resp.StatusCode != 429 {
					t.Fatalf("status %d: the caller must get the 429", resp.StatusCode)
				}
			})
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{responses: []func() (*http.Response, error){status(503)}}
		c := &Client{HTTPClient: &http.Client{Transport: ft}, MaxAttempts: 6, BaseDelay: 100 * time.Millisecond, MaxDelay: 1 * time.Second}
		req, _ := http.NewRequest("GET", "https://api.example/x", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(ft.at) != 6 {
			t.Fatalf("%d attempts, want 6", len(ft.at))
		}
		// Retry i waits within [d/2, d] for d = 100ms·2^(i-1), capped at 1s.
		for i, ceil := range []time.Duration{100, 200, 400, 800, 1000} {
			ceil *= time.Millisecond
			got := ft.at[i+1].Sub(ft.at[i])
			if got < ceil/2 || got > ceil {
				t.Errorf("retry %d waited %v, want within [%v, %v]", i+1, got, ceil/2, ceil)
			}
		}
	})
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{responses: []func() (*http.Response, error){status(503, "Retry-After", "30")}}
		c := &Client{HTTPClient: &http.Client{Transport: ft}}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.example/x", nil)
		start := time.Now()
		_, err := c.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's deadline", err)
		}
		if waited := time.Since(start); waited != 5*time.Second {
			t.Fatalf("returned after %v, want when the context ended (5s)", waited)
		}
		if len(ft.at) != 1 {
			t.Fatalf("%d attempts after the context ended", len(ft.at))
		}
	})
}

func TestErrorsHideQueryAndPersonalNumbers(t *testing.T) {
	srv := httptest.NewServer(&flaky{n: 100, status: 0})
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/personer/01019012345?token=s3cret&fnr=01019012345", nil)
	_, err := fastClient().Do(req)
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, leak := range []string{"01019012345", "s3cret", "token="} {
		if strings.Contains(msg, leak) {
			t.Errorf("error leaks %q: %s", leak, msg)
		}
	}
	if !strings.Contains(msg, "/v1/personer/010190*****") || !strings.Contains(msg, "after 4 attempts") {
		t.Errorf("error should name the masked path and the attempts: %s", msg)
	}
}

func TestSafeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@host/a/01019012345/b?q=1#f": "https://host/a/010190*****/b",
		"http://host":                            "http://host",
		"::bad":                                  "(unparseable URL)",
	} {
		if got := SafeURL(in); got != want {
			t.Errorf("SafeURL(%q) = %q, want %q", in, got, want)
		}
	}
}
