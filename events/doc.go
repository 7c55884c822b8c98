// Package events publishes every state change of a grunnmur service as a
// domain event: a CloudEvents 1.0 event, written to a transactional outbox in
// the same transaction as the change (PostgreSQL) or under the same lock
// (Memory), and relayed from there to NATS JetStream.
//
// A package defines each of its event types once, with a typed payload of
// ids and states (never personal data: Define refuses it):
//
//	type CaseDecidedData struct {
//		CaseID  string `json:"caseId"`
//		Outcome string `json:"outcome"`
//	}
//
//	var CaseDecided = events.Define[CaseDecidedData]("no.grunnmur.sak.case.decided.v1")
//
// and its stores take the events of a change as a trailing parameter:
//
//	ev, err := CaseDecided.New(c.ID, now, CaseDecidedData{CaseID: c.ID, Outcome: "granted"})
//	...
//	err = store.Update(ctx, c, ev)
//
// Type names follow no.grunnmur.<package>.<aggregate>.<verb>.v<N>; the
// source is /grunnmur/<package>; the subject is the aggregate's id, and the
// events of one subject are relayed in the order they were appended.
// Catalogue lists every type with its payload's fields; CATALOGUE.md is that
// list, checked by a test.
package events
