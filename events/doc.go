// Package events publishes every state change of a grunnmur service as a
// domain event, so that the municipality's other systems learn of it without
// polling: a CloudEvents 1.0 event, written to a transactional outbox in the
// same transaction as the change (PostgreSQL) or under the same lock
// (Memory), and relayed from there to NATS JetStream, or to in-process
// handlers when no NATS is configured.
//
// # Types
//
// A package defines each of its event types once, with a typed payload of
// ids and states (Define refuses personal data):
//
//	type CaseDecidedData struct {
//		CaseID  string `json:"caseId"`
//		Outcome string `json:"outcome"`
//	}
//
//	var CaseDecided = events.Define[CaseDecidedData]("no.grunnmur.sak.case.decided.v1")
//
// and its stores take the events of a change as a trailing parameter, and
// write them with the change:
//
//	ev, err := CaseDecided.New(c.ID, now, CaseDecidedData{CaseID: c.ID, Outcome: "granted"})
//	...
//	err = store.Update(ctx, c, ev)
//
// Type names follow no.grunnmur.<package>.<aggregate>.<verb>.v<N>; a
// changed payload is a new version. The source is /grunnmur/<package>, the
// subject the aggregate's id, and the id a UUIDv7. Catalogue lists every type
// with its payload's fields; CATALOGUE.md is that list, checked by a test.
//
// # Relaying
//
// A Relay claims a batch from the Outbox (Memory, postgres.EventOutbox),
// publishes it and marks relayed only what the Publisher acknowledged, in one
// claim: a relay that dies leaves its events for the next, none is lost,
// and none of a rolled-back change exists to be sent. Several relays may run
// at once; each subject's events go out in order.
//
//	nc, _ := nats.Connect(os.Getenv("GRUNNMUR_NATS_URL"))
//	_, err := events.EnsureStream(ctx, nc, events.StreamConfig{
//		Name: "GRUNNMUR_SKJENKEBEVILLING", Prefix: "grunnmur.skjenkebevilling", MaxAge: 30 * 24 * time.Hour})
//	relay := &events.Relay{Outbox: postgres.NewEventOutbox(db),
//		Publisher: &events.JetStream{Conn: nc, Prefix: "grunnmur.skjenkebevilling"}}
//	go relay.Run(ctx, time.Second)
//
// On NATS an event is the CloudEvent's JSON (Content-Type
// application/cloudevents+json) on the subject <prefix>.<package>.<aggregate>.<id>,
// e.g. grunnmur.skjenkebevilling.sak.case.2026-17, with Nats-Msg-Id set to
// the event id, so JetStream drops a copy within the stream's duplicate
// window. One stream per service takes <prefix>.>; its retention (MaxAge,
// MaxBytes, the policy) is StreamConfig's. Relay.Lag is the lag metric.
//
// Without NATS, Local is the publisher: the relay hands each event to
// in-process handlers (Min side, the webhook fan-out), so a service on
// memory or PostgreSQL alone needs nothing more.
//
// # Consuming
//
// A Consumer is a durable pull consumer: at-least-once, explicit acks,
// MaxDeliver deliveries and then a dead-letter subject. Handlers are
// idempotent by event id: Idempotent records handled ids in the consumer's
// own store (MemoryLedger, postgres.EventLedger).
//
// # Webhook signatures
//
// Webhook POSTs each event to its targets, signed as Standard Webhooks signs
// (their libraries verify it): headers Webhook-Id (the event id),
// Webhook-Timestamp (Unix seconds) and Webhook-Signature, "v1," and the
// base64 of HMAC-SHA256 over id + "." + timestamp + "." + body, keyed with
// the secret's bytes (for a secret "whsec_<base64>", the decoded base64).
// WebhookVerifier checks it for a receiver. The test vector:
//
//	secret     whsec_Z3J1bm5tdXItd2ViaG9vay10ZXN0LWtleQ==
//	id         0195e0a0-8c00-7000-8000-000000000001
//	timestamp  1774742400
//	body       {"specversion":"1.0","id":"0195e0a0-8c00-7000-8000-000000000001","source":"/grunnmur/sak","type":"no.grunnmur.sak.case.decided.v1","subject":"2026-17","time":"2026-03-29T00:00:00Z","datacontenttype":"application/json","data":{"caseId":"2026-17","outcome":"granted"}}
//	signature  v1,Q8necSJwQfzGw6KrbhlFrChvM3IRgNc+y/BR9ntjGWM=
package events
