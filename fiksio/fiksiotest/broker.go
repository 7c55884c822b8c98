package fiksiotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/grunnmur/grunnmur/fiksio"
)

// MaxDeliveries is how often Fiks IO delivers a message that is not acked
// (nacked with requeue, or its connection lost) before it dead-letters it
// and sends the sender serverfeil.v1: KS' best-practice page says "after 3
// failed deliveries" (PROTOCOL-NOTES.md, fact 4), so the third failure is
// the last.
//
// RabbitMQ's x-delivery-limit counts returns, not deliveries: a quorum
// queue dead-letters a message when its delivery count goes above the
// limit, so x-delivery-limit 3 would deliver it four times (measured on
// RabbitMQ 3.10). The account queues therefore declare MaxDeliveries-1.
const MaxDeliveries = 3

// deliveryLimit is the account queues' x-delivery-limit (see MaxDeliveries).
const deliveryLimit = MaxDeliveries - 1

// errQueueFull: the broker refused a publish (x-overflow reject-publish).
var errQueueFull = errors.New("fiksiotest: queue full")

func (s *Server) setupBroker(ctx context.Context, broker *amqp.Connection) error {
	s.broker = broker
	ch, err := s.broker.Channel()
	if err != nil {
		return fmt.Errorf("fiksiotest: broker: %w", err)
	}
	s.dlx = "fiksiotest.dlx." + s.id
	s.dlq = "fiksiotest.dlq." + s.id
	if err := ch.ExchangeDeclare(s.dlx, amqp.ExchangeFanout, true, false, false, false, nil); err != nil {
		return fmt.Errorf("fiksiotest: declare %s: %w", s.dlx, err)
	}
	if _, err := ch.QueueDeclare(s.dlq, true, false, false, false, nil); err != nil {
		return fmt.Errorf("fiksiotest: declare %s: %w", s.dlq, err)
	}
	if err := ch.QueueBind(s.dlq, "", s.dlx, false, nil); err != nil {
		return fmt.Errorf("fiksiotest: bind %s: %w", s.dlq, err)
	}
	dead, err := ch.ConsumeWithContext(context.WithoutCancel(ctx), s.dlq, "fiksiotest-dlq", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("fiksiotest: consume %s: %w", s.dlq, err)
	}
	pub, err := s.broker.Channel()
	if err != nil {
		return fmt.Errorf("fiksiotest: broker: %w", err)
	}
	if err := pub.Confirm(false); err != nil {
		return fmt.Errorf("fiksiotest: confirm mode: %w", err)
	}
	s.pub = pub
	go s.deadLetters(dead)
	return nil
}

func (s *Server) declareAccountQueue(_ context.Context, a *Account) error {
	ch, err := s.broker.Channel()
	if err != nil {
		return fmt.Errorf("fiksiotest: broker: %w", err)
	}
	defer ch.Close()
	args := amqp.Table{
		"x-queue-type":           "quorum",
		"x-delivery-limit":       deliveryLimit,
		"x-dead-letter-exchange": s.dlx,
	}
	if a.MaxMessages > 0 {
		args["x-max-length"] = a.MaxMessages
		args["x-overflow"] = "reject-publish"
	}
	if _, err := ch.QueueDeclare(fiksio.QueueName(a.KontoID), true, false, false, false, args); err != nil {
		return fmt.Errorf("fiksiotest: declare the queue of %s: %w", a.KontoID, err)
	}
	return nil
}

// delivery is what the fake publishes to an account's queue.
type delivery struct {
	meldingID, avsender, mottaker uuid.UUID
	typ                           string
	svarTil                       uuid.UUID
	svarTilType                   string
	dokumentlager                 uuid.UUID
	ttl                           time.Duration // 0: none
	headers                       map[string]string
	body                          []byte
}

