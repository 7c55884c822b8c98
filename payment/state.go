package payment

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on these with errors.Is.
var (
	ErrInvalid = errors.New("payment: invalid request")
	// ErrInvalidText: a payment or invoice holds a string that is not UTF-8
	// or holds a NUL, which PostgreSQL cannot keep. Every store refuses it,
	// the memory stores as PostgreSQL does; it is an ErrInvalid.
	ErrInvalidText       = fmt.Errorf("%w: text that is not UTF-8 or holds a NUL", ErrInvalid)
	ErrNotFound          = errors.New("payment: not found")
	ErrConflict          = errors.New("payment: conflict")
	ErrInvalidTransition = errors.New("payment: impossible state transition")
	// ErrInProgress means another caller holds the same operation (same
	// business key, same kind) right now; try again shortly.
	ErrInProgress = errors.New("payment: operation in progress")
	// ErrUncertain means the provider's answer was lost (a timeout, a 5xx):
	// the operation may or may not have happened. Retrying the same call is
	// safe; it reuses the idempotency key and checks the provider first.
	ErrUncertain = errors.New("payment: outcome uncertain")
	// ErrNotSupported is returned by a provider that cannot do an operation.
	ErrNotSupported = errors.New("payment: not supported by the provider")
	// ErrOtherProvider means the payment belongs to another provider than
	// the Service's (two Services sharing one Store): the Service leaves it
	// to the Service of that provider.
	ErrOtherProvider = errors.New("payment: the payment belongs to another provider")
)

// State is where a payment stands. The first five are the provider's own
// states (Vipps names them so); the partly and fully captured and refunded
// states are derived from the aggregate amounts of an authorized payment.
type State string

const (
	Created           State = "CREATED"            // waiting for the payer
	Authorized        State = "AUTHORIZED"         // reserved on the payer's card, nothing captured yet
	PartiallyCaptured State = "PARTIALLY_CAPTURED" // some of the reservation captured
	Captured          State = "CAPTURED"           // all of it captured (or the rest cancelled)
	PartiallyRefunded State = "PARTIALLY_REFUNDED" // some of the captured amount paid back
	Refunded          State = "REFUNDED"           // all of the captured amount paid back
	Aborted           State = "ABORTED"            // the payer said no
	Expired           State = "EXPIRED"            // the payer did nothing in time
	Terminated        State = "TERMINATED"         // the merchant cancelled before any capture
)

// States lists every state, in the order a payment moves through them.
var States = []State{Created, Authorized, PartiallyCaptured, Captured, PartiallyRefunded, Refunded, Aborted, Expired, Terminated}

// next holds the single steps of the state machine. Steps can be skipped (a
// poll may first see a payment already captured), so CanTransition follows
// these steps transitively.
var next = map[State][]State{
	Created:           {Authorized, Aborted, Expired, Terminated},
	Authorized:        {PartiallyCaptured, Captured, Terminated},
	PartiallyCaptured: {PartiallyCaptured, Captured, PartiallyRefunded},
	Captured:          {PartiallyRefunded},
	PartiallyRefunded: {PartiallyRefunded, Refunded},
}

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether no further change can happen.
func (s State) Final() bool {
	switch s {
	case Aborted, Expired, Terminated, Refunded:
		return true
	}
	return false
}

// Ended reports whether the payment ended without money moving, so that the
// business key may start a new attempt.
func (s State) Ended() bool { return s == Aborted || s == Expired || s == Terminated }

// CanTransition reports whether a payment in state s can later be in state
// to. Staying in the same state is always allowed.
func (s State) CanTransition(to State) bool {
	if s == to {
		return true
	}
	seen := map[State]bool{s: true}
	queue := []State{s}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, n := range next[cur] {
			if n == to {
				return true
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return false
}

// TransitionError is an impossible change of state, such as ABORTED to
// CAPTURED. It matches ErrInvalidTransition.
type TransitionError struct {
	Reference string
	From, To  State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("payment: %s: impossible transition %s -> %s", e.Reference, e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }
