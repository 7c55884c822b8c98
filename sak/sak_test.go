package sak_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestMemoryStore(t *testing.T) {
	saktest.TestStore(t, func(t *testing.T) sak.Store { return sak.NewMemoryStore() })
}

func TestMemoryStoreEvents(t *testing.T) {
	saktest.TestEvents(t, func(t *testing.T) (sak.Store, events.Outbox) {
		out := &events.Memory{}
		return &sak.MemoryStore{Events: out}, out
	})
}

var (
	applicant = sak.Actor{Role: sak.RoleApplicant, ID: "sub-applicant"}
	stranger  = sak.Actor{Role: sak.RoleApplicant, ID: "sub-stranger"}
	officer   = sak.Actor{Role: sak.RoleOfficer, ID: "officer-1"}
	system    = sak.Actor{Role: sak.RoleSystem, ID: "payment"}
)

// clock is a settable clock for the service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newService() (*sak.Service, *clock) {
	clk := &clock{t: time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)} // already 2027 in Oslo
	return &sak.Service{Now: clk.now, DecisionPeriod: 30}, clk
}

func open(t *testing.T, svc *sak.Service, awaitPayment bool) *sak.Case {
	t.Helper()
	c, err := svc.Open(context.Background(), sak.Application{
		Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling", Owner: applicant.ID,
		OnBehalfOf: "974760673", AwaitPayment: awaitPayment,
		Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: "submission-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpen(t *testing.T) {
	svc, _ := newService()
	c := open(t, svc, true)
	if c.Number() != "2027/1" {
		t.Errorf("case number %s, want 2027/1: the year is Oslo's, and 23:30 UTC on 31 December is 2027 there", c.Number())
	}
	if c.State != sak.AwaitingPayment {
		t.Errorf("state %s, want awaiting_payment", c.State)
	}
	// Opened on nyttårsdag 2027: 30 days on is Sunday 31 January, so the
	// deadline is the end of Monday 1 February, Oslo time.
	if d, ok := c.Deadline(sak.DeadlineDecision); !ok || !d.Due.Equal(time.Date(2027, 2, 1, 23, 59, 59, 999999000, oslo)) {
		t.Errorf("decision deadline %v, %v", d.Due.In(oslo), ok)
	}
	second := open(t, svc, false)
	if second.Number() != "2027/2" || second.State != sak.Received {
		t.Errorf("second case %s in %s, want 2027/2 received", second.Number(), second.State)
	}
	for _, a := range []sak.Application{
		{Title: "x", Owner: "o"},
		{Kind: "k", Owner: "o"},
		{Kind: "k", Title: "x"},
		{Kind: "k", Title: "x", Owner: "o", OnBehalfOf: "12345"},
	} {
		if _, err := svc.Open(context.Background(), a); !errors.Is(err, sak.ErrInvalid) {
			t.Errorf("Open(%+v): %v, want ErrInvalid", a, err)
		}
	}
}

func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	type step struct {
		actor   sak.Actor
		to      sak.State // "" with outcome set means Decide
		outcome sak.Outcome
		err     error
	}
	for _, tc := range []struct {
		name  string
		pay   bool
		steps []step
		final sak.State
	}{
		{"paid, processed, approved, closed", true, []step{
			{actor: applicant, to: sak.InProgress, err: sak.ErrInvalidTransition}, // the applicant cannot skip the fee
			{actor: system, to: sak.InProgress},
			{actor: officer, outcome: sak.Approved},
			{actor: officer, outcome: sak.Rejected, err: sak.ErrInvalidTransition}, // one decision only
			{actor: system, to: sak.Closed},
			{actor: officer, to: sak.InProgress, err: sak.ErrInvalidTransition}, // closed is final
		}, sak.Closed},
		{"more information asked for", false, []step{
			{actor: officer, to: sak.InProgress},
			{actor: officer, to: sak.AwaitingApplicant},
			{actor: officer, outcome: sak.Approved, err: sak.ErrInvalidTransition}, // not while waiting
			{actor: applicant, to: sak.InProgress},
			{actor: officer, outcome: sak.Rejected},
		}, sak.Decided},
		{"withdrawn by the applicant", true, []step{
			{actor: stranger, to: sak.Withdrawn, err: sak.ErrNotFound}, // someone else's case does not exist for them
			{actor: applicant, to: sak.Withdrawn},
			{actor: system, to: sak.InProgress, err: sak.ErrInvalidTransition},
		}, sak.Withdrawn},
		{"officer cannot withdraw; applicant cannot decide", false, []step{
			{actor: officer, to: sak.Withdrawn, err: sak.ErrInvalidTransition},
			{actor: officer, to: sak.InProgress},
			{actor: applicant, outcome: sak.Approved, err: sak.ErrInvalidTransition},
			{actor: officer, to: sak.Decided, err: sak.ErrInvalid}, // decisions go through Decide
			{actor: officer, to: "nonsense", err: sak.ErrInvalid},
		}, sak.InProgress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, clk := newService()
			c := open(t, svc, tc.pay)
			for i, s := range tc.steps {
				clk.advance(time.Hour)
				var err error
				if s.outcome != "" {
					_, err = svc.Decide(ctx, s.actor, c.ID, s.outcome, "")
				} else {
					_, err = svc.Transition(ctx, s.actor, c.ID, s.to, "")
				}
				if (s.err == nil) != (err == nil) || (s.err != nil && !errors.Is(err, s.err)) {
					t.Fatalf("step %d (%s → %s%s): err = %v, want %v", i, s.actor, s.to, s.outcome, err, s.err)
				}
			}
			got, err := svc.Get(ctx, officer, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.final {
				t.Fatalf("final state %s, want %s", got.State, tc.final)
			}
			for i, e := range got.Events {
				if e.Seq != i+1 {
					t.Fatalf("event %d has seq %d: the log must be gapless", i, e.Seq)
				}
			}
		})
	}
}

func TestDeadlines(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService()
	c := open(t, svc, true)
	if _, err := svc.SetDeadline(ctx, officer, c.ID, sak.DeadlinePayment, clk.t.Add(14*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetDeadline(ctx, applicant, c.ID, sak.DeadlinePayment, clk.t); !errors.Is(err, sak.ErrForbidden) {
		t.Fatalf("an applicant set a deadline: %v", err)
	}
	clk.advance(15 * 24 * time.Hour)
	overdue, _ := svc.Overdue(ctx)
	if len(overdue) != 1 || overdue[0].ID != c.ID {
		t.Fatalf("overdue = %v, want the unpaid case", overdue)
	}
	c, _ = svc.Transition(ctx, system, c.ID, sak.InProgress, "paid late")
	if d, _ := c.Deadline(sak.DeadlinePayment); d.Met.IsZero() {
		t.Fatal("payment deadline not met when the fee arrived")
	}
	c, _ = svc.Decide(ctx, officer, c.ID, sak.Approved, "")
	if d, _ := c.Deadline(sak.DeadlineDecision); d.Met.IsZero() {
		t.Fatal("decision deadline not met by the decision")
	}
	// Decided on Saturday 16 January 2027 (00:30 in Oslo): three weeks on
	// is a Saturday, so the appeal deadline runs out at the end of Monday.
	if d, ok := c.Deadline(sak.DeadlineAppeal); !ok || !d.Due.Equal(time.Date(2027, 2, 8, 23, 59, 59, 999999000, oslo)) {
		t.Fatalf("appeal deadline %v, want the end of Monday 8 February 2027", d.Due.In(oslo))
	}
	if overdue, _ := svc.Overdue(ctx); len(overdue) != 0 {
		t.Fatalf("overdue after everything was met: %d cases", len(overdue))
	}
}

func TestLinksAndJournalAreIdempotent(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	c := open(t, svc, true)
	pay := sak.Link{Kind: sak.LinkPayment, Ref: "sak-2027-1-fee-1", Label: "Gebyr", Status: "CREATED"}
	for range 3 {
		if _, err := svc.Link(ctx, system, c.ID, pay); err != nil {
			t.Fatal(err)
		}
	}
	pay.Status = "AUTHORIZED"
	c, _ = svc.Link(ctx, system, c.ID, pay)
	if got := c.LinksOf(sak.LinkPayment); len(got) != 1 || got[0].Status != "AUTHORIZED" {
		t.Fatalf("payment links %+v, want one, AUTHORIZED", got)
	}
	linked := 0
	for _, e := range c.Events {
		if e.Type == sak.EventLinked {
			linked++
		}
	}
	if linked != 3 { // submission, payment created, payment authorized
		t.Fatalf("%d link events, want 3: a repeated link must log nothing", linked)
	}

	entry := sak.JournalEntry{ID: "6f1c1b8e-0d7a-4d0e-9a55-0f4b5f2b6c11", Type: sak.Incoming, Title: "Søknad om skjenkebevilling"}
	for range 2 {
		c, _ = svc.Journal(ctx, applicant, c.ID, entry)
	}
	c, _ = svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak"})
	if len(c.Journal) != 2 || c.Journal[0].Number != 1 || c.Journal[1].Number != 2 ||
		c.Journal[0].Sequence != 1 || c.Journal[1].Sequence != 2 || c.Journal[1].Year != 2027 {
		t.Fatalf("journal %+v", c.Journal)
	}
	if _, err := svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: "Q", Title: "x"}); !errors.Is(err, sak.ErrInvalid) {
		t.Fatalf("journal type Q: %v", err)
	}
}

func TestForOwner(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService()
	a := open(t, svc, false)
	clk.advance(time.Minute)
	b := open(t, svc, false)
	clk.advance(time.Minute)
	if _, err := svc.Open(ctx, sak.Application{Kind: "k", Title: "x", Owner: "someone-else"}); err != nil {
		t.Fatal(err)
	}
	mine, next, err := svc.ForOwner(ctx, applicant.ID, sak.Page{})
	if err != nil || next != "" {
		t.Fatal(next, err)
	}
	if len(mine) != 2 || mine[0].ID != b.ID || mine[1].ID != a.ID {
		t.Fatalf("Min side lists %d cases, want mine, newest first", len(mine))
	}
	first, next, err := svc.ForOwner(ctx, applicant.ID, sak.Page{Limit: 1})
	if err != nil || len(first) != 1 || first[0].ID != b.ID || next != sak.CursorOf(b) {
		t.Fatalf("first page of one: %d cases, next %q, %v", len(first), next, err)
	}
	second, next, err := svc.ForOwner(ctx, applicant.ID, sak.Page{Limit: 1, After: next})
	if err != nil || len(second) != 1 || second[0].ID != a.ID || next != "" {
		t.Fatalf("second page of one: %d cases, next %q, %v", len(second), next, err)
	}
	if _, _, err := svc.ForOwner(ctx, "", sak.Page{}); !errors.Is(err, sak.ErrInvalid) {
		t.Fatalf("no owner: %v", err)
	}
	var all []string
	for c, err := range svc.Cases(ctx, sak.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c.Owner)
	}
	if len(all) != 3 || all[0] != "someone-else" {
		t.Fatalf("Cases yields %v, want every case, newest first", all)
	}
	for _, err := range svc.Cases(ctx, sak.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		break // stopping early is allowed
	}
	if _, err := svc.Get(ctx, stranger, a.ID); !errors.Is(err, sak.ErrNotFound) {
		t.Fatalf("a stranger read my case: %v", err)
	}
}

