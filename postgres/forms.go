package postgres

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/internal/text"
)

// FormsStore is a forms.Store on PostgreSQL. Data is kept as jsonb; owners
// are the opaque keys of forms.OwnerKeys, so the tables hold personal numbers
// only where the form data itself holds them.
type FormsStore struct{ db *DB }

// NewFormsStore returns a forms.Store on db. Run db.Migrate first.
func NewFormsStore(db *DB) *FormsStore { return &FormsStore{db: db} }

var _ forms.Store = (*FormsStore)(nil)

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

func decodeData(b []byte) (forms.Data, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d forms.Data
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("postgres: forms: data: %w", err)
	}
	return d, nil
}

func encodeData(d forms.Data) ([]byte, error) {
	if d == nil {
		d = forms.Data{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: data: %w", err)
	}
	return b, nil
}

// CreateDraft implements forms.Store.
func (s *FormsStore) CreateDraft(ctx context.Context, d *forms.Draft) error {
	if d.ID == "" {
		return forms.ErrConflict
	}
	if !text.ValidValue(d) {
		return forms.ErrInvalidText
	}
	data, err := encodeData(d.Data)
	if err != nil {
		return err
	}
	// A submitted draft's id is not used again.
	tag, err := s.db.Pool.Exec(ctx, `INSERT INTO forms_drafts
		(id, form_id, form_version, owner, page, data, created, updated, version)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, 1
		WHERE NOT EXISTS (SELECT 1 FROM forms_submissions WHERE draft_id = $1)`,
		d.ID, d.FormID, d.FormVersion, d.Owner, d.Page, data, d.Created, d.Updated)
	if isUniqueViolation(err) || err == nil && tag.RowsAffected() == 0 {
		return forms.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: forms: create draft: %w", err)
	}
	d.Version = 1
	return nil
}

const draftColumns = `id, form_id, form_version, owner, page, data, created, updated, version`

func scanDraft(row pgx.Row) (*forms.Draft, error) {
	var d forms.Draft
	var data []byte
	if err := row.Scan(&d.ID, &d.FormID, &d.FormVersion, &d.Owner, &d.Page, &data, &d.Created, &d.Updated, &d.Version); err != nil {
		return nil, err
	}
	d.Created, d.Updated = d.Created.UTC(), d.Updated.UTC()
	var err error
	d.Data, err = decodeData(data)
	return &d, err
}

// GetDraft implements forms.Store.
func (s *FormsStore) GetDraft(ctx context.Context, id string) (*forms.Draft, error) {
	if absent(id) {
		return nil, forms.ErrNotFound
	}
	d, err := scanDraft(s.db.Pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM forms_drafts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, forms.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: get draft: %w", err)
	}
	return d, nil
}

// UpdateDraft implements forms.Store.
func (s *FormsStore) UpdateDraft(ctx context.Context, d *forms.Draft) error {
	if absent(d.ID) {
		return forms.ErrNotFound
	}
	if !text.ValidValue(d) {
		return forms.ErrInvalidText
	}
	data, err := encodeData(d.Data)
	if err != nil {
		return err
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE forms_drafts
		SET form_version = $3, page = $4, data = $5, updated = $6, version = version + 1
		WHERE id = $1 AND version = $2`,
		d.ID, d.Version, d.FormVersion, d.Page, data, d.Updated)
	if err != nil {
		return fmt.Errorf("postgres: forms: update draft: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM forms_drafts WHERE id = $1)`, d.ID).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: forms: update draft: %w", err)
		}
		if !exists {
			return forms.ErrNotFound
		}
		return forms.ErrConflict
	}
	d.Version++
	return nil
}

// DeleteDraft implements forms.Store.
func (s *FormsStore) DeleteDraft(ctx context.Context, id string) error {
	if absent(id) {
		return forms.ErrNotFound
	}
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM forms_drafts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: forms: delete draft: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return forms.ErrNotFound
	}
	return nil
}

