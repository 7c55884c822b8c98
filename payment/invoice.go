package payment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Invoicing is a Provider for the fallback when a payer cannot use Vipps: an
// invoice with a KID and a due date, paid by bank transfer. The payment is
// created when the invoice is issued, and captured when an incoming payment
// with its KID is registered (from the bank's OCR file or statement).
//
// Invoices, and the sequence their KID numbers come from, live in Store: an
// in-memory store by default, postgres.NewInvoiceStore(db) where a restarted
// service must still know every invoice it issued.
type Invoicing struct {
	// Account is where the payer pays; shown on the invoice.
	Account ident.Kontonummer
	// Algorithm is the KID check digit: ident.MOD10 (the default) or ident.MOD11.
	Algorithm ident.KIDAlgorithm
	// Prefix is digits put before the invoice number in every KID (an
	// agency's series, say).
	Prefix string
	// Digits is the width of the zero-padded invoice number; 0 means 8.
	Digits int
	// DueDays is the time to pay in calendar days; 0 means 14. The due date
	// is a date in Europe/Oslo (counted in days, so DST changes do not move it).
	DueDays int
	// Store keeps the invoices; nil means an in-memory store, which a
	// restart empties.
	Store InvoiceStore
	// NextNumber returns the next invoice number; nil means Store's
	// NextNumber.
	NextNumber func(ctx context.Context) (int64, error)
	// Now reads the clock; nil means time.Now.
	Now func() time.Time

	once sync.Once
	mem  *MemoryInvoiceStore
}

// IncomingPayment is one payment into the account, as the bank reports it.
type IncomingPayment struct {
	KID    string
	Amount money.Amount
	Date   time.Time
	// BankReference identifies the transaction (the archive reference of an
	// OCR line); registering it twice counts it once.
	BankReference string
}

// errUnchanged ends an InvoiceStore.Update that has nothing to store.
var errUnchanged = errors.New("payment: invoice unchanged")

func (v *Invoicing) now() time.Time { return defaults.Now(v.Now).UTC() }

func (v *Invoicing) store() InvoiceStore {
	if v.Store != nil {
		return v.Store
	}
	v.once.Do(func() { v.mem = NewMemoryInvoiceStore() })
	return v.mem
}

// Name implements Provider.
func (v *Invoicing) Name() string { return "invoice" }

func (v *Invoicing) alg() ident.KIDAlgorithm {
	if v.Algorithm == 0 {
		return ident.MOD10
	}
	return v.Algorithm
}

func created(inv *Invoice) *CreateResponse {
	return &CreateResponse{Reference: inv.Reference, KID: string(inv.KID), DueDate: inv.DueDate}
}