func TestTransitionTable(t *testing.T) {
	for _, s := range sak.States() {
		if s.Final() {
			for _, r := range []sak.Role{sak.RoleApplicant, sak.RoleOfficer, sak.RoleSystem} {
				if next := sak.Next(s, r); len(next) != 0 {
					t.Errorf("final state %s has transitions %v for %s", s, next, r)
				}
			}
			continue
		}
		// Every open state can be left by someone, and the applicant can
		// always withdraw before a decision.
		if s != sak.Decided && !slices.Contains(sak.Next(s, sak.RoleApplicant), sak.Withdrawn) {
			t.Errorf("the applicant cannot withdraw from %s", s)
		}
		if len(sak.Next(s, sak.RoleOfficer))+len(sak.Next(s, sak.RoleSystem)) == 0 {
			t.Errorf("%s is a dead end", s)
		}
	}
}

func TestLabelsInEveryLanguage(t *testing.T) {
	for _, lang := range i18n.All {
		for _, s := range sak.States() {
			if l := s.Label(lang); l == "" || l == string(s) {
				t.Errorf("state %s has no %s label", s, lang)
			}
		}
		for _, o := range []sak.Outcome{sak.Approved, sak.Rejected} {
			if l := o.Label(lang); l == "" || l == string(o) {
				t.Errorf("outcome %s has no %s label", o, lang)
			}
		}
		for _, k := range []sak.DeadlineKind{sak.DeadlinePayment, sak.DeadlineDecision, sak.DeadlineApplicant, sak.DeadlineAppeal} {
			if l := k.Label(lang); l == "" || l == string(k) {
				t.Errorf("deadline %s has no %s label", k, lang)
			}
		}
	}
	if sak.InProgress.Label("nn") == sak.InProgress.Label("nb") {
		t.Error("nn must not fall back to nb")
	}
}

