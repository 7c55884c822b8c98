package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/payment"
)

// InvoiceStore is a payment.InvoiceStore on PostgreSQL. Invoice numbers come
// from a sequence; Update holds the invoice's row lock (SELECT ... FOR
// UPDATE) from reading to writing, so that across any number of processes
// a bank reference is booked once and an idempotency key answered once.
type InvoiceStore struct{ db *DB }

// NewInvoiceStore returns a payment.InvoiceStore on db. Run db.Migrate first.
func NewInvoiceStore(db *DB) *InvoiceStore { return &InvoiceStore{db: db} }

var _ payment.InvoiceStore = (*InvoiceStore)(nil)

// NextNumber implements payment.InvoiceStore.
func (s *InvoiceStore) NextNumber(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT nextval('payment_invoice_numbers')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: invoice: next number: %w", err)
	}
	return n, nil
}

// Create implements payment.InvoiceStore.
func (s *InvoiceStore) Create(ctx context.Context, inv *payment.Invoice) error {
	if inv.Reference == "" || inv.KID == "" {
		return fmt.Errorf("%w: an invoice needs a reference and a KID", payment.ErrInvalid)
	}
	if !text.ValidValue(inv) {
		return payment.ErrInvalidText
	}
	doc, err := json.Marshal(inv)
	if err != nil {
		return fmt.Errorf("postgres: invoice: %w", err)
	}
	return inTx(ctx, s.db, "create", func(tx pgx.Tx) error {
		// DO NOTHING covers both the reference and the KID.
		tag, err := tx.Exec(ctx, `INSERT INTO payment_invoices (reference, kid, created, doc)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			inv.Reference, string(inv.KID), inv.Created, doc)
		if err != nil {
			return fmt.Errorf("postgres: invoice: create: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return payment.ErrConflict
		}
		return addKeys(ctx, tx, inv.Reference, inv.Answers, nil)
	})
}

// inTx runs f in a transaction. f's own errors come back as they are (the
// payment sentinels, a change's error); beginning or committing is wrapped.
func inTx(ctx context.Context, db *DB, op string, f func(tx pgx.Tx) error) error {
	var fErr error
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		fErr = f(tx)
		return fErr
	})
	if err != nil && err != fErr {
		return fmt.Errorf("postgres: invoice: %s: %w", op, err)
	}
	return err
}

// addKeys records the keys of answers that were not in before.
func addKeys(ctx context.Context, tx pgx.Tx, reference string, answers, before map[string]payment.InvoiceAnswer) error {
	for k := range answers {
		if _, ok := before[k]; ok {
			continue
		}
		tag, err := tx.Exec(ctx, `INSERT INTO payment_invoice_keys (key, reference) VALUES ($1, $2) ON CONFLICT DO NOTHING`, k, reference)
		if err != nil {
			return fmt.Errorf("postgres: invoice: key: %w", err)
		}
		if tag.RowsAffected() == 0 {
			var other string
			if err := tx.QueryRow(ctx, `SELECT reference FROM payment_invoice_keys WHERE key = $1`, k).Scan(&other); err != nil {
				return fmt.Errorf("postgres: invoice: key: %w", err)
			}
			if other != reference {
				return payment.ErrConflict
			}
		}
	}
	return nil
}

func scanInvoice(row pgx.Row) (*payment.Invoice, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, payment.ErrNotFound
		}
		return nil, fmt.Errorf("postgres: invoice: %w", err)
	}
	var inv payment.Invoice
	if err := json.Unmarshal(doc, &inv); err != nil {
		return nil, fmt.Errorf("postgres: invoice: stored invoice does not decode: %w", err)
	}
	inv.Created = inv.Created.UTC()
	return &inv, nil
}

// Get implements payment.InvoiceStore.
func (s *InvoiceStore) Get(ctx context.Context, reference string) (*payment.Invoice, error) {
	if absent(reference) {
		return nil, payment.ErrNotFound
	}
	return scanInvoice(s.db.Pool.QueryRow(ctx, `SELECT doc FROM payment_invoices WHERE reference = $1`, reference))
}

// ByKID implements payment.InvoiceStore.
func (s *InvoiceStore) ByKID(ctx context.Context, kid ident.KID) (*payment.Invoice, error) {
	if absent(string(kid)) {
		return nil, payment.ErrNotFound
	}
	return scanInvoice(s.db.Pool.QueryRow(ctx, `SELECT doc FROM payment_invoices WHERE kid = $1`, string(kid)))
}

// Answered implements payment.InvoiceStore.
func (s *InvoiceStore) Answered(ctx context.Context, key string) (*payment.Invoice, error) {
	if absent(key) {
		return nil, payment.ErrNotFound
	}
	return scanInvoice(s.db.Pool.QueryRow(ctx, `SELECT i.doc FROM payment_invoice_keys k
		JOIN payment_invoices i ON i.reference = k.reference WHERE k.key = $1`, key))
}

// Update implements payment.InvoiceStore.
func (s *InvoiceStore) Update(ctx context.Context, reference string, change func(inv *payment.Invoice) error) (*payment.Invoice, error) {
	if absent(reference) {
		return nil, payment.ErrNotFound
	}
	var out *payment.Invoice
	err := inTx(ctx, s.db, "update", func(tx pgx.Tx) error {
		inv, err := scanInvoice(tx.QueryRow(ctx, `SELECT doc FROM payment_invoices WHERE reference = $1 FOR UPDATE`, reference))
		if err != nil {
			return err
		}
		before := inv.Clone()
		if err := change(inv); err != nil {
			return err
		}
		if inv.Reference != before.Reference || inv.KID != before.KID {
			return fmt.Errorf("%w: an invoice's reference and KID never change", payment.ErrInvalid)
		}
		if !text.ValidValue(inv) {
			return payment.ErrInvalidText
		}
		doc, err := json.Marshal(inv)
		if err != nil {
			return fmt.Errorf("postgres: invoice: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE payment_invoices SET doc = $2 WHERE reference = $1`, reference, doc); err != nil {
			return fmt.Errorf("postgres: invoice: update: %w", err)
		}
		if err := addKeys(ctx, tx, reference, inv.Answers, before.Answers); err != nil {
			return err
		}
		out = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
