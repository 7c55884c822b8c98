package eventstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// Connect connects to the test NATS server (GRUNNMUR_TEST_NATS_URL, or
// url if given, e.g. a proxy's) and closes the connection when t ends. It
// reconnects for ever, every 100 ms.
func Connect(t testing.TB, url ...string) *nats.Conn {
	t.Helper()
	u := testenv.NATSURL(t)
	if len(url) > 0 {
		u = url[0]
	}
	nc, err := nats.Connect(u, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond),
		nats.IgnoreDiscoveredServers(), nats.Timeout(2*time.Second))
	if err != nil {
		t.Fatalf("eventstest: connect to NATS: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// Stream creates a stream of the test's own on nc, with a fresh name and
// prefix so that tests sharing the server never meet, and deletes it when t
// ends. dup is its duplicate window (0: JetStream's 2 min; the server's
// least is 100 ms).
func Stream(t testing.TB, nc *nats.Conn, dup time.Duration) events.StreamConfig {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c := events.StreamConfig{Name: "EVTEST_" + strings.ToUpper(id), Prefix: "evtest" + id, Duplicates: dup}
	ctx := context.Background()
	if _, err := events.EnsureStream(ctx, nc, c); err != nil {
		t.Fatalf("eventstest: %v", err)
	}
	t.Cleanup(func() {
		if js, err := jetstream.New(nc); err == nil && !nc.IsClosed() {
			_ = js.DeleteStream(context.Background(), c.Name)
		}
	})
	return c
}

// Collector records the events a handler was given, copies included.
type Collector struct {
	mu   sync.Mutex
	got  []events.Event
	ids  map[string]bool
	wake chan struct{}
}

// Handle records e; it is a Handler.
func (c *Collector) Handle(_ context.Context, e events.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]bool{}
	}
	c.got = append(c.got, e)
	c.ids[e.ID] = true
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
	return nil
}

// Unique returns the events recorded, each the first time it came.
func (c *Collector) Unique() []events.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var out []events.Event
	for _, e := range c.got {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

// All returns every event recorded, copies included.
func (c *Collector) All() []events.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]events.Event(nil), c.got...)
}

// WaitFor waits until n different events came, or fails t after timeout.
func (c *Collector) WaitFor(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		have := len(c.ids)
		wake := make(chan struct{})
		c.wake = wake
		c.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("eventstest: %d of %d events came within %v", have, n, timeout)
		}
	}
}

// Consume runs an events.Consumer on stream that hands every event to c,
// until t ends.
func (c *Collector) Consume(t testing.TB, nc *nats.Conn, stream events.StreamConfig) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	cons := &events.Consumer{Conn: nc, Stream: stream.Name, Name: "collector", Handler: c.Handle, Batch: 256}
	go func() {
		defer close(done)
		_ = cons.Consume(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}
