package fiksarkivtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksarkiv"
)

// TestStore is the conformance suite of fiksarkiv.Store: run it on every
// implementation (the memory store, postgres.FiksArkivStore). newStore
// returns an empty store of its own for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) fiksarkiv.Store) {
	t.Run("CreateGet", func(t *testing.T) { testCreateGet(t, newStore(t)) })
	t.Run("ByMeldingID", func(t *testing.T) { testByMeldingID(t, newStore(t)) })
	t.Run("UpdateVersion", func(t *testing.T) { testUpdateVersion(t, newStore(t)) })
	t.Run("Unfinished", func(t *testing.T) { testUnfinished(t, newStore(t)) })
	t.Run("RaceOneWinner", func(t *testing.T) { testRace(t, newStore(t)) })
}

var base = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

func exchange(id string, at time.Time) *fiksarkiv.Exchange {
	return &fiksarkiv.Exchange{KlientMeldingID: id, Type: fiksarkiv.TypeArkivmeldingOpprett, State: fiksarkiv.StateNew,
		Attempts: 1, Objekt: "journalpost", Key: &fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: id + "-nøkkel 🐟"},
		Created: at, Updated: at}
}

func testCreateGet(t *testing.T, s fiksarkiv.Store) {
	ctx := context.Background()
	e := exchange("sak-1", base)
	if err := s.Create(ctx, e); err != nil || e.Version != 1 {
		t.Fatalf("Create: %v, version %d", err, e.Version)
	}
	if err := s.Create(ctx, exchange("sak-1", base)); !errors.Is(err, fiksarkiv.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	got, err := s.Get(ctx, "sak-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != fiksarkiv.StateNew || got.Attempts != 1 || *got.Key != *e.Key || !got.Created.Equal(base) || got.Version != 1 {
		t.Errorf("Get = %+v", got)
	}
	got.Key.Noekkel = "changed"
	if again, _ := s.Get(ctx, "sak-1"); again.Key.Noekkel == "changed" {
		t.Error("Get returns the stored value itself")
	}
	if _, err := s.Get(ctx, "nothing"); !errors.Is(err, fiksarkiv.ErrNotFound) {
		t.Errorf("Get of nothing: %v", err)
	}
	if err := s.Create(ctx, exchange("", base)); err == nil {
		t.Error("an exchange without klientMeldingId was created")
	}
}

func testByMeldingID(t *testing.T, s fiksarkiv.Store) {
	ctx := context.Background()
	e := exchange("sak-2", base)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	m1, m2 := uuid.New(), uuid.New()
	e.MeldingIDs, e.State, e.ReplyType, e.ReplyPayload = []uuid.UUID{m1}, fiksarkiv.StateSent, fiksarkiv.TypeArkivmeldingOpprettKvittering, []byte("<x/>")
	if err := s.Update(ctx, e); err != nil {
		t.Fatal(err)
	}
	e.MeldingIDs = append(e.MeldingIDs, m2)
	if err := s.Update(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, m := range []uuid.UUID{m1, m2} {
		got, err := s.ByMeldingID(ctx, m)
		if err != nil || got.KlientMeldingID != "sak-2" || len(got.MeldingIDs) != 2 || got.MeldingIDs[0] != m1 ||
			string(got.ReplyPayload) != "<x/>" || got.State != fiksarkiv.StateSent {
			t.Fatalf("ByMeldingID(%s) = %+v, %v", m, got, err)
		}
	}
	if _, err := s.ByMeldingID(ctx, uuid.New()); !errors.Is(err, fiksarkiv.ErrNotFound) {
		t.Errorf("unknown melding id: %v", err)
	}
	other := exchange("sak-3", base)
	if err := s.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.MeldingIDs = []uuid.UUID{m1}
	if err := s.Update(ctx, other); !errors.Is(err, fiksarkiv.ErrConflict) {
		t.Errorf("a melding id of another exchange: %v, want ErrConflict", err)
	}
}

func testUpdateVersion(t *testing.T, s fiksarkiv.Store) {
	ctx := context.Background()
	e := exchange("sak-4", base)
	if err := s.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	stale := *e
	e.State = fiksarkiv.StateMottatt
	if err := s.Update(ctx, e); err != nil || e.Version != 2 {
		t.Fatalf("Update: %v, version %d", err, e.Version)
	}
	stale.State = fiksarkiv.StateFailed
	if err := s.Update(ctx, &stale); !errors.Is(err, fiksarkiv.ErrConflict) {
		t.Errorf("stale Update: %v, want ErrConflict", err)
	}
	if got, _ := s.Get(ctx, "sak-4"); got.State != fiksarkiv.StateMottatt {
		t.Errorf("state %s after a refused update", got.State)
	}
	if err := s.Update(ctx, exchange("none", base)); !errors.Is(err, fiksarkiv.ErrNotFound) {
		t.Errorf("Update of nothing: %v", err)
	}
}

func testUnfinished(t *testing.T, s fiksarkiv.Store) {
	ctx := context.Background()
	states := []fiksarkiv.State{fiksarkiv.StateNew, fiksarkiv.StateSent, fiksarkiv.StateMottatt, fiksarkiv.StateDone,
		fiksarkiv.StateFailed, fiksarkiv.StateRetry}
	for i, st := range states {
		e := exchange(fmt.Sprintf("u-%d", i), base.Add(time.Duration(len(states)-i)*time.Minute))
		if err := s.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.State = st
		if err := s.Update(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Unfinished(ctx, base.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.KlientMeldingID)
	}
	if fmt.Sprint(ids) != "[u-5 u-2 u-1 u-0]" {
		t.Errorf("Unfinished = %v, want the four unfinished oldest first", ids)
	}
	if got, _ := s.Unfinished(ctx, base.Add(3*time.Minute), 0); len(got) != 1 || got[0].KlientMeldingID != "u-5" {
		t.Errorf("Unfinished before +3m = %v", got)
	}
	if got, _ := s.Unfinished(ctx, base.Add(time.Hour), 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d", len(got))
	}
}

// testRace: many goroutines update the same version; exactly one wins, and
// many create the same id; exactly one succeeds.
func testRace(t *testing.T, s fiksarkiv.Store) {
	ctx := context.Background()
	const n = 16
	var created, updated atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Create(ctx, exchange("race", base)); err == nil {
				created.Add(1)
			} else if !errors.Is(err, fiksarkiv.ErrExists) {
				t.Errorf("Create: %v", err)
			}
		}()
	}
	wg.Wait()
	e, err := s.Get(ctx, "race")
	if err != nil || created.Load() != 1 {
		t.Fatalf("%d creates won; %v", created.Load(), err)
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.Clone()
			c.Attempts, c.MeldingIDs = 2+i, []uuid.UUID{uuid.New()}
			if err := s.Update(ctx, c); err == nil {
				updated.Add(1)
			} else if !errors.Is(err, fiksarkiv.ErrConflict) {
				t.Errorf("Update: %v", err)
			}
		}()
	}
	wg.Wait()
	if got, _ := s.Get(ctx, "race"); updated.Load() != 1 || got.Version != 2 || len(got.MeldingIDs) != 1 {
		t.Errorf("%d updates won; stored %+v", updated.Load(), got)
	}
}
