package fiksio_test

import (
	"context"
	"crypto/rand"
	"io"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/internal/testheap"
)

// TestStreams200MB sends a 200 MB payload and receives it through
// Dokumentlager, client and fake in this process, sampling HeapInuse: both
// ends must stream, so the peak growth stays under 32 MiB.
func TestStreams200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 200 MB; skipped with -short")
	}
	const size = 200 << 20
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	seed := make([]byte, 64<<10)
	_, _ = rand.Read(seed)
	got := make(chan int64, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		r, err := m.Payload(ctx)
		if err != nil {
			t.Errorf("Payload: %v", err)
			got <- -1
			return fiksio.Processed()
		}
		defer r.Close()
		n, _ := io.Copy(io.Discard, r)
		got <- n
		return fiksio.Processed()
	})

	stop := testheap.Sample()
	start := time.Now()
	if _, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.stor", Payload: io.LimitReader(repeat(seed), size)}); err != nil {
		t.Fatal(err)
	}
	var n int64
	select {
	case n = <-got:
	case <-time.After(5 * time.Minute):
		t.Fatal("nothing received")
	}
	elapsed := time.Since(start)
	growth := stop()
	if n != size {
		t.Fatalf("received %d bytes, want %d", n, size)
	}
	t.Logf("200 MB sent and received: peak HeapInuse growth %.1f MiB, %.0f MB/s", float64(growth)/(1<<20), float64(size)/1e6/elapsed.Seconds())
	if growth >= 32<<20 {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
}
