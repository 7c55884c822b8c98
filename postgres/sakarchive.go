package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/sak"
)

// SakArchiveQueue is the sak.ArchiveQueue on PostgreSQL (migrations 0620
// and 0630):
// several Archivers on one database claim disjoint cases (FOR UPDATE SKIP
// LOCKED).
type SakArchiveQueue struct{ db *DB }

// NewSakArchiveQueue returns the queue on db. Run db.Migrate first.
func NewSakArchiveQueue(db *DB) *SakArchiveQueue { return &SakArchiveQueue{db: db} }

var _ sak.ArchiveQueue = (*SakArchiveQueue)(nil)

// Arm implements sak.ArchiveQueue.
func (q *SakArchiveQueue) Arm(ctx context.Context, caseID string, at time.Time, caseVersion int) error {
	if caseID == "" || absent(caseID) {
		return fmt.Errorf("%w: an archive task needs a case", sak.ErrInvalid)
	}
	_, err := q.db.Pool.Exec(ctx, `INSERT INTO sak_archive_queue (case_id, due, version, case_version, armed)
		VALUES ($1, $2, nextval('sak_archive_queue_version'), $3, $2)
		ON CONFLICT (case_id) DO UPDATE SET due = EXCLUDED.due, version = EXCLUDED.version,
			case_version = GREATEST(sak_archive_queue.case_version, EXCLUDED.case_version), armed = EXCLUDED.armed`,
		caseID, at.UTC(), caseVersion)
	if err != nil {
		return fmt.Errorf("postgres: sak archive queue: arm: %w", err)
	}
	return nil
}

// Claim implements sak.ArchiveQueue.
func (q *SakArchiveQueue) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]sak.ArchiveTask, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	// UPDATE ... RETURNING names no order: the outer SELECT sorts the
	// claimed tasks by the due time they had.
	rows, err := q.db.Pool.Query(ctx, `WITH due AS (
			SELECT case_id, due FROM sak_archive_queue WHERE due <= $1
			ORDER BY due, case_id LIMIT $3 FOR UPDATE SKIP LOCKED),
		claimed AS (
			UPDATE sak_archive_queue t SET due = $2, version = nextval('sak_archive_queue_version')
			FROM due WHERE t.case_id = due.case_id
			RETURNING t.case_id, t.due, t.version, t.case_version, t.armed, due.due AS was)
		SELECT case_id, due, version, case_version, armed FROM claimed ORDER BY was, case_id`, now.UTC(), now.Add(lease).UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: sak archive queue: claim: %w", err)
	}
	defer rows.Close()
	var out []sak.ArchiveTask
	for rows.Next() {
		var t sak.ArchiveTask
		if err := rows.Scan(&t.Case, &t.Due, &t.Version, &t.CaseVersion, &t.Armed); err != nil {
			return nil, fmt.Errorf("postgres: sak archive queue: claim: %w", err)
		}
		t.Due, t.Armed = t.Due.UTC(), t.Armed.UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sak archive queue: claim: %w", err)
	}
	return out, nil
}

// Defer implements sak.ArchiveQueue.
func (q *SakArchiveQueue) Defer(ctx context.Context, t sak.ArchiveTask, due time.Time) error {
	if absent(t.Case) {
		return sak.ErrNotFound
	}
	tag, err := q.db.Pool.Exec(ctx, `UPDATE sak_archive_queue SET due = $3, version = nextval('sak_archive_queue_version')
		WHERE case_id = $1 AND version = $2`, t.Case, t.Version, due.UTC())
	if err != nil {
		return fmt.Errorf("postgres: sak archive queue: defer: %w", err)
	}
	return q.missed(ctx, t, tag.RowsAffected())
}

// Done implements sak.ArchiveQueue.
func (q *SakArchiveQueue) Done(ctx context.Context, t sak.ArchiveTask) error {
	if absent(t.Case) {
		return sak.ErrNotFound
	}
	tag, err := q.db.Pool.Exec(ctx, `DELETE FROM sak_archive_queue WHERE case_id = $1 AND version = $2`, t.Case, t.Version)
	if err != nil {
		return fmt.Errorf("postgres: sak archive queue: done: %w", err)
	}
	return q.missed(ctx, t, tag.RowsAffected())
}

// missed tells ErrConflict from ErrNotFound when a versioned write changed
// no row.
func (q *SakArchiveQueue) missed(ctx context.Context, t sak.ArchiveTask, n int64) error {
	if n > 0 {
		return nil
	}
	var exists bool
	if err := q.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sak_archive_queue WHERE case_id = $1)`, t.Case).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: sak archive queue: %w", err)
	}
	if !exists {
		return sak.ErrNotFound
	}
	return sak.ErrConflict
}
