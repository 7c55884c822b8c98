package events_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
)

// TestConsumerDeadLetter: a handler that always fails on one event gets it
// MaxDeliver times; then the event goes to the dead-letter subject with
// its reason, and the other events are handled once each, in order.
func TestConsumerDeadLetter(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	dead := eventstest.Stream(t, nc, 0) // its own prefix: a stream of the dead letters
	m := &events.Memory{}
	var want []events.Event
	for i := range 20 {
		e := eventstest.Event(t, fmt.Sprintf("t%d", i%3), i)
		want = append(want, e)
		m.Append(e)
	}
	poison := want[7]
	var mu sync.Mutex
	tries := 0
	c := &eventstest.Collector{}
	handler := func(ctx context.Context, e events.Event) error {
		if e.ID == poison.ID {
			mu.Lock()
			tries++
			mu.Unlock()
			return errors.New("the handler cannot take this one")
		}
		return c.Handle(ctx, e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	cons := &events.Consumer{Conn: nc, Stream: stream.Name, Name: "deadletter", Handler: handler, MaxDeliver: 3,
		DeadLetter: dead.Prefix + ".poison", AckWait: 5 * time.Second}
	go func() { defer close(done); _ = cons.Consume(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	runRelay(t, &events.Relay{Outbox: m, Publisher: &events.JetStream{Conn: nc, Prefix: stream.Prefix}}, 20*time.Millisecond)

	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), dead.Name)
	if err != nil {
		t.Fatal(err)
	}
	var msg *jetstream.RawStreamMsg
	for deadline := time.Now().Add(time.Minute); msg == nil; time.Sleep(50 * time.Millisecond) {
		if msg, err = s.GetMsg(context.Background(), 1); err != nil && time.Now().After(deadline) {
			t.Fatalf("no dead letter within a minute: %v", err)
		}
	}
	e, err := events.Parse(msg.Data)
	if err != nil || e.ID != poison.ID {
		t.Errorf("the dead letter is %v, %v; want event %s", e.ID, err, poison.ID)
	}
	if msg.Header.Get(events.HeaderDeadReason) != "the handler cannot take this one" || msg.Header.Get(events.HeaderDeadDeliveries) != "3" ||
		msg.Header.Get(events.HeaderDeadConsumer) != "deadletter" || msg.Header.Get(events.HeaderDeadSubject) != (&events.JetStream{Prefix: stream.Prefix}).Subject(poison) {
		t.Errorf("dead-letter headers %v", msg.Header)
	}
	var rest []events.Event
	for _, e := range want {
		if e.ID != poison.ID {
			rest = append(rest, e)
		}
	}
	c.WaitFor(t, len(rest), time.Minute)
	eventstest.CheckOnceInOrder(t, rest, c.All())
	mu.Lock()
	defer mu.Unlock()
	if tries != 3 {
		t.Errorf("the poison event was tried %d times, want MaxDeliver = 3", tries)
	}
}

// TestLocal: without NATS, the relay hands events to in-process handlers,
// in order per subject; a handler's failure offers the event again, and
// after MaxAttempts it is dropped.
func TestLocal(t *testing.T) {
	m := &events.Memory{}
	var want []events.Event
	for i := range 50 {
		e := eventstest.Event(t, fmt.Sprintf("t%d", i%4), i)
		want = append(want, e)
		m.Append(e)
	}
	c := &eventstest.Collector{}
	failOnce := map[string]bool{want[3].ID: true, want[10].ID: true}
	offers := map[string]int{}
	flaky := func(ctx context.Context, e events.Event) error {
		offers[e.ID]++
		if e.ID == want[20].ID {
			return errors.New("never")
		}
		if failOnce[e.ID] {
			delete(failOnce, e.ID)
			return errors.New("once")
		}
		return nil
	}
	l := &events.Local{Handlers: []events.Handler{events.Idempotent(&events.MemoryLedger{}, "collector", c.Handle), flaky}, MaxAttempts: 3}
	r := &events.Relay{Outbox: m, Publisher: l, Batch: 8}
	for range 10 {
		_ = r.RunOnce(context.Background())
	}
	if lag, _ := m.Lag(context.Background()); lag.Pending != 0 {
		t.Fatalf("Lag = %+v", lag)
	}
	eventstest.CheckOnceInOrder(t, want, c.All())
	if offers[want[3].ID] != 2 || offers[want[20].ID] != 3 || offers[want[0].ID] != 1 {
		t.Errorf("offers: failed once %d, never %d, fine %d; want 2, 3, 1", offers[want[3].ID], offers[want[20].ID], offers[want[0].ID])
	}
}

// TestConsumerCreate: Create makes the durable consumer before any Consume,
// with the InactiveThreshold given (so a process can wait on it), and the
// Consume that starts later takes it over and gets the events. Create
// refuses a consumer without a name.
func TestConsumerCreate(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	c := &eventstest.Collector{}
	cons := &events.Consumer{Conn: nc, Stream: stream.Name, Name: "created", Handler: c.Handle, InactiveThreshold: time.Minute}
	ctx := context.Background()
	if err := cons.Create(ctx); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	info, err := js.Consumer(ctx, stream.Name, "created")
	if err != nil {
		t.Fatalf("no consumer after Create: %v", err)
	}
	if got := info.CachedInfo().Config; got.InactiveThreshold != time.Minute || got.AckPolicy != jetstream.AckExplicitPolicy {
		t.Fatalf("consumer config %+v", got)
	}
	m := &events.Memory{}
	for i := range 5 {
		m.Append(eventstest.Event(t, "s", i))
	}
	runRelay(t, &events.Relay{Outbox: m, Publisher: &events.JetStream{Conn: nc, Prefix: stream.Prefix}}, 20*time.Millisecond)
	run, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = cons.Consume(run) }()
	t.Cleanup(func() { cancel(); <-done })
	c.WaitFor(t, 5, 10*time.Second)
	if err := (&events.Consumer{Conn: nc, Stream: stream.Name}).Create(ctx); !errors.Is(err, events.ErrConfig) {
		t.Fatalf("Create without a name: %v", err)
	}
}
