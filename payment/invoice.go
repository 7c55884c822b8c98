package payment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// Invoicing is a Provider for the fallback when a payer cannot use Vipps: an
// invoice with a KID and a due date, paid by bank transfer. The payment is
// created when the invoice is issued, and captured when an incoming payment
// with its KID is registered (from the bank's OCR file or statement).
//
// Invoices live in memory; NextNumber lets the KID numbers come from a
// durable sequence, so that a restarted process never reuses one.
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
	// NextNumber returns the next invoice number; nil means a counter in
	// memory starting at 1.
	NextNumber func(ctx context.Context) (int64, error)
	// Now reads the clock; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	seq      int64
	invoices map[string]*invoice
	byKID    map[ident.KID]string
	keys     map[string]Snapshot
}

type invoice struct {
	snap    Snapshot
	kid     ident.KID
	amount  Amount
	due     time.Time
	events  []Event
	bankRef map[string]bool
}

// IncomingPayment is one payment into the account, as the bank reports it.
type IncomingPayment struct {
	KID    string
	Amount Amount
	Date   time.Time
	// BankReference identifies the transaction (the archive reference of an
	// OCR line); registering it twice counts it once.
	BankReference string
}

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

func (v *Invoicing) now() time.Time {
	if v.Now != nil {
		return v.Now().UTC()
	}
	return time.Now().UTC()
}

func (v *Invoicing) init() {
	if v.invoices == nil {
		v.invoices, v.byKID, v.keys = map[string]*invoice{}, map[ident.KID]string{}, map[string]Snapshot{}
	}
}

// Name implements Provider.
func (v *Invoicing) Name() string { return "invoice" }

func (v *Invoicing) alg() ident.KIDAlgorithm {
	if v.Algorithm == 0 {
		return ident.MOD10
	}
	return v.Algorithm
}

// Create issues an invoice with a new KID. Calling it again with the same
// reference returns the same invoice.
func (v *Invoicing) Create(ctx context.Context, r CreateRequest) (*CreateResponse, error) {
	if !ValidReference(r.Reference) || r.Amount <= 0 {
		return nil, fmt.Errorf("%w: an invoice needs a valid reference and a positive amount", ErrInvalid)
	}
	v.mu.Lock()
	v.init()
	if inv, ok := v.invoices[r.Reference]; ok {
		v.mu.Unlock()
		if inv.amount != r.Amount {
			return nil, fmt.Errorf("%w: invoice %s exists with another amount", ErrRejected, r.Reference)
		}
		return &CreateResponse{Reference: r.Reference, KID: string(inv.kid), DueDate: inv.due}, nil
	}
	v.mu.Unlock()
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
	d := now.In(oslo)
	due := time.Date(d.Year(), d.Month(), d.Day()+days, 0, 0, 0, 0, oslo)
	v.mu.Lock()
	defer v.mu.Unlock()
	if inv, ok := v.invoices[r.Reference]; ok { // a concurrent create won
		return &CreateResponse{Reference: r.Reference, KID: string(inv.kid), DueDate: inv.due}, nil
	}
	if _, dup := v.byKID[kid]; dup {
		return nil, fmt.Errorf("%w: KID %s already issued; NextNumber repeated itself", ErrConflict, kid)
	}
	inv := &invoice{
		snap: Snapshot{Reference: r.Reference, PSPReference: string(kid), State: Created}, kid: kid,
		amount: r.Amount, due: due, bankRef: map[string]bool{},
	}
	inv.events = append(inv.events, Event{Name: EventCreated, PSPReference: "invoice-" + string(kid), Amount: r.Amount, Success: true, Time: now, IdempotencyKey: r.IdempotencyKey})
	v.invoices[r.Reference] = inv
	v.byKID[kid] = r.Reference
	return &CreateResponse{Reference: r.Reference, KID: string(kid), DueDate: due}, nil
}