// Create issues an invoice with a new KID. Calling it again with the same
// reference returns the same invoice.
func (v *Invoicing) Create(ctx context.Context, r CreateRequest) (*CreateResponse, error) {
	if !ValidReference(r.Reference) || r.Amount <= 0 {
		return nil, fmt.Errorf("%w: an invoice needs a valid reference and a positive amount", ErrInvalid)
	}
	inv, err := v.store().Get(ctx, r.Reference)
	switch {
	case err == nil:
		if inv.Amount != r.Amount {
			return nil, fmt.Errorf("%w: invoice %s exists with another amount", ErrRejected, r.Reference)
		}
		return created(inv), nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	n, err := v.next(ctx)
	if err != nil {
		return nil, err
	}
	digits := v.Digits
	if digits <= 0 {
		digits = 8
	}
	num := strconv.FormatInt(n, 10)
	if len(num) < digits {
		num = strings.Repeat("0", digits-len(num)) + num
	}
	kid, err := ident.NewKID(v.Prefix+num, v.alg())
	if err != nil {
		return nil, fmt.Errorf("%w: KID: %v", ErrInvalid, err)
	}
	days := v.DueDays
	if days <= 0 {
		days = 14
	}
	now := v.now()
	due := civil.DateOf(now.In(civil.Oslo)).AddDays(days)
	inv = &Invoice{
		Reference: r.Reference, KID: kid, Amount: r.Amount, DueDate: due, Created: now, State: Created,
		Events: []Event{{Name: EventCreated, PSPReference: "invoice-" + string(kid), Amount: r.Amount, Success: true, Time: now, IdempotencyKey: r.IdempotencyKey}},
	}
	err = v.store().Create(ctx, inv)
	if errors.Is(err, ErrConflict) {
		won, gerr := v.store().Get(ctx, r.Reference)
		switch {
		case gerr == nil: // a concurrent create won
			return created(won), nil
		case errors.Is(gerr, ErrNotFound):
			return nil, fmt.Errorf("%w: KID %s already issued; NextNumber repeated itself", ErrConflict, kid)
		default:
			return nil, gerr
		}
	}
	if err != nil {
		return nil, err
	}
	return created(inv), nil
}

func (v *Invoicing) next(ctx context.Context) (int64, error) {
	if v.NextNumber != nil {
		return v.NextNumber(ctx)
	}
	return v.store().NextNumber(ctx)
}

// Register books an incoming payment against the invoice with its KID and
// returns the invoice's reference. The KID must be valid under the
// configured algorithm. A payment larger than what is owed is booked up to
// the amount owed.
func (v *Invoicing) Register(ctx context.Context, in IncomingPayment) (string, error) {
	kid := ident.KID(strings.TrimSpace(in.KID))
	if err := ident.CheckKID(string(kid), v.alg()); err != nil {
		return "", fmt.Errorf("%w: KID: %v", ErrInvalid, err)
	}
	if in.Amount <= 0 || in.BankReference == "" {
		return "", fmt.Errorf("%w: an incoming payment needs a positive amount and a bank reference", ErrInvalid)
	}
	found, err := v.store().ByKID(ctx, kid)
	if errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("%w: no invoice with KID %s", ErrNotFound, kid)
	}
	if err != nil {
		return "", err
	}
	ref := found.Reference
	at := in.Date.UTC()
	if at.IsZero() {
		at = v.now()
	}
	_, err = v.store().Update(ctx, ref, func(inv *Invoice) error {
		if slices.Contains(inv.BankReferences, in.BankReference) {
			return errUnchanged
		}
		if inv.State != Created && inv.State != Authorized {
			return fmt.Errorf("%w: invoice %s is %s", ErrConflict, ref, inv.State)
		}
		inv.BankReferences = append(inv.BankReferences, in.BankReference)
		if inv.State == Created {
			inv.State = Authorized
			inv.Aggregate.Authorized = inv.Amount
			inv.Events = append(inv.Events, Event{Name: EventAuthorized, PSPReference: "bank-" + in.BankReference + "-auth", Amount: inv.Amount, Success: true, Time: at})
		}
		book := min(in.Amount, inv.Amount-inv.Aggregate.Captured)
		if book > 0 {
			inv.Aggregate.Captured += book
			inv.Events = append(inv.Events, Event{Name: EventCaptured, PSPReference: "bank-" + in.BankReference, Amount: book, Success: true, Time: at})
		}
		return nil
	})
	switch {
	case err == nil, errors.Is(err, errUnchanged):
		return ref, nil
	case errors.Is(err, ErrNotFound):
		return "", fmt.Errorf("%w: no invoice with KID %s", ErrNotFound, kid)
	}
	return "", err
}

func (v *Invoicing) find(ctx context.Context, reference string) (*Invoice, error) {
	inv, err := v.store().Get(ctx, reference)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: invoice %s", ErrNotFound, reference)
	}
	return inv, err
}

// Get implements Provider.
func (v *Invoicing) Get(ctx context.Context, reference string) (*Snapshot, error) {
	inv, err := v.find(ctx, reference)
	if err != nil {
		return nil, err
	}
	s := inv.Snapshot()
	return &s, nil
}

// Events implements Provider.
func (v *Invoicing) Events(ctx context.Context, reference string) ([]Event, error) {
	inv, err := v.find(ctx, reference)
	if err != nil {
		return nil, err
	}
	return inv.Events, nil
}

