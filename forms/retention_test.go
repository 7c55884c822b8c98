package forms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestExpireDrafts deletes the abandoned draft and its uploads, and leaves a
// draft in use and its upload alone.
func TestExpireDrafts(t *testing.T) {
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
	drafts, deleted, err := ExpireDrafts(ctx, store, files, now.AddDate(0, 0, -90))
	if err != nil || drafts != 1 || deleted != 2 {
		t.Fatalf("ExpireDrafts: %d drafts, %d files, %v", drafts, deleted, err)
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
