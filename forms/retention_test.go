package forms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestDraftExpiryRunOnce deletes the abandoned draft and its uploads, and
// leaves a draft in use and its upload alone.
func TestDraftExpiryRunOnce(t *testing.T) {
	ctx := context.Background()
	store, files := NewMemoryStore(), NewMemoryFileStore()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	put := func(owner string) map[string]any {
		id, err := files.Put(ctx, owner, "attest.pdf", "application/pdf", strings.NewReader("%PDF-1.7"))
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": id, "name": "attest.pdf", "contentType": "application/pdf", "size": 8}
	}
	old := &Draft{ID: "old", FormID: "f", FormVersion: 1, Owner: "person:a", Created: now.AddDate(0, 0, -100), Updated: now.AddDate(0, 0, -91),
		Data: Data{"vedlegg": map[string]any{"a": []any{put("person:a")}, "b": []any{put("person:a"), map[string]any{"id": refusedFile, "name": "x", "contentType": "text/plain"}}}}}
	fresh := &Draft{ID: "fresh", FormID: "f", FormVersion: 1, Owner: "person:b", Created: now.AddDate(0, 0, -2), Updated: now.AddDate(0, 0, -1),
		Data: Data{"vedlegg": map[string]any{"a": []any{put("person:b")}}}}
	for _, d := range []*Draft{old, fresh} {
		if err := store.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	job := &DraftExpiry{Store: store, Files: files, Now: func() time.Time { return now }}
	if err := job.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := store.GetDraft(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old draft: %v", err)
	}
	if fs, _ := files.List(ctx, "person:a"); len(fs) != 0 {
		t.Errorf("%d of the old draft's files left", len(fs))
	}
	if _, err := store.GetDraft(ctx, "fresh"); err != nil {
		t.Errorf("the fresh draft: %v", err)
	}
	if fs, _ := files.List(ctx, "person:b"); len(fs) != 1 {
		t.Errorf("the fresh draft's file: %d", len(fs))
	}
}

// TestDraftExpiryRun runs the job on a schedule: a draft is deleted in the
// first pass after it has been left for MaxAge, and Run returns nil when
// its context ends.
func TestDraftExpiryRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		store := NewMemoryStore()
		start := time.Now()
		for _, d := range []*Draft{
			{ID: "a", FormID: "f", FormVersion: 1, Owner: "person:a", Created: start, Updated: start},
			{ID: "b", FormID: "f", FormVersion: 1, Owner: "person:b", Created: start, Updated: start.Add(150 * time.Minute)},
		} {
			if err := store.CreateDraft(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		job := &DraftExpiry{Store: store, MaxAge: 2 * time.Hour}
		done := make(chan error)
		go func() { done <- job.Run(ctx, time.Hour) }()
		left := func() int {
			ds, _ := store.ListDrafts(ctx, "person:a", "")
			more, _ := store.ListDrafts(ctx, "person:b", "")
			return len(ds) + len(more)
		}
		for _, want := range []struct {
			after time.Duration
			left  int
		}{{0, 2}, {2 * time.Hour, 2}, {3 * time.Hour, 1}, {4 * time.Hour, 1}, {5 * time.Hour, 0}} {
			time.Sleep(want.after - time.Since(start))
			synctest.Wait()
			if got := left(); got != want.left {
				t.Errorf("after %v: %d drafts left, want %d", want.after, got, want.left)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v when its context ended", err)
		}
	})
}

// A job without a Store, or with no interval, fails at once.
func TestDraftExpiryMisconfigured(t *testing.T) {
	ctx := context.Background()
	if err := (&DraftExpiry{}).RunOnce(ctx); !errors.Is(err, ErrNoStore) {
		t.Errorf("RunOnce without a Store: %v", err)
	}
	if err := (&DraftExpiry{}).Run(ctx, time.Hour); !errors.Is(err, ErrNoStore) {
		t.Errorf("Run without a Store: %v", err)
	}
	for _, every := range []time.Duration{0, -time.Second} {
		if err := (&DraftExpiry{Store: NewMemoryStore()}).Run(ctx, every); err == nil {
			t.Errorf("Run(ctx, %v) = nil", every)
		}
	}
}
