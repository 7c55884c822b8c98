package booking

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/errmap"
)

// Sentinel errors. Callers branch on them with errors.Is; HTTPStatus maps
// them to a status and a stable code at the HTTP edge.
var (
	ErrSlotTaken       = errors.New("booking: slot taken")
	ErrOutsideHours    = errors.New("booking: outside opening hours")
	ErrTooLateToCancel = errors.New("booking: too late to cancel")
	ErrLimitReached    = errors.New("booking: limit reached")
	ErrHoldExpired     = errors.New("booking: hold expired")
	ErrTooSoon         = errors.New("booking: too short notice")
	ErrTooFar          = errors.New("booking: too far ahead")
	ErrNotFound        = errors.New("booking: not found")
	ErrInvalid         = errors.New("booking: invalid")
	ErrState           = errors.New("booking: not allowed in this state")
	ErrKeyReused       = errors.New("booking: idempotency key reused for another request")
	ErrFeedRevoked     = errors.New("booking: feed token unknown or revoked")
	// ErrTooManyHolds means the owner already has as many open (unpaid,
	// unexpired) holds or held series as the Service allows.
	ErrTooManyHolds = errors.New("booking: too many open holds")
	// ErrInvalidText: a resource, hold, waiter or feed holds a string that
	// is not UTF-8 or holds a NUL, which PostgreSQL cannot keep. Every Store
	// refuses it, the memory store as PostgreSQL does; it is an ErrInvalid.
	ErrInvalidText = fmt.Errorf("%w: text that is not UTF-8 or holds a NUL", ErrInvalid)
	// ErrResourceChanged: a Store refused a hold made from a version of
	// the resource that is no longer its own (HoldRequest.ResourceVersion).
	// Service then reads the resource again and holds once more, so its
	// callers see it only when the resource changes again in between.
	ErrResourceChanged = errors.New("booking: resource changed")
)

// codes maps each sentinel to its HTTP status and stable code, in the order
// HTTPStatus tries them.
var codes = errmap.Table{
	errmap.E(ErrSlotTaken, http.StatusConflict, "slot_taken"),
	errmap.E(ErrOutsideHours, http.StatusUnprocessableEntity, "outside_opening_hours"),
	errmap.E(ErrTooLateToCancel, http.StatusConflict, "too_late_to_cancel"),
	errmap.E(ErrLimitReached, http.StatusTooManyRequests, "limit_reached"),
	errmap.E(ErrHoldExpired, http.StatusGone, "hold_expired"),
	errmap.E(ErrTooSoon, http.StatusUnprocessableEntity, "too_short_notice"),
	errmap.E(ErrTooFar, http.StatusUnprocessableEntity, "too_far_ahead"),
	errmap.E(ErrNotFound, http.StatusNotFound, "not_found"),
	errmap.E(ErrInvalid, http.StatusBadRequest, "invalid"),
	errmap.E(ErrState, http.StatusConflict, "invalid_state"),
	errmap.E(ErrKeyReused, http.StatusUnprocessableEntity, "idempotency_key_reused"),
	errmap.E(ErrFeedRevoked, http.StatusNotFound, "feed_revoked"),
	errmap.E(ErrTooManyHolds, http.StatusTooManyRequests, "too_many_holds"),
	errmap.E(ErrResourceChanged, http.StatusConflict, "resource_changed"),
}

// HTTPStatus maps err to an HTTP status and a stable, lower-case code for
// the HTTP edge:
//
//	ErrSlotTaken        409 slot_taken
//	ErrOutsideHours     422 outside_opening_hours
//	ErrTooLateToCancel  409 too_late_to_cancel
//	ErrLimitReached     429 limit_reached (a *LimitError)
//	ErrHoldExpired      410 hold_expired
//	ErrTooSoon          422 too_short_notice
//	ErrTooFar           422 too_far_ahead
//	ErrNotFound         404 not_found
//	ErrInvalid          400 invalid (ErrInvalidText too)
//	ErrState            409 invalid_state
//	ErrKeyReused        422 idempotency_key_reused
//	ErrFeedRevoked      404 feed_revoked
//	ErrTooManyHolds     429 too_many_holds
//	ErrResourceChanged  409 resource_changed
//
// A *SeriesError maps as its first occurrence that maps. nil gives (200, "");
// any other error (500, "internal").
func HTTPStatus(err error) (status int, code string) {
	return codes.Lookup(err)
}

// LimitError says which per-citizen limit a hold would break.
type LimitError struct {
	Period string // "day" or "week"
	Max    int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("booking: limit reached: at most %d per %s", e.Max, e.Period)
}

// Unwrap returns ErrLimitReached.
func (e *LimitError) Unwrap() error { return ErrLimitReached }

// SeriesError lists the occurrences of a recurring series that could not be
// booked. Nothing of the series is kept when it is returned.
type SeriesError struct {
	Conflicts []OccurrenceError
}

// OccurrenceError is one occurrence that failed and why.
type OccurrenceError struct {
	Start time.Time
	Err   error
}

func (e *SeriesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "booking: %d occurrence(s) of the series cannot be booked", len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Conflicts)-3)
			break
		}
		fmt.Fprintf(&b, "; %s: %v", c.Start.Format(time.RFC3339), c.Err)
	}
	return b.String()
}

// Unwrap returns the occurrences' errors, so errors.Is(err, ErrSlotTaken)
// holds when any occurrence was taken.
func (e *SeriesError) Unwrap() []error {
	errs := make([]error, len(e.Conflicts))
	for i, c := range e.Conflicts {
		errs[i] = c.Err
	}
	return errs
}
