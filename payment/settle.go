package payment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// OpSettle is the operation of running a Service's OnSettled for one
// outcome of a payment: claimed like a provider call, so that it runs for
// one caller at a time and, once done, never again.
const OpSettle OpKind = "settle"

// ErrHook means a Service's Wanted or OnSettled failed; it wraps their
// error. The payment itself is as the provider left it, and the next Settle
// or pass of the reconciliation job tries again.
var ErrHook = errors.New("payment: settle hook failed")

// Outcome is how a payment ended for what it pays for.
type Outcome string

const (
	// OutcomePaid: the whole amount was captured (some may since have been
	// refunded).
	OutcomePaid Outcome = "paid"
	// OutcomeUnpaid: the payment ended (aborted, expired or released)
	// with nothing captured.
	OutcomeUnpaid Outcome = "unpaid"
)

// Outcome is the payment's outcome, or "" while it is still open (waiting
// for the payer, authorised, or partly captured).
func (p *Payment) Outcome() Outcome {
	switch {
	case p.Amount > 0 && p.Aggregate.Captured >= p.Amount:
		return OutcomePaid
	case p.State.Ended() && p.Aggregate.Captured == 0:
		return OutcomeUnpaid
	}
	return ""
}

// Settling reports whether the Service settles payments on its own: with
// Wanted or OnSettled set, RunOnce settles each payment it reconciles, and a
// webhook receiver (site.Webhook) settles each payment an event moved.
func (s *Service) Settling() bool { return s.Wanted != nil || s.OnSettled != nil }

// Settle brings a payment to its outcome as far as it can go now, for the
// payer's page view, a webhook and the reconciliation job alike, which may
// all run it at once:
//
//  1. an open payment is reconciled with the provider (a failure is
//     returned, joined, after the steps below ran on the record as it is);
//  2. an authorised payment is captured in full if Wanted, else released
//     (cancelled);
//  3. a payment with an outcome runs OnSettled, once for that outcome.
//
// Every step is idempotent: the provider gets one capture, and OnSettled
// runs once, however many callers race. A caller that finds a step in
// progress in this Service waits for it to finish, woken when it does (no
// polling), for at most Wait or until ctx ends. One that finds it held by
// another instance sharing the Store returns the record as it is at once:
// that instance finishes the step, and the reconciliation job takes over
// when it dies. A partly captured payment is left as it is.
//
// The payment is returned whenever it exists, also with an error. A
// failing hook is ErrHook.
func (s *Service) Settle(ctx context.Context, reference string) (*Payment, error) {
	return s.settlePayment(ctx, reference, true)
}

// SettleEvent is Settle for a payment that a verified provider event has
// just moved: the event is the provider's news, so it does not ask the
// provider first.
func (s *Service) SettleEvent(ctx context.Context, reference string) (*Payment, error) {
	return s.settlePayment(ctx, reference, false)
}

func (s *Service) wait() time.Duration {
	if s.Wait > 0 {
		return s.Wait
	}
	return 5 * time.Second
}

// maxSettleSteps bounds the steps of one Settle: reconcile, capture or
// release, the hook, and a few waits.
const maxSettleSteps = 8

func (s *Service) settlePayment(ctx context.Context, reference string, reconcile bool) (*Payment, error) {
	if s.Provider == nil {
		return nil, fmt.Errorf("%w: the service has no provider", ErrInvalid)
	}
	p, err := s.store().Get(ctx, reference)
	if err != nil {
		return nil, err
	}
	if err := s.owns(p); err != nil {
		return nil, err
	}
	var recErr error
	if reconcile && slices.Contains(openStates, p.State) {
		if q, err := s.Reconcile(ctx, reference); err == nil {
			p = q
		} else {
			recErr = err
		}
	}
	var timeout <-chan time.Time
	remote := map[string]bool{}
	for range maxSettleSteps {
		q, busy, err := s.settleStep(ctx, p)
		if q != nil {
			p = q
		}
		if err != nil || busy == "" {
			return p, errors.Join(recErr, err)
		}
		ch := s.flights.wait(busy)
		if ch == nil {
			if remote[busy] { // held by another instance: it finishes
				return p, recErr
			}
			remote[busy] = true // or it just finished here: look again
		} else {
			if timeout == nil {
				t := time.NewTimer(s.wait())
				defer t.Stop()
				timeout = t.C
			}
			select {
			case <-ch:
			case <-timeout:
				return p, recErr
			case <-ctx.Done():
				return p, errors.Join(recErr, ctx.Err())
			}
		}
		if q, err := s.store().Get(ctx, reference); err == nil {
			p = q
		} else {
			return p, errors.Join(recErr, err)
		}
	}
	return p, recErr
}

