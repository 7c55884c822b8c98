package saktest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/sak"
)

// TestArchiver is the suite of sak.Archiver against the fake archive, on
// the stores newStores returns (empty, for each subtest): journaled once
// under a race of Archivers, a crash before the kvittering was read (the
// kvittering read after the restart, or lost and reconciled by
// innsyn.sok), a pass between a change's arm and its save with a crash
// before the second arm (journaled all the same, once), an armed change
// never saved (its task finished after SaveWait), the ordering of
// journalposts behind a late kvittering,
// serverfeil retried after a backoff, and ugyldigforespoersel final. Every
// message sent passes xmllint against the V1 XSDs. It skips without
// GRUNNMUR_TEST_AMQP_URL.
func TestArchiver(t *testing.T, newStores func(t *testing.T) ArchiveStores) {
	t.Run("JournalOnceUnderRace", func(t *testing.T) { testArchiveOnce(t, newStores(t)) })
	t.Run("CrashKvitteringReadAfterRestart", func(t *testing.T) { testArchiveCrash(t, newStores(t), false) })
	t.Run("CrashKvitteringLostReconciled", func(t *testing.T) { testArchiveCrash(t, newStores(t), true) })
	t.Run("PassBetweenArmAndSaveThenCrash", func(t *testing.T) { testArchiveArmBeforeSave(t, newStores(t)) })
	t.Run("ArmedChangeNeverSaved", func(t *testing.T) { testArchiveNeverSaved(t, newStores(t)) })
	t.Run("OrderingLateKvittering", func(t *testing.T) { testArchiveOrdering(t, newStores(t)) })
	t.Run("ServerfeilBackoff", func(t *testing.T) { testArchiveServerfeil(t, newStores(t)) })
	t.Run("UgyldigforespoerselFinal", func(t *testing.T) { testArchiveRefused(t, newStores(t)) })
}

var system = sak.Actor{Role: sak.RoleSystem, ID: "saktest"}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apply opens a case and journals the application with an attachment.
func (e *ArchiveEnv) apply(p *Process) *sak.Case {
	return e.application(p, e.open(p))
}

