package booking

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Callers branch on them with errors.Is; ErrorCode and
// HTTPStatus map them to a stable code and status at the HTTP edge.
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
)

// Code is a stable, machine-readable error code.
type Code string

// The codes ErrorCode returns.
const (
	CodeSlotTaken       Code = "slot_taken"
	CodeOutsideHours    Code = "outside_opening_hours"
	CodeTooLateToCancel Code = "too_late_to_cancel"
	CodeLimitReached    Code = "limit_reached"
	CodeHoldExpired     Code = "hold_expired"
	CodeTooSoon         Code = "too_short_notice"
	CodeTooFar          Code = "too_far_ahead"
	CodeNotFound        Code = "not_found"
	CodeInvalid         Code = "invalid"
	CodeState           Code = "invalid_state"
	CodeKeyReused       Code = "idempotency_key_reused"
	CodeFeedRevoked     Code = "feed_revoked"
	CodeTooManyHolds    Code = "too_many_holds"
	CodeInternal        Code = "internal"
)

var codes = []struct {
	err    error
	code   Code
	status int
}{
	{ErrSlotTaken, CodeSlotTaken, http.StatusConflict},
	{ErrOutsideHours, CodeOutsideHours, http.StatusUnprocessableEntity},
	{ErrTooLateToCancel, CodeTooLateToCancel, http.StatusConflict},
	{ErrLimitReached, CodeLimitReached, http.StatusTooManyRequests},
	{ErrHoldExpired, CodeHoldExpired, http.StatusGone},
	{ErrTooSoon, CodeTooSoon, http.StatusUnprocessableEntity},
	{ErrTooFar, CodeTooFar, http.StatusUnprocessableEntity},
	{ErrNotFound, CodeNotFound, http.StatusNotFound},
	{ErrInvalid, CodeInvalid, http.StatusBadRequest},
	{ErrState, CodeState, http.StatusConflict},
	{ErrKeyReused, CodeKeyReused, http.StatusUnprocessableEntity},
	{ErrFeedRevoked, CodeFeedRevoked, http.StatusNotFound},
	{ErrTooManyHolds, CodeTooManyHolds, http.StatusTooManyRequests},
}

// ErrorCode returns the code for err, "" for nil and CodeInternal for an
// error that is not one of this package's.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}

// HTTPStatus returns the HTTP status for err: 200 for nil, 500 for an error
// that is not one of this package's.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.status
		}
	}
	return http.StatusInternalServerError
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
