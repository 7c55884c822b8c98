// Package job is the loop behind every background job's Run(ctx, every):
// one pass at once, then one every interval until the context ends.
//
//	func (o *Outbox) Run(ctx context.Context, every time.Duration) error {
//		return job.Run(ctx, every, o.RunOnce, o.logger(), "svarut: outbox", ErrConfig)
//	}
package job

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Run calls pass at once and then every interval until ctx ends, and then
// returns nil. A failed pass is logged under name, and the next one runs on
// time. A non-positive every is returned at once, wrapping invalid (the
// caller's sentinel for bad configuration; nil for none).
func Run(ctx context.Context, every time.Duration, pass func(context.Context) error, log *slog.Logger, name string, invalid error) error {
	if every <= 0 {
		if invalid == nil {
			return fmt.Errorf("%s: the interval must be positive, not %v", name, every)
		}
		return fmt.Errorf("%w: %s: the interval must be positive, not %v", invalid, name, every)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := pass(ctx); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, name+": pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
