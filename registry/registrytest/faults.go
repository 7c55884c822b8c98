package registrytest

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/fakefault"
)

// Faults makes a fake misbehave on purpose, for reliability tests. Every fake
// embeds one; its methods are safe for concurrent use. Faults apply to the
// next N requests in arrival order, after which the fake behaves again.
type Faults struct {
	mu       sync.Mutex
	queue    []fault
	held     chan struct{} // non-nil while Hold is on: requests wait for it to close
	requests int
	byPath   map[string]int
	waiting  int
}

type fault struct {
	status     int
	delay      time.Duration
	drop       bool
	retryAfter string
}

// FailNext makes the next n requests answer status (with a Retry-After of
// one second for 429 and 503, as the registries send).
func (f *Faults) FailNext(n, status int) {
	f.add(n, fault{status: status})
}

// FailNextRetryAfter is FailNext with a chosen Retry-After value.
func (f *Faults) FailNextRetryAfter(n, status int, retryAfter string) {
	f.add(n, fault{status: status, retryAfter: retryAfter})
}

// DelayNext makes the next n requests wait d before they are answered (or
// until the request's context ends).
func (f *Faults) DelayNext(n int, d time.Duration) { f.add(n, fault{delay: d}) }

// DropNext makes the next n requests fail with a dropped connection.
func (f *Faults) DropNext(n int) { f.add(n, fault{drop: true}) }

func (f *Faults) add(n int, x fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.queue = append(f.queue, x)
	}
}

// Hold makes every request wait, after it is counted, until the returned
// release function is called (once; later calls do nothing). Tests use it to
// gather concurrent callers before the first answer.
func (f *Faults) Hold() (release func()) {
	f.mu.Lock()
	ch := make(chan struct{})
	f.held = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.held == ch {
				f.held = nil
			}
			f.mu.Unlock()
			close(ch)
		})
	}
}

// Requests reports how many requests the fake has received.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// RequestsTo reports how many requests went to path (without the query).
func (f *Faults) RequestsTo(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byPath[path]
}

// Held reports how many requests are waiting on Hold.
func (f *Faults) Held() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiting
}

// wrap applies the faults in front of h.
func (f *Faults) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		if f.byPath == nil {
			f.byPath = map[string]int{}
		}
		f.byPath[r.URL.Path]++
		held := f.held
		var x *fault
		if len(f.queue) > 0 {
			q := f.queue[0]
			f.queue = f.queue[1:]
			x = &q
		}
		if held != nil {
			f.waiting++
		}
		f.mu.Unlock()
		if held != nil {
			select {
			case <-held:
			case <-r.Context().Done():
			}
			f.mu.Lock()
			f.waiting--
			f.mu.Unlock()
		}
		if x != nil {
			switch {
			case x.drop:
				fakefault.Drop(w)
			case x.delay > 0:
				if !fakefault.Wait(r.Context(), x.delay) {
					return
				}
			case x.status != 0:
				ra := x.retryAfter
				if ra == "" && (x.status == http.StatusTooManyRequests || x.status == http.StatusServiceUnavailable) {
					ra = "1"
				}
				if ra != "" {
					w.Header().Set("Retry-After", ra)
				}
				writeJSON(w, x.status, map[string]any{
					"status":  x.status,
					"error":   http.StatusText(x.status),
					"message": "injected fault: " + strconv.Itoa(x.status),
					"path":    r.URL.Path,
				})
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
