package fiksio_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// TestThreeStrikes: a handler that always asks for a retry; the broker
// dead-letters the message and the sender gets serverfeil.v1.
func TestThreeStrikes(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	var deliveries atomic.Int32
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		deliveries.Add(1)
		return fiksio.Retry()
	})
	receipts := make(chan *fiksio.Received, 1)
	receive(t, alice, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		receipts <- m
		return fiksio.Processed()
	})
	sent, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.melding", KlientKorrelasjonsID: "kk-3"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-receipts:
		if r.Type != fiksio.TypeServerfeil || r.SvarPaMelding != sent.MeldingID || r.KlientKorrelasjonsID() != "kk-3" {
			t.Errorf("receipt = %+v", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no serverfeil after %d deliveries", deliveries.Load())
	}
	// KS: "after 3 failed deliveries" the message goes to the DLQ; not a
	// fourth (see fiksiotest.MaxDeliveries).
	if n := deliveries.Load(); n != fiksiotest.MaxDeliveries {
		t.Errorf("dead-lettered after %d deliveries, want %d", n, fiksiotest.MaxDeliveries)
	}
}

// TestTTL: a message that expires unread makes the sender receive
// tidsavbrudd with svar-til and svar-til-type.
func TestTTL(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil) // never consumes
	receipts := make(chan *fiksio.Received, 1)
	receive(t, alice, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		receipts <- m
		return fiksio.Processed()
	})
	sent, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.kort", TTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-receipts:
		if r.Type != fiksio.TypeTidsavbrudd || r.SvarPaMelding != sent.MeldingID || r.SvarTilType != "no.ks.fiks.test.kort" || r.HasPayload() {
			t.Errorf("receipt = %+v", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no tidsavbrudd")
	}
}

// TestReconnectFreshToken: RabbitMQ closes the client's connection; the
// client logs in again, with a token it has not used before.
func TestReconnectFreshToken(t *testing.T) {
	t.Parallel()
	testenv.Rabbitmqctl(t)
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	got := make(chan *fiksio.Received, 2)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		got <- m
		return fiksio.Processed()
	})
	waitFor(t, "the first login", 20*time.Second, func() bool { return e.fake.Connections() == 1 })
	ctx := context.Background()
	n, err := e.fake.CloseFromBroker(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CloseFromBroker = %d, %v", n, err)
	}
	waitFor(t, "the second login", 30*time.Second, func() bool { return len(e.fake.Logins()) >= 2 && e.fake.Connections() == 1 })
	logins := e.fake.Logins()
	for _, l := range logins {
		if !l.OK {
			t.Errorf("refused login: %s", l.Reason)
		}
	}
	if logins[0].TokenHash == logins[1].TokenHash {
		t.Error("the reconnect reused the first login's token")
	}
	if _, err := alice.Send(ctx, fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.etter"}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Type != "no.ks.fiks.test.etter" {
			t.Errorf("got %s", m.Type)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing received after the reconnect")
	}
}
