package sak

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/internal/errmap"
)

// State is where a case is in its life.
type State string

// The states of a case. Received, AwaitingPayment, InProgress and
// AwaitingApplicant are open; Decided waits only for the appeal period and the
// letter; Closed and Withdrawn are final.
const (
	Received          State = "received"           // mottatt: submitted, not yet looked at
	AwaitingPayment   State = "awaiting_payment"   // venter på betaling: the fee is not yet paid
	InProgress        State = "in_progress"        // under behandling
	AwaitingApplicant State = "awaiting_applicant" // venter på søker: more information asked for
	Decided           State = "decided"            // vedtatt: approved or rejected
	Closed            State = "closed"             // avsluttet
	Withdrawn         State = "withdrawn"          // trukket by the applicant
)

// States lists every state, in the order of a case's life.
func States() []State {
	return []State{Received, AwaitingPayment, InProgress, AwaitingApplicant, Decided, Closed, Withdrawn}
}

// Final reports whether no transition leaves s.
func (s State) Final() bool { return s == Closed || s == Withdrawn }

// Valid reports whether s is one of the States.
func (s State) Valid() bool { return slices.Contains(States(), s) }

// Role is the capacity in which someone acts on a case.
type Role string

// The roles. RoleSystem is the service itself, for example when a payment
// webhook moves a case on.
const (
	RoleApplicant Role = "applicant"
	RoleOfficer   Role = "officer"
	RoleSystem    Role = "system"
)

// Actor is who acts. ID is an opaque, stable identifier (an ID-porten or
// Ansattporten "sub", or a system name); never a fødselsnummer, because it is
// stored in the event log and shown to officers.
type Actor struct {
	Role Role
	ID   string
}

func (a Actor) String() string { return string(a.Role) + ":" + a.ID }

// Outcome is the result of a decision.
type Outcome string

// The outcomes of a decision.
const (
	Approved Outcome = "approved" // innvilget
	Rejected Outcome = "rejected" // avslått
)

// transitions is the workflow: for each (from, to), the roles that may make it.
var transitions = map[[2]State][]Role{
	{Received, AwaitingPayment}:          {RoleSystem},
	{Received, InProgress}:               {RoleOfficer, RoleSystem},
	{AwaitingPayment, InProgress}:        {RoleSystem, RoleOfficer},
	{InProgress, AwaitingApplicant}:      {RoleOfficer},
	{AwaitingApplicant, InProgress}:      {RoleApplicant, RoleOfficer},
	{InProgress, Decided}:                {RoleOfficer},
	{Decided, Closed}:                    {RoleOfficer, RoleSystem},
	{Received, Withdrawn}:                {RoleApplicant},
	{AwaitingPayment, Withdrawn}:         {RoleApplicant},
	{InProgress, Withdrawn}:              {RoleApplicant},
	{AwaitingApplicant, Withdrawn}:       {RoleApplicant},
	{AwaitingPayment, Closed}:            {RoleOfficer}, // the fee never came: closed without a decision
	{AwaitingApplicant, Closed}:          {RoleOfficer}, // the applicant never answered
	{Received, Closed}:                   {RoleOfficer}, // e.g. a duplicate application
	{InProgress, Closed}:                 {RoleOfficer},
	{AwaitingApplicant, AwaitingPayment}: {RoleOfficer}, // the fee turned out to be unpaid
}

// Allowed reports whether role may move a case from one state to another.
func Allowed(from, to State, role Role) bool {
	return slices.Contains(transitions[[2]State{from, to}], role)
}

// Next lists the states role may move a case in state from to, in States order.
func Next(from State, role Role) []State {
	var next []State
	for _, to := range States() {
		if Allowed(from, to, role) {
			next = append(next, to)
		}
	}
	return next
}

// DeadlineKind names a deadline.
type DeadlineKind string

// The deadlines a case can carry.
const (
	DeadlinePayment   DeadlineKind = "payment"   // the fee must be paid by
	DeadlineDecision  DeadlineKind = "decision"  // saksbehandlingsfrist: the service promised a decision by
	DeadlineApplicant DeadlineKind = "applicant" // the applicant must answer by
	DeadlineAppeal    DeadlineKind = "appeal"    // klagefrist: an appeal must arrive by (forvaltningsloven § 29)
)

