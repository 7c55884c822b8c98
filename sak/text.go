package sak

import (
	"strings"

	"github.com/grunnmur/grunnmur/i18n"
)

// The Label methods read a language as i18n.Lang does: nb, nn or en, and
// any other (the zero Lang too) as nb.

var stateText = map[State][3]string{ // nb, nn, en
	Received:          {"Mottatt", "Motteken", "Received"},
	AwaitingPayment:   {"Venter på betaling", "Ventar på betaling", "Awaiting payment"},
	InProgress:        {"Under behandling", "Under handsaming", "In progress"},
	AwaitingApplicant: {"Venter på svar fra deg", "Ventar på svar frå deg", "Waiting for your reply"},
	Decided:           {"Vedtak fattet", "Vedtak gjort", "Decided"},
	Closed:            {"Avsluttet", "Avslutta", "Closed"},
	Withdrawn:         {"Trukket", "Trekt", "Withdrawn"},
}

var outcomeText = map[Outcome][3]string{
	Approved: {"Innvilget", "Innvilga", "Approved"},
	Rejected: {"Avslått", "Avslått", "Rejected"},
}

var deadlineText = map[DeadlineKind][3]string{
	DeadlinePayment:   {"Frist for betaling", "Frist for betaling", "Payment due"},
	DeadlineDecision:  {"Forventet vedtak", "Venta vedtak", "Decision expected"},
	DeadlineApplicant: {"Frist for å svare", "Frist for å svare", "Reply due"},
	DeadlineAppeal:    {"Klagefrist", "Klagefrist", "Appeal deadline"},
}

var eventText = map[EventType][3]string{
	EventOpened:         {"Sak opprettet", "Sak oppretta", "Case opened"},
	EventTransition:     {"Ny status", "Ny status", "New status"},
	EventLinked:         {"Kobling lagt til", "Kopling lagd til", "Link added"},
	EventJournaled:      {"Journalført", "Journalført", "Entered in the journal"},
	EventDeadline:       {"Frist satt", "Frist sett", "Deadline set"},
	EventDeadlineMet:    {"Frist innfridd", "Frist innfridd", "Deadline met"},
	EventArchived:       {"Journalført i arkivet", "Journalført i arkivet", "Entered in the archive"},
	EventArchiveRefused: {"Avvist av arkivet", "Avvist av arkivet", "Refused by the archive"},
}

var linkText = map[LinkKind][3]string{
	LinkSubmission: {"Søknad", "Søknad", "Application"},
	LinkPayment:    {"Betaling", "Betaling", "Payment"},
	LinkBooking:    {"Bestilling", "Bestilling", "Booking"},
	LinkLetter:     {"Brev", "Brev", "Letter"},
}

var journalText = map[JournalType][3]string{
	Incoming: {"Inngående dokument", "Inngåande dokument", "Incoming document"},
	Outgoing: {"Utgående dokument", "Utgåande dokument", "Outgoing document"},
	Internal: {"Organinternt dokument", "Organinternt dokument", "Internal document"},
	Note:     {"Notat", "Notat", "Note"},
}

// Label is the state as a citizen reads it, in nb, nn or en.
func (s State) Label(lang i18n.Lang) string {
	if t, ok := stateText[s]; ok {
		return lang.Pick(t)
	}
	return string(s)
}

// Label is the outcome as a citizen reads it.
func (o Outcome) Label(lang i18n.Lang) string {
	if t, ok := outcomeText[o]; ok {
		return lang.Pick(t)
	}
	return string(o)
}

// Label is the deadline's name as a citizen reads it.
func (k DeadlineKind) Label(lang i18n.Lang) string {
	if t, ok := deadlineText[k]; ok {
		return lang.Pick(t)
	}
	return string(k)
}

// Label is the event type's name as an officer reads it.
func (t EventType) Label(lang i18n.Lang) string {
	if x, ok := eventText[t]; ok {
		return lang.Pick(x)
	}
	return string(t)
}

// Label names what a link points to: "Betaling".
func (k LinkKind) Label(lang i18n.Lang) string {
	if x, ok := linkText[k]; ok {
		return lang.Pick(x)
	}
	return string(k)
}

// Label names the journal entry type: "Utgående dokument".
func (t JournalType) Label(lang i18n.Lang) string {
	if x, ok := journalText[t]; ok {
		return lang.Pick(x)
	}
	return string(t)
}

// Label says what happened, for a case's history: "Ny status: Under
// behandling", "Frist satt: Klagefrist", "Kobling lagt til: Betaling". It
// leaves out the free-text note and every reference.
func (e Event) Label(lang i18n.Lang) string {
	name := e.Type.Label(lang)
	first, _, _ := strings.Cut(e.Note, " ") // what sak itself wrote first in the note
	switch e.Type {
	case EventTransition:
		return name + ": " + e.To.Label(lang)
	case EventLinked:
		return name + ": " + LinkKind(first).Label(lang)
	case EventJournaled:
		return name + ": " + JournalType(first).Label(lang)
	case EventDeadline, EventDeadlineMet:
		return name + ": " + DeadlineKind(first).Label(lang)
	}
	return name
}
