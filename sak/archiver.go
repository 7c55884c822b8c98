package sak

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/job"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// ArchiveRef is where the municipality's archive system (Public 360,
// Elements ...) filed a case or a journal entry, as its kvittering (or a
// search, after a lost one) says; or, with Refused set, why it refused it
// for good.
type ArchiveRef struct {
	SystemID string `json:"systemId,omitempty"` // the archive's systemID
	// Year and Sequence are the archive's saksaar and sakssekvensnummer on
	// a case, its journalaar and journalsekvensnummer on an entry.
	Year     int `json:"year,omitempty"`
	Sequence int `json:"seq,omitempty"`
	// Number is an entry's journalpostnummer in the archive's case.
	Number int `json:"number,omitempty"`
	// Refused is the archive's message when it refused the case or entry
	// for good (feilmelding.ugyldigforespoersel, ikkefunnet), personal
	// numbers masked, or why the entry could not be sent at all.
	Refused string    `json:"refused,omitempty"`
	At      time.Time `json:"at"`
}

func (r *ArchiveRef) clone() *ArchiveRef {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}

// Journaled reports whether the archive holds the case or entry.
func (r *ArchiveRef) Journaled() bool { return r != nil && r.Refused == "" }

// ArchiveNumber is the case's saksnummer in the municipality's archive,
// "2026/123" (saksaar/sakssekvensnummer), or "" while it has none.
func (c *Case) ArchiveNumber() string {
	if !c.Archive.Journaled() || c.Archive.Year == 0 {
		return ""
	}
	return strconv.Itoa(c.Archive.Year) + "/" + strconv.Itoa(c.Archive.Sequence)
}

// ArchiveEntryNumber is how the archive refers to the entry: its saksnummer
// and journalpostnummer, "2026/123-2"; "" while it has none.
func (c *Case) ArchiveEntryNumber(e JournalEntry) string {
	n := c.ArchiveNumber()
	if n == "" || !e.Archive.Journaled() || e.Archive.Number == 0 {
		return ""
	}
	return n + "-" + strconv.Itoa(e.Archive.Number)
}

// ArchiveClient is what an Archiver needs of a *fiksarkiv.Sender.
type ArchiveClient interface {
	Send(ctx context.Context, req fiksarkiv.Request) (*fiksarkiv.Exchange, error)
	Due(ctx context.Context, limit int) ([]*fiksarkiv.Exchange, error)
	Reconcile(ctx context.Context, klientMeldingID string) (*fiksarkiv.Exchange, error)
	Store() fiksarkiv.Store
}

