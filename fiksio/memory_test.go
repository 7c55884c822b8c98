package fiksio_test

import (
	"context"
	"crypto/rand"
	"io"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/testheap"
)

// TestStreams200MB seals a 200 MB file (ASiC-E, signed, encrypted), sends
// it, receives it through Dokumentlager, decrypts and verifies it, client
// and fake in this process, sampling HeapInuse: every step must stream, so
// the peak growth stays under 32 MiB.
func TestStreams200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 200 MB; skipped with -short")
	}
	size := int64(200 << 20)
	if raceEnabled {
		size = 24 << 20 // still through Dokumentlager
	}
	e := setup(t, nil)
	alice, bob, _ := sealing(t, e)
	seed := make([]byte, 64<<10)
	_, _ = rand.Read(seed)
	got := make(chan int64, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		c, err := m.Open(ctx)
		if err != nil {
			t.Errorf("Open: %v", err)
			got <- -1
			return fiksio.Processed()
		}
		defer c.Close()
		r, err := c.Open("stor.bin")
		if err != nil {
			t.Errorf("Open(stor.bin): %v", err)
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
	if _, err := alice.SendFiles(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.stor"},
		asice.File{Name: "stor.bin", Content: io.LimitReader(repeat(seed), size)}); err != nil {
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
	t.Logf("%d MB sealed, sent, received and opened: peak HeapInuse growth %.1f MiB, %.0f MB/s", size>>20, float64(growth)/(1<<20), float64(size)/1e6/elapsed.Seconds())
	// Under the race detector, allocation and collection run differently
	// (and the payload is smaller): the heap bound is checked without it.
	if growth >= 32<<20 && !raceEnabled {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
}
