package site

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/secret"
)

// NATSConfig is the NATS JetStream a Service publishes its events to, read
// from the GRUNNMUR_NATS_* variables (see NATSConfigFromEnv).
type NATSConfig struct {
	// URL is the server, e.g. nats://127.0.0.1:4222; it may hold a user
	// and password, so it is a secret (also read from GRUNNMUR_NATS_URL_FILE).
	URL secret.Value
	// Stream is the JetStream stream of the service's events; "" means
	// the prefix in capitals with "_" for ".", e.g.
	// GRUNNMUR_SKJENKEBEVILLING.
	Stream string
	// Prefix is the subjects' first tokens, the stream taking <Prefix>.>;
	// "" means "grunnmur.<service>" (Config.Name), or "grunnmur" when the
	// service has no name.
	Prefix string
	// MaxAge drops the stream's events older than it; 0 keeps them.
	MaxAge time.Duration
}

// NATSConfigFromEnv reads prefix+"URL" (or URL_FILE), "STREAM",
// "SUBJECT_PREFIX" and "MAX_AGE" (a duration such as 720h): the service's
// variables are GRUNNMUR_NATS_URL and so on. With none set it returns an
// error matching config.ErrUnset: the service then relays its events in
// process.
func NATSConfigFromEnv(prefix string, getenv func(string) string) (NATSConfig, error) {
	r := config.NewReader(prefix, getenv)
	c := NATSConfig{URL: r.Secret("URL"), Stream: r.String("STREAM"), Prefix: r.String("SUBJECT_PREFIX"), MaxAge: r.Duration("MAX_AGE")}
	if err := r.Err(); err != nil {
		return NATSConfig{}, err
	}
	if !r.Set() {
		return NATSConfig{}, fmt.Errorf("%w: %sURL", config.ErrUnset, prefix)
	}
	if c.URL.IsZero() {
		return NATSConfig{}, fmt.Errorf("%w: %sURL is unset while other %s* variables are set", ErrConfig, prefix, prefix)
	}
	if u, err := url.Parse(c.URL.Reveal()); err != nil || u.Host == "" || !natsSchemes[u.Scheme] {
		return NATSConfig{}, fmt.Errorf("%w: %sURL is not a nats://, tls://, ws:// or wss:// URL with a host", ErrConfig, prefix)
	}
	return c, nil
}

var natsSchemes = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}

// complete fills in the prefix and stream from the service's name and
// checks that both can be a subject prefix and a stream name.
func (c NATSConfig) complete(name string) (NATSConfig, error) {
	if c.Prefix == "" {
		c.Prefix = events.DefaultPrefix
		if name != "" {
			c.Prefix += "." + strings.ToLower(name)
		}
	}
	for _, tok := range strings.Split(c.Prefix, ".") {
		if tok == "" || strings.ContainsAny(tok, "*> \t\r\n") {
			return c, fmt.Errorf("%w: NATS subject prefix %q: want tokens without wildcards or spaces, joined by dots", ErrConfig, c.Prefix)
		}
	}
	if c.Stream == "" {
		c.Stream = strings.ToUpper(strings.ReplaceAll(c.Prefix, ".", "_"))
	}
	if strings.ContainsAny(c.Stream, ".*> \t\r\n/\\") {
		return c, fmt.Errorf("%w: NATS stream name %q: no dots, wildcards, slashes or spaces", ErrConfig, c.Stream)
	}
	return c, nil
}

// natsEvents is the service's link to NATS: the connection, the stream and
// the Min side's consumer of it.
type natsEvents struct {
	conn     *nats.Conn
	cfg      NATSConfig
	consumer *events.Consumer
}

// minSideInactive is how long the server keeps a Min side consumer that
// no one fetches from (a process that died without deleting it).
const minSideInactive = time.Hour

// connectNATS connects to c's server and makes sure of the stream. Every
// process gets its own durable consumer of the whole stream for its Min
// side (which it keeps in memory, so it reads the stream from the start).
func connectNATS(ctx context.Context, c NATSConfig, name string, m *MinSide, log *slog.Logger) (*natsEvents, error) {
	c, err := c.complete(name)
	if err != nil {
		return nil, err
	}
	// Not url.Redacted: it keeps a token given as the user name
	// (nats://token@host), NATS' usual way of passing one.
	shown := httpx.SafeURL(c.URL.Reveal())
	conn, err := nats.Connect(c.URL.Reveal(), nats.Name("grunnmur "+c.Prefix), nats.MaxReconnects(-1), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("site: NATS at %s: %w", shown, err)
	}
	if _, err := events.EnsureStream(ctx, conn, events.StreamConfig{Name: c.Stream, Prefix: c.Prefix, MaxAge: c.MaxAge}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("site: NATS at %s: %w", shown, err)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	n := &natsEvents{conn: conn, cfg: c, consumer: &events.Consumer{Conn: conn, Stream: c.Stream, Name: "minside_" + hex.EncodeToString(id[:]),
		Handler: m.Handle, InactiveThreshold: minSideInactive, Logger: log}}
	if err := n.consumer.Create(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("site: NATS at %s: %w", shown, err)
	}
	return n, nil
}

// publisher is the relay's publisher to the stream.
func (n *natsEvents) publisher() events.Publisher {
	return &events.JetStream{Conn: n.conn, Prefix: n.cfg.Prefix}
}

// consume feeds Min side until ctx ends, then deletes the consumer, which
// no later process reads from.
func (n *natsEvents) consume(ctx context.Context) error {
	err := n.consumer.Consume(ctx)
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if js, jerr := jetstream.New(n.conn); jerr == nil && !n.conn.IsClosed() {
		_ = js.DeleteConsumer(stop, n.cfg.Stream, n.consumer.Name)
	}
	return err
}

// caughtUp waits, up to wait, until the consumer has handled every event
// in the stream now: then Min side shows what the relay just published.
// The consumer exists from New on, so a page waits for it even before
// RunJobs started it (and, without RunJobs, waits wait and shows what
// Min side has: nothing).
func (n *natsEvents) caughtUp(ctx context.Context, wait time.Duration) error {
	js, err := jetstream.New(n.conn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// The consumer has caught up when it has acked the stream's last
	// message as it is now, after the relay's publishes were acked. Its
	// pending counts alone are not enough: they may not count a message
	// the stream has just stored.
	stream, err := js.Stream(ctx, n.cfg.Stream)
	if err != nil {
		return err
	}
	si, err := stream.Info(ctx)
	if err != nil {
		return err
	}
	last := si.State.LastSeq
	for {
		cons, err := js.Consumer(ctx, n.cfg.Stream, n.consumer.Name)
		var info *jetstream.ConsumerInfo
		if err == nil {
			info, err = cons.Info(ctx)
		}
		if err == nil && info.AckFloor.Stream >= last && info.NumAckPending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // Min side shows what it has; the consumer goes on
		case <-time.After(10 * time.Millisecond):
		}
	}
}
