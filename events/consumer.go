package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
)

// Headers a dead-lettered message carries besides the original's.
const (
	HeaderDeadReason     = "Grunnmur-Dead-Reason"
	HeaderDeadSubject    = "Grunnmur-Dead-Subject"
	HeaderDeadConsumer   = "Grunnmur-Dead-Consumer"
	HeaderDeadDeliveries = "Grunnmur-Dead-Deliveries"
)

// Consumer is a durable pull consumer on a JetStream stream of events:
// at-least-once, each message acknowledged explicitly (and the ack
// confirmed by the server) once Handler returned nil. A failed delivery
// comes again after a backoff, up to MaxDeliver deliveries; after the last
// the message is published to DeadLetter (with the reason and the original
// subject in headers) and terminated. A message that is not an event goes
// there at once. Messages are handled one at a time, in stream order, so
// each subject's events arrive in order unless a delivery fails and is
// redelivered after later ones.
type Consumer struct {
	// Conn is the NATS connection; required.
	Conn *nats.Conn
	// Stream and Name (the durable consumer's name) are required.
	Stream, Name string
	// Subject filters the stream, e.g. "grunnmur.sak.>"; "" is all of it.
	Subject string
	// Handler handles each event; required. Wrap it in Idempotent.
	Handler Handler
	// MaxDeliver bounds the deliveries of one message; 0 means 5.
	MaxDeliver int
	// AckWait is how long a delivery may take before it is redelivered;
	// 0 means 30 s.
	AckWait time.Duration
	// DeadLetter is the subject a message goes to after its last failed
	// delivery. It must be captured by a stream, and not by the events
	// stream (e.g. "grunnmur_dead.<name>", with its own StreamConfig).
	// "" means the message is only logged and terminated.
	DeadLetter string
	// Batch is the most messages fetched at once; 0 means 64.
	Batch int
	// InactiveThreshold, when positive, has the server delete the durable
	// consumer after no one fetched from it for that long: for a consumer
	// of one process (a name of its own) that may die without deleting
	// it. 0 keeps it until deleted.
	InactiveThreshold time.Duration
	// Logger gets dead letters and failed fetches; nil means none.
	Logger *slog.Logger
}

func (c *Consumer) maxDeliver() int {
	if c.MaxDeliver > 0 {
		return c.MaxDeliver
	}
	return 5
}

// Consume creates or updates the durable consumer and handles its messages
// until ctx ends; then it returns nil. A lost connection is waited out with
// backoff.
func (c *Consumer) Consume(ctx context.Context) error {
	if c.Conn == nil || c.Stream == "" || c.Name == "" || c.Handler == nil {
		return fmt.Errorf("%w: a consumer needs a Conn, a Stream, a Name and a Handler", ErrConfig)
	}
	js, err := jetstream.New(c.Conn)
	if err != nil {
		return fmt.Errorf("events: consumer %s: %w", c.Name, err)
	}
	batch := c.Batch
	if batch <= 0 {
		batch = 64
	}
	var cons jetstream.Consumer
	for failures := 0; ctx.Err() == nil; {
		if cons == nil {
			cons, err = c.create(ctx, js)
		}
		if err == nil {
			err = c.fetch(ctx, js, cons, batch)
		}
		if err == nil || ctx.Err() != nil {
			failures = 0
			continue
		}
		if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
			cons = nil
		}
		failures++
		wait := httpx.Backoff(failures, 100*time.Millisecond, 5*time.Second)
		defaults.Logger(c.Logger).WarnContext(ctx, "events: consumer: fetch failed", "consumer", c.Name, "error", err, "retry in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil
}

// Create creates or updates the durable consumer on the server without
// consuming: from then on the stream keeps its messages for it (Consume
// does it too). A process that must know the consumer exists before its
// Consume runs, to wait for it to catch up, calls it first.
func (c *Consumer) Create(ctx context.Context) error {
	if c.Conn == nil || c.Stream == "" || c.Name == "" {
		return fmt.Errorf("%w: a consumer needs a Conn, a Stream and a Name", ErrConfig)
	}
	js, err := jetstream.New(c.Conn)
	if err == nil {
		_, err = c.create(ctx, js)
	}
	if err != nil {
		return fmt.Errorf("events: consumer %s: %w", c.Name, err)
	}
	return nil
}

func (c *Consumer) create(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	ackWait := c.AckWait
	if ackWait <= 0 {
		ackWait = 30 * time.Second
	}
	// The server redelivers without a bound: the bound is counted here, so
	// that the last delivery is the one that dead-letters the message, and a
	// dead letter that could not be published is tried again.
	return js.CreateOrUpdateConsumer(ctx, c.Stream, jetstream.ConsumerConfig{
		Durable: c.Name, FilterSubject: c.Subject, AckPolicy: jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy, AckWait: ackWait, MaxDeliver: -1, InactiveThreshold: max(c.InactiveThreshold, 0),
	})
}

// fetch handles one batch.
func (c *Consumer) fetch(ctx context.Context, js jetstream.JetStream, cons jetstream.Consumer, batch int) error {
	wait, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	msgs, err := cons.Fetch(batch, jetstream.FetchContext(wait))
	if err != nil {
		return err
	}
	for m := range msgs.Messages() {
		c.handle(ctx, js, m)
	}
	if err := msgs.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return err
	}
	return nil
}

