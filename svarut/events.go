package svarut

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/events"
)

// The domain events of a letter in the Outbox (see package events). The
// subject is the entry's ID; the payloads carry the entry's and SvarUT's ids
// and statuses, never the recipient, the title or the documents. The
// Outbox builds them where it learns of a change and the Store records them
// with it, atomically.
var (
	// LetterSent: SvarUT has the shipment (ShipmentID).
	LetterSent = events.Define[LetterData]("no.grunnmur.svarut.letter.sent.v1")
	// LetterDelivered: SvarUT reports it delivered: read, in the digital
	// mailbox (LEVERT_SDP), printed, ...
	LetterDelivered = events.Define[LetterData]("no.grunnmur.svarut.letter.delivered.v1")
	// LetterRead: SvarUT reports it read (LEST), after LetterDelivered.
	LetterRead = events.Define[LetterData]("no.grunnmur.svarut.letter.read.v1")
	// LetterFailed: SvarUT refused the shipment (State rejected) or reports
	// it failed (AVVIST, IKKE_LEVERT, MANUELT_HANDTERT, ...).
	LetterFailed = events.Define[LetterData]("no.grunnmur.svarut.letter.failed.v1")
)

// LetterData is the payload of every letter event.
type LetterData struct {
	Entry    string     `json:"entry"`              // the outbox entry's ID
	Shipment string     `json:"shipment,omitempty"` // SvarUT's forsendelse id
	State    EntryState `json:"state"`
	Status   Status     `json:"status,omitempty"`  // SvarUT's status, as last seen
	StatusAt time.Time  `json:"statusAt,omitzero"` // when SvarUT says it changed
}

func letterEvents(e *Entry, now time.Time, types ...*events.Type[LetterData]) ([]events.Event, error) {
	d := LetterData{Entry: e.ID, Shipment: e.ShipmentID, State: e.State, Status: e.Status, StatusAt: e.StatusAt}
	out := make([]events.Event, 0, len(types))
	for _, typ := range types {
		ev, err := typ.New(e.ID, now, d)
		if err != nil {
			return nil, fmt.Errorf("svarut: %w", err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// statusEvents are the events of a poll that moved e's status from old.
func statusEvents(e *Entry, old Status, now time.Time) ([]events.Event, error) {
	if e.Status == old {
		return nil, nil
	}
	var types []*events.Type[LetterData]
	switch {
	case e.Status.Delivered() && !old.Delivered():
		types = append(types, LetterDelivered)
		if e.Status == StatusLest {
			types = append(types, LetterRead)
		}
	case e.Status.Failed() && !old.Failed():
		types = append(types, LetterFailed)
	}
	return letterEvents(e, now, types...)
}

// checkSubject refuses an entry id that no event can have as its subject,
// before anything is stored.
func checkSubject(id string) error {
	if _, err := LetterSent.New(id, time.Unix(0, 0), LetterData{Entry: id}); err != nil {
		return fmt.Errorf("%w: the entry id: %v", ErrInvalid, err)
	}
	return nil
}