func TestHTTPStatus(t *testing.T) {
	svc, _ := newService()
	c := open(t, svc, false)
	_, err := svc.Decide(context.Background(), officer, c.ID, sak.Approved, "")
	if status, code := sak.HTTPStatus(err); status != 409 || code != "invalid_transition" {
		t.Fatalf("HTTPStatus(%v) = %d, %q", err, status, code)
	}
	var te *sak.TransitionError
	if !errors.As(err, &te) || te.From != sak.Received || te.To != sak.Decided {
		t.Fatalf("error %v does not say which transition", err)
	}
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{nil, 200, ""},
		{sak.ErrNotFound, 404, "not_found"},
		{fmt.Errorf("x: %w", sak.ErrConflict), 409, "conflict"},
		{sak.ErrForbidden, 403, "forbidden"},
		{sak.ErrInvalidText, 400, "invalid"},
		{fmt.Errorf("%w: case 1: %w", sak.ErrNotDecided, sak.ErrInvalid), 503, "not_decided"},
		{errors.New("other"), 500, "internal"},
	} {
		if status, code := sak.HTTPStatus(tc.err); status != tc.status || code != tc.code {
			t.Errorf("HTTPStatus(%v) = %d, %q; want %d, %q", tc.err, status, code, tc.status, tc.code)
		}
	}
}

