package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/auth"
)

// passStore counts the cleaner's passes.
type passStore struct {
	*auth.MemoryStore
	mu     sync.Mutex
	passes int
}

func (p *passStore) DeleteExpired(ctx context.Context, idle, created time.Time) (int, error) {
	p.mu.Lock()
	p.passes++
	p.mu.Unlock()
	return p.MemoryStore.DeleteExpired(ctx, idle, created)
}

func (p *passStore) count() int { p.mu.Lock(); defer p.mu.Unlock(); return p.passes }

func TestCleanerRun(t *testing.T) {
	t.Run("non-positive-interval", func(t *testing.T) {
		m := &auth.Manager{}
		for _, every := range []time.Duration{0, -time.Second} {
			if err := m.Cleaner().Run(context.Background(), every); !errors.Is(err, auth.ErrInterval) {
				t.Fatalf("Run(%v) = %v, want ErrInterval", every, err)
			}
		}
	})
	t.Run("passes-until-cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			store := &passStore{MemoryStore: auth.NewMemoryStore()}
			now := time.Now()
			old := &auth.Session{ID: "old", Created: now.Add(-3 * time.Hour), LastSeen: now.Add(-3 * time.Hour)}
			fresh := &auth.Session{ID: "fresh", Created: now, LastSeen: now}
			for _, s := range []*auth.Session{old, fresh} {
				if err := store.Create(context.Background(), s); err != nil {
					t.Fatal(err)
				}
			}
			m := &auth.Manager{Store: store}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- m.Cleaner().Run(ctx, time.Minute) }()
			synctest.Wait()
			if store.count() != 1 {
				t.Fatalf("%d passes at start, want 1", store.count())
			}
			if _, err := store.Get(ctx, "old"); !errors.Is(err, auth.ErrNotFound) {
				t.Fatalf("the expired session is still there: %v", err)
			}
			if _, err := store.Get(ctx, "fresh"); err != nil {
				t.Fatalf("the fresh session is gone: %v", err)
			}
			time.Sleep(3*time.Minute + time.Second)
			synctest.Wait()
			if store.count() != 4 {
				t.Fatalf("%d passes after 3 minutes, want 4", store.count())
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run after cancel = %v, want nil", err)
			}
		})
	})
}