func (s *Server) publish(ctx context.Context, d delivery) error {
	if s.pub == nil {
		return errors.New("fiksiotest: not started")
	}
	h := amqp.Table{
		fiksio.HeaderMeldingID:  d.meldingID.String(),
		fiksio.HeaderType:       d.typ,
		fiksio.HeaderAvsenderID: d.avsender.String(),
	}
	if d.svarTil != uuid.Nil {
		h[fiksio.HeaderSvarTil] = d.svarTil.String()
	}
	if d.svarTilType != "" {
		h[fiksio.HeaderSvarTilType] = d.svarTilType
	}
	if d.dokumentlager != uuid.Nil {
		h[fiksio.HeaderDokumentlagerID] = d.dokumentlager.String()
	}
	for k, v := range d.headers {
		h[fiksio.CustomHeaderPrefix+k] = v
	}
	p := amqp.Publishing{Headers: h, DeliveryMode: amqp.Persistent, Body: d.body, MessageId: d.meldingID.String(), Timestamp: s.now()}
	if d.ttl > 0 {
		p.Expiration = strconv.FormatInt(d.ttl.Milliseconds(), 10)
	}
	dc, err := s.pub.PublishWithDeferredConfirmWithContext(ctx, "", fiksio.QueueName(d.mottaker), false, false, p)
	if err != nil {
		return err
	}
	ok, err := dc.WaitContext(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errQueueFull
	}
	return nil
}

// deadLetters turns each dead-lettered message into Fiks IO's receipt for
// its sender: tidsavbrudd for one that expired unread, serverfeil.v1 for
// one dead-lettered after three deliveries (or rejected).
func (s *Server) deadLetters(dead <-chan amqp.Delivery) {
	for d := range dead {
		if err := s.receipt(d); err != nil {
			s.log().Warn("fiksiotest: no receipt for a dead letter", "error", err)
		}
		_ = d.Ack(false)
	}
}

func (s *Server) receipt(d amqp.Delivery) error {
	str := func(k string) string { v, _ := d.Headers[k].(string); return v }
	typ := str(fiksio.HeaderType)
	if typ == fiksio.TypeTidsavbrudd || typ == fiksio.TypeServerfeil {
		return nil // no receipts for receipts
	}
	meldingID, err1 := uuid.Parse(str(fiksio.HeaderMeldingID))
	avsender, err2 := uuid.Parse(str(fiksio.HeaderAvsenderID))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("dead letter without melding-id or avsender-id: %w", err)
	}
	reason := str("x-first-death-reason")
	queue := str("x-first-death-queue")
	if deaths, ok := d.Headers["x-death"].([]any); ok && len(deaths) > 0 {
		if t, ok := deaths[0].(amqp.Table); ok {
			if r, ok := t["reason"].(string); ok {
				reason = r
			}
			if q, ok := t["queue"].(string); ok {
				queue = q
			}
		}
	}
	mottaker, _ := uuid.Parse(queue[min(len(queue), len(fiksio.QueuePrefix)):])
	if s.account(avsender) == nil {
		return fmt.Errorf("the sender %s is not an account of this fake", avsender)
	}
	r := delivery{meldingID: uuid.New(), avsender: mottaker, mottaker: avsender, svarTil: meldingID}
	if k := str(fiksio.CustomHeaderPrefix + fiksio.KlientKorrelasjonsID); k != "" {
		r.headers = map[string]string{fiksio.KlientKorrelasjonsID: k}
	}
	switch reason {
	case "expired":
		r.typ, r.svarTilType = fiksio.TypeTidsavbrudd, typ
	case "delivery_limit", "rejected":
		r.typ = fiksio.TypeServerfeil
	default:
		return fmt.Errorf("dead-lettered for %q", reason)
	}
	if id, err := uuid.Parse(str(fiksio.HeaderDokumentlagerID)); err == nil {
		s.removeDocument(id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.publish(ctx, r)
}

func (s *Server) removeDocument(id uuid.UUID) {
	s.mu.Lock()
	path, ok := s.documents[id]
	delete(s.documents, id)
	s.mu.Unlock()
	if ok {
		_ = os.Remove(path)
	}
}