// Archiver journals cases into the municipality's archive through KS Fiks
// Arkiv, exactly once: the case's saksmappe first, and, once the archive
// has given its numbers, each journal entry (the application, the decision
// letter, their attachments) as a journalpost filed into that saksmappe by
// its referanseEksternNoekkel. It is the job behind Service.Archive: the
// Service queues a case, durably and before the entry is saved, whenever
// an entry is journaled; RunOnce works through the queue.
//
// Exactly once: each saksmappe and journalpost has its own klientMeldingId
// (derived from the case's or entry's ID), so a resend after a crash, a
// timeout or serverfeil is the same message, which the archive does not
// store twice, and fiksarkiv.Sender.Send sends it once however many
// Archivers run. A write whose kvittering does not come within the
// client's Timeout is reconciled by innsyn.sok on its
// referanseEksternNoekkel: found, its numbers are taken from the search;
// not found, it is sent again.
//
// Feilmelding.ugyldigforespoersel (and ikkefunnet) is final: the case or
// entry records the archive's message in Archive.Refused, personal numbers
// masked, for the officer. Serverfeil and Fiks IO's tidsavbrudd are sent
// again after a backoff (RetryBase doubled per attempt, at most RetryMax).
// The archive's numbers are stored on the case (Case.Archive,
// JournalEntry.Archive) with an EventArchived and the CaseJournaled event
// carrying them.
type Archiver struct {
	// Service holds the cases; its Archive is the queue. Required.
	Service *Service
	// Client talks to the archive (a *fiksarkiv.Sender, whose Handle runs
	// on the fagsystem's Fiks IO account). Required.
	Client ArchiveClient
	// Mapper writes the arkivmeldinger; System and Fagsystem are required.
	Mapper fiksarkiv.Mapper
	// Options map the case onto Noark 5 (Folder); Open reads documents.
	Options ArchiveOptions
	// Poll is how soon a case waiting for a kvittering is looked at again;
	// 0 means 30 seconds.
	Poll time.Duration
	// RetryBase and RetryMax bound the backoff after serverfeil and
	// tidsavbrudd; 0 means 30 seconds and 30 minutes.
	RetryBase, RetryMax time.Duration
	// Lease is how long a pass keeps a case from other Archivers; 0 means
	// 5 minutes.
	Lease time.Duration
	// Batch is how many cases a pass takes; 0 means 50.
	Batch int
	// SaveWait is how long a pass waits for the save of a change armed
	// for it (ArchiveTask.CaseVersion): a case stored older than that is
	// looked at again every Poll until then, and after it the change is
	// taken to have failed. 0 means 15 minutes.
	SaveWait time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// ErrArchiver: an Archiver lacks a required field.
var ErrArchiver = errors.New("sak: invalid Archiver")

func (a *Archiver) now() time.Time    { return defaults.Now(a.Now).UTC() }
func (a *Archiver) log() *slog.Logger { return defaults.Logger(a.Logger) }

// dur is d, or def when d is not positive.
func dur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (a *Archiver) check() error {
	switch {
	case a.Service == nil || a.Service.Archive == nil:
		return fmt.Errorf("%w: Service with an Archive queue is required", ErrArchiver)
	case a.Client == nil:
		return fmt.Errorf("%w: Client is required", ErrArchiver)
	case a.Mapper.System == "" || a.Mapper.Fagsystem == "":
		return fmt.Errorf("%w: Mapper.System and Mapper.Fagsystem are required", ErrArchiver)
	}
	return nil
}

// Run does RunOnce at once and then every interval until ctx ends.
func (a *Archiver) Run(ctx context.Context, every time.Duration) error {
	if err := a.check(); err != nil {
		return err
	}
	return job.Run(ctx, every, a.RunOnce, a.log(), "sak: archiver", ErrArchiver)
}

// RunOnce reconciles the writes that waited too long for their kvittering,
// then takes the cases that are due from the queue and moves each as far
// as the archive's answers allow.
func (a *Archiver) RunOnce(ctx context.Context) error {
	if err := a.check(); err != nil {
		return err
	}
	var errs []error
	due, err := a.Client.Due(ctx, 4*a.batch())
	if err != nil {
		return err
	}
	for _, x := range due {
		if x.Type == fiksarkiv.TypeArkivmeldingOpprett && (x.State == fiksarkiv.StateSent || x.State == fiksarkiv.StateMottatt) {
			rctx, cancel := context.WithTimeout(ctx, dur(a.Poll, 30*time.Second))
			_, err := a.Client.Reconcile(rctx, x.KlientMeldingID)
			cancel()
			errs = append(errs, err)
		}
	}
	q := a.Service.Archive
	tasks, err := q.Claim(ctx, a.now(), dur(a.Lease, 5*time.Minute), a.batch())
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, t := range tasks {
		next, err := a.journal(ctx, t)
		errs = append(errs, err)
		if next.IsZero() {
			err = q.Done(ctx, t)
		} else {
			err = q.Defer(ctx, t, next)
		}
		if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err) // a conflict: armed meanwhile, so due again
		}
	}
	return errors.Join(errs...)
}

func (a *Archiver) batch() int {
	if a.Batch > 0 {
		return a.Batch
	}
	return 50
}

// KlientMeldingID is the klientMeldingId of the arkivmelding that creates
// a case's saksmappe (entry "") or an entry's journalpost: a UUID derived
// from the IDs, the same on every resend.
func KlientMeldingID(caseID, entryID string) string {
	if entryID == "" {
		return uuid.NewSHA1(archiveNamespace, []byte("saksmappe/"+caseID)).String()
	}
	return uuid.NewSHA1(archiveNamespace, []byte("journalpost/"+caseID+"/"+entryID)).String()
}

var archiveNamespace = uuid.MustParse("0f5c3c56-8d0e-4b8e-9a51-7f6d2b1e4c3a")