// Deadline is a date something must happen by. Met is zero while it is open.
// A deadline counted in [Days] is due at the last instant of its last day.
type Deadline struct {
	Kind DeadlineKind `json:"kind"`
	Due  time.Time    `json:"due"`
	Met  time.Time    `json:"met,omitzero"`
}

// Overdue reports whether the deadline is open and past at now.
func (d Deadline) Overdue(now time.Time) bool { return d.Met.IsZero() && now.After(d.Due) }

// LinkKind names what a link points to.
type LinkKind string

// What a case links to; Ref is the id in the owning package.
const (
	LinkSubmission LinkKind = "submission" // a forms submission
	LinkPayment    LinkKind = "payment"    // a payment reference
	LinkBooking    LinkKind = "booking"    // a booking id
	LinkLetter     LinkKind = "letter"     // an outgoing letter (SvarUT outbox id)
)

// Link ties a case to a record in another package. A case holds one link per
// (Kind, Ref); Label and Status are for display and may be updated.
type Link struct {
	Kind   LinkKind  `json:"kind"`
	Ref    string    `json:"ref"`
	Label  string    `json:"label,omitempty"`
	Status string    `json:"status,omitempty"`
	At     time.Time `json:"at"`
}

// JournalType is the Noark 5 journalposttype.
type JournalType string

// The Noark 5 journalposttyper a service uses.
const (
	Incoming JournalType = "I" // inngående dokument
	Outgoing JournalType = "U" // utgående dokument
	Internal JournalType = "N" // organinternt dokument for oppfølging
	Note     JournalType = "X" // organinternt dokument uten oppfølging
)

// JournalEntry is one registered document exchange in the case (a journalpost).
type JournalEntry struct {
	ID          string      `json:"id"`     // UUID, becomes the journalpost's systemID
	Number      int         `json:"number"` // journalpostnummer: 1, 2, ... within the case
	Year        int         `json:"year"`   // journalår
	Sequence    int         `json:"seq"`    // journalsekvensnummer within the year
	Type        JournalType `json:"type"`
	Title       string      `json:"title"`
	PublicTitle string      `json:"publicTitle,omitempty"` // offentligTittel: the title with screened words removed
	Screened    bool        `json:"screened,omitempty"`    // skjermet: only PublicTitle may be published
	Date        time.Time   `json:"date"`                  // journaldato
	Party       string      `json:"party,omitempty"`       // korrespondansepart's name; Parties says more
	// Parties are the senders and recipients (korrespondanseparter). When
	// empty, Party names the one party: the sender of an incoming entry, the
	// recipient of an outgoing one.
	Parties   []Correspondent `json:"parties,omitempty"`
	Documents []Document      `json:"documents,omitempty"`
	// Archive is where the municipality's archive journaled the entry
	// (see Archiver): nil until its kvittering arrives.
	Archive *ArchiveRef `json:"archive,omitempty"`
}

// CorrespondentRole is a party's part in a journal entry.
type CorrespondentRole string

// The roles of a correspondent (Noark 5 korrespondanseparttype).
const (
	Sender            CorrespondentRole = "sender"             // avsender
	Recipient         CorrespondentRole = "recipient"          // mottaker
	CopyRecipient     CorrespondentRole = "copy"               // kopimottaker
	InternalSender    CorrespondentRole = "internal_sender"    // intern avsender
	InternalRecipient CorrespondentRole = "internal_recipient" // intern mottaker
)

// Correspondent is a sender or recipient of a journal entry. Never put a
// fødselsnummer here: the name goes into the public journal unless Screened.
type Correspondent struct {
	Role       CorrespondentRole `json:"role"`
	Name       string            `json:"name"`
	Address    string            `json:"address,omitempty"`
	PostalCode string            `json:"postalCode,omitempty"`
	PostTown   string            `json:"postTown,omitempty"`
	Email      string            `json:"email,omitempty"`
	// Screened keeps the name out of the public journal (a private person,
	// offentleglova § 13).
	Screened bool `json:"screened,omitempty"`
}

