package vippstest

import "time"

// Fault is a misbehaviour for the next Times calls of an operation.
type Fault struct {
	// Op is the operation: token, create, get, events, capture, refund,
	// cancel, approve, webhooks.register, webhooks.list, webhooks.delete;
	// "" means any.
	Op string
	// Times is how many calls misbehave; 0 means 1.
	Times int
	// Latency delays the answer: before the request is carried out, or
	// after it with AfterProcessing. Either way the request is carried out
	// even if the client has given up: a timeout does not undo a capture.
	Latency time.Duration
	// Status answers with this status and a problem body instead.
	Status int
	// Drop closes the connection without an answer.
	Drop bool
	// AfterProcessing carries the request out first and then answers with
	// Status or Drop: the operation happened, but its answer is lost.
	AfterProcessing bool
}

// InjectFault adds a fault. Faults apply in the order added.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op == "" || f.Op == op {
			c := *f
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return &c
		}
	}
	return nil
}

// Requests returns how many requests of an operation the fake has received,
// faults and replays included.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// SetIdempotencyReplay turns the Idempotency-Key replay on (the default) or
// off. Off, every request is carried out as if its key were new: tests use
// it to prove that the client, not the fake, prevents doubles.
func (s *Server) SetIdempotencyReplay(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReplay = !on
}

// Deliveries returns every webhook delivery attempt so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}
