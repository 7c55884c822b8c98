package svaruttest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/fakefault"
)

// Fault makes the next Times matching requests fail.
type Fault struct {
	// Match selects requests: "METHOD /path/prefix", "/path/prefix" or ""
	// for every request.
	Match string
	// Times is how many requests fail; 0 means 1.
	Times int
	// Status answers with this status and an ErrorMessage body (500, 503, ...).
	Status int
	// Delay holds the request this long before the fault (or the answer)
	// takes effect, or until the client gives up: a timeout when it exceeds
	// the client's deadline.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// AfterHandling lets the request take effect first (a shipment is
	// stored, a status is set) and then fails the answer: the client cannot
	// know that it succeeded.
	AfterHandling bool
}

// InjectFault queues a fault. Faults apply in the order queued; each request
// takes at most one.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// PendingFaults is how many fault requests are still queued.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	return n
}

// takeFault returns the fault for r, if any. The caller holds s.mu.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		f.Times--
		if f.Times == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Match == "" {
		return true
	}
	method, path, ok := strings.Cut(f.Match, " ")
	if !ok {
		method, path = "", f.Match
	}
	return (method == "" || method == r.Method) && strings.HasPrefix(r.URL.Path, path)
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	var rec *httptest.ResponseRecorder
	if f.AfterHandling {
		rec = httptest.NewRecorder()
		s.serve(rec, r)
	}
	if f.Delay > 0 && !fakefault.Wait(r.Context(), f.Delay) {
		return
	}
	switch {
	case f.Drop:
		fakefault.Drop(w)
	case f.Status != 0:
		s.writeError(w, r, f.Status, "INJISERT_FEIL", "Feil injisert av svaruttest", "")
	case rec != nil:
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	default:
		s.serve(w, r)
	}
}
