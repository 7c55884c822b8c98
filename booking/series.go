package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// SeriesInput asks for a recurring series: the first occurrence in
// HoldInput.Start, the rule in Rule.
type SeriesInput struct {
	HoldInput
	Rule Recurrence
}

// HoldSeries holds every occurrence of a recurring series, or none: each
// occurrence is checked (opening hours, notice, horizon, seats, limits), and
// if any fails, the holds already made are released and a *SeriesError lists
// every occurrence that failed. Series that run on without COUNT or UNTIL
// are expanded up to the resource's horizon.
func (s *Service) HoldSeries(ctx context.Context, in SeriesInput) ([]*Reservation, error) {
	r, err := s.store().Resource(ctx, in.ResourceID)
	if err != nil {
		return nil, err
	}
	loc, err := r.Location()
	if err != nil {
		return nil, err
	}
	var horizon time.Time
	if r.MaxHorizon > 0 {
		horizon = s.now().Add(r.MaxHorizon)
	}
	starts, err := in.Rule.Occurrences(in.Start, loc, horizon)
	if err != nil {
		return nil, err
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("%w: the series has no occurrences", ErrInvalid)
	}
	seriesID := uuid.NewString()
	if in.Key != "" {
		seriesID = uuid.NewSHA1(waitlistNS, []byte("series/"+in.Key)).String()
	}
	rule := in.Rule.clone()
	if rule.Count == 0 && rule.Until.IsZero() {
		// Expanded to the horizon: say where it ends, so the RRULE in a
		// calendar shows no occurrences that were never booked.
		rule.Until = starts[len(starts)-1].UTC()
	}
	var (
		held   []*Reservation
		series SeriesError
	)
	for i, start := range starts {
		one := in.HoldInput
		one.Start = start
		if in.Key != "" {
			one.Key = fmt.Sprintf("%s/%d", in.Key, i)
		}
		res, err := s.hold(ctx, one, seriesID, &rule, in.Start.UTC())
		if err != nil {
			if !isRuleError(err) {
				s.release(ctx, held)
				return nil, err
			}
			series.Conflicts = append(series.Conflicts, OccurrenceError{Start: start, Err: err})
			continue
		}
		held = append(held, res)
	}
	if len(series.Conflicts) > 0 {
		s.release(ctx, held)
		return nil, &series
	}
	return held, nil
}

func isRuleError(err error) bool {
	for _, e := range []error{ErrSlotTaken, ErrOutsideHours, ErrLimitReached, ErrTooSoon, ErrTooFar} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (s *Service) release(ctx context.Context, held []*Reservation) {
	for _, h := range held {
		now := s.now()
		evs, err := event(ReservationCancelled, now, cancelledData(h, false))
		if err == nil {
			_, err = s.store().Cancel(ctx, h.ID, "", now, false, evs...)
		}
		if err != nil {
			s.log().Warn("booking: releasing a series hold failed; it expires by itself", "reservation", h.ID, "err", err)
		}
	}
}

// BookSeries holds and confirms every occurrence of a series, or none.
func (s *Service) BookSeries(ctx context.Context, in SeriesInput) ([]*Reservation, error) {
	held, err := s.HoldSeries(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.ConfirmSeries(ctx, held, in.Key)
}

// ConfirmSeries confirms the holds of a series. If one has expired, the
// others stay confirmed and the error says which failed. Each hold's
// idempotency key is key and its reservation id, so a retry with the same
// key confirms the same holds again, whether it passes all of them or only
// those a first attempt left.
func (s *Service) ConfirmSeries(ctx context.Context, held []*Reservation, key string) ([]*Reservation, error) {
	out := make([]*Reservation, 0, len(held))
	var series SeriesError
	for _, h := range held {
		k := ""
		if key != "" {
			k = key + "/confirm/" + h.ID
		}
		c, err := s.Confirm(ctx, h.ID, k)
		if err != nil {
			series.Conflicts = append(series.Conflicts, OccurrenceError{Start: h.Start, Err: err})
			continue
		}
		out = append(out, c)
	}
	if len(series.Conflicts) > 0 {
		return out, &series
	}
	return out, nil
}
