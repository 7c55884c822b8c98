package payment

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
)

// Invoice is an invoice issued by Invoicing, as an InvoiceStore keeps it.
type Invoice struct {
	Reference string       `json:"reference"` // the payment reference; unique
	KID       ident.KID    `json:"kid"`       // unique
	Amount    money.Amount `json:"amount"`
	DueDate   civil.Date   `json:"dueDate"` // the last day to pay
	Created   time.Time    `json:"created"`
	// State is Created, Authorized (something paid) or Terminated (credited).
	State     State     `json:"state"`
	Aggregate Aggregate `json:"aggregate"`
	Events    []Event   `json:"events"`
	// BankReferences are the incoming payments booked, each counted once.
	BankReferences []string `json:"bankReferences,omitempty"`
	// Answers holds what each refund and cancel idempotency key was answered,
	// so that the same key gets the same answer.
	Answers map[string]InvoiceAnswer `json:"answers,omitempty"`
}

// InvoiceAnswer is the state an idempotent call left an invoice in.
type InvoiceAnswer struct {
	State     State     `json:"state"`
	Aggregate Aggregate `json:"aggregate"`
}

// Clone returns a deep copy.
func (inv *Invoice) Clone() *Invoice {
	c := *inv
	c.Events = slices.Clone(inv.Events)
	c.BankReferences = slices.Clone(inv.BankReferences)
	c.Answers = maps.Clone(inv.Answers)
	return &c
}

// Snapshot is the provider's view of the invoice.
func (inv *Invoice) Snapshot() Snapshot {
	return Snapshot{Reference: inv.Reference, PSPReference: string(inv.KID), State: inv.State, Aggregate: inv.Aggregate}
}

// InvoiceStore keeps the invoices of Invoicing, so that a restarted service
// still knows every invoice it issued and never issues a KID twice.
// Implementations: MemoryInvoiceStore here and postgres.InvoiceStore; both
// pass paymenttest.TestInvoiceStore.
type InvoiceStore interface {
	// NextNumber returns the next invoice number, from 1 up. It never
	// returns a number twice, also not after a restart; gaps are allowed.
	NextNumber(ctx context.Context) (int64, error)
	// Create stores a new invoice. An invoice with the same reference or the
	// same KID is ErrConflict.
	Create(ctx context.Context, inv *Invoice) error
	// Get returns a copy of the invoice with the reference, or ErrNotFound.
	Get(ctx context.Context, reference string) (*Invoice, error)
	// ByKID returns a copy of the invoice with the KID, or ErrNotFound.
	ByKID(ctx context.Context, kid ident.KID) (*Invoice, error)
	// Answered returns a copy of the invoice whose Answers hold the
	// idempotency key, or ErrNotFound.
	Answered(ctx context.Context, key string) (*Invoice, error)
	// Update changes the invoice with the reference (or ErrNotFound) under
	// a lock: change gets a copy, and no other Update of the invoice runs
	// until it is stored. If change returns an error, nothing is stored and
	// Update returns that error as it is. A change of Reference or KID is
	// ErrInvalid; a key added to Answers that another invoice holds is
	// ErrConflict; neither stores anything. change must not do I/O and may
	// be called more than once. Update returns a copy of what it stored.
	Update(ctx context.Context, reference string, change func(inv *Invoice) error) (*Invoice, error)
}

// MemoryInvoiceStore is an in-memory InvoiceStore, safe for concurrent use.
// Its zero value is ready to use. It forgets everything when the process
// ends: use a durable store where invoices must outlive a restart.
type MemoryInvoiceStore struct {
	mu       sync.Mutex
	seq      int64
	invoices map[string]*Invoice
	byKID    map[ident.KID]string
	byKey    map[string]string
}

// NewMemoryInvoiceStore returns an empty in-memory InvoiceStore.
func NewMemoryInvoiceStore() *MemoryInvoiceStore { return &MemoryInvoiceStore{} }

var _ InvoiceStore = (*MemoryInvoiceStore)(nil)

func (m *MemoryInvoiceStore) init() {
	if m.invoices == nil {
		m.invoices, m.byKID, m.byKey = map[string]*Invoice{}, map[ident.KID]string{}, map[string]string{}
	}
}

// NextNumber implements InvoiceStore.
func (m *MemoryInvoiceStore) NextNumber(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	return m.seq, nil
}

// Create implements InvoiceStore.
func (m *MemoryInvoiceStore) Create(ctx context.Context, inv *Invoice) error {
	if inv.Reference == "" || inv.KID == "" {
		return fmt.Errorf("%w: an invoice needs a reference and a KID", ErrInvalid)
	}
	if !text.ValidValue(inv) {
		return ErrInvalidText
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.invoices[inv.Reference]; ok {
		return ErrConflict
	}
	if _, ok := m.byKID[inv.KID]; ok {
		return ErrConflict
	}
	for k := range inv.Answers {
		if _, ok := m.byKey[k]; ok {
			return ErrConflict
		}
	}
	m.invoices[inv.Reference] = inv.Clone()
	m.byKID[inv.KID] = inv.Reference
	for k := range inv.Answers {
		m.byKey[k] = inv.Reference
	}
	return nil
}

func (m *MemoryInvoiceStore) get(reference string) (*Invoice, error) {
	inv, ok := m.invoices[reference]
	if !ok {
		return nil, ErrNotFound
	}
	return inv.Clone(), nil
}

// Get implements InvoiceStore.
func (m *MemoryInvoiceStore) Get(ctx context.Context, reference string) (*Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.get(reference)
}

// ByKID implements InvoiceStore.
func (m *MemoryInvoiceStore) ByKID(ctx context.Context, kid ident.KID) (*Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.get(m.byKID[kid])
}

// Answered implements InvoiceStore.
func (m *MemoryInvoiceStore) Answered(ctx context.Context, key string) (*Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref, ok := m.byKey[key]
	if !ok {
		return nil, ErrNotFound
	}
	return m.get(ref)
}

// Update implements InvoiceStore.
func (m *MemoryInvoiceStore) Update(ctx context.Context, reference string, change func(inv *Invoice) error) (*Invoice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, err := m.get(reference)
	if err != nil {
		return nil, err
	}
	if err := change(inv); err != nil {
		return nil, err
	}
	if inv.Reference != reference || inv.KID != m.invoices[reference].KID {
		return nil, fmt.Errorf("%w: an invoice's reference and KID never change", ErrInvalid)
	}
	if !text.ValidValue(inv) {
		return nil, ErrInvalidText
	}
	for k := range inv.Answers {
		if other, ok := m.byKey[k]; ok && other != reference {
			return nil, ErrConflict
		}
	}
	m.invoices[reference] = inv.Clone()
	for k := range inv.Answers {
		m.byKey[k] = reference
	}
	return inv, nil
}