// Document is a file belonging to a journal entry. Ref lets the owner of the
// bytes (a forms receipt, a letter store) open it again; the case never holds
// the bytes.
type Document struct {
	Title     string `json:"title"`
	FileName  string `json:"fileName"`
	MediaType string `json:"mediaType"`
	Ref       string `json:"ref"`
	// Kind is the Noark 5 dokumenttype, e.g. "Søknad", "Vedtak",
	// "Kvittering"; empty means "Brev".
	Kind string `json:"kind,omitempty"`
}

// EventType names an entry in a case's event log.
type EventType string

// The event types.
const (
	EventOpened      EventType = "opened"
	EventTransition  EventType = "transition"
	EventLinked      EventType = "linked"
	EventJournaled   EventType = "journaled"
	EventDeadline    EventType = "deadline"
	EventDeadlineMet EventType = "deadline_met"
	// EventArchived: the municipality's archive journaled the case or an
	// entry (its numbers arrived); EventArchiveRefused: it refused it for
	// good. See Archiver.
	EventArchived       EventType = "archived"
	EventArchiveRefused EventType = "archive_refused"
)

// Event is one entry in a case's append-only log.
type Event struct {
	Seq   int       `json:"seq"`
	At    time.Time `json:"at"`
	Actor Actor     `json:"actor"`
	Type  EventType `json:"type"`
	From  State     `json:"from,omitempty"`
	To    State     `json:"to,omitempty"`
	Note  string    `json:"note,omitempty"`
}

// Case is one application and everything that belongs to it.
type Case struct {
	ID          string `json:"id"`   // UUID; the saksmappe's systemID
	Year        int    `json:"year"` // saksår
	Sequence    int    `json:"seq"`  // sakssekvensnummer within the year
	Kind        string `json:"kind"` // the service, e.g. "skjenkebevilling"
	Title       string `json:"title"`
	PublicTitle string `json:"publicTitle,omitempty"`
	Owner       string `json:"owner"` // the applicant's opaque id (see Actor)
	// ApplicantName is the applicant's name for officers' lists: a person's
	// or an organisation's, never a personal number (Open masks any).
	ApplicantName string         `json:"applicantName,omitempty"`
	OnBehalfOf    string         `json:"onBehalfOf,omitempty"` // orgnr when the applicant acts for an organisation
	State         State          `json:"state"`
	Outcome       Outcome        `json:"outcome,omitempty"`
	Officer       string         `json:"officer,omitempty"` // saksbehandler: the officer who last acted
	Deadlines     []Deadline     `json:"deadlines,omitempty"`
	Links         []Link         `json:"links,omitempty"`
	Journal       []JournalEntry `json:"journal,omitempty"`
	Events        []Event        `json:"events"`
	Created       time.Time      `json:"created"`
	Updated       time.Time      `json:"updated"`
	// Version counts the case's saved changes; a Store refuses an update
	// made from an older version (optimistic locking).
	Version int `json:"version"`
	// Archive is the case's saksmappe in the municipality's archive (see
	// Archiver): nil until the archive has answered.
	Archive *ArchiveRef `json:"archive,omitempty"`
}

// Number is the case number as officers write it: "2026/17".
func (c *Case) Number() string { return strconv.Itoa(c.Year) + "/" + strconv.Itoa(c.Sequence) }

// JournalNumber is the entry's place in the year's journal, as the journal
// lists it: "2027/5", journalår/journalsekvensnummer. The year is the year
// the entry was journaled, which need not be the case's.
func (e JournalEntry) JournalNumber() string {
	return strconv.Itoa(e.Year) + "/" + strconv.Itoa(e.Sequence)
}

// EntryNumber is how officers refer to an entry of the case: the case
// number and the entry's journalpostnummer, "2026/17-2". The year is the
// case's (saksår), fixed when the case was opened: a case opened in
// December keeps it for a letter journaled in January.
func (c *Case) EntryNumber(e JournalEntry) string {
	return c.Number() + "-" + strconv.Itoa(e.Number)
}