// Capture implements Provider. An invoice is captured by the payer's bank
// transfer, never by us: asking to capture what is paid returns the invoice,
// anything else ErrNotSupported.
func (v *Invoicing) Capture(ctx context.Context, reference string, amount money.Amount, key string) (*Snapshot, error) {
	inv, err := v.find(ctx, reference)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: invoice %s is captured when paid (captured %s)", ErrNotSupported, reference, inv.Aggregate.Captured)
}

// Refund records money paid back to the payer (by the agency's own bank
// transfer).
func (v *Invoicing) Refund(ctx context.Context, reference string, amount money.Amount, key string) (*Snapshot, error) {
	return v.keyed(ctx, reference, key, func(inv *Invoice) error {
		if amount <= 0 || amount > inv.Aggregate.Captured-inv.Aggregate.Refunded {
			return fmt.Errorf("%w: refund of %s exceeds what was paid", ErrRejected, amount)
		}
		inv.Aggregate.Refunded += amount
		inv.Events = append(inv.Events, Event{Name: EventRefunded, PSPReference: "refund-" + key, Amount: amount, Success: true, Time: v.now(), IdempotencyKey: key})
		return nil
	})
}

// Cancel credits an unpaid invoice.
func (v *Invoicing) Cancel(ctx context.Context, reference string, key string) (*Snapshot, error) {
	return v.keyed(ctx, reference, key, func(inv *Invoice) error {
		if inv.State != Created {
			return fmt.Errorf("%w: invoice %s is %s; only an unpaid invoice can be cancelled", ErrRejected, reference, inv.State)
		}
		inv.State = Terminated
		inv.Events = append(inv.Events, Event{Name: EventTerminated, PSPReference: "credit-" + string(inv.KID), Amount: inv.Amount, Success: true, Time: v.now(), IdempotencyKey: key})
		return nil
	})
}

// keyed runs an idempotent change: a key answered before (on any invoice)
// gets the same answer again, without a change.
func (v *Invoicing) keyed(ctx context.Context, reference, key string, change func(inv *Invoice) error) (*Snapshot, error) {
	if s, err := v.answered(ctx, key); err == nil || !errors.Is(err, ErrNotFound) {
		return s, err
	}
	var replay *Snapshot
	inv, err := v.store().Update(ctx, reference, func(inv *Invoice) error {
		replay = nil
		if a, ok := inv.Answers[key]; ok {
			s := Snapshot{Reference: inv.Reference, PSPReference: string(inv.KID), State: a.State, Aggregate: a.Aggregate}
			replay = &s
			return errUnchanged
		}
		if err := change(inv); err != nil {
			return err
		}
		if inv.Answers == nil {
			inv.Answers = map[string]InvoiceAnswer{}
		}
		inv.Answers[key] = InvoiceAnswer{State: inv.State, Aggregate: inv.Aggregate}
		return nil
	})
	switch {
	case err == nil:
		s := inv.Snapshot()
		return &s, nil
	case errors.Is(err, errUnchanged):
		return replay, nil
	case errors.Is(err, ErrConflict):
		// Another invoice answered the key meanwhile: its answer stands.
		if s, aerr := v.answered(ctx, key); aerr == nil {
			return s, nil
		}
		return nil, err
	case errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("%w: invoice %s", ErrNotFound, reference)
	}
	return nil, err
}

func (v *Invoicing) answered(ctx context.Context, key string) (*Snapshot, error) {
	inv, err := v.store().Answered(ctx, key)
	if err != nil {
		return nil, err
	}
	a, ok := inv.Answers[key]
	if !ok {
		return nil, ErrNotFound
	}
	return &Snapshot{Reference: inv.Reference, PSPReference: string(inv.KID), State: a.State, Aggregate: a.Aggregate}, nil
}

// Overdue reports whether an unpaid invoice is past its due date at now.
func (p *Payment) Overdue(now time.Time) bool {
	if p.KID == "" || p.DueDate.IsZero() || p.State != Created {
		return false
	}
	return civil.DateOf(now.In(civil.Oslo)).After(p.DueDate)
}

var _ Provider = (*Invoicing)(nil)