// settleStep takes the next step for p. It returns the payment after it
// (nil if unchanged) and, when another caller holds the step, the key of
// its operation; neither means p is settled as far as it can be now.
func (s *Service) settleStep(ctx context.Context, p *Payment) (*Payment, string, error) {
	if busy, err := s.busy(ctx, p.Reference); err != nil || busy != "" {
		return nil, busy, err
	}
	if p.State == Authorized {
		kind := OpCapture
		if s.Wanted != nil {
			var wanted bool
			err := callHook(func() (err error) { wanted, err = s.Wanted(ctx, p.Clone()); return err })
			if err != nil {
				return nil, "", fmt.Errorf("%w: %s: wanted: %w", ErrHook, p.Reference, err)
			}
			if !wanted {
				kind = OpCancel
			}
		}
		q, err := s.modifyPayment(ctx, p, kind, Modification{})
		if errors.Is(err, ErrInProgress) {
			return nil, IdempotencyKey(p.Reference, kind, ""), nil
		}
		if err != nil {
			return nil, "", err
		}
		p = q
	}
	if p.Outcome() == "" || s.OnSettled == nil {
		return p, "", nil
	}
	return s.runSettled(ctx, p)
}

// busy returns the key of a capture, refund or cancel of the payment that
// a caller holds right now, if any.
func (s *Service) busy(ctx context.Context, reference string) (string, error) {
	ops, err := s.store().Operations(ctx, reference)
	if err != nil {
		return "", err
	}
	now := s.now()
	for _, op := range ops {
		if op.Kind != OpCreate && op.Kind != OpSettle && op.Status == OpPending && op.LeaseUntil.After(now) {
			return op.Key, nil
		}
	}
	return "", nil
}

// runSettled runs OnSettled for p's outcome, once.
func (s *Service) runSettled(ctx context.Context, p *Payment) (*Payment, string, error) {
	key := IdempotencyKey(p.Reference, OpSettle, string(p.Outcome()))
	op, claimed, leave, err := s.claim(ctx, Operation{Key: key, Reference: p.Reference, Kind: OpSettle})
	if err != nil {
		return p, "", err
	}
	if !claimed {
		if op.Status == OpDone {
			return p, "", nil
		}
		return p, key, nil
	}
	defer leave()
	hctx, cancel := context.WithTimeout(ctx, s.lease())
	herr := callHook(func() error { return s.OnSettled(hctx, p.Clone()) })
	cancel()
	fctx := context.WithoutCancel(ctx)
	if herr != nil {
		// Pending with its lease released: the next Settle, or the job's
		// next pass (StalePending), runs it again.
		s.logger().WarnContext(ctx, "payment: settle hook failed", "reference", p.Reference, "outcome", p.Outcome(), "error", herr)
		return p, "", errors.Join(fmt.Errorf("%w: %s: %w", ErrHook, p.Reference, herr),
			s.store().Finish(fctx, key, OpPending, errText(herr), s.now()))
	}
	if err := s.store().Finish(fctx, key, OpDone, "", s.now()); err != nil {
		return p, "", err
	}
	s.logger().InfoContext(ctx, "payment: settled", "reference", p.Reference, "outcome", p.Outcome())
	return p, "", nil
}

// claim claims an operation, marking it in flight in this Service from
// before the claim until leave is called, so that a caller of the same
// Service that loses the claim can wait for it (flights.wait). leave is
// nil unless claimed.
func (s *Service) claim(ctx context.Context, op Operation) (Operation, bool, func(), error) {
	leave := s.flights.join(op.Key)
	got, claimed, err := s.store().Claim(ctx, op, s.now(), s.lease())
	if err != nil || !claimed {
		leave()
		return got, false, nil, err
	}
	return got, true, leave, nil
}

// flights are the operations callers of one Service are claiming or
// holding, each with a channel closed when the last of them lets go.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	n    int
	done chan struct{}
}

// join marks key in flight for one more caller; the returned func, called
// once, lets go.
func (f *flights) join(key string) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl := f.m[key]
	if fl == nil {
		fl = &flight{done: make(chan struct{})}
		f.m[key] = fl
	}
	fl.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if fl.n--; fl.n == 0 {
				close(fl.done)
				delete(f.m, key)
			}
		})
	}
}

// wait returns a channel closed when key is no longer in flight here, or
// nil when it is not in flight here now.
func (f *flights) wait(key string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl := f.m[key]; fl != nil {
		return fl.done
	}
	return nil
}

// errHookPanicked is what a hook that panicked returns instead.
var errHookPanicked = errors.New("payment: settle hook panicked")

// callHook runs the caller's hook f, turning a panic into an error: a hook
// runs in the webhook's goroutine and the reconciliation job, where a panic
// would stop the process, and a settle left pending is retried anyway.
func callHook(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errHookPanicked, r)
		}
	}()
	return f()
}
