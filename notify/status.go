package notify

import (
	"errors"
	"fmt"
)

// Status is where a notification stands. A notification starts Queued, is
// Sending while a provider has it, and ends Delivered or FailedPermanent.
// FailedTemporary is tried again after a backoff until the attempts run out.
//
//	queued ──▶ sending ──▶ delivered
//	  ▲ │         │  └───▶ failed-permanent
//	  │ │         ▼
//	  │ └─────── failed-temporary ──▶ failed-permanent
//	  └──────────────┘
//	queued, failed-temporary ──▶ cancelled (a reminder no longer needed)
//
// A provider's callbacks and status feed move a notification along the same
// arrows (Sender.Update); any other move is a *TransitionError.
type Status string

// The statuses.
const (
	Queued          Status = "queued"
	Sending         Status = "sending"
	Delivered       Status = "delivered"
	FailedTemporary Status = "failed-temporary"
	FailedPermanent Status = "failed-permanent"
	// Cancelled is a notification whose Condition said, when it was due,
	// that it is no longer needed (a reminder for a fee already paid).
	Cancelled Status = "cancelled"
)

// ErrTransition is what every *TransitionError matches.
var ErrTransition = errors.New("notify: invalid status transition")

// TransitionError is a move the state machine does not allow.
type TransitionError struct {
	Key      string
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("notify: %s cannot go from %q to %q", e.Key, e.From, e.To)
}

// Is makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }

var transitions = map[Status][]Status{
	Queued: {Sending, FailedPermanent, Cancelled},
	// A late delivery report may come after a temporary failure was recorded,
	// and the retry loop takes a temporary failure back to sending.
	Sending:         {Delivered, FailedTemporary, FailedPermanent},
	FailedTemporary: {Sending, Queued, Delivered, FailedPermanent, Cancelled},
}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case Queued, Sending, Delivered, FailedTemporary, FailedPermanent, Cancelled:
		return true
	}
	return false
}

// Final reports whether nothing more will happen to a notification in s.
func (s Status) Final() bool { return s == Delivered || s == FailedPermanent || s == Cancelled }

// CanMove reports whether the state machine allows from → to. Staying in the
// same status is allowed (a replayed callback), except for an unknown status.
func CanMove(from, to Status) bool {
	if !from.Valid() || !to.Valid() {
		return false
	}
	if from == to {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
