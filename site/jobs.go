package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/job"
)

// ErrJob is the sentinel of a Job that RunJobs refuses: no name, no work,
// or an interval that is not positive.
var ErrJob = errors.New("site: invalid job")

// Runner is a background job of the SDK: anything with
// Run(ctx, every), which does one pass at once and then one every interval
// until ctx ends. payment.Service (polling the payments in flight),
// auth.Manager's Cleaner (expired sessions), svarut.Outbox (letters to
// send), svarut.Receiver (SvarInn's mail) and forms.DraftExpiry are
// Runners.
type Runner interface {
	Run(ctx context.Context, every time.Duration) error
}

// Job is one background job for RunJobs: a Runner of the SDK, or Func, a
// pass of the service's own.
type Job struct {
	// Name names the job in the log.
	Name string
	// Every is the time between passes; it must be positive.
	Every time.Duration
	// Runner is the SDK's job; or set Func instead.
	Runner Runner
	// Func is one pass of the service's own work; a failed pass is logged
	// and the next one runs on time.
	Func func(ctx context.Context) error
}

// RunJobs runs every job, each in its own goroutine, until ctx ends, and
// returns once all have stopped. It refuses (with ErrJob, starting none) a
// job without a name, with both or neither of Runner and Func, or with an
// interval that is not positive. A job that stops with an error before ctx
// ends is logged at once (log nil discards); RunJobs returns those errors,
// joined, after ctx ends.
//
//	go site.RunJobs(ctx, log,
//		site.Job{Name: "payments", Every: 30 * time.Second, Runner: pay},
//		site.Job{Name: "sessions", Every: 5 * time.Minute, Runner: login.Cleaner()})
func RunJobs(ctx context.Context, log *slog.Logger, jobs ...Job) error {
	log = defaults.Logger(log)
	for i, j := range jobs {
		switch {
		case j.Name == "":
			return fmt.Errorf("%w: job %d has no name", ErrJob, i)
		case (j.Runner == nil) == (j.Func == nil):
			return fmt.Errorf("%w: %s: set one of Runner and Func", ErrJob, j.Name)
		case j.Every <= 0:
			return fmt.Errorf("%w: %s: the interval must be positive, not %v", ErrJob, j.Name, j.Every)
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, j := range jobs {
		wg.Go(func() {
			var err error
			if j.Func != nil {
				err = job.Run(ctx, j.Every, j.Func, log, j.Name, ErrJob)
			} else {
				err = j.Runner.Run(ctx, j.Every)
			}
			if err != nil {
				log.ErrorContext(ctx, "site: job stopped", "job", j.Name, "error", err)
				mu.Lock()
				errs = append(errs, fmt.Errorf("site: job %s: %w", j.Name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
