package formstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/internal/badkey"
)

// TestStore runs the conformance suite. newStore must return an empty store
// for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) forms.Store) {
	x := &storeSuite{ctx: context.Background(), newStore: newStore,
		t0: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)} // the night Norway loses an hour
	t.Run("DraftLifecycle", x.draftLifecycle)
	t.Run("BadBytesNotFound", x.badBytesNotFound)
	t.Run("Text", x.text)
	t.Run("ListDrafts", x.listDrafts)
	t.Run("DeleteDraftsBefore", x.deleteDraftsBefore)
	t.Run("DeleteDraftsBeforeConcurrent", x.deleteDraftsBeforeConcurrent)
	t.Run("Submit", x.submit)
	t.Run("SubmitExactlyOnce", x.submitExactlyOnce)
	t.Run("ConcurrentUpdates", x.concurrentUpdates)
}

type storeSuite struct {
	ctx      context.Context
	t0       time.Time
	newStore func(t *testing.T) forms.Store
}

func (x *storeSuite) draft(id, owner, form string, updated time.Time) *forms.Draft {
	return &forms.Draft{ID: id, FormID: form, FormVersion: 2, Owner: owner, Page: "soker",
		Data:    forms.Data{"styrer": map[string]any{"fodselsnummer": "20036914700"}, "n": json.Number("1.50"), "rows": []any{map[string]any{"a": "æøå"}}},
		Created: x.t0, Updated: updated}
}

