package fiksio_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
)

// TestNothingLost sends 1,000 messages while the consumer is killed (its
// broker connection cut mid-stream) and restarted twice. A handler that
// dedups on klientMeldingId, as KS advises, must see every message, and
// none twice.
func TestNothingLost(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 messages; skipped with -short")
	}
	t.Parallel()
	const total = 1000
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Prefetch = 50; c.Workers = 4 })

	var (
		mu         sync.Mutex
		handled    = map[string]int{} // klientMeldingId -> times the deduping handler did the work
		deliveries atomic.Int64
		killAt     atomic.Int64 // kill the connection from inside the handler of this message
		killed     = make(chan struct{}, 1)
	)
	h := func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		deliveries.Add(1)
		mu.Lock()
		if handled[m.KlientMeldingID()] == 0 { // dedup: work only on a new id
			handled[m.KlientMeldingID()]++
		}
		n := len(handled)
		mu.Unlock()
		// The work is stored; now the process dies before its ack, with
		// this message in hand and more sent ahead (prefetch).
		if killAt.CompareAndSwap(int64(n), 0) {
			e.fake.DropConnections()
			killed <- struct{}{}
		}
		return fiksio.Processed()
	}
	seen := func() int { mu.Lock(); defer mu.Unlock(); return len(handled) }

	// Sending runs throughout, from eight goroutines.
	ctx := context.Background()
	var next atomic.Int64
	var sendErr atomic.Value
	var senders sync.WaitGroup
	for range 8 {
		senders.Go(func() {
			for i := next.Add(1); i <= total; i = next.Add(1) {
				if _, err := alice.Send(ctx, fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.mange", KlientMeldingID: fmt.Sprint("m-", i)}); err != nil {
					sendErr.Store(err)
					return
				}
			}
		})
	}

	for round, until := range []int{200, 600} {
		rctx, cancel := context.WithCancel(ctx)
		killAt.Store(int64(until))
		done := make(chan error, 1)
		go func() { done <- bob.Receive(rctx, h) }()
		select {
		case <-killed:
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d never reached message %d", round+1, until)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("round %d: %v", round+1, err)
		}
	}
	receive(t, bob, h)
	senders.Wait()
	if err, _ := sendErr.Load().(error); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every message", 60*time.Second, func() bool { return seen() == total })
	mu.Lock()
	defer mu.Unlock()
	for id, n := range handled {
		if n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
	if deliveries.Load() <= total {
		t.Errorf("%d deliveries: the kills hit no message in hand", deliveries.Load())
	}
	t.Logf("%d messages, %d deliveries (%d redelivered after the kills)", total, deliveries.Load(), deliveries.Load()-total)
}