func (e *ArchiveEnv) open(p *Process) *sak.Case {
	c, err := p.Service.Open(ctxT(e.T), sak.Application{Kind: "skjenkebevilling", Title: "Skjenkebevilling for Café Ø 🍷", Owner: "sub-1",
		ApplicantName: "Café Ø AS"})
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// application journals the application with an attachment.
func (e *ArchiveEnv) application(p *Process, c *sak.Case) *sak.Case {
	t, ctx := e.T, ctxT(e.T)
	e.Docs["soknad:"+c.ID] = []byte("%PDF-1.7 søknad " + c.ID)
	e.Docs["vedlegg:"+c.ID] = []byte("%PDF-1.7 vedlegg " + c.ID)
	c, err := p.Service.Journal(ctx, system, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad om skjenkebevilling",
		Party: "Café Ø AS", Documents: []sak.Document{
			{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "soknad:" + c.ID, Kind: "Søknad"},
			{Title: "Plantegning \u202eRTL\u202c", FileName: "plan.pdf", MediaType: "application/pdf", Ref: "vedlegg:" + c.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// decide journals the decision letter.
func (e *ArchiveEnv) decide(p *Process, c *sak.Case) *sak.Case {
	e.Docs["vedtak:"+c.ID] = []byte("%PDF-1.7 vedtak " + c.ID)
	c, err := p.Service.Journal(ctxT(e.T), system, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak om skjenkebevilling",
		Party: "Café Ø AS", Documents: []sak.Document{{Title: "Vedtak", FileName: "vedtak.pdf", MediaType: "application/pdf",
			Ref: "vedtak:" + c.ID, Kind: "Vedtak"}}})
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// until runs the Archiver until done holds for the case, or fails.
func (e *ArchiveEnv) until(p *Process, id, what string, done func(c *sak.Case) bool) *sak.Case {
	t, ctx := e.T, ctxT(e.T)
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := p.Archiver.RunOnce(ctx); err != nil {
			t.Logf("pass: %v", err)
		}
		c, err := e.Stores.Cases.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if done(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened: archive %+v, journal %+v", what, c.Archive, c.Journal)
		}
		e.Clock.Add(time.Second) // the Poll
		time.Sleep(20 * time.Millisecond)
	}
}

func allJournaled(c *sak.Case) bool {
	for _, j := range c.Journal {
		if !j.Archive.Journaled() {
			return false
		}
	}
	return c.Archive.Journaled() && len(c.Journal) > 0
}

// wait polls (real time) until cond holds, or fails.
func (e *ArchiveEnv) wait(what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("%s never happened", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkArchive holds the archive to the case: one saksmappe with the
// case's key and numbers, and exactly one journalpost per entry, in it, each
// found by its referanseEksternNoekkel, with the entry's files.
func (e *ArchiveEnv) checkArchive(p *Process, c *sak.Case) {
	t, ctx := e.T, ctxT(e.T)
	t.Helper()
	var mappe string
	for _, m := range e.Archive.Mapper() {
		if m.Saksmappe.ReferanseEksternNoekkel.Noekkel == c.ID {
			if mappe != "" {
				t.Fatalf("two saksmapper for case %s", c.ID)
			}
			mappe = m.SystemID
			if c.Archive.SystemID != m.SystemID || c.Archive.Year != m.Saksaar || c.Archive.Sequence != m.Sakssekvensnummer {
				t.Errorf("case records %+v, the archive holds %d/%d %s", c.Archive, m.Saksaar, m.Sakssekvensnummer, m.SystemID)
			}
		}
	}
	for _, j := range c.Journal {
		var found []string
		for _, jp := range e.Archive.Journalposter() {
			if jp.Journalpost.ReferanseEksternNoekkel.Noekkel == j.ID {
				found = append(found, jp.SystemID)
				if jp.MappeSystemID != mappe || jp.SystemID != j.Archive.SystemID || jp.Journalpostnummer != j.Archive.Number {
					t.Errorf("entry %d: the archive's journalpost %+v, in mappe %s; the case records %+v", j.Number, jp, mappe, j.Archive)
				}
				for i, d := range j.Documents {
					if i >= len(jp.Dokumenter) || string(jp.Dokumenter[i].Objekter[0].Content) != string(e.Docs[d.Ref]) {
						t.Errorf("entry %d: document %d is not what the case holds", j.Number, i+1)
					}
				}
			}
		}
		if len(found) != 1 {
			t.Fatalf("entry %d is %d journalposter in the archive, want exactly one", j.Number, len(found))
		}
		s, err := p.Client.Sok(ctx, fiksarkiv.SokEksternNoekkel("grunnmur", "journalpost", fiksarkiv.Minimum,
			fiksarkiv.EksternNoekkel{Fagsystem: "grunnmur", Noekkel: j.ID}))
		if err != nil || s.Count != 1 || s.Treff[0].SystemID != found[0] {
			t.Fatalf("innsyn.sok on entry %d's referanseEksternNoekkel: %+v %v", j.Number, s, err)
		}
	}
	if c.ArchiveNumber() == "" || c.ArchiveEntryNumber(c.Journal[0]) != c.ArchiveNumber()+"-1" {
		t.Errorf("archive numbers %q, %q", c.ArchiveNumber(), c.ArchiveEntryNumber(c.Journal[0]))
	}
}

// testArchiveOnce journals an application and a decision letter with six
// Archivers on the stores racing each other: each entry is one journalpost
// in the one saksmappe, and passes after that send nothing.
func testArchiveOnce(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(true)
	c := e.apply(p)
	c = e.decide(p, c)
	var wg sync.WaitGroup
	for range 6 {
		q := e.Start(false) // another instance on the same stores
		wg.Go(func() {
			for range 40 {
				if err := q.Archiver.RunOnce(ctxT(t)); err != nil {
					t.Logf("pass: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	c = e.until(p, c.ID, "both entries journaled", allJournaled)
	e.checkArchive(p, c)
	sent := len(e.Archive.Mapper()) + len(e.Archive.Journalposter())
	for range 3 {
		e.Clock.Add(2 * time.Hour) // past every timeout
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{sak.KlientMeldingID(c.ID, ""), sak.KlientMeldingID(c.ID, c.Journal[0].ID), sak.KlientMeldingID(c.ID, c.Journal[1].ID)} {
		if x, err := s.Exchanges.Get(ctxT(t), id); err != nil || x.Attempts != 1 || len(x.MeldingIDs) != 1 {
			t.Errorf("exchange %s: %+v %v, want one send", id, x, err)
		}
	}
	if n := len(e.Archive.Mapper()) + len(e.Archive.Journalposter()); n != sent || n != 3 {
		t.Errorf("the archive holds %d objects, want 3", n)
	}
}

// testArchiveCrash kills the sender after the archive stored the
// journalpost and before its kvittering was read. After a restart on the
// same stores the kvittering is read (or, lost, found by innsyn.sok once
// the client's Timeout passed), and exactly one journalpost exists.
func testArchiveCrash(t *testing.T, s ArchiveStores, lost bool) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(true)
	c := e.open(p)
	if err := s.Queue.Arm(ctxT(t), c.ID, e.Clock.Now(), c.Version); err != nil { // the saksmappe alone first
		t.Fatal(err)
	}
	e.until(p, c.ID, "the saksmappe journaled", func(c *sak.Case) bool { return c.Archive.Journaled() })
	p.Kill() // no reply is read from here on
	if lost {
		e.Archive.DropKvitteringer(1)
	}
	c = e.application(p, c)
	if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	e.wait("the archive stores the journalpost", func() bool { return len(e.Archive.Journalposter()) == 1 })
	if got, _ := s.Cases.Get(ctxT(t), c.ID); got.Journal[0].Archive != nil {
		t.Fatalf("the entry has its numbers before the kvittering was read: %+v", got.Journal[0].Archive)
	}
	// The restart: a new process on the same stores.
	p = e.Start(true)
	if lost {
		for range 3 { // before the timeout nothing is sent again
			if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
				t.Fatal(err)
			}
		}
		e.Clock.Add(61 * time.Minute)
	}
	c = e.until(p, c.ID, "the entry journaled after the restart", allJournaled)
	e.checkArchive(p, c)
	x, err := s.Exchanges.Get(ctxT(t), sak.KlientMeldingID(c.ID, c.Journal[0].ID))
	if err != nil || x.Attempts != 1 || len(x.MeldingIDs) != 1 {
		t.Errorf("the journalpost's exchange %+v %v, want one send", x, err)
	}
	if lost && (x.ReplyType == fiksarkiv.TypeArkivmeldingOpprettKvittering || c.Journal[0].Archive.Year != 2026) {
		t.Errorf("a lost kvittering: reply %s, numbers %+v; want the search result's", x.ReplyType, c.Journal[0].Archive)
	}
}

// crashAfterSave is the queue of a process that runs a pass of its
// Archiver inside the first Arm, after it (so between a change's arm and
// its save), and dies after the save: no Arm from then on reaches the
// queue.
type crashAfterSave struct {
	sak.ArchiveQueue
	pass func()
	n    int
}

func (q *crashAfterSave) Arm(ctx context.Context, caseID string, at time.Time, caseVersion int) error {
	if q.n++; q.n > 1 {
		return errors.New("saktest: the process died")
	}
	if err := q.ArchiveQueue.Arm(ctx, caseID, at, caseVersion); err != nil {
		return err
	}
	q.pass()
	return nil
}

// testArchiveArmBeforeSave: a pass runs between the arm of a change that
// journals the application and the change's save, when the case has
// nothing else to do (its saksmappe journaled); the process dies after
// the save, before its second arm. The entry is journaled all the same,
// exactly once, by the process started on the same stores.
func testArchiveArmBeforeSave(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(true)
	c := e.open(p)
	if err := s.Queue.Arm(ctxT(t), c.ID, e.Clock.Now(), c.Version); err != nil {
		t.Fatal(err)
	}
	e.until(p, c.ID, "the saksmappe journaled", func(c *sak.Case) bool { return c.Archive.Journaled() })
	passes := 0
	dying := &crashAfterSave{ArchiveQueue: s.Queue, pass: func() {
		passes++
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Errorf("the pass before the save: %v", err)
		}
	}}
	crashing := &Process{Service: &sak.Service{Store: s.Cases, Archive: dying, Now: e.Clock.Now}, env: e}
	c = e.application(crashing, c)
	if passes != 1 || dying.n != 2 || len(c.Journal) != 1 {
		t.Fatalf("%d passes, %d arms, %d entries: the crash window was not hit", passes, dying.n, len(c.Journal))
	}
	if n := len(e.Archive.Journalposter()); n != 0 {
		t.Fatalf("the pass before the save sent %d journalposter", n)
	}
	p.Kill()
	p = e.Start(true) // the restart
	c = e.until(p, c.ID, "the entry journaled after the restart", allJournaled)
	e.checkArchive(p, c)
	x, err := s.Exchanges.Get(ctxT(t), sak.KlientMeldingID(c.ID, c.Journal[0].ID))
	if err != nil || x.Attempts != 1 || len(x.MeldingIDs) != 1 {
		t.Errorf("the journalpost's exchange %+v %v, want one send", x, err)
	}
}

// testArchiveNeverSaved: a change armed and never saved (it failed after
// the arm) keeps its task only for Archiver.SaveWait; then the stored
// version decides and the task is finished.
func testArchiveNeverSaved(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(true)
	c := e.open(p)
	if err := s.Queue.Arm(ctxT(t), c.ID, e.Clock.Now(), c.Version); err != nil {
		t.Fatal(err)
	}
	c = e.until(p, c.ID, "the saksmappe journaled", func(c *sak.Case) bool { return c.Archive.Journaled() })
	p.Archiver.SaveWait = 10 * time.Minute
	if err := s.Queue.Arm(ctxT(t), c.ID, e.Clock.Now(), c.Version+1); err != nil { // the change that fails
		t.Fatal(err)
	}
	for range 5 {
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		e.Clock.Add(time.Minute)
	}
	peek := func() []sak.ArchiveTask { // Claim far ahead: every task there is
		ts, err := s.Queue.Claim(ctxT(t), e.Clock.Now().Add(24*time.Hour), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	if ts := peek(); len(ts) != 1 || ts[0].Case != c.ID {
		t.Fatalf("within SaveWait the task is gone: %+v", ts)
	}
	e.Clock.Add(24*time.Hour + time.Minute) // past the peek's lease of 0, and SaveWait
	if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if ts := peek(); len(ts) != 0 {
		t.Fatalf("after SaveWait the task stays: %+v", ts)
	}
	if n := len(e.Archive.Mapper()) + len(e.Archive.Journalposter()); n != 1 {
		t.Errorf("the archive holds %d objects, want the saksmappe", n)
	}
}

// testArchiveOrdering: journalposts wait for the saksmappe's kvittering (a
// journalpost sent before it could be refused as ikkefunnet); the decision
// letter goes into the same saksmappe while the application's kvittering
// is still out, and both get their numbers when it comes.
func testArchiveOrdering(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(false) // the saksmappe's kvittering comes late
	c := e.apply(p)
	for range 3 {
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	e.wait("the archive stores the saksmappe", func() bool { return len(e.Archive.Mapper()) == 1 })
	c = e.decide(p, c)
	for range 3 {
		e.Clock.Add(time.Second)
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.Archive.Journalposter()); n != 0 {
		t.Fatalf("%d journalposter sent before the saksmappe's kvittering", n)
	}
	p.Receive()
	c = e.until(p, c.ID, "the saksmappe journaled", func(c *sak.Case) bool { return c.Archive.Journaled() })
	p.Kill() // the application's kvittering is late
	e.Clock.Add(time.Second)
	if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	e.wait("both journalposts stored", func() bool { return len(e.Archive.Journalposter()) == 2 })
	p.Receive()
	c = e.until(p, c.ID, "both entries journaled", allJournaled)
	e.checkArchive(p, c)
}

// testArchiveServerfeil: serverfeil is sent again, not at once but after
// the backoff.
func testArchiveServerfeil(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	p := e.Start(true)
	e.Archive.FailNext(1)
	c := e.apply(p)
	if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	id := sak.KlientMeldingID(c.ID, "")
	e.wait("the serverfeil", func() bool {
		x, err := s.Exchanges.Get(ctxT(t), id)
		return err == nil && x.State == fiksarkiv.StateRetry
	})
	for range 3 {
		e.Clock.Add(time.Second)
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if x, _ := s.Exchanges.Get(ctxT(t), id); x.Attempts != 1 || len(e.Archive.Mapper()) != 0 {
		t.Fatalf("sent again within the backoff: %+v", x)
	}
	e.Clock.Add(time.Minute) // RetryBase
	c = e.until(p, c.ID, "journaled after the retry", allJournaled)
	e.checkArchive(p, c)
	if x, _ := s.Exchanges.Get(ctxT(t), id); x.Attempts != 2 {
		t.Errorf("the saksmappe was sent %d times, want 2", x.Attempts)
	}
}

// testArchiveRefused: ugyldigforespoersel is final: the case records the
// archive's message for the officer, its entries are not sent, and later
// passes send nothing.
func testArchiveRefused(t *testing.T, s ArchiveStores) {
	e := NewArchiveEnv(t, s, 0)
	e.Mapper.System = " " // schema-valid, but the archive wants a system name
	p := e.Start(true)
	c := e.apply(p)
	c = e.until(p, c.ID, "the refusal", func(c *sak.Case) bool { return c.Archive != nil })
	if c.Archive.Journaled() || !strings.HasPrefix(c.Archive.Refused, "ugyldigforespoersel: ") || !strings.Contains(c.Archive.Refused, "system") {
		t.Fatalf("case archive %+v, want the archive's refusal", c.Archive)
	}
	for range 3 {
		e.Clock.Add(3 * time.Hour)
		if err := p.Archiver.RunOnce(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	x, err := s.Exchanges.Get(ctxT(t), sak.KlientMeldingID(c.ID, ""))
	if err != nil || x.Attempts != 1 || x.State != fiksarkiv.StateFailed || len(e.Archive.Journalposter()) != 0 {
		t.Errorf("after a final refusal: %+v %v, %d journalposter", x, err, len(e.Archive.Journalposter()))
	}
	if got, _ := s.Cases.Get(ctxT(t), c.ID); got.Journal[0].Archive != nil || got.Events[len(got.Events)-1].Type != sak.EventArchiveRefused {
		t.Errorf("entry %+v, last event %+v", got.Journal[0].Archive, got.Events[len(got.Events)-1])
	}
}
