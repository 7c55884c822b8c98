package fake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// server is a tiny fake: POST /items/{id}/capture counts captures.
type server struct {
	Faults
	captures atomic.Int32
}

func newServer(t *testing.T) (*server, *httptest.Server) {
	s := &server{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items/{id}/capture", func(w http.ResponseWriter, r *http.Request) {
		s.captures.Add(1)
		w.Header().Set("X-Item", r.PathValue("id"))
		io.WriteString(w, "captured")
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "item") })
	fail := func(w http.ResponseWriter, r *http.Request, status int) {
		w.WriteHeader(status)
		io.WriteString(w, `{"error":"injected"}`)
	}
	ts := httptest.NewServer(s.Handler(mux, fail))
	t.Cleanup(ts.Close)
	return s, ts
}

func do(t *testing.T, c *http.Client, method, url string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestStatusBeforeEffect(t *testing.T) {
	s, ts := newServer(t)
	s.Inject(Fault{Match: "POST /items/{id}/capture", Status: 503, RetryAfter: "2", Times: 2})
	for i := range 3 {
		code, body, err := do(t, ts.Client(), "POST", ts.URL+"/items/a/capture")
		if err != nil {
			t.Fatal(err)
		}
		if want := 503; i == 2 {
			want = 200
			if code != want || body != "captured" {
				t.Fatalf("third: %d %s", code, body)
			}
		} else if code != want {
			t.Fatalf("%d: %d", i, code)
		}
	}
	if n := s.captures.Load(); n != 1 {
		t.Fatalf("captures %d, want 1: a failed request took effect", n)
	}
	if s.Pending() != 0 || s.Requests("POST /items/{id}/capture") != 3 || s.Requests("") != 3 || s.Requests("GET /items/{id}") != 0 {
		t.Fatalf("counts: pending %d", s.Pending())
	}
}

func TestAfterEffect(t *testing.T) {
	s, ts := newServer(t)
	s.Inject(Fault{Match: "/items/", Status: 502, AfterEffect: true})
	code, _, err := do(t, ts.Client(), "POST", ts.URL+"/items/a/capture")
	if err != nil || code != 502 {
		t.Fatalf("%d %v", code, err)
	}
	if s.captures.Load() != 1 {
		t.Fatal("the effect did not happen")
	}
}

func TestDrop(t *testing.T) {
	s, ts := newServer(t)
	s.Inject(Fault{Drop: true})
	if _, _, err := do(t, ts.Client(), "GET", ts.URL+"/items/a"); err == nil {
		t.Fatal("an answer came through a dropped connection")
	}
	s.Inject(Fault{Drop: true, AfterEffect: true})
	if _, _, err := do(t, ts.Client(), "POST", ts.URL+"/items/a/capture"); err == nil {
		t.Fatal("an answer came through a dropped connection")
	}
	if s.captures.Load() != 1 {
		t.Fatal("the effect before the drop did not happen")
	}
}

func TestMatchByMethodAndPattern(t *testing.T) {
	s, ts := newServer(t)
	s.Inject(Fault{Match: "POST /items/{id}/capture", Status: 500})
	if code, _, _ := do(t, ts.Client(), "GET", ts.URL+"/items/a"); code != 200 {
		t.Fatalf("GET took a POST fault: %d", code)
	}
	if s.Pending() != 1 {
		t.Fatal("the fault was used up by a request it does not match")
	}
}

func TestDelayAndGivingUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &server{}
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.captures.Add(1)
		}), func(w http.ResponseWriter, r *http.Request, status int) { w.WriteHeader(status) })
		s.Inject(Fault{Delay: time.Minute})
		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if time.Since(start) != time.Minute || rec.Code != 200 || s.captures.Load() != 1 {
			t.Fatalf("delay: %v %d", time.Since(start), rec.Code)
		}
		s.Inject(Fault{Delay: time.Hour, Status: 500})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
		if s.captures.Load() != 1 || rec.Body.Len() != 0 {
			t.Fatal("a request whose client gave up was answered")
		}
		// After the effect, giving up does not undo it.
		s.Inject(Fault{Delay: time.Hour, Status: 500, AfterEffect: true})
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil).WithContext(ctx))
		if s.captures.Load() != 2 {
			t.Fatal("the effect was undone")
		}
	})
}

func TestHold(t *testing.T) {
	s, ts := newServer(t)
	release := s.Hold()
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 5 {
		wg.Go(func() {
			if code, _, err := do(t, ts.Client(), "GET", ts.URL+"/items/a"); err == nil && code == 200 {
				ok.Add(1)
			}
		})
	}
	for s.Waiting() < 5 {
		time.Sleep(time.Millisecond)
	}
	if ok.Load() != 0 {
		t.Fatal("a held request was answered")
	}
	release()
	release()
	wg.Wait()
	if ok.Load() != 5 || s.Waiting() != 0 {
		t.Fatalf("%d answered", ok.Load())
	}
}

func TestConcurrentTimes(t *testing.T) {
	s, ts := newServer(t)
	s.Inject(Fault{Status: 500, Times: 10})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 40 {
		wg.Go(func() {
			if code, _, _ := do(t, ts.Client(), "GET", ts.URL+"/items/a"); code == 500 {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 10 || s.Requests("") != 40 {
		t.Fatalf("%d failed of %d", failed.Load(), s.Requests(""))
	}
}

func TestBadPattern(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a malformed pattern was accepted")
		}
	}()
	var fs Faults
	fs.Inject(Fault{Match: "POST"})
}

func TestDropWithoutHijacker(t *testing.T) {
	defer func() {
		if r := recover(); !errors.Is(r.(error), http.ErrAbortHandler) {
			t.Fatalf("recovered %v", r)
		}
	}()
	Drop(httptest.NewRecorder())
}

func Example() {
	var faults Faults // embedded in a fake's Server
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payments/{ref}/capture", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "captured", r.PathValue("ref"))
	})
	h := faults.Handler(mux, func(w http.ResponseWriter, r *http.Request, status int) {
		http.Error(w, `{"title":"injected"}`, status)
	})
	faults.Inject(Fault{Match: "POST /payments/{ref}/capture", Status: http.StatusServiceUnavailable, RetryAfter: "1"})

	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/payments/r1/capture", nil))
		fmt.Println(rec.Code, rec.Header().Get("Retry-After"), strings.TrimSpace(rec.Body.String()))
	}
	fmt.Println(faults.Requests("POST /payments/{ref}/capture"), faults.Pending())
	// Output:
	// 503 1 {"title":"injected"}
	// 200  captured r1
	// 2 0
}