func (v *Invoicing) next(ctx context.Context) (int64, error) {
	if v.NextNumber != nil {
		return v.NextNumber(ctx)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	return v.seq, nil
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
	v.mu.Lock()
	defer v.mu.Unlock()
	v.init()
	ref, ok := v.byKID[kid]
	if !ok {
		return "", fmt.Errorf("%w: no invoice with KID %s", ErrNotFound, kid)
	}
	inv := v.invoices[ref]
	if inv.bankRef[in.BankReference] {
		return ref, nil
	}
	if inv.snap.State != Created && inv.snap.State != Authorized {
		return "", fmt.Errorf("%w: invoice %s is %s", ErrConflict, ref, inv.snap.State)
	}
	inv.bankRef[in.BankReference] = true
	at := in.Date.UTC()
	if at.IsZero() {
		at = v.now()
	}
	if inv.snap.State == Created {
		inv.snap.State = Authorized
		inv.snap.Aggregate.Authorized = inv.amount
		inv.events = append(inv.events, Event{Name: EventAuthorized, PSPReference: "bank-" + in.BankReference + "-auth", Amount: inv.amount, Success: true, Time: at})
	}
	book := min(in.Amount, inv.amount-inv.snap.Aggregate.Captured)
	if book > 0 {
		inv.snap.Aggregate.Captured += book
		inv.events = append(inv.events, Event{Name: EventCaptured, PSPReference: "bank-" + in.BankReference, Amount: book, Success: true, Time: at})
	}
	return ref, nil
}

func (v *Invoicing) find(reference string) (*invoice, error) {
	v.init()
	inv, ok := v.invoices[reference]
	if !ok {
		return nil, fmt.Errorf("%w: invoice %s", ErrNotFound, reference)
	}
	return inv, nil
}

// Get implements Provider.
func (v *Invoicing) Get(ctx context.Context, reference string) (*Snapshot, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	inv, err := v.find(reference)
	if err != nil {
		return nil, err
	}
	s := inv.snap
	return &s, nil
}

// Events implements Provider.
func (v *Invoicing) Events(ctx context.Context, reference string) ([]Event, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	inv, err := v.find(reference)
	if err != nil {
		return nil, err
	}
	return append([]Event(nil), inv.events...), nil
}

// Capture implements Provider. An invoice is captured by the payer's bank
// transfer, never by us: asking to capture what is paid returns the invoice,
// anything else ErrNotSupported.
func (v *Invoicing) Capture(ctx context.Context, reference string, amount Amount, key string) (*Snapshot, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	inv, err := v.find(reference)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: invoice %s is captured when paid (captured %s)", ErrNotSupported, reference, inv.snap.Aggregate.Captured)
}

// Refund records money paid back to the payer (by the agency's own bank
// transfer).
func (v *Invoicing) Refund(ctx context.Context, reference string, amount Amount, key string) (*Snapshot, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.keys[key]; ok {
		return &s, nil
	}
	inv, err := v.find(reference)
	if err != nil {
		return nil, err
	}
	if amount <= 0 || amount > inv.snap.Aggregate.Captured-inv.snap.Aggregate.Refunded {
		return nil, fmt.Errorf("%w: refund of %s exceeds what was paid", ErrRejected, amount)
	}
	inv.snap.Aggregate.Refunded += amount
	inv.events = append(inv.events, Event{Name: EventRefunded, PSPReference: "refund-" + key, Amount: amount, Success: true, Time: v.now(), IdempotencyKey: key})
	v.keys[key] = inv.snap
	return &inv.snap, nil
}

// Cancel credits an unpaid invoice.
func (v *Invoicing) Cancel(ctx context.Context, reference string, key string) (*Snapshot, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.keys[key]; ok {
		return &s, nil
	}
	inv, err := v.find(reference)
	if err != nil {
		return nil, err
	}
	if inv.snap.State != Created {
		return nil, fmt.Errorf("%w: invoice %s is %s; only an unpaid invoice can be cancelled", ErrRejected, reference, inv.snap.State)
	}
	inv.snap.State = Terminated
	inv.events = append(inv.events, Event{Name: EventTerminated, PSPReference: "credit-" + string(inv.kid), Amount: inv.amount, Success: true, Time: v.now(), IdempotencyKey: key})
	v.keys[key] = inv.snap
	return &inv.snap, nil
}

// Overdue reports whether an unpaid invoice is past its due date at now.
func (p *Payment) Overdue(now time.Time) bool {
	if p.KID == "" || p.DueDate.IsZero() || p.State != Created {
		return false
	}
	d := now.In(oslo)
	today := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, oslo)
	return today.After(p.DueDate)
}

var _ Provider = (*Invoicing)(nil)