// DeleteDraftsBefore implements forms.Store.
func (s *FormsStore) DeleteDraftsBefore(ctx context.Context, before time.Time, limit int) ([]*forms.Draft, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := s.db.Pool.Query(ctx, `DELETE FROM forms_drafts WHERE id IN (
		SELECT id FROM forms_drafts WHERE updated < $1 ORDER BY updated, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING `+draftColumns, before, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: delete old drafts: %w", err)
	}
	defer rows.Close()
	var out []*forms.Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: forms: delete old drafts: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: forms: delete old drafts: %w", err)
	}
	slices.SortFunc(out, func(a, b *forms.Draft) int { return cmp.Or(a.Updated.Compare(b.Updated), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// ListDrafts implements forms.Store.
func (s *FormsStore) ListDrafts(ctx context.Context, owner, formID string) ([]*forms.Draft, error) {
	if absent(owner, formID) {
		return nil, nil
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+draftColumns+` FROM forms_drafts
		WHERE owner = $1 AND ($2 = '' OR form_id = $2) ORDER BY updated DESC, id`, owner, formID)
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: list drafts: %w", err)
	}
	defer rows.Close()
	var out []*forms.Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: forms: list drafts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Submit implements forms.Store: the draft is deleted and the submission
// inserted in one transaction. A concurrent Submit of the same draft waits on
// the draft's row lock and then finds it gone.
func (s *FormsStore) Submit(ctx context.Context, sub *forms.Submission, evs ...events.Event) error {
	if sub.ID == "" {
		return forms.ErrConflict
	}
	if !text.ValidValue(sub) {
		return forms.ErrInvalidText
	}
	data, err := encodeData(sub.Data)
	if err != nil {
		return err
	}
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: forms: submit: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var draftID *string
	if sub.DraftID != "" {
		draftID = &sub.DraftID
		tag, err := tx.Exec(ctx, `DELETE FROM forms_drafts WHERE id = $1`, sub.DraftID)
		if err != nil {
			return fmt.Errorf("postgres: forms: submit: %w", err)
		}
		if tag.RowsAffected() == 0 {
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM forms_submissions WHERE draft_id = $1)`, sub.DraftID).Scan(&done); err != nil {
				return fmt.Errorf("postgres: forms: submit: %w", err)
			}
			if done {
				return forms.ErrAlreadySubmitted
			}
			return forms.ErrNotFound
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO forms_submissions
		(id, form_id, form_version, owner, draft_id, lang, data, submitted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		sub.ID, sub.FormID, sub.FormVersion, sub.Owner, draftID, sub.Lang, data, sub.SubmittedAt)
	if isUniqueViolation(err) {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.ConstraintName == "forms_submissions_draft_id_key" {
			return forms.ErrAlreadySubmitted
		}
		return forms.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: forms: submit: %w", err)
	}
	if err := appendEvents(ctx, tx, evs); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: forms: submit: %w", err)
	}
	return nil
}

const submissionColumns = `id, form_id, form_version, owner, COALESCE(draft_id, ''), lang, data, submitted_at`

func scanSubmission(row pgx.Row) (*forms.Submission, error) {
	var s forms.Submission
	var data []byte
	if err := row.Scan(&s.ID, &s.FormID, &s.FormVersion, &s.Owner, &s.DraftID, &s.Lang, &data, &s.SubmittedAt); err != nil {
		return nil, err
	}
	s.SubmittedAt = s.SubmittedAt.UTC()
	var err error
	s.Data, err = decodeData(data)
	return &s, err
}

// GetSubmission implements forms.Store.
func (s *FormsStore) GetSubmission(ctx context.Context, id string) (*forms.Submission, error) {
	if absent(id) {
		return nil, forms.ErrNotFound
	}
	sub, err := scanSubmission(s.db.Pool.QueryRow(ctx, `SELECT `+submissionColumns+` FROM forms_submissions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, forms.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: get submission: %w", err)
	}
	return sub, nil
}

// ListSubmissions implements forms.Store.
func (s *FormsStore) ListSubmissions(ctx context.Context, owner string) ([]*forms.Submission, error) {
	if absent(owner) {
		return nil, nil
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+submissionColumns+` FROM forms_submissions
		WHERE owner = $1 ORDER BY submitted_at DESC, id`, owner)
	if err != nil {
		return nil, fmt.Errorf("postgres: forms: list submissions: %w", err)
	}
	defer rows.Close()
	var out []*forms.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: forms: list submissions: %w", err)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}
