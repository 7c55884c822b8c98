package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// things is the state the event tests change: one row per thing, its state
// counting up, written in the same transaction as the event.
const thingsTable = `CREATE TABLE evtest_things (id text PRIMARY KEY, state integer NOT NULL)`

var errRollBack = errors.New("the change fails after its state write")

// change bumps thing's state and appends its event in one transaction; with
// fail set, the transaction fails after both writes and rolls back.
func change(ctx context.Context, db *postgres.DB, thing string, fail bool) (events.Event, error) {
	var e events.Event
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var state int
		if err := tx.QueryRow(ctx, `INSERT INTO evtest_things VALUES ($1, 1)
			ON CONFLICT (id) DO UPDATE SET state = evtest_things.state + 1 RETURNING state`, thing).Scan(&state); err != nil {
			return err
		}
		var err error
		at := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(state) * time.Second)
		if e, err = eventstest.Changed.New(thing, at, eventstest.ChangedData{ThingID: thing, State: state}); err != nil {
			return err
		}
		if err := postgres.AppendEvents(ctx, tx, []events.Event{e}); err != nil {
			return err
		}
		if fail {
			return errRollBack
		}
		return nil
	})
	return e, err
}

// instance is one service instance: its own pool and its own NATS
// connection for each relay it starts.
type instance struct {
	db *postgres.DB
}

func twoInstances(t *testing.T) [2]instance {
	u := postgrestest.URL(t)
	a := postgrestest.OpenURL(t, u, true)
	if _, err := a.Pool.Exec(context.Background(), thingsTable); err != nil {
		t.Fatal(err)
	}
	return [2]instance{{a}, {postgrestest.OpenURL(t, u, false)}}
}

