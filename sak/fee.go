package sak

import (
	"context"
	"time"
)

// FeePaid moves a case that waits for its fee (AwaitingPayment) on to
// InProgress: what a payment's settled hook does once the fee is paid. A
// case that waits no longer (moved on already, withdrawn) is returned as it
// is, so that a hook that runs twice, or in two places at once, moves the
// case once.
func (s *Service) FeePaid(ctx context.Context, actor Actor, id, note string) (*Case, error) {
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		if c.State != AwaitingPayment {
			return errUnchanged
		}
		return c.transition(now, actor, InProgress, note)
	})
}
