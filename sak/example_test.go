package sak_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/sak"
)

func Example() {
	ctx := context.Background()
	svc := &sak.Service{ // the zero value works, on an in-memory store
		Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
	}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: "idporten-sub-123"}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten-sub-9"}
	vipps := sak.Actor{Role: sak.RoleSystem, ID: "vipps-webhook"}

	c, _ := svc.Open(ctx, sak.Application{
		Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling", Owner: citizen.ID, AwaitPayment: true,
	})
	fmt.Println(c.Number(), c.State.Label(i18n.NB))

	svc.Link(ctx, vipps, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: "fee-2026-1-1", Status: "CAPTURED"})
	svc.Transition(ctx, vipps, c.ID, sak.InProgress, "fee paid")
	c, _ = svc.Decide(ctx, officer, c.ID, sak.Approved, "")
	appeal, _ := c.Deadline(sak.DeadlineAppeal)
	fmt.Println(c.State.Label(i18n.NN), c.Outcome.Label(i18n.EN), "–", i18n.NB.DateOf(appeal.Due))

	_, err := svc.Decide(ctx, officer, c.ID, sak.Rejected, "")
	fmt.Println(err)
	// Output:
	// 2026/1 Venter på betaling
	// Vedtak gjort Approved – mandag 14. desember 2026
	// sak: officer may not move a case from decided to decided
}

// ExampleService_List pages through the cases, newest first: each page
// hands back the cursor of the next, and CursorOf a case goes back.
func ExampleService_List() {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	svc := &sak.Service{Now: func() time.Time { now = now.Add(time.Minute); return now }}
	for i := range 5 {
		svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: fmt.Sprint("sub-", i)})
	}
	page := sak.Page{Limit: 2}
	var first *sak.Case
	for {
		cs, next, err := svc.List(ctx, sak.Filter{Kind: "skjenkebevilling"}, page)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range cs {
			fmt.Print(c.Number(), " ")
		}
		fmt.Println("|")
		if first == nil {
			first = cs[0]
		}
		if next == "" {
			break
		}
		page.After = next
	}
	older, _, _ := svc.List(ctx, sak.Filter{}, sak.Page{Limit: 3, After: sak.CursorOf(first)})
	fmt.Println(len(older), "cases older than", first.Number())
	_, _, err := svc.List(ctx, sak.Filter{}, sak.Page{After: "made up"})
	fmt.Println(sak.HTTPStatus(err))
	// Output:
	// 2026/5 2026/4 |
	// 2026/3 2026/2 |
	// 2026/1 |
	// 3 cases older than 2026/5
	// 400 invalid
}

// ExampleExportArchive journals an application and its decision letter,
// closes the case and writes a Noark 5 extract that archive.Verify accepts.
func ExampleExportArchive() {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	svc := &sak.Service{Now: func() time.Time { return now }}
	citizen := sak.Actor{Role: sak.RoleApplicant, ID: "idporten-sub-123"}
	officer := sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten-sub-9"}

	// The bytes live elsewhere (a forms receipt store, a letter store);
	// the journal holds references to them.
	files := map[string][]byte{
		"receipt-1": archivetest.PDF("Søknad om skjenkebevilling"),
		"letter-1":  archivetest.PDF("Vedtak: innvilget"),
	}
	c, _ := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling – Kafé Lykke AS", Owner: citizen.ID})
	svc.Journal(ctx, citizen, c.ID, sak.JournalEntry{
		Type: sak.Incoming, Title: "Søknad om skjenkebevilling", Party: "Kafé Lykke AS",
		Documents: []sak.Document{{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: "receipt-1", Kind: "Søknad"}},
	})
	svc.Transition(ctx, officer, c.ID, sak.InProgress, "")
	svc.Decide(ctx, officer, c.ID, sak.Approved, "")
	svc.Journal(ctx, officer, c.ID, sak.JournalEntry{
		Type: sak.Outgoing, Title: "Vedtak om skjenkebevilling",
		Parties: []sak.Correspondent{
			{Role: sak.Recipient, Name: "Kafé Lykke AS"},
			{Role: sak.CopyRecipient, Name: "Ola Nordmann", Screened: true}, // a private person
		},
		Documents: []sak.Document{{Title: "Vedtak", FileName: "vedtak.pdf", MediaType: "application/pdf", Ref: "letter-1", Kind: "Vedtak"}},
	})

	dir, _ := os.MkdirTemp("", "uttrekk")
	defer os.RemoveAll(dir)
	sum, err := svc.ExportArchive(ctx, filepath.Join(dir, "uttrekk"), sak.Filter{}, sak.ArchiveOptions{
		Extract: sak.DefaultExtract("Eksempel kommune", "974760673", map[string]string{"skjenkebevilling": "Skjenkebevillinger"}, now),
		Open: func(ctx context.Context, c *sak.Case, e *sak.JournalEntry, d sak.Document) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(files[d.Ref])), nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Cases, "case,", sum.Records, "journal entries,", sum.Documents, "documents, screened:", sum.Screened)
	report, _ := archive.Verify(sum.Dir)
	fmt.Println("verified:", report.OK())
	// Output:
	// 1 case, 2 journal entries, 2 documents, screened: true
	// verified: true
}

// A case opened late on New Year's Eve keeps its year; a letter journaled
// after midnight in Oslo gets the new year's journal number.
func ExampleCase_EntryNumber() {
	ctx := context.Background()
	now := time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC) // 23:30 in Oslo
	svc := &sak.Service{Now: func() time.Time { return now }}
	c, _ := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad", Owner: "idporten-sub-123"})
	now = now.Add(time.Hour) // 00:30 on 1 January 2027 in Oslo
	c, _ = svc.Journal(ctx, sak.Actor{Role: sak.RoleOfficer, ID: "ansattporten-sub-9"}, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak"})
	e := c.Journal[0]
	fmt.Println(c.Number(), c.EntryNumber(e), e.JournalNumber())
	// Output: 2026/1 2026/1-1 2027/1
}

// An officer's list, a page at a time.
func ExampleService_Summaries() {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	svc := &sak.Service{Now: func() time.Time { now = now.Add(time.Minute); return now }, DecisionPeriod: 30}
	for _, name := range []string{"Bar AS", "Kafé AS", "Pub AS"} {
		svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "Søknad – " + name, Owner: "sub-" + name, ApplicantName: name})
	}
	f := sak.Filter{Kind: "skjenkebevilling"}
	pg, _ := svc.Summaries(ctx, f, sak.Page{Limit: 2})
	for pg != nil {
		for _, r := range pg.Rows {
			fmt.Println(r.Number, r.Applicant, r.State.Label(i18n.NB), i18n.NB.DateOf(r.Deadline.Due))
		}
		if pg.Older == "" {
			break
		}
		pg, _ = svc.Summaries(ctx, f, sak.Page{Limit: 2, After: pg.Older})
	}
	// Output:
	// 2026/3 Pub AS Mottatt tirsdag 22. desember 2026
	// 2026/2 Kafé AS Mottatt tirsdag 22. desember 2026
	// 2026/1 Bar AS Mottatt tirsdag 22. desember 2026
}
