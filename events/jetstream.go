package events

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultPrefix is the first token of every subject a relay publishes on.
const DefaultPrefix = "grunnmur"

// CloudEventsJSON is the content type of a published event: CloudEvents in
// structured mode.
const CloudEventsJSON = "application/cloudevents+json"

// JetStream publishes events to NATS JetStream, each on the subject
// Subject(prefix, e) with the header Nats-Msg-Id set to the event id (so
// JetStream drops a copy within the stream's duplicate window) and the event
// in CloudEvents structured JSON as the body. It publishes asynchronously,
// with at most Window acks pending, and reports an event accepted only once
// the server acknowledged it.
//
// A stream must take the subjects: see StreamConfig.
type JetStream struct {
	// Conn is the NATS connection; required.
	Conn *nats.Conn
	// Prefix is the first token(s) of every subject; "" means DefaultPrefix.
	// A deployment with several services on one NATS gives each its own,
	// e.g. "grunnmur.skjenkebevilling".
	Prefix string
	// Window is the most publishes awaiting their ack at once; 0 means 256.
	Window int
	// AckTimeout is how long to wait for one ack; 0 means 5 s.
	AckTimeout time.Duration

	once sync.Once
	js   jetstream.JetStream
	err  error
	dups atomic.Uint64
}

// Duplicates returns how many publishes JetStream acknowledged as copies of
// an event it had (within the stream's duplicate window): each is an event
// relayed twice, e.g. by a relay that died between the ack and the mark.
func (j *JetStream) Duplicates() uint64 { return j.dups.Load() }

func (j *JetStream) init() error {
	j.once.Do(func() {
		if j.Conn == nil {
			j.err = fmt.Errorf("%w: JetStream without a Conn", ErrConfig)
			return
		}
		window, timeout := j.Window, j.AckTimeout
		if window <= 0 {
			window = 256
		}
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		j.js, j.err = jetstream.New(j.Conn, jetstream.WithPublishAsyncMaxPending(window), jetstream.WithPublishAsyncTimeout(timeout))
	})
	return j.err
}

// Subject returns the NATS subject of e under j's prefix.
func (j *JetStream) Subject(e Event) string { return Subject(j.Prefix, e) }

// Publish publishes evs and waits for their acks; see Publisher.
func (j *JetStream) Publish(ctx context.Context, evs []Event) []error {
	errs := make([]error, len(evs))
	if err := j.init(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	futures := make([]jetstream.PubAckFuture, len(evs))
	for i, e := range evs {
		msg, err := Message(j.Prefix, e)
		if err == nil {
			futures[i], err = j.js.PublishMsgAsync(msg, jetstream.WithMsgID(e.ID), jetstream.WithStallWait(j.stall()))
		}
		errs[i] = err
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			if ack != nil && ack.Duplicate {
				j.dups.Add(1)
			}
		case err := <-f.Err():
			errs[i] = err
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return errs
}

func (j *JetStream) stall() time.Duration {
	if j.AckTimeout > 0 {
		return j.AckTimeout
	}
	return 5 * time.Second
}

// Message returns the NATS message of e under prefix: its subject, the
// Nats-Msg-Id and Content-Type headers, and the CloudEvent as JSON.
func Message(prefix string, e Event) (*nats.Msg, error) {
	body, err := e.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("events: encode %s: %w", e.ID, err)
	}
	msg := nats.NewMsg(Subject(prefix, e))
	msg.Header.Set(jetstream.MsgIDHeader, e.ID)
	msg.Header.Set("Content-Type", CloudEventsJSON)
	msg.Data = body
	return msg, nil
}

// Subject returns the NATS subject of e: <prefix>.<package>.<aggregate>.<id>,
// e.g. grunnmur.sak.case.2026-17 for no.grunnmur.sak.case.decided.v1 about
// case 2026-17 (prefix "" is DefaultPrefix). The id is the event's subject
// with every byte but ASCII letters, digits and -_=+:@~ written as %XX, so
// it is one token that no wildcard matches by accident.
// Subscribe to grunnmur.sak.> for every sak event, to grunnmur.*.case.>
// for cases, to grunnmur.sak.case.<id> for one case.
func Subject(prefix string, e Event) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	pkg, aggregate := "unknown", "unknown"
	// no.grunnmur.<package>.<aggregate>.<verb>.v<N>, as Validate checks.
	if parts := strings.Split(e.Type, "."); len(parts) == 6 && parts[0] == "no" && parts[1] == "grunnmur" {
		pkg, aggregate = token(parts[2]), token(parts[3])
	}
	return prefix + "." + pkg + "." + aggregate + "." + token(e.Subject)
}

// token escapes s into one NATS subject token.
func token(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_=+:@~", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	if b.Len() == 0 {
		return "%"
	}
	return b.String()
}

// StreamConfig is the JetStream stream that holds a service's events.
type StreamConfig struct {
	// Name is the stream's name, e.g. "GRUNNMUR_SKJENKEBEVILLING"; required.
	Name string
	// Prefix is the relay's prefix; the stream takes <Prefix>.>. "" means
	// DefaultPrefix.
	Prefix string
	// MaxAge drops events older than it; 0 keeps them (up to MaxBytes).
	MaxAge time.Duration
	// MaxBytes caps the stream's size, dropping the oldest; 0 is no cap.
	MaxBytes int64
	// Duplicates is the window in which a second publish of an event id is
	// dropped; 0 means 2 min (JetStream's default). It must be longer than a
	// relay's longest outage between publishing and marking.
	Duplicates time.Duration
	// Retention is the retention policy; the zero value is limits (keep by
	// MaxAge and MaxBytes, whoever has read them), which lets consumers join
	// later and replay.
	Retention jetstream.RetentionPolicy
	// Replicas is the number of copies in a cluster; 0 means 1.
	Replicas int
}

// EnsureStream creates the stream, or updates it to c.
func EnsureStream(ctx context.Context, conn *nats.Conn, c StreamConfig) (jetstream.Stream, error) {
	if c.Name == "" || conn == nil {
		return nil, fmt.Errorf("%w: a stream needs a Name and a connection", ErrConfig)
	}
	prefix := c.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	maxBytes := c.MaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	js, err := jetstream.New(conn)
	if err != nil {
		return nil, fmt.Errorf("events: stream %s: %w", c.Name, err)
	}
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: c.Name, Subjects: []string{prefix + ".>"}, Retention: c.Retention, MaxAge: c.MaxAge,
		MaxBytes: maxBytes, Duplicates: c.Duplicates,
		Replicas: max(c.Replicas, 1), Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("events: stream %s: %w", c.Name, err)
	}
	return s, nil
}
