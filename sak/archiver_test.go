package sak_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestArchiverMemory(t *testing.T) {
	saktest.TestArchiver(t, func(t *testing.T) saktest.ArchiveStores {
		return saktest.ArchiveStores{Cases: sak.NewMemoryStore(), Queue: sak.NewMemoryArchiveQueue(), Exchanges: fiksarkiv.NewMemoryStore()}
	})
}

// noSend is a Fiks IO transport that must not be used.
type noSend struct{ t *testing.T }

func (n noSend) SendFiles(context.Context, fiksio.Message, ...asice.File) (*fiksio.Sent, error) {
	n.t.Fatal("sent a message")
	return nil, errors.New("no")
}

// TestArchiverRefusalMasked: the archive's message of a final refusal
// reaches the officer with the personal number in it masked.
func TestArchiverRefusalMasked(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc := &sak.Service{Archive: sak.NewMemoryArchiveQueue(), Now: clock}
	c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "sub-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Journal(ctx, sak.Actor{Role: sak.RoleSystem, ID: "t"}, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad"}); err != nil {
		t.Fatal(err)
	}
	store := fiksarkiv.NewMemoryStore()
	payload, err := (&fiksarkiv.Feilmelding{Kind: fiksarkiv.Ugyldigforespoersel, FeilID: "f-1",
		Message: "Korrespondansepart 01019012345 er ukjent"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Create(ctx, &fiksarkiv.Exchange{KlientMeldingID: sak.KlientMeldingID(c.ID, ""), Type: fiksarkiv.TypeArkivmeldingOpprett,
		State: fiksarkiv.StateFailed, Attempts: 1, ReplyType: fiksarkiv.TypeUgyldigforespoersel, ReplyPayload: payload, Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	client, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: noSend{t}, Arkiv: uuid.New(), Store: store, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	a := &sak.Archiver{Service: svc, Client: client, Mapper: fiksarkiv.Mapper{System: "grunnmur", Fagsystem: "grunnmur"}, Now: clock}
	if err := a.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ = svc.Get(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "o"}, c.ID)
	if c.Archive == nil || c.Archive.Journaled() || strings.Contains(c.Archive.Refused, "01019012345") ||
		c.Archive.Refused != "ugyldigforespoersel: Korrespondansepart 010190***** er ukjent" {
		t.Fatalf("refusal %+v", c.Archive)
	}
	if c.ArchiveNumber() != "" || c.Events[len(c.Events)-1].Type != sak.EventArchiveRefused {
		t.Errorf("number %q, last event %+v", c.ArchiveNumber(), c.Events[len(c.Events)-1])
	}
	if err := a.RunOnce(ctx); err != nil { // nothing is left to do
		t.Fatal(err)
	}
}

// TestArchiverEvents: when the archive's numbers arrive, each entry gets a
// second CaseJournaled with them, once, in the change that stores them.
func TestArchiverEvents(t *testing.T) {
	out := &events.Memory{}
	e := saktest.NewArchiveEnv(t, saktest.ArchiveStores{Cases: &sak.MemoryStore{Events: out}, Queue: sak.NewMemoryArchiveQueue(),
		Exchanges: fiksarkiv.NewMemoryStore()}, 0)
	p := e.Start(true)
	c, err := p.Service.Open(context.Background(), sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "sub-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []sak.JournalType{sak.Incoming, sak.Outgoing} {
		if c, err = p.Service.Journal(context.Background(), sak.Actor{Role: sak.RoleSystem, ID: "t"}, c.ID, sak.JournalEntry{Type: typ, Title: "Brev"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.Journal[1].Archive == nil || c.Journal[0].Archive == nil {
		if time.Now().After(deadline) {
			t.Fatal("never journaled")
		}
		if err := p.Archiver.RunOnce(context.Background()); err != nil {
			t.Log(err)
		}
		e.Clock.Add(time.Second)
		time.Sleep(20 * time.Millisecond)
		c, _ = e.Stores.Cases.Get(context.Background(), c.ID)
	}
	for range 3 {
		if err := p.Archiver.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var archived []sak.CaseJournaledData
	evs, err := out.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if d, err := sak.CaseJournaled.Decode(ev); err == nil && d.Archived {
			archived = append(archived, d)
		}
	}
	if len(archived) != 2 {
		t.Fatalf("%d archived CaseJournaled events, want 2: %+v", len(archived), archived)
	}
	for i, d := range archived {
		j := c.Journal[i]
		if d.Entry != j.ID || d.ArchiveCase != c.ArchiveNumber() || d.ArchiveEntry != j.Archive.Number || d.ArchiveEntry == 0 ||
			d.ArchiveJournal != fmt.Sprintf("%d/%d", j.Archive.Year, j.Archive.Sequence) {
			t.Errorf("event %d: %+v; entry %+v", i, d, j.Archive)
		}
	}
}
