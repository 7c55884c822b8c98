package payment

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/money"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/job"
)

// Service keeps local payment records in a Store and drives a Provider, so
// that a payment is never charged twice and never lost:
//
//   - every mutating call first claims a durable Operation whose key is the
//     idempotency key sent to the provider, so concurrent callers cannot send
//     the same capture twice, and a retry after a lost answer reuses the key;
//   - a retry of an operation whose outcome is unknown asks the provider's
//     event log first, and sends again only if the log does not show it;
//   - webhooks and polling both fold into the record; totals only grow.
//
// Several Services, one per provider (Vipps and Invoicing, say), may share
// one Store: each acts only on payments whose Provider is its provider's
// Name, and refuses the others with ErrOtherProvider.
//
// Its zero value needs only a Provider.
type Service struct {
	Provider Provider
	// Store keeps records and operations; nil means an in-memory store.
	Store Store
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per change; nil discards. Lines carry
	// references and amounts, never personal data.
	Logger *slog.Logger
	// Lease is how long one caller may hold an operation before another may
	// take it over; 0 means 30 s. Keep it above the provider call's timeout.
	Lease time.Duration
	// ReferencePrefix starts every payment reference; "" means "gm".
	ReferencePrefix string

	// Wanted reports whether what p pays for is still to be had (the
	// holds still exist, the case still waits for its fee). Settle
	// captures an authorised payment that is wanted and releases (cancels)
	// one that is not. nil means always wanted. It is routed by
	// p.Metadata, and must not change p.
	Wanted func(ctx context.Context, p *Payment) (bool, error)
	// OnSettled runs once a payment reaches an outcome (p.Outcome():
	// OutcomePaid or OutcomeUnpaid): confirm the bookings, move the case.
	// It runs once per payment and outcome, never for two callers at once;
	// a failure is retried by the next Settle or pass of the reconciliation
	// job until it succeeds. A crash between its success and the record of
	// it runs it again, so it must be idempotent. It is given at most Lease
	// to finish, and is routed by p.Metadata.
	OnSettled func(ctx context.Context, p *Payment) error
	// Wait bounds how long Settle waits for an operation on the same
	// payment that another caller in this Service holds; 0 means 5 s.
	Wait time.Duration

	once    sync.Once
	mem     *MemoryStore
	flights flights
}

func (s *Service) store() Store {
	if s.Store != nil {
		return s.Store
	}
	s.once.Do(func() { s.mem = NewMemoryStore() })
	return s.mem
}

func (s *Service) now() time.Time { return defaults.Now(s.Now).UTC() }

func (s *Service) logger() *slog.Logger { return defaults.Logger(s.Logger) }

func (s *Service) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return 30 * time.Second
}

// Order is what to collect, and for what.
type Order struct {
	// BusinessKey names what the payment is for, stable across retries: the
	// case number and the purpose, say "2026-000123/gebyr".
	BusinessKey string
	Amount      money.Amount
	Description string // shown to the payer, 3 to 100 characters
	Flow        Flow   // "" means FlowWebRedirect
	ReturnURL   string
	PhoneNumber string
	// Metadata is kept with the payment and never sent to the provider:
	// what the payment is for, in the service's own terms, so that Wanted,
	// OnSettled and webhooks route by it ({"kind": "booking", "id": ...})
	// instead of parsing the business key. At most MaxMetadata entries,
	// keys of at most 40 bytes, values of at most 200; no personal data.
	Metadata map[string]string
}

// MaxMetadata is how many entries an Order's Metadata may have.
const MaxMetadata = 16

var referenceRE = regexp.MustCompile(`^[a-zA-Z0-9-]{8,50}$`)

// ValidReference reports whether ref is a valid payment reference (the
// Vipps rule, which the other providers accept too).
func ValidReference(ref string) bool { return referenceRE.MatchString(ref) }

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Reference derives the payment reference of a business key's attempt. It is
// deterministic, so that a retry of the same attempt can never create a
// second payment, and it reveals nothing of the business key.
func Reference(prefix, businessKey string, attempt int) string {
	if prefix == "" {
		prefix = "gm"
	}
	sum := sha256.Sum256([]byte(businessKey))
	return prefix + "-" + b32.EncodeToString(sum[:])[:26] + "-" + strconv.Itoa(attempt)
}

