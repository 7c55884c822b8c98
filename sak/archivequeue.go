package sak

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/text"
)

// ArchiveTask is a case with journal entries the municipality's archive has
// yet to confirm: the Archiver's outbox row.
type ArchiveTask struct {
	Case string
	// Due is when the next pass may take it.
	Due time.Time
	// Version changes with every Arm, Claim and Defer: Done and Defer of a
	// task armed meanwhile get ErrConflict and leave it due.
	Version int64
	// CaseVersion is the highest case Version an Arm said its change
	// saves, and Armed when the task was last armed. The Arm comes before
	// the save: a pass that finds the stored case older than CaseVersion
	// defers the task instead of finishing it, until the save is visible
	// or Archiver.SaveWait has passed since Armed (the change then failed,
	// and was never saved).
	CaseVersion int
	Armed       time.Time
}

// ArchiveQueue is the Archiver's durable outbox: one task per case that has
// work for the archive. Implementations: NewMemoryArchiveQueue here and
// postgres.NewSakArchiveQueue; saktest.TestArchiveQueue is their
// conformance suite.
type ArchiveQueue interface {
	// Arm makes the case's task due at at (creating it), and changes its
	// Version, so that a pass working on it meanwhile cannot remove it. The
	// task keeps caseVersion (the case Version the arming change saves) if
	// it is higher than the one it has, and at as Armed.
	Arm(ctx context.Context, caseID string, at time.Time, caseVersion int) error
	// Claim returns up to limit tasks due at or before now, soonest first,
	// and makes each due at now+lease (with a new Version), so that no
	// other pass takes it meanwhile. CaseVersion and Armed stay as armed.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ArchiveTask, error)
	// Defer makes a claimed task due at due, if its Version is unchanged
	// (keeping its CaseVersion and Armed);
	// ErrConflict when it was armed or claimed meanwhile, ErrNotFound
	// when it is gone.
	Defer(ctx context.Context, t ArchiveTask, due time.Time) error
	// Done removes a claimed task, if its Version is unchanged;
	// ErrConflict or ErrNotFound otherwise, as Defer.
	Done(ctx context.Context, t ArchiveTask) error
}

// MemoryArchiveQueue is an ArchiveQueue in memory, safe for concurrent
// use; it does not survive a restart.
type MemoryArchiveQueue struct {
	mu    sync.Mutex
	tasks map[string]ArchiveTask
	last  int64
}

// NewMemoryArchiveQueue returns an empty queue.
func NewMemoryArchiveQueue() *MemoryArchiveQueue {
	return &MemoryArchiveQueue{tasks: map[string]ArchiveTask{}}
}

var _ ArchiveQueue = (*MemoryArchiveQueue)(nil)

// Arm implements ArchiveQueue.
func (q *MemoryArchiveQueue) Arm(_ context.Context, caseID string, at time.Time, caseVersion int) error {
	if caseID == "" || !text.Valid(caseID) {
		return fmt.Errorf("%w: an archive task needs a case", ErrInvalid)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.last++
	caseVersion = max(caseVersion, q.tasks[caseID].CaseVersion)
	q.tasks[caseID] = ArchiveTask{Case: caseID, Due: at.UTC(), Version: q.last, CaseVersion: caseVersion, Armed: at.UTC()}
	return nil
}

// Claim implements ArchiveQueue.
func (q *MemoryArchiveQueue) Claim(_ context.Context, now time.Time, lease time.Duration, limit int) ([]ArchiveTask, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var due []ArchiveTask
	for _, t := range q.tasks {
		if !t.Due.After(now) {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].Due.Equal(due[j].Due) {
			return due[i].Due.Before(due[j].Due)
		}
		return due[i].Case < due[j].Case
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	for i := range due {
		q.last++
		due[i].Due, due[i].Version = now.Add(lease).UTC(), q.last
		q.tasks[due[i].Case] = due[i]
	}
	return due, nil
}

// Defer implements ArchiveQueue.
func (q *MemoryArchiveQueue) Defer(_ context.Context, t ArchiveTask, due time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.same(t); err != nil {
		return err
	}
	q.last++
	cur := q.tasks[t.Case]
	cur.Due, cur.Version = due.UTC(), q.last
	q.tasks[t.Case] = cur
	return nil
}

// Done implements ArchiveQueue.
func (q *MemoryArchiveQueue) Done(_ context.Context, t ArchiveTask) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.same(t); err != nil {
		return err
	}
	delete(q.tasks, t.Case)
	return nil
}

func (q *MemoryArchiveQueue) same(t ArchiveTask) error {
	cur, ok := q.tasks[t.Case]
	switch {
	case !ok:
		return ErrNotFound
	case cur.Version != t.Version:
		return ErrConflict
	}
	return nil
}
