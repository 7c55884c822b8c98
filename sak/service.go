package sak

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// oslo is the time zone of case numbers and of every date a citizen sees.
var oslo = civil.Oslo

// Service runs the case workflow on a Store. Its zero value works, on an
// in-memory store.
type Service struct {
	// Store keeps the cases; nil means an in-memory store.
	Store Store
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per change of state; nil discards. Lines carry
	// the case id and number, never personal data.
	Logger *slog.Logger
	// DecisionPeriod, if set, gives every new case a decision deadline
	// (saksbehandlingsfrist) that many days after the day it is opened.
	DecisionPeriod Days
	// PrepareDecision, if set, is given a copy of the case as Decide is
	// about to save it (decided, with its outcome, note and appeal
	// deadline), and builds what the decision cannot go without, such as
	// its letter. If it fails the case is not saved: it stays undecided,
	// Decide returns ErrNotDecided, and deciding again can succeed.
	PrepareDecision func(ctx context.Context, c *Case) error
	// Archive, if set, is the outbox of an Archiver: a case is queued
	// there, before the change is saved, whenever an entry is journaled,
	// so that each entry reaches the municipality's archive even if the
	// process dies right after the save.
	Archive ArchiveQueue

	once sync.Once
	mem  *MemoryStore
}

func (s *Service) store() Store {
	if s.Store != nil {
		return s.Store
	}
	s.once.Do(func() { s.mem = NewMemoryStore() })
	return s.mem
}

func (s *Service) now() time.Time { return defaults.Now(s.Now).UTC() }

func (s *Service) logger() *slog.Logger { return defaults.Logger(s.Logger) }

// Application is what opens a case.
type Application struct {
	Kind        string // the service, e.g. "skjenkebevilling"
	Title       string // the case title as officers see it
	PublicTitle string // offentligTittel, if Title holds anything screened
	Owner       string // the applicant's opaque id; see Actor
	OnBehalfOf  string // the organisation's orgnr, when the applicant acts for one
	// ApplicantName is the name officers' lists show: the organisation's
	// when acting for one, else the person's. A personal number in it is
	// masked to its birth date ("010190*****").
	ApplicantName string
	// AwaitPayment opens the case waiting for its fee.
	AwaitPayment bool
	// Deadlines to set from the start, besides the decision deadline.
	Deadlines []Deadline
	// Links to add from the start, such as the submission.
	Links []Link
}

// Open creates a case from an application, in state Received (or
// AwaitingPayment), with the next case number of the year.
func (s *Service) Open(ctx context.Context, a Application) (*Case, error) {
	if a.Kind == "" || a.Title == "" || a.Owner == "" {
		return nil, fmt.Errorf("%w: an application needs a kind, a title and an owner", ErrInvalid)
	}
	if a.OnBehalfOf != "" && !isOrgnr(a.OnBehalfOf) {
		return nil, fmt.Errorf("%w: on behalf of %q: not a nine-digit organisation number", ErrInvalid, a.OnBehalfOf)
	}
	now := s.now()
	// The case number's year is the year the case is opened, in Oslo; it
	// never changes (see EntryNumber).
	year := now.In(oslo).Year()
	seq, err := s.store().NextSequence(ctx, "sak", year)
	if err != nil {
		return nil, err
	}
	applicant := Actor{Role: RoleApplicant, ID: a.Owner}
	c := &Case{
		ID: uuid.NewString(), Year: year, Sequence: seq,
		Kind: a.Kind, Title: a.Title, PublicTitle: a.PublicTitle,
		Owner: a.Owner, OnBehalfOf: a.OnBehalfOf, ApplicantName: redactPersonalNumbers(a.ApplicantName),
		State: Received, Created: now, Updated: now,
		Deadlines: slices.Clone(a.Deadlines),
	}
	c.event(now, applicant, EventOpened, "", Received, "")
	if s.DecisionPeriod > 0 {
		c.setDeadline(now, Actor{Role: RoleSystem, ID: "sak"}, DeadlineDecision, s.DecisionPeriod.Due(now))
	}
	for _, l := range a.Links {
		c.link(now, applicant, l)
	}
	if a.AwaitPayment {
		c.State = AwaitingPayment
		c.event(now, Actor{Role: RoleSystem, ID: "sak"}, EventTransition, Received, AwaitingPayment, "fee required")
	}
	evs, err := openedEvents(c)
	if err != nil {
		return nil, err
	}
	if err := s.store().Create(ctx, c, evs...); err != nil {
		return nil, err
	}
	s.logger().InfoContext(ctx, "sak: case opened", "case", c.ID, "number", c.Number(), "kind", c.Kind, "state", c.State)
	return c, nil
}