// IdempotencyKey derives the key of one operation on one payment. label tells
// apart several operations of a kind (two partial captures); "" is the usual
// single one. The key fits the providers' 50-character limit.
func IdempotencyKey(reference string, kind OpKind, label string) string {
	sum := sha256.Sum256([]byte(reference + "\x00" + string(kind) + "\x00" + label))
	return string(kind) + "-" + hex.EncodeToString(sum[:])[:40]
}

// Start creates the payment for an order, or returns the one already under
// way. Calling it again for the same business key, while the last attempt
// has not ended, reuses that attempt's reference and idempotency key; after
// the last attempt ended ABORTED, EXPIRED or TERMINATED, it starts a new
// attempt with a new reference.
func (s *Service) Start(ctx context.Context, o Order) (*Payment, error) {
	if err := s.checkOrder(o); err != nil {
		return nil, err
	}
	if o.Flow == "" {
		o.Flow = FlowWebRedirect
	}
	for range 5 {
		p, err := s.store().Latest(ctx, o.BusinessKey)
		switch {
		case errors.Is(err, ErrNotFound):
			p = nil
		case err != nil:
			return nil, err
		}
		if p != nil && !p.State.Ended() {
			if p.Provider != s.Provider.Name() {
				return nil, fmt.Errorf("%w: %s already has a payment under way with %q (%w)", ErrConflict, o.BusinessKey, p.Provider, ErrOtherProvider)
			}
			if p.Amount != o.Amount {
				return nil, fmt.Errorf("%w: %s already has a payment of %s under way", ErrConflict, o.BusinessKey, p.Amount)
			}
			return s.ensureCreated(ctx, p, o)
		}
		attempt := 1
		if p != nil {
			attempt = p.Attempt + 1
		}
		now := s.now()
		np := &Payment{
			Reference: Reference(s.ReferencePrefix, o.BusinessKey, attempt), BusinessKey: o.BusinessKey,
			Attempt: attempt, Provider: s.Provider.Name(), Description: o.Description,
			Amount: o.Amount, State: Created, Created: now, Updated: now, Metadata: maps.Clone(o.Metadata),
		}
		evs, err := createdEvents(np)
		if err != nil {
			return nil, err
		}
		if err := s.store().Create(ctx, np, evs...); errors.Is(err, ErrConflict) {
			continue // another caller created it first: use theirs
		} else if err != nil {
			return nil, err
		}
		s.logger().InfoContext(ctx, "payment: attempt started", "reference", np.Reference, "attempt", attempt, "amount", int64(np.Amount))
		return s.ensureCreated(ctx, np, o)
	}
	return nil, fmt.Errorf("%w: could not start a payment for %s", ErrConflict, o.BusinessKey)
}

func (s *Service) checkOrder(o Order) error {
	switch {
	case s.Provider == nil:
		return fmt.Errorf("%w: the service has no provider", ErrInvalid)
	case strings.TrimSpace(o.BusinessKey) == "":
		return fmt.Errorf("%w: empty business key", ErrInvalid)
	case o.Amount <= 0:
		return fmt.Errorf("%w: amount %d øre is not positive", ErrInvalid, int64(o.Amount))
	case o.Flow != "" && o.Flow != FlowWebRedirect && o.Flow != FlowPushMessage:
		return fmt.Errorf("%w: unknown flow %q", ErrInvalid, o.Flow)
	case len(o.Metadata) > MaxMetadata:
		return fmt.Errorf("%w: %d metadata entries, at most %d", ErrInvalid, len(o.Metadata), MaxMetadata)
	}
	for k, v := range o.Metadata {
		if k == "" || len(k) > 40 || len(v) > 200 {
			return fmt.Errorf("%w: a metadata key must have 1 to 40 bytes and its value at most 200", ErrInvalid)
		}
	}
	return nil
}

