package sak

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/events"
)

// The domain events of a case, published to the municipality's other
// systems (see package events). Each has the case's ID as its subject and
// carries ids and states only: never the title, the applicant's name or a
// personal number. Owner is the applicant's opaque id (see Actor).
//
// The Service builds them where the state changes and hands them to the
// Store, which records them with the change, atomically: a change that
// fails leaves no event.
var (
	// CaseOpened: Open created a case (in state received, or
	// awaiting_payment).
	CaseOpened = events.Define[CaseOpenedData]("no.grunnmur.sak.case.opened.v1")
	// CaseTransitioned: the case moved to another open state, or was
	// withdrawn. A decision is CaseDecided and a closing CaseClosed.
	CaseTransitioned = events.Define[CaseTransitionData]("no.grunnmur.sak.case.transitioned.v1")
	// CaseDecided: Decide recorded the decision (vedtak).
	CaseDecided = events.Define[CaseDecidedData]("no.grunnmur.sak.case.decided.v1")
	// CaseClosed: the case was closed (avsluttet).
	CaseClosed = events.Define[CaseTransitionData]("no.grunnmur.sak.case.closed.v1")
	// CaseJournaled: Journal registered a journal entry (journalpost);
	// and again, with Archived and the archive's numbers, when the
	// municipality's archive journaled it (see Archiver).
	CaseJournaled = events.Define[CaseJournaledData]("no.grunnmur.sak.case.journaled.v1")
)

// CaseOpenedData is the payload of CaseOpened.
type CaseOpenedData struct {
	Case       string    `json:"case"`                 // the case's ID
	Number     string    `json:"number"`               // saksnummer, "2026/17"
	Kind       string    `json:"kind"`                 // the service, "skjenkebevilling"
	Owner      string    `json:"owner"`                // the applicant's opaque id
	OnBehalfOf string    `json:"onBehalfOf,omitempty"` // the organisation's orgnr
	State      State     `json:"state"`
	Created    time.Time `json:"created"`
}

// CaseTransitionData is the payload of CaseTransitioned and CaseClosed.
type CaseTransitionData struct {
	Case   string `json:"case"`
	Number string `json:"number"`
	Owner  string `json:"owner"`
	From   State  `json:"from"`
	State  State  `json:"state"` // the state the case is in now
	Role   Role   `json:"role"`  // who moved it: applicant, officer or system
}

// CaseDecidedData is the payload of CaseDecided.
type CaseDecidedData struct {
	Case           string    `json:"case"`
	Number         string    `json:"number"`
	Owner          string    `json:"owner"`
	From           State     `json:"from"`
	State          State     `json:"state"` // decided
	Outcome        Outcome   `json:"outcome"`
	AppealDeadline time.Time `json:"appealDeadline,omitzero"`
}

// CaseJournaledData is the payload of CaseJournaled. The entry's title and
// parties stay in the case.
type CaseJournaledData struct {
	Case     string      `json:"case"`
	Number   string      `json:"number"`
	Entry    string      `json:"entry"`       // the journal entry's ID
	Type     JournalType `json:"type"`        // I, U, N or X
	Year     int         `json:"year"`        // journalår
	Sequence int         `json:"seq"`         // journalsekvensnummer
	InCase   int         `json:"entryNumber"` // journalpostnummer within the case
	// Archived is set on the second CaseJournaled of an entry, emitted
	// when the municipality's archive has journaled it (see Archiver),
	// with the archive's numbers: its saksnummer ("2026/123"), its
	// journalpostnummer in that case and its journalaar/journalsekvensnummer.
	Archived       bool   `json:"archived,omitempty"`
	ArchiveCase    string `json:"archiveCase,omitempty"`
	ArchiveEntry   int    `json:"archiveEntry,omitempty"`
	ArchiveJournal string `json:"archiveJournal,omitempty"`
}

// openedEvents are the events of opening c.
func openedEvents(c *Case) ([]events.Event, error) {
	e, err := CaseOpened.New(c.ID, c.Created, CaseOpenedData{Case: c.ID, Number: c.Number(), Kind: c.Kind,
		Owner: c.Owner, OnBehalfOf: c.OnBehalfOf, State: c.State, Created: c.Created})
	if err != nil {
		return nil, fmt.Errorf("sak: %w", err)
	}
	return []events.Event{e}, nil
}

// changeEvents are the events of a change that moved c from state from and
// added the journal entries after the first journaled, made by role at now.
func changeEvents(c *Case, from State, journaled int, role Role, now time.Time) ([]events.Event, error) {
	var out []events.Event
	add := func(e events.Event, err error) error {
		if err != nil {
			return fmt.Errorf("sak: %w", err)
		}
		out = append(out, e)
		return nil
	}
	if c.State != from {
		var err error
		t := CaseTransitionData{Case: c.ID, Number: c.Number(), Owner: c.Owner, From: from, State: c.State, Role: role}
		switch c.State {
		case Decided:
			appeal, _ := c.Deadline(DeadlineAppeal)
			err = add(CaseDecided.New(c.ID, now, CaseDecidedData{Case: c.ID, Number: c.Number(), Owner: c.Owner,
				From: from, State: c.State, Outcome: c.Outcome, AppealDeadline: appeal.Due}))
		case Closed:
			err = add(CaseClosed.New(c.ID, now, t))
		default:
			err = add(CaseTransitioned.New(c.ID, now, t))
		}
		if err != nil {
			return nil, err
		}
	}
	for _, j := range c.Journal[min(journaled, len(c.Journal)):] {
		if err := add(CaseJournaled.New(c.ID, now, CaseJournaledData{Case: c.ID, Number: c.Number(), Entry: j.ID,
			Type: j.Type, Year: j.Year, Sequence: j.Sequence, InCase: j.Number})); err != nil {
			return nil, err
		}
	}
	return out, nil
}