// TestEventLabels: every event of a case's life reads as words in nb, nn and
// en, with no code, reference or note in it.
func TestEventLabels(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	c := open(t, svc, true)
	c, _ = svc.Link(ctx, system, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: "fee-ref-1", Status: "CAPTURED"})
	c, _ = svc.Transition(ctx, system, c.ID, sak.InProgress, "paid by Vipps")
	c, _ = svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak"})
	c, err := svc.Decide(ctx, officer, c.ID, sak.Approved, "secret reasons")
	if err != nil {
		t.Fatal(err)
	}
	want := map[i18n.Lang][]string{
		"nb": {"Sak opprettet", "Frist satt: Forventet vedtak", "Kobling lagt til: Søknad", "Ny status: Venter på betaling",
			"Kobling lagt til: Betaling", "Ny status: Under behandling",
			"Journalført: Utgående dokument", "Ny status: Vedtak fattet", "Frist innfridd: Forventet vedtak", "Frist satt: Klagefrist"},
		"en": {"Case opened", "Deadline set: Decision expected", "Link added: Application", "New status: Awaiting payment",
			"Link added: Payment", "New status: In progress",
			"Entered in the journal: Outgoing document", "New status: Decided", "Deadline met: Decision expected", "Deadline set: Appeal deadline"},
	}
	for lang, lines := range want {
		var got []string
		for _, e := range c.Events {
			got = append(got, e.Label(lang))
		}
		if !slices.Equal(got, lines) {
			t.Errorf("%s events:\n%q\nwant\n%q", lang, got, lines)
		}
	}
	for _, e := range c.Events {
		if l := e.Label("nn"); l == "" || strings.ContainsAny(l, "_/") || strings.Contains(l, "fee-ref") || strings.Contains(l, "secret") {
			t.Errorf("nn label of %s: %q", e.Type, l)
		}
	}
	for _, lang := range i18n.All {
		for _, typ := range []sak.EventType{sak.EventOpened, sak.EventTransition, sak.EventLinked, sak.EventJournaled, sak.EventDeadline, sak.EventDeadlineMet} {
			if l := typ.Label(lang); l == "" || l == string(typ) {
				t.Errorf("event %s has no %s label", typ, lang)
			}
		}
		for _, k := range []sak.LinkKind{sak.LinkSubmission, sak.LinkPayment, sak.LinkBooking, sak.LinkLetter} {
			if l := k.Label(lang); l == "" || l == string(k) {
				t.Errorf("link %s has no %s label", k, lang)
			}
		}
		for _, j := range []sak.JournalType{sak.Incoming, sak.Outgoing, sak.Internal, sak.Note} {
			if l := j.Label(lang); len(l) < 2 {
				t.Errorf("journal type %s has no %s label", j, lang)
			}
		}
	}
}