// Get returns a case. An applicant sees only their own cases; to anyone else
// the case does not exist, so that its existence is not revealed either.
func (s *Service) Get(ctx context.Context, actor Actor, id string) (*Case, error) {
	c, err := s.store().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if actor.Role == RoleApplicant && c.Owner != actor.ID {
		return nil, ErrNotFound
	}
	return c, nil
}

// ForOwner lists a page of an applicant's cases, newest first: "Min side".
func (s *Service) ForOwner(ctx context.Context, owner string, p Page) (cases []*Case, next string, err error) {
	if owner == "" {
		return nil, "", fmt.Errorf("%w: empty owner", ErrInvalid)
	}
	return s.store().List(ctx, Filter{Owner: owner}, p)
}

// List lists a page of cases for officers, newest first, and the cursor
// that goes on (see Store.List).
func (s *Service) List(ctx context.Context, f Filter, p Page) (cases []*Case, next string, err error) {
	return s.store().List(ctx, f, p)
}

// Cases yields every case that matches f, newest first, reading the Store a
// page at a time, so that memory does not grow with the number of cases.
// It stops at the first error, which it yields.
func (s *Service) Cases(ctx context.Context, f Filter) iter.Seq2[*Case, error] {
	return func(yield func(*Case, error) bool) {
		p := Page{Limit: MaxPageLimit}
		for {
			cs, next, err := s.store().List(ctx, f, p)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, c := range cs {
				if !yield(c, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			p.After = next
		}
	}
}

// Transition moves a case to another state, if the actor's role may make that
// transition and, for an applicant, the case is theirs. A decision goes through
// Decide, which records the outcome.
func (s *Service) Transition(ctx context.Context, actor Actor, id string, to State, note string) (*Case, error) {
	if to == Decided {
		return nil, fmt.Errorf("%w: use Decide to decide a case", ErrInvalid)
	}
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		return c.transition(now, actor, to, note)
	})
}

// Decide records the decision (vedtak) on a case in progress, and sets the
// appeal deadline three weeks on (forvaltningsloven § 29), counted from the
// day of the decision: see [AppealDeadline] for when a letter reaches the
// party. Only one decision is ever made: a second, even a concurrent one, gets
// ErrInvalidTransition.
func (s *Service) Decide(ctx context.Context, actor Actor, id string, outcome Outcome, note string) (*Case, error) {
	if outcome != Approved && outcome != Rejected {
		return nil, fmt.Errorf("%w: outcome %q", ErrInvalid, outcome)
	}
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		if err := c.transition(now, actor, Decided, note); err != nil {
			return err
		}
		c.Outcome = outcome
		c.setDeadline(now, actor, DeadlineAppeal, AppealDeadline(now))
		return nil
	})
}

// Link ties the case to a record elsewhere (a payment, a booking, a letter).
// Linking the same (Kind, Ref) again updates its Label and Status, and is a
// no-op when nothing changed, so that webhooks and retries may call it freely.
func (s *Service) Link(ctx context.Context, actor Actor, id string, l Link) (*Case, error) {
	if l.Kind == "" || l.Ref == "" {
		return nil, fmt.Errorf("%w: a link needs a kind and a ref", ErrInvalid)
	}
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		if !c.link(now, actor, l) {
			return errUnchanged
		}
		return nil
	})
}