// NextDeadline returns the open deadline that is due first, if any.
func (c *Case) NextDeadline() (Deadline, bool) {
	var next Deadline
	for _, d := range c.Deadlines {
		if d.Met.IsZero() && (next.Kind == "" || d.Due.Before(next.Due)) {
			next = d
		}
	}
	return next, next.Kind != ""
}

// Deadline returns the deadline of the kind, if the case has one.
func (c *Case) Deadline(kind DeadlineKind) (Deadline, bool) {
	for _, d := range c.Deadlines {
		if d.Kind == kind {
			return d, true
		}
	}
	return Deadline{}, false
}

// Overdue lists the case's open deadlines that are past at now.
func (c *Case) Overdue(now time.Time) []Deadline {
	var out []Deadline
	for _, d := range c.Deadlines {
		if d.Overdue(now) {
			out = append(out, d)
		}
	}
	return out
}

// LinksOf lists the case's links of one kind.
func (c *Case) LinksOf(kind LinkKind) []Link {
	var out []Link
	for _, l := range c.Links {
		if l.Kind == kind {
			out = append(out, l)
		}
	}
	return out
}

// Clone returns a deep copy, so that a store never shares slices with a caller.
func (c *Case) Clone() *Case {
	cp := *c
	cp.Deadlines = slices.Clone(c.Deadlines)
	cp.Links = slices.Clone(c.Links)
	cp.Events = slices.Clone(c.Events)
	cp.Journal = make([]JournalEntry, len(c.Journal))
	for i, j := range c.Journal {
		j.Documents = slices.Clone(j.Documents)
		j.Parties = slices.Clone(j.Parties)
		j.Archive = j.Archive.clone()
		cp.Journal[i] = j
	}
	cp.Archive = c.Archive.clone()
	if c.Journal == nil {
		cp.Journal = nil
	}
	return &cp
}

// Errors. An HTTP edge maps them with HTTPStatus.
var (
	ErrNotFound          = errors.New("sak: case not found")
	ErrConflict          = errors.New("sak: case changed concurrently")
	ErrInvalidTransition = errors.New("sak: transition not allowed")
	ErrForbidden         = errors.New("sak: not allowed to act on this case")
	ErrInvalid           = errors.New("sak: invalid input")
	// ErrNotDecided means Service.PrepareDecision failed: the case was
	// left as it was.
	ErrNotDecided = errors.New("sak: decision not made")
	// ErrInvalidText: a case holds a string that is not UTF-8 or holds a
	// NUL, which PostgreSQL cannot keep. Every Store refuses it, the memory
	// store as PostgreSQL does; it is an ErrInvalid.
	ErrInvalidText = fmt.Errorf("%w: text that is not UTF-8 or holds a NUL", ErrInvalid)
)

// TransitionError says which transition was refused and why.
type TransitionError struct {
	From, To State
	Role     Role
	Reason   string
}

func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("sak: %s may not move a case from %s to %s", e.Role, e.From, e.To)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// codes maps each sentinel to its HTTP status and stable code, in the order
// HTTPStatus tries them: ErrNotDecided first, since it wraps its cause.
var codes = errmap.Table{
	errmap.E(ErrNotDecided, http.StatusServiceUnavailable, "not_decided"),
	errmap.E(ErrNotFound, http.StatusNotFound, "not_found"),
	errmap.E(ErrConflict, http.StatusConflict, "conflict"),
	errmap.E(ErrInvalidTransition, http.StatusConflict, "invalid_transition"),
	errmap.E(ErrForbidden, http.StatusForbidden, "forbidden"),
	errmap.E(ErrInvalid, http.StatusBadRequest, "invalid"),
}

// HTTPStatus maps err to an HTTP status and a stable, lower-case code for
// the HTTP edge:
//
//	ErrNotDecided         503 not_decided (the case is unchanged; deciding again can succeed)
//	ErrNotFound           404 not_found
//	ErrConflict           409 conflict
//	ErrInvalidTransition  409 invalid_transition (a *TransitionError)
//	ErrForbidden          403 forbidden
//	ErrInvalid            400 invalid (ErrInvalidText and a bad cursor too)
//
// nil gives (200, ""); any other error (500, "internal").
func HTTPStatus(err error) (status int, code string) {
	return codes.Lookup(err)
}
