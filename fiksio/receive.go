package fiksio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/internal/httpx"
)

// Result is what a Handler decided about a message.
type Result struct {
	kind  resultKind
	reply Message
}

type resultKind int

const (
	processed resultKind = iota
	failed
	retry
)

// Processed acknowledges the message: return it only once the message is
// safely stored, as KS' best practice says.
func Processed() Result { return Result{kind: processed} }

// Failed sends reply (the protocol's error message, such as
// no.ks.fiks.arkiv.v1.feilmelding.serverfeil) back to the sender and then
// acknowledges the message. The reply's Mottaker, SvarPaMelding and
// klientKorrelasjonsId default to the message's. If the reply cannot be
// sent, the message is put back on the queue instead, so nothing is lost.
func Failed(reply Message) Result { return Result{kind: failed, reply: reply} }

// Retry puts the message back on the queue (nack with requeue). After three
// deliveries Fiks IO dead-letters it and sends the sender
// no.ks.fiks.kvittering.serverfeil.v1: use it for passing trouble only.
func Retry() Result { return Result{kind: retry} }

// Handler handles one message. Its context is not cancelled when Receive's
// is: a message being handled at shutdown is finished.
type Handler func(ctx context.Context, m *Received) Result

// Receive consumes the account's queue, fiksio.konto.<KontoID>, over one
// long-lived broker connection, until ctx ends; then it stops taking
// messages, lets the ones in hand finish, and returns nil.
//
// Every login, the first and each reconnect, uses a fresh Maskinporten
// token: the password is IntegrasjonPassord + " " + token. A lost
// connection is reopened with backoff (ReconnectMin..ReconnectMax). A
// refused first login returns an *Error of kind ErrUnauthorized at once; a
// refusal after the account has worked is retried, as it may be Fiks IO's
// passing trouble. A message whose headers break the protocol is rejected
// (dead-lettered, never requeued) and logged.
//
// The queue is never declared: Fiks IO owns it.
func (c *Client) Receive(ctx context.Context, h Handler) error {
	if h == nil {
		return fmt.Errorf("%w: nil Handler", ErrConfig)
	}
	log := c.cfg.Logger
	connected := false
	for attempt := 1; ; attempt++ {
		conn, err := c.dial(ctx)
		if err == nil {
			connected, attempt = true, 1
			err = c.consume(ctx, conn, h)
			if ctx.Err() != nil {
				return nil
			}
			log.WarnContext(ctx, "fiksio: broker connection lost; reconnecting", "error", err)
		} else {
			if ctx.Err() != nil {
				return nil
			}
			if !connected && (errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrUnknownAccount) || errors.Is(err, ErrConfig)) {
				return err
			}
			log.WarnContext(ctx, "fiksio: broker login failed; retrying", "error", err, "attempt", attempt)
		}
		t := time.NewTimer(httpx.Backoff(attempt, c.cfg.ReconnectMin, c.cfg.ReconnectMax))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// dial logs in to the broker with a token fetched for this login alone.
func (c *Client) dial(ctx context.Context) (*amqp.Connection, error) {
	const op = "amqp"
	// The broker checks the token only at login, and KS' tokens live about
	// two minutes: a cached one could be seconds from expiry. Ask anew.
	c.cfg.Maskinporten.Invalidate(tokenRequest)
	tok, err := c.cfg.Maskinporten.TokenFor(ctx, tokenRequest)
	if err != nil {
		kind := ErrServer
		if oe, ok := errors.AsType[*oauth.Error](err); ok && !oe.Temporary() {
			kind = ErrUnauthorized
		}
		return nil, &Error{Op: "maskinporten", Kind: kind, Err: err}
	}
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(c.cfg.ApplicationName)
	acfg := amqp.Config{
		SASL: []amqp.Authentication{&amqp.PlainAuth{
			Username: c.cfg.IntegrasjonID,
			Password: c.cfg.IntegrasjonPassord.Reveal() + " " + tok.AccessToken.Reveal(),
		}},
		Heartbeat:  10 * time.Second,
		Properties: props,
		Locale:     "en_US",
		Dial: func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: 30 * time.Second}
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Bounds the TLS and AMQP handshakes; amqp091 clears it after.
			return conn, conn.SetDeadline(time.Now().Add(30 * time.Second))
		},
	}
	if c.amqp.Scheme == "amqps" {
		tc := &tls.Config{}
		if c.cfg.TLSConfig != nil {
			tc = c.cfg.TLSConfig.Clone()
		}
		tc.ServerName = c.amqp.Hostname()
		tc.InsecureSkipVerify = false
		tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
		acfg.TLSClientConfig = tc
	}
	conn, err := amqp.DialConfig(c.amqp.String(), acfg)
	if err != nil {
		return nil, amqpError(op, err)
	}
	return conn, nil
}