// ensureCreated makes sure the provider has the payment.
func (s *Service) ensureCreated(ctx context.Context, p *Payment, o Order) (*Payment, error) {
	key := IdempotencyKey(p.Reference, OpCreate, "")
	op, claimed, err := s.store().Claim(ctx, Operation{Key: key, Reference: p.Reference, Kind: OpCreate, Amount: p.Amount}, s.now(), s.lease())
	if err != nil {
		return nil, err
	}
	if !claimed {
		if op.Status == OpDone {
			return p, nil
		}
		return nil, fmt.Errorf("%w: creating %s", ErrInProgress, p.Reference)
	}
	resp, err := s.Provider.Create(ctx, CreateRequest{
		Reference: p.Reference, Amount: p.Amount, Description: p.Description, Flow: o.Flow,
		ReturnURL: o.ReturnURL, PhoneNumber: o.PhoneNumber, IdempotencyKey: key,
	})
	if err != nil && op.Attempts > 1 && errors.Is(err, ErrConflict) {
		// An earlier attempt may have created it and lost the answer.
		if snap, gerr := s.Provider.Get(ctx, p.Reference); gerr == nil {
			resp, err = &CreateResponse{Reference: p.Reference, RedirectURL: snap.RedirectURL}, nil
		}
	}
	if err != nil {
		return nil, s.settle(ctx, op, err)
	}
	p, err = s.update(ctx, p.Reference, func(p *Payment) error {
		if resp.RedirectURL != "" {
			p.RedirectURL = resp.RedirectURL
		}
		if resp.KID != "" {
			p.KID, p.DueDate = resp.KID, resp.DueDate
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.store().Finish(ctx, key, OpDone, "", s.now()); err != nil {
		return nil, err
	}
	return p, nil
}

// settle records a failed provider call and returns the error to give the
// caller: a definite refusal fails the operation; anything else leaves it
// pending for a retry with the same key.
func (s *Service) settle(ctx context.Context, op Operation, callErr error) error {
	status, out := OpFailed, callErr
	if uncertain(callErr) {
		status, out = OpPending, fmt.Errorf("%w: %s %s: %w", ErrUncertain, op.Kind, op.Reference, callErr)
	}
	// The outcome must be recorded even when ctx was cancelled.
	fctx := context.WithoutCancel(ctx)
	if err := s.store().Finish(fctx, op.Key, status, errText(callErr), s.now()); err != nil {
		return errors.Join(out, err)
	}
	s.logger().WarnContext(ctx, "payment: provider call failed", "reference", op.Reference, "op", op.Kind, "status", status, "error", callErr)
	return out
}

func errText(err error) string {
	t := err.Error()
	if len(t) > 500 {
		t = t[:500]
	}
	return t
}

// update loads, changes and stores a payment, retrying on a concurrent change.
func (s *Service) update(ctx context.Context, reference string, change func(p *Payment) error) (*Payment, error) {
	for range 20 {
		p, err := s.store().Get(ctx, reference)
		if err != nil {
			return nil, err
		}
		before := p.Clone()
		if err := change(p); err != nil {
			return nil, err
		}
		if equalRecords(before, p) {
			return p, nil
		}
		p.Updated = s.now()
		evs, err := changeEvents(before, p, p.Updated)
		if err != nil {
			return nil, err
		}
		err = s.store().Update(ctx, p, evs...)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if before.State != p.State {
			s.logger().InfoContext(ctx, "payment: state changed", "reference", p.Reference, "from", before.State, "to", p.State)
		}
		return p, nil
	}
	return nil, fmt.Errorf("%w: %s changed too often to update", ErrConflict, reference)
}

func equalRecords(a, b *Payment) bool {
	return a.State == b.State && a.Aggregate == b.Aggregate && a.PSPReference == b.PSPReference &&
		a.RedirectURL == b.RedirectURL && a.KID == b.KID && a.DueDate == b.DueDate && len(a.Events) == len(b.Events)
}

// owns returns ErrOtherProvider for a payment of another provider: the
// Service must never send another provider's reference to its own.
func (s *Service) owns(p *Payment) error {
	if s.Provider == nil {
		return fmt.Errorf("%w: the service has no provider", ErrInvalid)
	}
	if name := s.Provider.Name(); p.Provider != name {
		return fmt.Errorf("%w: %s is with %q, not %q", ErrOtherProvider, p.Reference, p.Provider, name)
	}
	return nil
}

// Get returns a payment by reference.
func (s *Service) Get(ctx context.Context, reference string) (*Payment, error) {
	return s.store().Get(ctx, reference)
}

// Latest returns the latest attempt for a business key, whichever provider
// it is with (attempts are numbered across the providers sharing a Store).
func (s *Service) Latest(ctx context.Context, businessKey string) (*Payment, error) {
	return s.store().Latest(ctx, businessKey)
}

// Modification is a capture or a refund.
type Modification struct {
	// Amount to move; 0 means all that can be (the capturable or refundable rest).
	Amount money.Amount
	// Label tells apart several captures (or refunds) of one payment; the
	// same label is the same operation, sent at most once. "" is the usual
	// single capture or refund.
	Label string
}

// Capture captures money on the business key's latest payment. Concurrent
// and repeated calls with the same Label send at most one capture to the
// provider; a call that finds it done returns the payment without error.
func (s *Service) Capture(ctx context.Context, businessKey string, m Modification) (*Payment, error) {
	return s.modify(ctx, businessKey, OpCapture, m)
}

// Refund pays money back on the business key's latest payment, with the
// same guarantees as Capture.
func (s *Service) Refund(ctx context.Context, businessKey string, m Modification) (*Payment, error) {
	return s.modify(ctx, businessKey, OpRefund, m)
}

// Cancel cancels the business key's latest payment: before approval it ends
// the payment, after a partial capture it releases the rest.
func (s *Service) Cancel(ctx context.Context, businessKey string) (*Payment, error) {
	return s.modify(ctx, businessKey, OpCancel, Modification{})
}

func (s *Service) modify(ctx context.Context, businessKey string, kind OpKind, m Modification) (*Payment, error) {
	if s.Provider == nil {
		return nil, fmt.Errorf("%w: the service has no provider", ErrInvalid)
	}
	if m.Amount < 0 {
		return nil, fmt.Errorf("%w: negative amount", ErrInvalid)
	}
	p, err := s.store().Latest(ctx, businessKey)
	if err != nil {
		return nil, err
	}
	return s.modifyPayment(ctx, p, kind, m)
}

// modifyPayment sends one capture, refund or cancel for p, claiming its
// operation first.
func (s *Service) modifyPayment(ctx context.Context, p *Payment, kind OpKind, m Modification) (*Payment, error) {
	if err := s.owns(p); err != nil {
		return nil, err
	}
	amount := m.Amount
	if amount == 0 {
		switch kind {
		case OpCapture:
			amount = p.Capturable()
		case OpRefund:
			amount = p.Refundable()
		}
	}
	key := IdempotencyKey(p.Reference, kind, m.Label)
	op, claimed, leave, err := s.claim(ctx, Operation{Key: key, Reference: p.Reference, Kind: kind, Amount: amount})
	if err != nil {
		return nil, err
	}
	if !claimed {
		if op.Status == OpDone {
			return s.store().Get(ctx, p.Reference)
		}
		return nil, fmt.Errorf("%w: %s %s", ErrInProgress, kind, p.Reference)
	}
	defer leave()
	if op.Attempts > 1 {
		// An earlier attempt's outcome is unknown: ask before sending again.
		done, p2, err := s.confirmFromLog(ctx, op)
		if err != nil {
			return nil, s.settle(ctx, op, err)
		}
		if done {
			return p2, nil
		}
	} else if err := checkModification(p, kind, op.Amount); err != nil {
		_ = s.store().Finish(context.WithoutCancel(ctx), key, OpFailed, err.Error(), s.now())
		return nil, err
	}
	var snap *Snapshot
	switch kind {
	case OpCapture:
		snap, err = s.Provider.Capture(ctx, op.Reference, op.Amount, key)
	case OpRefund:
		snap, err = s.Provider.Refund(ctx, op.Reference, op.Amount, key)
	case OpCancel:
		snap, err = s.Provider.Cancel(ctx, op.Reference, key)
	}
	if err != nil {
		return nil, s.settle(ctx, op, err)
	}
	p, err = s.update(ctx, op.Reference, func(p *Payment) error {
		_, err := p.ApplySnapshot(*snap, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.store().Finish(ctx, key, OpDone, "", s.now()); err != nil {
		return nil, err
	}
	s.logger().InfoContext(ctx, "payment: "+string(kind), "reference", p.Reference, "amount", int64(op.Amount), "state", p.State)
	return p, nil
}

func checkModification(p *Payment, kind OpKind, amount money.Amount) error {
	switch kind {
	case OpCapture:
		if p.State != Authorized && p.State != PartiallyCaptured {
			return &TransitionError{Reference: p.Reference, From: p.State, To: Captured}
		}
		if amount <= 0 || amount > p.Capturable() {
			return fmt.Errorf("%w: capture of %s, but %s can be captured", ErrInvalid, amount, p.Capturable())
		}
	case OpRefund:
		if p.State != Captured && p.State != PartiallyCaptured && p.State != PartiallyRefunded {
			return &TransitionError{Reference: p.Reference, From: p.State, To: Refunded}
		}
		if amount <= 0 || amount > p.Refundable() {
			return fmt.Errorf("%w: refund of %s, but %s can be refunded", ErrInvalid, amount, p.Refundable())
		}
	case OpCancel:
		if p.State != Created && p.State != Authorized && p.State != PartiallyCaptured {
			return &TransitionError{Reference: p.Reference, From: p.State, To: Terminated}
		}
	}
	return nil
}

// confirmFromLog looks for an operation in the provider's event log and the
// payment's state, and settles the operation if they show its outcome.
func (s *Service) confirmFromLog(ctx context.Context, op Operation) (bool, *Payment, error) {
	events, err := s.Provider.Events(ctx, op.Reference)
	if err != nil {
		return false, nil, err
	}
	snap, err := s.Provider.Get(ctx, op.Reference)
	if err != nil {
		return false, nil, err
	}
	// Only a success settles it: a failed event with our key may be an
	// earlier refusal, and sending again lets the provider decide anew.
	found := false
	for _, e := range events {
		if e.IdempotencyKey == op.Key && e.Success {
			found = true
		}
	}
	p, err := s.update(ctx, op.Reference, func(p *Payment) error {
		for _, e := range events {
			if _, err := p.ApplyEvent(e, s.now()); err != nil {
				return err
			}
		}
		_, err := p.ApplySnapshot(*snap, s.now())
		return err
	})
	if err != nil {
		return false, nil, err
	}
	if !found {
		return false, p, nil
	}
	if err := s.store().Finish(ctx, op.Key, OpDone, "settled from the provider's event log", s.now()); err != nil {
		return false, nil, err
	}
	return true, p, nil
}

// HandleEvent applies a provider event (from a verified webhook) to its
// payment. A replayed event changes nothing; events may arrive in any order.
// An operation the event confirms (by its idempotency key) is settled. A
// Service with a Provider applies no event to a payment of another provider
// (ErrOtherProvider); one without only applies events.
func (s *Service) HandleEvent(ctx context.Context, reference string, e Event) (*Payment, error) {
	p, err := s.update(ctx, reference, func(p *Payment) error {
		if s.Provider != nil {
			if err := s.owns(p); err != nil {
				return err
			}
		}
		_, err := p.ApplyEvent(e, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if e.IdempotencyKey != "" {
		ops, err := s.store().Operations(ctx, reference)
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			if op.Key == e.IdempotencyKey && op.Status != OpDone && e.Success {
				if err := s.store().Finish(ctx, op.Key, OpDone, "confirmed by webhook", s.now()); err != nil {
					return nil, err
				}
			}
		}
	}
	return p, nil
}

// Reconcile asks the provider for a payment's state and event log, folds
// them into the record, and settles operations they confirm. Vipps asks
// merchants to poll rather than trust webhooks alone. A payment of another
// provider is ErrOtherProvider, and that provider is not asked.
func (s *Service) Reconcile(ctx context.Context, reference string) (*Payment, error) {
	if s.Provider == nil {
		return nil, fmt.Errorf("%w: the service has no provider", ErrInvalid)
	}
	rec, err := s.store().Get(ctx, reference)
	if err != nil {
		return nil, err
	}
	if err := s.owns(rec); err != nil {
		return nil, err
	}
	snap, err := s.Provider.Get(ctx, reference)
	if errors.Is(err, ErrNotFound) {
		return s.notAtProvider(ctx, reference, err)
	}
	if err != nil {
		return nil, err
	}
	events, err := s.Provider.Events(ctx, reference)
	if err != nil {
		return nil, err
	}
	p, err := s.update(ctx, reference, func(p *Payment) error {
		for _, e := range events {
			if _, err := p.ApplyEvent(e, s.now()); err != nil {
				return err
			}
		}
		_, err := p.ApplySnapshot(*snap, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	ops, err := s.store().Operations(ctx, reference)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, op := range ops {
		if op.Status != OpPending || op.LeaseUntil.After(now) {
			continue
		}
		for _, e := range events {
			if e.IdempotencyKey == op.Key && e.Success {
				if err := s.store().Finish(ctx, op.Key, OpDone, "settled by reconciliation", now); err != nil {
					return nil, err
				}
				break
			}
		}
	}
	return p, nil
}

// notAtProvider handles a payment the provider does not know. If our create
// was never confirmed and no caller holds it, the create did not happen: it
// is failed, so that the next Start sends it again (same reference, same
// key). A payment the provider once confirmed and now denies is an error.
func (s *Service) notAtProvider(ctx context.Context, reference string, provErr error) (*Payment, error) {
	p, err := s.store().Get(ctx, reference)
	if err != nil {
		return nil, err
	}
	ops, err := s.store().Operations(ctx, reference)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, op := range ops {
		if op.Kind != OpCreate {
			continue
		}
		switch {
		case op.Status == OpDone:
			return nil, provErr
		case op.Status == OpPending && op.LeaseUntil.After(now):
			return p, nil // being created right now
		case op.Status == OpPending:
			if err := s.store().Finish(ctx, op.Key, OpFailed, "not found at the provider", now); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	return p, nil
}

// openStates are the states polling keeps an eye on.
var openStates = []State{Created, Authorized, PartiallyCaptured}

// RunOnce is one pass of the reconciliation job: it reconciles every payment
// of its provider still waiting on the payer or on us, and every payment of
// its provider with an operation whose outcome is unknown (or whose
// OnSettled failed). A Service that is Settling also settles each of them,
// as SettleEvent does: capture or release, then OnSettled. Payments of other
// providers in the same Store are left to their own Services. An error on
// one payment does not stop the others; they are returned joined. The count
// of payments reconciled goes to the Logger.
func (s *Service) RunOnce(ctx context.Context) error {
	if s.Provider == nil {
		return fmt.Errorf("%w: the service has no provider", ErrInvalid)
	}
	refs, errs := s.openReferences(ctx)
	if refs == nil && errs != nil {
		return errs
	}
	var all []error
	if errs != nil {
		all = append(all, errs)
	}
	n := 0
	for _, ref := range refs {
		if ctx.Err() != nil {
			break
		}
		if _, err := s.Reconcile(ctx, ref); err != nil {
			all = append(all, err)
			continue
		}
		if s.Settling() {
			if _, err := s.settlePayment(ctx, ref, false); err != nil {
				all = append(all, err)
				continue
			}
		}
		n++
	}
	s.logger().InfoContext(ctx, "payment: reconciled", "provider", s.Provider.Name(), "payments", n, "failed", len(all))
	return errors.Join(all...)
}

// openReferences lists the references RunOnce reconciles: the open payments
// of the Service's provider, then those with a stale pending operation.
// A nil slice with an error means nothing could be listed.
func (s *Service) openReferences(ctx context.Context) ([]string, error) {
	name := s.Provider.Name()
	open, err := s.store().List(ctx, Filter{States: openStates, Provider: name})
	if err != nil {
		return nil, err
	}
	refs := map[string]bool{}
	order := []string{}
	for _, p := range open {
		if p.Provider == name && !refs[p.Reference] {
			refs[p.Reference] = true
			order = append(order, p.Reference)
		}
	}
	stale, err := s.store().StalePending(ctx, s.now(), 0)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, op := range stale {
		if refs[op.Reference] {
			continue
		}
		refs[op.Reference] = true
		// Operations do not name their provider; their payment does.
		p, err := s.store().Get(ctx, op.Reference)
		if err != nil {
			errs = append(errs, fmt.Errorf("operation %s: %w", op.Key, err))
			continue
		}
		if p.Provider == name {
			order = append(order, op.Reference)
		}
	}
	return order, errors.Join(errs...)
}

// Run is the reconciliation job: it calls RunOnce at once and then every
// every, until ctx ends, and then returns nil. Vipps asks merchants to poll
// as well as to receive webhooks. Errors are logged, never fatal: the next
// pass tries again. A non-positive every is an error, returned at once.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	return job.Run(ctx, every, s.RunOnce, s.logger(), "payment: reconcile", ErrInvalid)
}