// Journal registers a journal entry (journalpost) on the case and numbers
// it twice: Number within the case (journalpostnummer: 1, 2, ...), and
// Year and Sequence in the journal of the year of e.Date in Oslo
// (journalår, journalsekvensnummer), unique under concurrency. The case's
// own number keeps the year it was opened; see Case.EntryNumber and
// JournalEntry.JournalNumber. An entry whose ID the case already holds is
// not added again.
func (s *Service) Journal(ctx context.Context, actor Actor, id string, e JournalEntry) (*Case, error) {
	if e.Title == "" || !slices.Contains([]JournalType{Incoming, Outgoing, Internal, Note}, e.Type) {
		return nil, fmt.Errorf("%w: a journal entry needs a title and a type (I, U, N or X)", ErrInvalid)
	}
	if e.ID == "" {
		e.ID = uuid.NewString()
	}
	now := s.now()
	if e.Date.IsZero() {
		e.Date = now
	}
	// Numbered once, outside the retry loop: a conflict must not burn numbers.
	var allocated bool
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		for _, j := range c.Journal {
			if j.ID == e.ID {
				return errUnchanged
			}
		}
		if !allocated {
			e.Year = e.Date.In(oslo).Year()
			seq, err := s.store().NextSequence(ctx, "journal", e.Year)
			if err != nil {
				return err
			}
			e.Sequence, allocated = seq, true
		}
		e.Number = len(c.Journal) + 1
		c.Journal = append(c.Journal, e)
		c.event(now, actor, EventJournaled, "", "", fmt.Sprintf("%s %d/%d %s", e.Type, e.Year, e.Sequence, e.ID))
		return nil
	})
}

// SetDeadline sets (or moves) a deadline on the case. Officers and the system
// set deadlines; applicants do not.
func (s *Service) SetDeadline(ctx context.Context, actor Actor, id string, kind DeadlineKind, due time.Time) (*Case, error) {
	if actor.Role == RoleApplicant {
		return nil, ErrForbidden
	}
	return s.update(ctx, actor, id, func(c *Case, now time.Time) error {
		c.setDeadline(now, actor, kind, due.UTC())
		return nil
	})
}

