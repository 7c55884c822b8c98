package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/internal/benchpair"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

// benchBatch is the relay's batch; benchWorkers claims are relayed at once,
// so each side moves benchBatch × benchWorkers events per call.
const (
	benchBatch   = 256
	benchWorkers = 2
	benchPerCall = benchBatch * benchWorkers
)

// limitedClaims lets a relay's RunOnce make as many claims as left says, so
// that a call relays as many batches.
type limitedClaims struct {
	events.Outbox
	left atomic.Int32
}

type emptyClaim struct{}

func (emptyClaim) Events() []events.Event                 { return nil }
func (emptyClaim) Finish(context.Context, []string) error { return nil }

func (o *limitedClaims) Claim(ctx context.Context, max int) (events.Claim, error) {
	if o.left.Add(-1) < 0 {
		return emptyClaim{}, nil
	}
	return o.Outbox.Claim(ctx, max)
}

// fillOutbox appends n events of distinct subjects (the common case: many
// cases, payments, bookings changing), a batch per transaction.
func fillOutbox(b *testing.B, db *postgres.DB, n int, next *int) {
	ctx := context.Background()
	for done := 0; done < n; done += benchBatch {
		evs := make([]events.Event, benchBatch)
		for i := range evs {
			*next++
			evs[i] = eventstest.Event(b, fmt.Sprintf("case-%d", *next%100000), *next)
		}
		if err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return postgres.AppendEvents(ctx, tx, evs) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelay: events from the PostgreSQL outbox to JetStream, acked and
// marked, by a relay of two workers with batches of 256, against the
// baseline of a bare nats.go JetStream loop publishing as many messages of
// the same size asynchronously and waiting for every ack. Compare the two
// with ours/base (events/s = 512 / ns per call).
func BenchmarkRelay(b *testing.B) { benchRelay(b, 1) }

// BenchmarkRelayBacklog: as BenchmarkRelay, with four claims per worker and
// call, as when the relay drains a backlog: a claim's mark then overlaps
// the next claim. The baseline publishes as many messages (2048), with the
// same window of 512 acks pending.
func BenchmarkRelayBacklog(b *testing.B) { benchRelay(b, 4) }

// benchRelay relays claims claims per worker and call against a baseline
// publishing as many events.
func benchRelay(b *testing.B, claims int) {
	perCall := benchPerCall * claims
	nc := eventstest.Connect(b)
	stream := eventstest.Stream(b, nc, 0)
	db := postgrestest.Open(b)
	next := 0
	fillOutbox(b, db, 128*benchBatch*claims, &next) // untimed: enough for a run of several seconds
	out := &limitedClaims{Outbox: postgres.NewEventOutbox(db)}
	relay := &events.Relay{Outbox: out, Publisher: &events.JetStream{Conn: nc, Prefix: stream.Prefix, Window: benchPerCall},
		Batch: benchBatch, Workers: benchWorkers}
	ctx := context.Background()

	// The baseline publishes bodies like ours, each on a subject of its own
	// as ours are, with fresh message ids (so JetStream stores each) and the
	// same headers, so that both sides send messages of the same size.
	bodies := make([][]byte, perCall)
	for i := range bodies {
		body, err := json.Marshal(eventstest.Event(b, fmt.Sprintf("case-%d", i), i))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	baseSubject := func(n uint64) string { return fmt.Sprintf("%s.eventstest.thing.base-%d", stream.Prefix, n%100000) }
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(benchPerCall))
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Uint64
	benchpair.Run(b, func() {
		if uint64(next)-relay.Stats().Relayed < uint64(perCall) {
			fillOutbox(b, db, 16*benchBatch*claims, &next) // rare: only a long -benchtime runs dry
		}
		out.left.Store(int32(benchWorkers * claims))
		if err := relay.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}, func() {
		for _, body := range bodies {
			n := seq.Add(1)
			m := &nats.Msg{Subject: baseSubject(n), Data: body, Header: nats.Header{"Content-Type": {events.CloudEventsJSON}}}
			if _, err := js.PublishMsgAsync(m, jetstream.WithMsgID(fmt.Sprint("base-", n))); err != nil {
				b.Fatal(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(time.Minute):
			b.Fatal("the baseline's acks did not come")
		}
	})
	if s := relay.Stats(); s.Failed > 0 {
		b.Errorf("%d publishes failed: %+v", s.Failed, s)
	}
}