func amqpError(op string, err error) *Error {
	e := &Error{Op: op, Kind: ErrServer, Err: err}
	var ae *amqp.Error
	switch {
	case errors.Is(err, amqp.ErrCredentials), errors.Is(err, amqp.ErrSASL):
		e.Kind = ErrUnauthorized
	case errors.As(err, &ae) && ae.Code == amqp.AccessRefused:
		e.Kind = ErrUnauthorized
	case errors.As(err, &ae) && ae.Code == amqp.NotFound:
		e.Kind = ErrUnknownAccount
	case errors.As(err, &ae) && ae.Code == amqp.NotAllowed:
		e.Kind = ErrUnauthorized
	}
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		e.Kind = ErrConfig
		e.Message = "the broker's TLS certificate does not verify"
	}
	return e
}

var errConsumerEnded = errors.New("fiksio: the broker ended the consumer")

// consume takes messages from one connection until it closes or ctx ends.
func (c *Client) consume(ctx context.Context, conn *amqp.Connection, h Handler) error {
	defer conn.Close()
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	ch, err := conn.Channel()
	if err != nil {
		return amqpError("amqp", err)
	}
	if err := ch.Qos(c.cfg.Prefetch, 0, false); err != nil {
		return amqpError("amqp", err)
	}
	tag := "grunnmur-" + uuid.NewString()
	deliveries, err := ch.Consume(QueueName(c.konto), tag, false, false, false, false, nil)
	if err != nil {
		return amqpError("amqp", err)
	}
	c.cfg.Logger.DebugContext(ctx, "fiksio: consuming", "queue", QueueName(c.konto))
	hctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range c.cfg.Workers {
		wg.Go(func() {
			for d := range deliveries {
				c.handle(hctx, d, h)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-ctx.Done():
		// No new messages; those already sent ahead are handled, then the
		// deliveries channel closes.
		if err := ch.Cancel(tag, false); err != nil {
			<-done
			return nil
		}
		<-done
		return nil
	case e := <-closed:
		<-done
		if e == nil {
			return errConsumerEnded
		}
		return amqpError("amqp", e)
	case <-done:
		return errConsumerEnded
	}
}

// handle settles one delivery as its Handler decides.
func (c *Client) handle(ctx context.Context, d amqp.Delivery, h Handler) {
	log := c.cfg.Logger
	m, err := ParseHeaders(d.RoutingKey, d.Headers, d.Expiration)
	if err != nil {
		log.WarnContext(ctx, "fiksio: rejecting a message with malformed headers", "error", err)
		_ = d.Nack(false, false)
		return
	}
	m.Resendt, m.body, m.client = d.Redelivered, d.Body, c
	res := c.call(ctx, h, m)
	switch res.kind {
	case processed:
		err = d.Ack(false)
	case retry:
		err = d.Nack(false, true)
	case failed:
		r := res.reply
		if r.Mottaker == uuid.Nil {
			r.Mottaker = m.AvsenderKontoID
		}
		if r.SvarPaMelding == uuid.Nil {
			r.SvarPaMelding = m.MeldingID
		}
		if k := m.KlientKorrelasjonsID(); k != "" && r.KlientKorrelasjonsID == "" && r.Headers[KlientKorrelasjonsID] == "" {
			r.KlientKorrelasjonsID = k
		}
		if _, serr := c.Send(ctx, r); serr != nil {
			log.WarnContext(ctx, "fiksio: the error reply was not sent; the message goes back on the queue", "melding_id", m.MeldingID, "error", serr)
			err = d.Nack(false, true)
		} else {
			err = d.Ack(false)
		}
	}
	if err != nil {
		// The connection died: the broker redelivers the message.
		log.WarnContext(ctx, "fiksio: settling a message failed", "melding_id", m.MeldingID, "error", err)
	}
}

// call runs the handler; a panic in it puts the message back on the queue.
func (c *Client) call(ctx context.Context, h Handler, m *Received) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			c.cfg.Logger.ErrorContext(ctx, "fiksio: the handler panicked; the message goes back on the queue", "melding_id", m.MeldingID, "panic", fmt.Sprint(p))
			res = Retry()
		}
	}()
	return h(ctx, m)
}