// Overdue lists the open cases that have an open deadline past now,
// newest first.
func (s *Service) Overdue(ctx context.Context) ([]*Case, error) {
	now := s.now()
	var out []*Case
	for c, err := range s.Cases(ctx, Filter{}) {
		if err != nil {
			return nil, err
		}
		if !c.State.Final() && len(c.Overdue(now)) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// errUnchanged tells update that fn found nothing to do.
var errUnchanged = errors.New("sak: unchanged")

// maxAttempts bounds the optimistic-locking retries of one update.
const maxAttempts = 10

// update loads the case, applies fn and saves it, retrying from a fresh load
// when another writer got there first, so that fn always judges the latest
// state (which is what makes a concurrent second decision fail).
func (s *Service) update(ctx context.Context, actor Actor, id string, fn func(c *Case, now time.Time) error) (*Case, error) {
	for attempt := 1; ; attempt++ {
		c, err := s.store().Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if actor.Role == RoleApplicant && c.Owner != actor.ID {
			return nil, ErrNotFound
		}
		from, journaled, archived := c.State, len(c.Journal), archivedIDs(c)
		now := s.now()
		if err := fn(c, now); errors.Is(err, errUnchanged) {
			return c, nil
		} else if err != nil {
			return nil, err
		}
		if c.State == Decided && from != Decided && s.PrepareDecision != nil {
			if err := s.PrepareDecision(ctx, c.Clone()); err != nil {
				return nil, fmt.Errorf("%w: case %s: %w", ErrNotDecided, c.ID, err)
			}
		}
		c.Updated = now
		if actor.Role == RoleOfficer {
			c.Officer = actor.ID
		}
		evs, err := changeEvents(c, from, journaled, actor.Role, now)
		if err == nil {
			evs, err = archiveEvents(c, archived, evs, now)
		}
		if err != nil {
			return nil, err
		}
		armed := s.Archive != nil && len(c.Journal) > journaled
		// Queued first, with the version the save makes: a crash after the
		// save loses nothing, and a pass that runs before the save is
		// visible waits for it (ArchiveTask.CaseVersion).
		if armed {
			if err := s.Archive.Arm(ctx, c.ID, now, c.Version+1); err != nil {
				return nil, err
			}
		}
		err = s.store().Update(ctx, c, evs...)
		if err == nil {
			if armed { // again, due now: the first arm's due may have been claimed
				if err := s.Archive.Arm(ctx, c.ID, now, c.Version); err != nil {
					s.logger().WarnContext(ctx, "sak: archive queue", "case", c.ID, "error", err)
				}
			}
			if c.State != from {
				s.logger().InfoContext(ctx, "sak: case moved", "case", c.ID, "number", c.Number(),
					"from", from, "to", c.State, "role", actor.Role)
			}
			return c, nil
		}
		if !errors.Is(err, ErrConflict) || attempt == maxAttempts {
			return nil, err
		}
	}
}

func (c *Case) event(now time.Time, actor Actor, typ EventType, from, to State, note string) {
	c.Events = append(c.Events, Event{Seq: len(c.Events) + 1, At: now, Actor: actor, Type: typ, From: from, To: to, Note: note})
}

func (c *Case) transition(now time.Time, actor Actor, to State, note string) error {
	if !to.Valid() {
		return fmt.Errorf("%w: unknown state %q", ErrInvalid, to)
	}
	if !Allowed(c.State, to, actor.Role) {
		reason := ""
		if c.State.Final() {
			reason = "the case is " + string(c.State)
		}
		return &TransitionError{From: c.State, To: to, Role: actor.Role, Reason: reason}
	}
	from := c.State
	c.State = to
	c.event(now, actor, EventTransition, from, to, note)
	// Leaving a waiting state meets the deadline of what was waited for.
	switch {
	case from == AwaitingPayment && to == InProgress:
		c.meetDeadline(now, actor, DeadlinePayment)
	case from == AwaitingApplicant && to == InProgress:
		c.meetDeadline(now, actor, DeadlineApplicant)
	case to == Decided:
		c.meetDeadline(now, actor, DeadlineDecision)
	}
	return nil
}

func (c *Case) setDeadline(now time.Time, actor Actor, kind DeadlineKind, due time.Time) {
	note := string(kind) + " " + due.Format(time.RFC3339)
	for i, d := range c.Deadlines {
		if d.Kind == kind {
			c.Deadlines[i] = Deadline{Kind: kind, Due: due}
			c.event(now, actor, EventDeadline, "", "", note)
			return
		}
	}
	c.Deadlines = append(c.Deadlines, Deadline{Kind: kind, Due: due})
	c.event(now, actor, EventDeadline, "", "", note)
}

func (c *Case) meetDeadline(now time.Time, actor Actor, kind DeadlineKind) {
	for i, d := range c.Deadlines {
		if d.Kind == kind && d.Met.IsZero() {
			c.Deadlines[i].Met = now
			c.event(now, actor, EventDeadlineMet, "", "", string(kind))
		}
	}
}

// link adds or updates a link and reports whether anything changed.
func (c *Case) link(now time.Time, actor Actor, l Link) bool {
	if l.At.IsZero() {
		l.At = now
	}
	for i, old := range c.Links {
		if old.Kind == l.Kind && old.Ref == l.Ref {
			if old.Label == l.Label && old.Status == l.Status {
				return false
			}
			c.Links[i].Label, c.Links[i].Status = l.Label, l.Status
			c.event(now, actor, EventLinked, "", "", string(l.Kind)+" "+l.Ref+" "+l.Status)
			return true
		}
	}
	c.Links = append(c.Links, l)
	c.event(now, actor, EventLinked, "", "", string(l.Kind)+" "+l.Ref+" "+l.Status)
	return true
}

func isOrgnr(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