// writeChanges makes n changes from each of writers goroutines per
// instance, on things of the writer's own (a row lock orders one thing's
// events anyway; separate things keep the writers from waiting).
func writeChanges(t *testing.T, insts [2]instance, writers, n, things int) {
	var wg sync.WaitGroup
	for i, inst := range insts {
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range n {
					thing := fmt.Sprintf("i%dw%d-%d", i, w, k%things)
					if _, err := change(context.Background(), inst.db, thing, false); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
}

// relayUntil runs a relay for inst, on a connection of its own, until stop
// closes; with kill set it kills the relay (cancels its context and closes
// its connection) at random points and starts a new one.
func relayUntil(t *testing.T, inst instance, stream events.StreamConfig, stop <-chan struct{}, kill bool) (kills int) {
	for {
		nc := eventstest.Connect(t)
		pub := &events.JetStream{Conn: nc, Prefix: stream.Prefix}
		r := &events.Relay{Outbox: postgres.NewEventOutbox(inst.db), Publisher: pub, Batch: 200}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(ctx, 10*time.Millisecond) }()
		var life <-chan time.Time
		if kill {
			life = time.After(time.Duration(20+rand.IntN(300)) * time.Millisecond)
		}
		select {
		case <-stop:
			cancel()
			<-done
			nc.Close()
			return kills
		case <-life:
			// The connection first, at times: publishes then fail while the
			// relay lives, and it must not mark them.
			kills++
			if kills%2 == 0 {
				nc.Close()
				time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			}
			cancel()
			nc.Close()
			<-done
		}
	}
}

func waitLag(t *testing.T, db *postgres.DB) {
	t.Helper()
	o := postgres.NewEventOutbox(db)
	for deadline := time.Now().Add(3 * time.Minute); ; {
		l, err := o.Lag(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if l.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still unrelayed", l.Pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNoLoss: 10,000 state changes across two service instances on
// PostgreSQL while each instance's relay is killed at random points (its
// context cancelled and its NATS connection closed) and started again.
// Every event reaches the consumer, exactly once after dedup by id, in order
// per subject.
func TestNoLoss(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	insts := twoInstances(t)
	writers, per := 4, 1250 // 2 instances × 4 writers × 1,250 = 10,000
	if testing.Short() {
		per = 125
	}
	c := &eventstest.Collector{}
	c.Consume(t, nc, stream)
	stop := make(chan struct{})
	var kills [2]int
	var rg sync.WaitGroup
	for i, inst := range insts {
		rg.Add(1)
		go func() { defer rg.Done(); kills[i] = relayUntil(t, inst, stream, stop, true) }()
	}
	writeChanges(t, insts, writers, per, 25)
	close(stop)
	rg.Wait()
	// A last relay without kills drains what the killed ones left.
	stop = make(chan struct{})
	go relayUntil(t, insts[0], stream, stop, false)
	defer close(stop)
	waitLag(t, insts[0].db)
	want, err := postgres.NewEventOutbox(insts[0].db).Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2*writers*per {
		t.Fatalf("the outbox holds %d events, want %d", len(want), 2*writers*per)
	}
	c.WaitFor(t, len(want), 3*time.Minute)
	eventstest.CheckOnceInOrder(t, want, c.Unique())
	t.Logf("%d events, %d relay kills, %d deliveries (copies the consumer dropped: %d)",
		len(want), kills[0]+kills[1], len(c.All()), len(c.All())-len(c.Unique()))
	if kills[0]+kills[1] == 0 {
		t.Error("no relay was killed")
	}
}

// TestNoGhosts: 1,000 changes fail after their state write, among 100 that
// commit, while a relay runs. No event of a failed change reaches NATS.
func TestNoGhosts(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	insts := twoInstances(t)
	c := &eventstest.Collector{}
	c.Consume(t, nc, stream)
	stop := make(chan struct{})
	go relayUntil(t, insts[0], stream, stop, false)
	defer close(stop)
	ghosts := map[string]bool{}
	var kept []events.Event
	for i := range 1100 {
		e, err := change(context.Background(), insts[i%2].db, fmt.Sprintf("g%d", i%13), i%11 != 0)
		switch {
		case i%11 == 0 && err == nil:
			kept = append(kept, e)
		case i%11 != 0 && errors.Is(err, errRollBack):
			ghosts[e.ID] = true
		default:
			t.Fatalf("change %d: %v", i, err)
		}
	}
	waitLag(t, insts[0].db)
	c.WaitFor(t, len(kept), time.Minute)
	if len(ghosts) != 1000 {
		t.Fatalf("%d changes rolled back, want 1000", len(ghosts))
	}
	for _, e := range c.All() {
		if ghosts[e.ID] {
			t.Errorf("event %s of a rolled-back change reached NATS", e.ID)
		}
	}
	eventstest.CheckOnceInOrder(t, kept, c.Unique())
	if n := streamMsgs(t, nc, stream); n != uint64(len(kept)) {
		t.Errorf("the stream holds %d messages, want %d", n, len(kept))
	}
}

func streamMsgs(t *testing.T, nc interface{}, stream events.StreamConfig) uint64 {
	t.Helper()
	conn := eventstest.Connect(t)
	js, err := jetstream.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), stream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// TestTwoRelays: two relays on two pools relay one outbox while writers
// append, with JetStream's deduplication as good as off (its window at the
// server's least, 100 ms, and every copy counted from the acks): no event
// is published twice.
func TestTwoRelays(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 100*time.Millisecond)
	insts := twoInstances(t)
	pubs := [2]*events.JetStream{}
	var rg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for i, inst := range insts {
		pubs[i] = &events.JetStream{Conn: eventstest.Connect(t), Prefix: stream.Prefix}
		r := &events.Relay{Outbox: postgres.NewEventOutbox(inst.db), Publisher: pubs[i], Batch: 50}
		rg.Add(1)
		go func() { defer rg.Done(); _ = r.Run(ctx, 5*time.Millisecond) }()
	}
	per := 250 // 2 instances × 4 writers × 250 = 2,000
	if testing.Short() {
		per = 50
	}
	writeChanges(t, insts, 4, per, 10)
	waitLag(t, insts[0].db)
	cancel()
	rg.Wait()
	want, err := postgres.NewEventOutbox(insts[0].db).Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, nc, stream); n != uint64(len(want)) {
		t.Errorf("the stream holds %d messages for %d events", n, len(want))
	}
	if d := pubs[0].Duplicates() + pubs[1].Duplicates(); d != 0 {
		t.Errorf("JetStream dropped %d copies: events were published twice", d)
	}
	c := &eventstest.Collector{}
	c.Consume(t, nc, stream)
	c.WaitFor(t, len(want), time.Minute)
	eventstest.CheckOnceInOrder(t, want, c.All())
}