func (x *storeSuite) draftLifecycle(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	d := draft("d1", "person:abc", "skjenk", t0)
	if err := s.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 {
		t.Errorf("Version %d after create, want 1", d.Version)
	}
	if err := s.CreateDraft(ctx, draft("d1", "person:abc", "skjenk", t0)); !errors.Is(err, forms.ErrConflict) {
		t.Errorf("duplicate id: %v, want ErrConflict", err)
	}
	got, err := s.GetDraft(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(d)
	have, _ := json.Marshal(got)
	if string(want) != string(have) || !got.Updated.Equal(t0) {
		t.Errorf("got %s\nwant %s", have, want)
	}
	// The copy is the caller's.
	got.Data["x"] = "changed"
	again, _ := s.GetDraft(ctx, "d1")
	if _, ok := again.Data["x"]; ok {
		t.Error("GetDraft returned shared data")
	}
	got, _ = s.GetDraft(ctx, "d1")
	got.Data["soker"] = map[string]any{"navn": "Bakgården AS"}
	got.Updated = t0.Add(time.Hour)
	if err := s.UpdateDraft(ctx, got); err != nil || got.Version != 2 {
		t.Fatalf("update: %v, version %d", err, got.Version)
	}
	stale, _ := s.GetDraft(ctx, "d1")
	stale.Version = 1
	if err := s.UpdateDraft(ctx, stale); !errors.Is(err, forms.ErrConflict) {
		t.Errorf("stale update: %v, want ErrConflict", err)
	}
	if err := s.UpdateDraft(ctx, draft("nope", "o", "f", t0)); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("update missing: %v, want ErrNotFound", err)
	}
	if _, err := s.GetDraft(ctx, "nope"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	if err := s.DeleteDraft(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDraft(ctx, "d1"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

// An id or owner that is not UTF-8 or holds a NUL (/soknad/%ff/soker)
// names nothing: ErrNotFound, or nothing listed, and the store still
// works.
func (x *storeSuite) badBytesNotFound(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	if err := s.CreateDraft(ctx, draft("d1", "person:p", "skjenk", t0)); err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, err := s.GetDraft(ctx, k); !errors.Is(err, forms.ErrNotFound) {
			t.Errorf("GetDraft(%q): %v, want ErrNotFound", k, err)
		}
		d := draft(k, "person:p", "skjenk", t0)
		d.Version = 1
		if err := s.UpdateDraft(ctx, d); !errors.Is(err, forms.ErrNotFound) {
			t.Errorf("UpdateDraft(%q): %v, want ErrNotFound", k, err)
		}
		if err := s.DeleteDraft(ctx, k); !errors.Is(err, forms.ErrNotFound) {
			t.Errorf("DeleteDraft(%q): %v, want ErrNotFound", k, err)
		}
		if _, err := s.GetSubmission(ctx, k); !errors.Is(err, forms.ErrNotFound) {
			t.Errorf("GetSubmission(%q): %v, want ErrNotFound", k, err)
		}
		for _, l := range [][2]string{{k, ""}, {"person:p", k}} {
			if got, err := s.ListDrafts(ctx, l[0], l[1]); err != nil || len(got) != 0 {
				t.Errorf("ListDrafts(%q, %q): %v, %d drafts", l[0], l[1], err, len(got))
			}
		}
		if got, err := s.ListSubmissions(ctx, k); err != nil || len(got) != 0 {
			t.Errorf("ListSubmissions(%q): %v, %d", k, err, len(got))
		}
	}
	if _, err := s.GetDraft(ctx, "d1"); err != nil {
		t.Fatalf("the store after bad keys: %v", err)
	}
}

// Text a citizen types comes back exactly as it was saved. A string no
// store can keep (not UTF-8, or holding a NUL) is refused with
// ErrInvalidText, never a driver error, and nothing is half-saved.
func (x *storeSuite) text(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	odd := func() forms.Data {
		texts := badkey.Texts()
		rows := []any{}
		for _, v := range texts {
			rows = append(rows, map[string]any{"navn": v})
		}
		return forms.Data{"navn": texts[0], "alle": texts, "rader": rows, texts[1]: texts[2]}
	}
	d := draft("d1", "person:p", "skjenk", t0)
	d.Data = odd()
	if err := s.CreateDraft(ctx, d); err != nil {
		t.Fatalf("CreateDraft: %v", err)
	}
	same := func(what string, got, want any) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s: got %s\nwant %s", what, g, w)
		}
	}
	got, err := s.GetDraft(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	same("draft", got.Data, odd())
	if err := s.UpdateDraft(ctx, got); err != nil {
		t.Fatalf("UpdateDraft: %v", err)
	}
	if got, _ = s.GetDraft(ctx, "d1"); got != nil {
		same("updated draft", got.Data, odd())
	}
	x.refuseText(t, s)
	if _, err := s.GetDraft(ctx, "bad"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("a refused draft was stored: %v", err)
	}
	if _, err := s.GetSubmission(ctx, "s-bad"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("a refused submission was stored: %v", err)
	}
	got, err = s.GetDraft(ctx, "d1")
	if err != nil {
		t.Fatalf("the draft after refused text: %v", err)
	}
	same("draft after refusals", got.Data, odd())
	sub := &forms.Submission{ID: "s1", FormID: "skjenk", FormVersion: 2, Owner: "person:p", DraftID: "d1", Lang: "nb", Data: odd(), SubmittedAt: t0}
	if err := s.Submit(ctx, sub); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	gs, err := s.GetSubmission(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	same("submission", gs.Data, odd())
}

// refuseText tries to store text no store can keep, in data, an owner
// and a page: each is refused with ErrInvalidText, and the stored draft d1
// is left as it was.
func (x *storeSuite) refuseText(t *testing.T, s forms.Store) {
	ctx, t0, draft := x.ctx, x.t0, x.draft
	bad := func(v string) []forms.Data {
		return []forms.Data{
			{"navn": v},
			{"navn": "ok", "rader": []any{map[string]any{"navn": "ok"}, map[string]any{"navn": v}}},
			{"alle": []any{"ok", v}},
			{v: "ok"},
		}
	}
	for _, v := range badkey.Keys() {
		for i, data := range bad(v) {
			nd := draft("bad", "person:p", "skjenk", t0)
			nd.Data = data
			if err := s.CreateDraft(ctx, nd); !errors.Is(err, forms.ErrInvalidText) {
				t.Errorf("CreateDraft with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
			cur, err := s.GetDraft(ctx, "d1")
			if err != nil {
				t.Fatal(err)
			}
			cur.Data = data
			if err := s.UpdateDraft(ctx, cur); !errors.Is(err, forms.ErrInvalidText) {
				t.Errorf("UpdateDraft with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
			sub := &forms.Submission{ID: "s-bad", FormID: "skjenk", FormVersion: 2, Owner: "person:p", DraftID: "d1", Lang: "nb", Data: data, SubmittedAt: t0}
			if err := s.Submit(ctx, sub); !errors.Is(err, forms.ErrInvalidText) {
				t.Errorf("Submit with %q (%d): %v, want ErrInvalidText", v, i, err)
			}
		}
		for _, page := range []string{v, "soker"} {
			owner := "person:p"
			if page == "soker" {
				owner = v
			}
			nd := draft("bad", owner, "skjenk", t0)
			nd.Page = page
			if err := s.CreateDraft(ctx, nd); !errors.Is(err, forms.ErrInvalidText) {
				t.Errorf("CreateDraft with owner %q page %q: %v, want ErrInvalidText", owner, page, err)
			}
		}
	}
}

func (x *storeSuite) listDrafts(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	for i, d := range []*forms.Draft{
		draft("a", "person:p", "skjenk", t0),
		draft("b", "person:p", "skjenk", t0.Add(2*time.Hour)),
		draft("c", "person:p", "barnehage", t0.Add(time.Hour)),
		draft("d", "org:974760673", "skjenk", t0),
	} {
		if err := s.CreateDraft(ctx, d); err != nil {
			t.Fatal(i, err)
		}
	}
	ids := func(ds []*forms.Draft) string {
		out := ""
		for _, d := range ds {
			out += d.ID
		}
		return out
	}
	if got, _ := s.ListDrafts(ctx, "person:p", "skjenk"); ids(got) != "ba" {
		t.Errorf("one form: %s, want ba", ids(got))
	}
	if got, _ := s.ListDrafts(ctx, "person:p", ""); ids(got) != "bca" {
		t.Errorf("all forms: %s, want bca", ids(got))
	}
	if got, _ := s.ListDrafts(ctx, "org:974760673", ""); ids(got) != "d" {
		t.Errorf("org: %s", ids(got))
	}
	if got, _ := s.ListDrafts(ctx, "person:nobody", ""); len(got) != 0 {
		t.Errorf("nobody: %s", ids(got))
	}
}

func (x *storeSuite) deleteDraftsBefore(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	for i, d := range []*forms.Draft{
		draft("c", "person:p", "skjenk", t0.Add(2*time.Hour)),
		draft("a", "person:p", "skjenk", t0),
		draft("b", "org:974760673", "skjenk", t0.Add(time.Hour)),
	} {
		if err := s.CreateDraft(ctx, d); err != nil {
			t.Fatal(i, err)
		}
	}
	before := t0.Add(90 * time.Minute)
	got, err := s.DeleteDraftsBefore(ctx, before, 1)
	if err != nil || len(got) != 1 || got[0].ID != "a" || got[0].Owner != "person:p" || got[0].Data == nil {
		t.Fatalf("the oldest: %v %+v", err, got)
	}
	got, err = s.DeleteDraftsBefore(ctx, before, 0)
	if err != nil || len(got) != 1 || got[0].ID != "b" {
		t.Fatalf("the rest before: %v %+v", err, got)
	}
	if _, err := s.GetDraft(ctx, "b"); !errors.Is(err, forms.ErrNotFound) {
		t.Fatalf("a deleted draft: %v", err)
	}
	if _, err := s.GetDraft(ctx, "c"); err != nil {
		t.Fatalf("a newer draft was deleted: %v", err)
	}
	if got, err := s.DeleteDraftsBefore(ctx, before, 0); err != nil || len(got) != 0 {
		t.Fatalf("nothing left: %v %+v", err, got)
	}
}

func (x *storeSuite) deleteDraftsBeforeConcurrent(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	const n = 40
	for i := range n {
		if err := s.CreateDraft(ctx, draft(fmt.Sprintf("d%02d", i), "person:p", "skjenk", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				got, err := s.DeleteDraftsBefore(ctx, t0.Add(time.Hour), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d drafts deleted, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("draft %s returned %d times", id, k)
		}
	}
}

func (x *storeSuite) submit(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	if err := s.CreateDraft(ctx, draft("d", "person:p", "skjenk", t0)); err != nil {
		t.Fatal(err)
	}
	sub := &forms.Submission{ID: "s1", FormID: "skjenk", FormVersion: 2, Owner: "person:p", DraftID: "d", Lang: "nn",
		Data: forms.Data{"a": json.Number("10"), "b": []any{"x"}}, SubmittedAt: t0.Add(time.Hour)}
	if err := s.Submit(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetDraft(ctx, "d"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("draft still there after submit: %v", err)
	}
	got, err := s.GetSubmission(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(sub)
	have, _ := json.Marshal(got)
	if string(want) != string(have) {
		t.Errorf("got %s\nwant %s", have, want)
	}
	again := *sub
	again.ID = "s2"
	if err := s.Submit(ctx, &again); !errors.Is(err, forms.ErrAlreadySubmitted) {
		t.Errorf("second submit of the draft: %v, want ErrAlreadySubmitted", err)
	}
	dup := *sub
	dup.DraftID = ""
	if err := s.Submit(ctx, &dup); !errors.Is(err, forms.ErrConflict) {
		t.Errorf("duplicate submission id: %v, want ErrConflict", err)
	}
	missing := *sub
	missing.ID, missing.DraftID = "s3", "no-such-draft"
	if err := s.Submit(ctx, &missing); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("submit of a missing draft: %v, want ErrNotFound", err)
	}
	if _, err := s.GetSubmission(ctx, "s3"); !errors.Is(err, forms.ErrNotFound) {
		t.Errorf("failed submit stored: %v", err)
	}
	later := &forms.Submission{ID: "s4", FormID: "skjenk", FormVersion: 2, Owner: "person:p", Lang: "nb", Data: forms.Data{}, SubmittedAt: t0.Add(3 * time.Hour)}
	if err := s.Submit(ctx, later); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListSubmissions(ctx, "person:p")
	if err != nil || len(list) != 2 || list[0].ID != "s4" || list[1].ID != "s1" {
		t.Errorf("list: %v %v", list, err)
	}
	if list, _ := s.ListSubmissions(ctx, "person:other"); len(list) != 0 {
		t.Errorf("other owner sees %v", list)
	}
}

func (x *storeSuite) submitExactlyOnce(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	const drafts, racers = 5, 8
	for i := range drafts {
		if err := s.CreateDraft(ctx, draft(fmt.Sprint("d", i), "person:p", "skjenk", t0)); err != nil {
			t.Fatal(err)
		}
	}
	var ok, already atomic.Int64
	var wg sync.WaitGroup
	for i := range drafts * racers {
		wg.Go(func() {
			sub := &forms.Submission{ID: fmt.Sprint("s", i), FormID: "skjenk", FormVersion: 2, Owner: "person:p",
				DraftID: fmt.Sprint("d", i%drafts), Lang: "nb", Data: forms.Data{}, SubmittedAt: t0}
			switch err := s.Submit(ctx, sub); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, forms.ErrAlreadySubmitted), errors.Is(err, forms.ErrNotFound):
				already.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != drafts || already.Load() != drafts*(racers-1) {
		t.Errorf("%d submits succeeded, %d refused; want %d and %d", ok.Load(), already.Load(), drafts, drafts*(racers-1))
	}
	if list, _ := s.ListSubmissions(ctx, "person:p"); len(list) != drafts {
		t.Errorf("%d submissions stored, want %d", len(list), drafts)
	}
}

func (x *storeSuite) concurrentUpdates(t *testing.T) {
	ctx, t0, newStore, draft := x.ctx, x.t0, x.newStore, x.draft
	s := newStore(t)
	if err := s.CreateDraft(ctx, draft("d", "person:p", "skjenk", t0)); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			d, err := s.GetDraft(ctx, "d")
			if err != nil {
				t.Error(err)
				return
			}
			if d.Version != 1 {
				return // someone already won
			}
			if err := s.UpdateDraft(ctx, d); err == nil {
				wins.Add(1)
			} else if !errors.Is(err, forms.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d updates from version 1 won, want exactly 1", wins.Load())
	}
}
