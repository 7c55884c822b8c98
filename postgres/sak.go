package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/sak"
)

// SakStore is a sak.Store on PostgreSQL. A case is stored as a JSON document
// beside the columns that are queried; the version column makes concurrent
// updates safe across processes.
type SakStore struct{ db *DB }

// NewSakStore returns a sak.Store on db. Run db.Migrate first.
func NewSakStore(db *DB) *SakStore { return &SakStore{db: db} }

var _ sak.Store = (*SakStore)(nil)

// Create implements sak.Store.
func (s *SakStore) Create(ctx context.Context, c *sak.Case, evs ...events.Event) error {
	if !text.ValidValue(c) {
		return sak.ErrInvalidText
	}
	c.Version = 1
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: sak: %w", err)
	}
	_, err = execEmitting(ctx, s.db, evs, `INSERT INTO sak_cases
		(id, year, seq, kind, owner, on_behalf_of, state, version, created, updated, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.Year, c.Sequence, c.Kind, c.Owner, c.OnBehalfOf, string(c.State), c.Version, c.Created, c.Updated, doc)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation: the id or the case number
		c.Version = 0
		return sak.ErrConflict
	}
	if err != nil {
		c.Version = 0
		return fmt.Errorf("postgres: sak: create: %w", err)
	}
	return nil
}

// Get implements sak.Store.
func (s *SakStore) Get(ctx context.Context, id string) (*sak.Case, error) {
	if absent(id) {
		return nil, sak.ErrNotFound
	}
	c, err := scanCase(s.db.Pool.QueryRow(ctx, `SELECT version, doc FROM sak_cases WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sak.ErrNotFound
	}
	return c, err
}

// Update implements sak.Store.
func (s *SakStore) Update(ctx context.Context, c *sak.Case, evs ...events.Event) error {
	if absent(c.ID) {
		return sak.ErrNotFound
	}
	if !text.ValidValue(c) {
		return sak.ErrInvalidText
	}
	next := *c
	next.Version++
	doc, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("postgres: sak: %w", err)
	}
	tag, err := execEmitting(ctx, s.db, evs, `UPDATE sak_cases
		SET kind = $3, owner = $4, on_behalf_of = $5, state = $6, version = version + 1, updated = $7, doc = $8
		WHERE id = $1 AND version = $2`,
		c.ID, c.Version, c.Kind, c.Owner, c.OnBehalfOf, string(c.State), c.Updated, doc)
	if err != nil {
		return fmt.Errorf("postgres: sak: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sak_cases WHERE id = $1)`, c.ID).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: sak: update: %w", err)
		}
		if !exists {
			return sak.ErrNotFound
		}
		return sak.ErrConflict
	}
	c.Version = next.Version
	return nil
}

// List implements sak.Store. A page is read by keyset, (created, id) from
// the cursor on, along an index that matches the filter (migration 0610).
func (s *SakStore) List(ctx context.Context, f sak.Filter, p sak.Page) ([]*sak.Case, string, error) {
	b, err := p.Bound()
	if err != nil {
		return nil, "", err
	}
	if absent(f.Owner, f.OnBehalfOf, f.Kind) {
		return nil, "", nil
	}
	q, args := listQuery(f, b, p.Size())
	rows, err := s.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: sak: list: %w", err)
	}
	defer rows.Close()
	var out []*sak.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("postgres: sak: list: %w", err)
	}
	// One row more than the page says whether any is left.
	more := len(out) > p.Size()
	if more {
		out = out[:p.Size()]
	}
	next := ""
	if b != nil && b.Backward {
		slices.Reverse(out) // read oldest first, from the cursor up
		if more {
			next = sak.CursorOf(out[0])
		}
	} else if more {
		next = sak.CursorOf(out[len(out)-1])
	}
	return out, next, nil
}

// listQuery builds the query of one page and one row more.
func listQuery(f sak.Filter, b *sak.Bound, limit int) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v ...any) {
		n := make([]any, len(v))
		for i := range v {
			args = append(args, v[i])
			n[i] = len(args)
		}
		where = append(where, fmt.Sprintf(cond, n...))
	}
	if f.Owner != "" {
		add("owner = $%d", f.Owner)
	}
	if f.OnBehalfOf != "" {
		add("on_behalf_of = $%d", f.OnBehalfOf)
	}
	if f.Kind != "" {
		add("kind = $%d", f.Kind)
	}
	if len(f.States) == 1 { // an equality keeps the index's order: no sort
		add("state = $%d", string(f.States[0]))
	} else if len(f.States) > 1 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		add("state = ANY($%d)", states)
	}
	order := "created DESC, id DESC"
	switch {
	case b == nil:
	case b.Backward:
		add("(created, id) > ($%d, $%d)", b.Created, b.ID)
		order = "created, id"
	default:
		add("(created, id) < ($%d, $%d)", b.Created, b.ID)
	}
	q := `SELECT version, doc FROM sak_cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	return q + fmt.Sprintf(" ORDER BY %s LIMIT $%d", order, len(args)), args
}

// NextSequence implements sak.Store.
func (s *SakStore) NextSequence(ctx context.Context, series string, year int) (int, error) {
	var n int
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO sak_sequences (series, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (series, year) DO UPDATE SET last = sak_sequences.last + 1
		RETURNING last`, series, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: sak: next sequence: %w", err)
	}
	return n, nil
}

func scanCase(row pgx.Row) (*sak.Case, error) {
	var (
		version int
		doc     []byte
	)
	if err := row.Scan(&version, &doc); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("postgres: sak: %w", err)
	}
	var c sak.Case
	if err := json.Unmarshal(doc, &c); err != nil {
		return nil, fmt.Errorf("postgres: sak: stored case does not decode: %w", err)
	}
	c.Version = version
	return &c, nil
}
