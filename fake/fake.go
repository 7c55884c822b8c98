// Package fake is the toolkit grunnmur's fake servers share, so that every
// fake misbehaves and counts the same way.
//
// A test injects a [Fault] into a fake (vippstest, svaruttest, idportentest,
// registrytest): the next Times requests that match a net/http ServeMux
// pattern answer with an error status, are held back, or lose their
// connection, either before the request takes effect or after it, when the
// client cannot know that it succeeded.
//
//	srv := vippstest.New(vippstest.Config{})
//	srv.Inject(fake.Fault{
//		Match:       "POST /epayment/v1/payments/{reference}/capture",
//		Status:      http.StatusBadGateway,
//		AfterEffect: true, // the capture happens, its answer is lost
//	})
//	...
//	if n := srv.Requests("POST /epayment/v1/payments/{reference}/capture"); n != 2 { ... }
//
// A fake embeds [Faults] in its Server and wraps its handler once with
// [Faults.Handler], giving it a function that writes its own error body.
// Each fake's Config also has one authorization hook,
// Authorize func(*http.Request) (status int): 0 lets a request through.
package fake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Fault is a misbehaviour for the next Times requests that match.
type Fault struct {
	// Match selects requests with a net/http ServeMux pattern:
	// "POST /v2/payments/{ref}/capture", "/api/" (a subtree), or "" for
	// every request.
	Match string
	// Times is how many requests misbehave; 0 means 1.
	Times int
	// Status answers with this status and the fake's error body.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header with Status.
	RetryAfter string
	// Delay holds the answer this long, or until the client gives up. With
	// no Status and no Drop the request then goes on normally.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// AfterEffect lets the request take effect first (a capture is made, a
	// letter is stored) and then misbehaves: the client cannot know that it
	// succeeded. The effect happens even if the client gives up meanwhile.
	AfterEffect bool
}

func (f Fault) fails() bool { return f.Status != 0 || f.Drop }

type entry struct {
	Fault
	mux *http.ServeMux // nil matches every request
}

func (e *entry) matches(r *http.Request) bool { return matches(e.mux, r) }

func matches(mux *http.ServeMux, r *http.Request) bool {
	if mux == nil {
		return true
	}
	_, pattern := mux.Handler(r)
	return pattern != ""
}

// compile turns a Match pattern into a mux. It panics on a malformed
// pattern, as http.ServeMux.Handle does: that is a mistake in the test.
func compile(pattern string) *http.ServeMux {
	if pattern == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle(pattern, http.NotFoundHandler())
	return mux
}

type seen struct{ method, host, path string }

// Faults holds the injected faults of one fake and counts its requests. The
// zero Faults is ready to use; its methods are safe for concurrent use.
type Faults struct {
	mu      sync.Mutex
	queue   []*entry
	seen    []seen
	held    chan struct{} // non-nil while Hold is on
	waiting int
}

// Inject queues f. Faults apply in the order injected; each request takes
// at most one. It panics if f.Match is not a valid ServeMux pattern.
func (fs *Faults) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	e := &entry{Fault: f, mux: compile(f.Match)}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queue = append(fs.queue, e)
}

// Pending is how many injected misbehaviours have not happened yet.
func (fs *Faults) Pending() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := 0
	for _, e := range fs.queue {
		n += e.Times
	}
	return n
}

// Requests counts the requests so far that match the ServeMux pattern match
// ("" counts all).
func (fs *Faults) Requests(match string) int {
	mux := compile(match)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := 0
	for _, s := range fs.seen {
		r := &http.Request{Method: s.method, Host: s.host, URL: urlOf(s.path)}
		if matches(mux, r) {
			n++
		}
	}
	return n
}

// Hold makes every request wait, after it is counted, until release is
// called (once; later calls do nothing) or its client gives up. Tests use it
// to gather concurrent callers before the first answer.
func (fs *Faults) Hold() (release func()) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	ch := make(chan struct{})
	fs.held = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			fs.mu.Lock()
			if fs.held == ch {
				fs.held = nil
			}
			fs.mu.Unlock()
			close(ch)
		})
	}
}

// Waiting is how many requests Hold is holding now.
func (fs *Faults) Waiting() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.waiting
}

// arrive counts r, waits while held, and takes the fault for r. It reports
// false in go when the client gave up while held.
func (fs *Faults) arrive(r *http.Request) (f Fault, ok, goOn bool) {
	fs.mu.Lock()
	fs.seen = append(fs.seen, seen{r.Method, r.Host, r.URL.Path})
	held := fs.held
	if held != nil {
		fs.waiting++
	}
	fs.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
		}
		fs.mu.Lock()
		fs.waiting--
		fs.mu.Unlock()
		if r.Context().Err() != nil {
			return Fault{}, false, false
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, e := range fs.queue {
		if !e.matches(r) {
			continue
		}
		e.Times--
		if e.Times == 0 {
			fs.queue = append(fs.queue[:i:i], fs.queue[i+1:]...)
		}
		return e.Fault, true, true
	}
	return Fault{}, false, true
}

// Handler wraps a fake's handler: it counts each request, holds it while
// [Faults.Hold] is on, and carries out the fault that matches it, if any.
// fail writes the fake's own error body with the given status.
func (fs *Faults) Handler(next http.Handler, fail func(w http.ResponseWriter, r *http.Request, status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok, goOn := fs.arrive(r)
		switch {
		case !goOn:
			return
		case !ok:
			next.ServeHTTP(w, r)
		case !f.AfterEffect:
			if f.Delay > 0 && !Wait(r.Context(), f.Delay) {
				return
			}
			if f.fails() {
				misbehave(w, r, f, fail)
				return
			}
			next.ServeHTTP(w, r)
		default:
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
			if f.Delay > 0 && !Wait(r.Context(), f.Delay) {
				return
			}
			if f.fails() {
				misbehave(w, r, f, fail)
				return
			}
			replay(w, rec)
		}
	})
}

func misbehave(w http.ResponseWriter, r *http.Request, f Fault, fail func(http.ResponseWriter, *http.Request, int)) {
	if f.Drop {
		Drop(w)
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	fail(w, r, f.Status)
}

func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// Drop closes the connection without an answer, as a crashed server or a
// lost network would. It hijacks the connection where it can; otherwise
// (HTTP/2, a ResponseRecorder) it aborts the handler with
// http.ErrAbortHandler, which net/http turns into a closed connection or a
// reset stream. It does not return.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
	panic(http.ErrAbortHandler)
}

// Wait waits d, or until ctx ends, and reports whether d passed.
func Wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// String describes f for a test's failure message.
func (f Fault) String() string {
	return fmt.Sprintf("fault{%q ×%d status=%d delay=%s drop=%t after=%t}", f.Match, max(f.Times, 1), f.Status, f.Delay, f.Drop, f.AfterEffect)
}

func urlOf(path string) *url.URL { return &url.URL{Path: path} }