// handle handles one message and settles it.
func (c *Consumer) handle(ctx context.Context, js jetstream.JetStream, m jetstream.Msg) {
	md, err := m.Metadata()
	delivered := uint64(1)
	if err == nil {
		delivered = md.NumDelivered
	}
	e, err := Parse(m.Data())
	if err == nil {
		if err = c.Handler(ctx, e); err == nil {
			if err := m.DoubleAck(ctx); err != nil && ctx.Err() == nil {
				defaults.Logger(c.Logger).WarnContext(ctx, "events: consumer: ack failed; the event will come again", "consumer", c.Name, "id", e.ID, "error", err)
			}
			return
		}
		if ctx.Err() != nil {
			_ = m.Nak()
			return
		}
		if delivered < uint64(c.maxDeliver()) {
			_ = m.NakWithDelay(httpx.Backoff(int(delivered), 200*time.Millisecond, 30*time.Second))
			return
		}
	}
	c.dead(ctx, js, m, e, delivered, err)
}

// dead publishes m to the dead-letter subject and terminates it; if the
// publish fails, m comes again to be dead-lettered then.
func (c *Consumer) dead(ctx context.Context, js jetstream.JetStream, m jetstream.Msg, e Event, delivered uint64, reason error) {
	log := defaults.Logger(c.Logger)
	if c.DeadLetter != "" {
		msg := nats.NewMsg(c.DeadLetter)
		for k, v := range m.Headers() {
			msg.Header[k] = v
		}
		msg.Header.Set(HeaderDeadReason, reason.Error())
		msg.Header.Set(HeaderDeadSubject, m.Subject())
		msg.Header.Set(HeaderDeadConsumer, c.Name)
		msg.Header.Set(HeaderDeadDeliveries, strconv.FormatUint(delivered, 10))
		msg.Data = m.Data()
		opts := []jetstream.PublishOpt{}
		if e.ID != "" {
			opts = append(opts, jetstream.WithMsgID(e.ID+"."+c.Name))
		}
		if _, err := js.PublishMsg(ctx, msg, opts...); err != nil {
			log.WarnContext(ctx, "events: consumer: dead letter failed; the message will come again", "consumer", c.Name, "error", err)
			_ = m.NakWithDelay(5 * time.Second)
			return
		}
	}
	log.ErrorContext(ctx, "events: consumer: dead-lettered", "consumer", c.Name, "id", e.ID, "type", e.Type,
		"deliveries", delivered, "dead letter", c.DeadLetter, "error", reason)
	_ = m.Term()
}