// journal moves the task's case forward and returns when to look at it
// again (zero: nothing left to do). A case stored older than the change
// armed for it is looked at again, whatever was done now: the pass may run
// between that change's arm and its save.
func (a *Archiver) journal(ctx context.Context, t ArchiveTask) (time.Time, error) {
	now := a.now()
	c, err := a.Service.store().Get(ctx, t.Case)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, nil // a change that was never saved
	}
	if err != nil {
		return now.Add(httpx.Backoff(1, dur(a.RetryBase, 30*time.Second), dur(a.RetryMax, 30*time.Minute))), err
	}
	next, err := a.journalCase(ctx, c, now)
	if next.IsZero() && c.Version < t.CaseVersion && now.Before(t.Armed.Add(dur(a.SaveWait, 15*time.Minute))) {
		next = now.Add(dur(a.Poll, 30*time.Second))
	}
	return next, err
}

// journalCase moves the case c, as stored, forward.
func (a *Archiver) journalCase(ctx context.Context, c *Case, now time.Time) (time.Time, error) {
	retry := now.Add(httpx.Backoff(1, dur(a.RetryBase, 30*time.Second), dur(a.RetryMax, 30*time.Minute)))
	m, err := a.Options.Folder(ctx, c)
	if err != nil {
		return a.refuse(ctx, c, "", err)
	}
	if c.Archive == nil {
		am, err := a.Mapper.Saksmappe(m)
		if err != nil {
			return a.refuse(ctx, c, "", err)
		}
		ref, next, err := a.item(ctx, fiksarkiv.OpprettRequest(KlientMeldingID(c.ID, ""), am), now)
		if ref == nil {
			return next, err
		}
		if c, err = a.Service.archived(ctx, c.ID, "", *ref); err != nil {
			return retry, err
		}
	}
	if !c.Archive.Journaled() {
		return time.Time{}, nil // refused: its entries cannot be filed into it
	}
	var next time.Time
	var errs []error
	for i, e := range c.Journal {
		if e.Archive != nil {
			continue
		}
		n, err := a.entry(ctx, c, m, i, now)
		errs = append(errs, err)
		if !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next, errors.Join(errs...)
}

// entry sends (or looks at) the journalpost of c.Journal[i].
func (a *Archiver) entry(ctx context.Context, c *Case, m *archive.Saksmappe, i int, now time.Time) (time.Time, error) {
	e := c.Journal[i]
	am, files, err := a.Mapper.Journalpost(m, i)
	if err != nil {
		return a.refuse(ctx, c, e.ID, err)
	}
	ref, next, err := a.item(ctx, fiksarkiv.OpprettRequest(KlientMeldingID(c.ID, e.ID), am, files...), now)
	if ref == nil {
		return next, err
	}
	_, err = a.Service.archived(ctx, c.ID, e.ID, *ref)
	if err != nil {
		return now.Add(dur(a.Poll, 30*time.Second)), err
	}
	return time.Time{}, nil
}

// item moves one write forward: it sends it (once: Send is idempotent by
// klientMeldingId), or, in StateRetry, waits out the backoff first. It
// returns the outcome once there is one, else when to look again.
func (a *Archiver) item(ctx context.Context, req fiksarkiv.Request, now time.Time) (*ArchiveRef, time.Time, error) {
	poll := now.Add(dur(a.Poll, 30*time.Second))
	x, err := a.Client.Store().Get(ctx, req.KlientMeldingID)
	switch {
	case err == nil && x.State == fiksarkiv.StateRetry:
		if at := x.Updated.Add(a.backoff(x.Attempts)); now.Before(at) {
			return nil, at, nil
		}
	case err != nil && !errors.Is(err, fiksarkiv.ErrNotFound):
		return nil, poll, err
	}
	if err != nil || !x.State.Final() {
		x, err = a.Client.Send(ctx, req)
	}
	switch {
	case errors.Is(err, fiksarkiv.ErrInvalid):
		return &ArchiveRef{Refused: redact.Numbers(err.Error()), At: now}, time.Time{}, nil
	case err != nil && x != nil:
		return nil, now.Add(a.backoff(x.Attempts)), err
	case err != nil:
		return nil, poll, err
	}
	switch x.State {
	case fiksarkiv.StateDone:
		n, ok := x.Numbers()
		if !ok {
			// The archive took it, so it is journaled; the officer sees it
			// without numbers, and the log says why.
			_, rerr := x.Reply()
			a.log().WarnContext(ctx, "sak: archiver: the archive's reply names no numbers", "klientMeldingId", req.KlientMeldingID,
				"reply", x.ReplyType, "error", rerr)
		}
		return &ArchiveRef{SystemID: n.SystemID, Year: max(n.Saksaar, n.Journalaar),
			Sequence: max(n.Sakssekvensnummer, n.Journalsekvensnummer), Number: n.Journalpostnummer, At: now}, time.Time{}, nil
	case fiksarkiv.StateFailed:
		return &ArchiveRef{Refused: refusal(x.Err()), At: now}, time.Time{}, nil
	case fiksarkiv.StateRetry:
		return nil, now.Add(a.backoff(x.Attempts)), nil
	}
	return nil, poll, nil
}

func (a *Archiver) backoff(attempts int) time.Duration {
	return httpx.Backoff(max(attempts, 1), dur(a.RetryBase, 30*time.Second), dur(a.RetryMax, 30*time.Minute))
}

// refusal is the officer's text of a final error: the archive's own
// message, personal numbers masked.
func refusal(err error) string {
	var f *fiksarkiv.Feilmelding
	if errors.As(err, &f) {
		msg := strings.TrimSpace(redact.Numbers(f.Message))
		if msg == "" {
			msg = string(f.Kind)
		}
		return string(f.Kind) + ": " + msg
	}
	if err == nil {
		return "refused"
	}
	return redact.Numbers(err.Error())
}

// refuse records that the case (entry "") or entry cannot be journaled
// because grunnmur cannot write it (cause), for the officer to see.
func (a *Archiver) refuse(ctx context.Context, c *Case, entry string, cause error) (time.Time, error) {
	a.log().WarnContext(ctx, "sak: archiver: cannot journal", "case", c.ID, "entry", entry, "error", cause)
	if _, err := a.Service.archived(ctx, c.ID, entry, ArchiveRef{Refused: redact.Numbers(cause.Error()), At: a.now()}); err != nil {
		return a.now().Add(dur(a.Poll, 30*time.Second)), err
	}
	return time.Time{}, nil
}

// archivedIDs are the entries (and, as "", the case) the archive has
// answered for.
func archivedIDs(c *Case) map[string]bool {
	out := map[string]bool{}
	if c.Archive != nil {
		out[""] = true
	}
	for _, e := range c.Journal {
		if e.Archive != nil {
			out[e.ID] = true
		}
	}
	return out
}

// archiveEvents adds to evs a CaseJournaled with the archive's numbers for
// each entry the archive journaled in this change.
func archiveEvents(c *Case, before map[string]bool, evs []events.Event, now time.Time) ([]events.Event, error) {
	for _, e := range c.Journal {
		if before[e.ID] || !e.Archive.Journaled() {
			continue
		}
		ev, err := CaseJournaled.New(c.ID, now, CaseJournaledData{Case: c.ID, Number: c.Number(), Entry: e.ID,
			Type: e.Type, Year: e.Year, Sequence: e.Sequence, InCase: e.Number, Archived: true,
			ArchiveCase: c.ArchiveNumber(), ArchiveEntry: e.Archive.Number,
			ArchiveJournal: strconv.Itoa(e.Archive.Year) + "/" + strconv.Itoa(e.Archive.Sequence)})
		if err != nil {
			return nil, fmt.Errorf("sak: %w", err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// archived records the archive's answer for the case (entry "") or an
// entry, once: a second answer changes nothing.
func (s *Service) archived(ctx context.Context, id, entry string, ref ArchiveRef) (*Case, error) {
	return s.update(ctx, Actor{Role: RoleSystem, ID: "arkiv"}, id, func(c *Case, now time.Time) error {
		target := &c.Archive
		for i := range c.Journal {
			if entry != "" && c.Journal[i].ID == entry {
				target = &c.Journal[i].Archive
			}
		}
		if entry != "" && target == &c.Archive {
			return fmt.Errorf("%w: case %s has no journal entry %s", ErrNotFound, c.Number(), entry)
		}
		if *target != nil {
			return errUnchanged
		}
		r := ref
		*target = &r
		typ, note := EventArchived, "saksmappe"
		if entry != "" {
			note = "journalpost " + entry
		}
		if ref.Refused != "" {
			typ = EventArchiveRefused
		}
		c.event(now, Actor{Role: RoleSystem, ID: "arkiv"}, typ, "", "", note)
		return nil
	})
}
