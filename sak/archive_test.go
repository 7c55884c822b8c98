package sak_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/sak"
)

// A synthetic fødselsnummer (Tenor) that must never reach the public journal.
const fnr = "03851598730"

// docs is a document store keyed by Document.Ref, as a forms receipt store or
// a letter store would be.
type docs map[string][]byte

func (d docs) open(_ context.Context, _ *sak.Case, _ *sak.JournalEntry, doc sak.Document) (io.ReadCloser, error) {
	b, ok := d[doc.Ref]
	if !ok {
		return nil, fmt.Errorf("no document %q", doc.Ref)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// journey runs n realistic skjenkebevilling cases through the workflow: each
// submitted with a PDF receipt, paid with Vipps, an inspection booked, decided
// by an officer with a decision letter to a screened private person, then
// closed; every fifth is withdrawn and every seventh left in progress.
func journey(t testing.TB, svc *sak.Service, clk *clock, store docs, n int) (closed, withdrawn, open int) {
	t.Helper()
	ctx := context.Background()
	must := func(c *sak.Case, err error) *sak.Case {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i := range n {
		owner := sak.Actor{Role: sak.RoleApplicant, ID: fmt.Sprintf("idporten-sub-%d", i)}
		pay := sak.Actor{Role: sak.RoleSystem, ID: "vipps-webhook"}
		officer := sak.Actor{Role: sak.RoleOfficer, ID: fmt.Sprintf("ansattporten-sub-%d", i%3)}
		company := fmt.Sprintf("Kafé Nummer %d AS", i)
		c := must(svc.Open(ctx, sak.Application{
			Kind: "skjenkebevilling", Title: "Søknad om skjenkebevilling – " + company, Owner: owner.ID,
			OnBehalfOf: "974760673", AwaitPayment: true,
			Links: []sak.Link{{Kind: sak.LinkSubmission, Ref: fmt.Sprintf("sub-%d", i)}},
		}))
		receipt := fmt.Sprintf("receipt-%d", i)
		store[receipt] = archivetest.PDF("Søknad om skjenkebevilling for " + company)
		store[receipt+"-att"] = []byte("Styrer: Kari Nordmann\n")
		c = must(svc.Journal(ctx, owner, c.ID, sak.JournalEntry{
			Type: sak.Incoming, Title: "Søknad om skjenkebevilling",
			Parties: []sak.Correspondent{{Role: sak.Sender, Name: company, Address: "Storgata 1", PostalCode: "0155", PostTown: "OSLO"}},
			Documents: []sak.Document{
				{Title: "Søknad", FileName: "soknad.pdf", MediaType: "application/pdf", Ref: receipt, Kind: "Søknad"},
				{Title: "Opplysninger om styrer", FileName: "styrer.txt", MediaType: "text/plain; charset=utf-8", Ref: receipt + "-att"},
			},
		}))
		clk.advance(10 * time.Minute)
		if i%5 == 4 {
			must(svc.Transition(ctx, owner, c.ID, sak.Withdrawn, "changed my mind"))
			withdrawn++
			clk.advance(time.Hour)
			continue
		}
		must(svc.Link(ctx, pay, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: fmt.Sprintf("fee-%d", i), Label: "Gebyr 5 200 kr", Status: "CAPTURED"}))
		must(svc.Transition(ctx, pay, c.ID, sak.InProgress, "fee paid"))
		must(svc.Link(ctx, owner, c.ID, sak.Link{Kind: sak.LinkBooking, Ref: fmt.Sprintf("booking-%d", i), Label: "Befaring 3. desember 10:00", Status: "confirmed"}))
		clk.advance(24 * time.Hour)
		if i%7 == 6 {
			open++
			continue
		}
		must(svc.Decide(ctx, officer, c.ID, sak.Approved, ""))
		letter := fmt.Sprintf("letter-%d", i)
		store[letter] = archivetest.PDF("Vedtak: innvilget")
		// A letter to a private person: the name is screened, and the title
		// names the person's number only in the screened title.
		must(svc.Journal(ctx, officer, c.ID, sak.JournalEntry{
			Type: sak.Outgoing, Title: "Vedtak om skjenkebevilling – styrer " + fnr, PublicTitle: "Vedtak om skjenkebevilling",
			Screened: true,
			Parties: []sak.Correspondent{
				{Role: sak.Recipient, Name: company},
				{Role: sak.CopyRecipient, Name: "Kari Nordmann", Screened: true},
			},
			Documents: []sak.Document{{Title: "Vedtak", FileName: "vedtak.pdf", MediaType: "application/pdf", Ref: letter, Kind: "Vedtak"}},
		}))
		must(svc.Link(ctx, officer, c.ID, sak.Link{Kind: sak.LinkLetter, Ref: "svarut-" + letter, Status: "LEST"}))
		must(svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Note, Title: "Befaring gjennomført"}))
		clk.advance(22 * 24 * time.Hour)
		must(svc.Transition(ctx, officer, c.ID, sak.Closed, "appeal period over"))
		closed++
	}
	return closed, withdrawn, open
}

func archiveOptions(store docs, clk *clock) sak.ArchiveOptions {
	return sak.ArchiveOptions{
		Extract: sak.DefaultExtract("Eksempel kommune", "974760673",
			map[string]string{"skjenkebevilling": "Serverings- og skjenkebevillinger"}, clk.now()),
		Open:               store.open,
		AdministrativeUnit: "Næring og skjenking",
		OfficerName:        func(id string) string { return "Saksbehandler " + strings.TrimPrefix(id, "ansattporten-sub-") },
		Parties: func(c *sak.Case) []archive.Part {
			return []archive.Part{{ID: c.OnBehalfOf, Name: "Søkerselskap", Role: "Søker"}}
		},
		Now: clk.now,
	}
}

func TestExportArchive(t *testing.T) {
	svc, clk := newService()
	store := docs{}
	closed, withdrawn, open := journey(t, svc, clk, store, 30)
	dir := filepath.Join(t.TempDir(), "uttrekk")
	sum, err := svc.ExportArchive(context.Background(), dir, sak.Filter{}, archiveOptions(store, clk))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cases != closed+withdrawn || sum.Skipped != open {
		t.Errorf("cases %d skipped %d, want %d and %d", sum.Cases, sum.Skipped, closed+withdrawn, open)
	}
	if want := closed*3 + withdrawn; sum.Records != want {
		t.Errorf("records %d, want %d", sum.Records, want)
	}
	if want := closed*3 + withdrawn*2; sum.Documents != want {
		t.Errorf("documents %d, want %d", sum.Documents, want)
	}
	if !sum.Screened {
		t.Error("summary says nothing is screened")
	}
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b strings.Builder
		rep.WriteText(&b, 5)
		t.Fatalf("verify failed: %v\n%s", rep.Failed(), b.String())
	}
	xmllint(t, dir)

	// The public journal has the public titles only, and no screened name.
	pub, err := os.ReadFile(filepath.Join(dir, archive.FileOffentligJournal))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{fnr, "Kari Nordmann", "styrer"} {
		if bytes.Contains(pub, []byte(leak)) {
			t.Errorf("offentligJournal.xml holds %q", leak)
		}
	}
	if !bytes.Contains(pub, []byte("Unntatt offentlighet")) || !bytes.Contains(pub, []byte("Vedtak om skjenkebevilling")) {
		t.Error("offentligJournal.xml lacks the screened party's placeholder or the public title")
	}
	// Nor does any file but the internal ones (arkivstruktur and the running
	// journal, which hold the full title under screening).
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Base(p) {
		case archive.FileArkivstruktur, archive.FileLoependeJournal:
			return nil
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(fnr)) {
			t.Errorf("%s holds the personal number", p)
		}
		return nil
	})
	as, _ := os.ReadFile(filepath.Join(dir, archive.FileArkivstruktur))
	for _, want := range []string{"<saksstatus>Avsluttet</saksstatus>", "Saksbehandler 1", "Betaling fee-0 (Gebyr 5 200 kr): CAPTURED.",
		"<korrespondanseparttype>Kopimottaker</korrespondanseparttype>", "<tilgangsrestriksjon>13</tilgangsrestriksjon>",
		"<dokumenttype>Vedtak</dokumenttype>", "<tilknyttetRegistreringSom>Vedlegg</tilknyttetRegistreringSom>",
		"<partRolle>Søker</partRolle>"} {
		if !bytes.Contains(as, []byte(want)) {
			t.Errorf("arkivstruktur.xml lacks %s", want)
		}
	}
	el, _ := os.ReadFile(filepath.Join(dir, archive.FileEndringslogg))
	if !bytes.Contains(el, []byte("<tidligereVerdi>Vedtak fattet</tidligereVerdi>")) {
		t.Error("endringslogg.xml lacks the decided -> closed change")
	}
}

// TestExportArchiveIsStable exports the same cases twice: the extracts have
// the same systemIDs and the same arkivstruktur.xml.
func TestExportArchiveIsStable(t *testing.T) {
	svc, clk := newService()
	store := docs{}
	journey(t, svc, clk, store, 6)
	var got [2][]byte
	for i := range got {
		dir := filepath.Join(t.TempDir(), "x")
		o := archiveOptions(store, clk)
		o.Extract.Archive.SystemID = "6f1b0c2e-8d4a-4c1e-9a55-000000000001"
		o.Extract.Part.SystemID = "6f1b0c2e-8d4a-4c1e-9a55-000000000002"
		o.Extract.Classification.SystemID = "6f1b0c2e-8d4a-4c1e-9a55-000000000003"
		o.Extract.Classification.Classes[0].SystemID = "6f1b0c2e-8d4a-4c1e-9a55-000000000004"
		if _, err := svc.ExportArchive(context.Background(), dir, sak.Filter{}, o); err != nil {
			t.Fatal(err)
		}
		got[i], _ = os.ReadFile(filepath.Join(dir, archive.FileArkivstruktur))
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Error("two exports of the same cases differ")
	}
}

func TestExportArchiveRefuses(t *testing.T) {
	ctx := context.Background()
	newCase := func(t *testing.T, e sak.JournalEntry) (*sak.Service, *clock, string) {
		svc, clk := newService()
		c := open(t, svc, false)
		if _, err := svc.Journal(ctx, applicant, c.ID, e); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, officer, c.ID, sak.Closed, "duplicate"); err != nil {
			t.Fatal(err)
		}
		return svc, clk, c.ID
	}
	for name, tc := range map[string]struct {
		e    sak.JournalEntry
		opts func(*sak.ArchiveOptions)
		want error
	}{
		"personal number in title": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad fra " + fnr, Party: "Kafé AS"}, want: sak.ErrPersonalNumber,
		},
		"personal number written with a space": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad fra 038515 98730", Party: "Kafé AS"}, want: sak.ErrPersonalNumber,
		},
		"personal number as a party's name": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Party: fnr}, want: sak.ErrPersonalNumber,
		},
		"personal number in a public title": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", PublicTitle: "Søknad " + fnr, Screened: true, Party: "A"}, want: sak.ErrPersonalNumber,
		},
		"screened without a public title": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Screened: true, Party: "A"}, want: sak.ErrInvalid,
		},
		"documents without Open": {
			e:    sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Party: "A", Documents: []sak.Document{{Ref: "x", FileName: "a.pdf", MediaType: "application/pdf"}}},
			opts: func(o *sak.ArchiveOptions) { o.Open = nil }, want: sak.ErrNoOpener,
		},
		"document that cannot be read": {
			e:    sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Party: "A", Documents: []sak.Document{{Ref: "missing", FileName: "a.pdf", MediaType: "application/pdf"}}},
			want: nil, // any error: the opener's
		},
		"unknown correspondent role": {
			e: sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Parties: []sak.Correspondent{{Role: "boss", Name: "A"}}}, want: sak.ErrInvalid,
		},
	} {
		t.Run(name, func(t *testing.T) {
			svc, clk, _ := newCase(t, tc.e)
			o := archiveOptions(docs{}, clk)
			if tc.opts != nil {
				tc.opts(&o)
			}
			dir := filepath.Join(t.TempDir(), "x")
			_, err := svc.ExportArchive(ctx, dir, sak.Filter{}, o)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "98730") {
				t.Errorf("error %q shows the personal number", err)
			}
			if _, err := os.Stat(filepath.Join(dir, archive.FileArkivuttrekk)); err == nil {
				t.Error("a failed export left an arkivuttrekk.xml behind")
			}
		})
	}

	t.Run("open case mapped directly", func(t *testing.T) {
		svc, _ := newService()
		c := open(t, svc, false)
		var o sak.ArchiveOptions
		if _, err := o.Saksmappe(ctx, c); !errors.Is(err, sak.ErrInvalid) {
			t.Errorf("err %v, want ErrInvalid", err)
		}
	})
	t.Run("only open cases", func(t *testing.T) {
		svc, _ := newService()
		open(t, svc, false)
		_, err := svc.ExportArchive(ctx, filepath.Join(t.TempDir(), "x"), sak.Filter{}, sak.ArchiveOptions{})
		if !errors.Is(err, archive.ErrEmpty) {
			t.Errorf("err %v, want archive.ErrEmpty", err)
		}
	})
}

// TestSaksmappeDescriptionRedacts keeps a personal number in a link's label
// out of the case description.
func TestSaksmappeDescriptionRedacts(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	c := open(t, svc, false)
	svc.Link(ctx, system, c.ID, sak.Link{Kind: sak.LinkBooking, Ref: "b1", Label: "Befaring med " + fnr})
	svc.Journal(ctx, applicant, c.ID, sak.JournalEntry{Type: sak.Incoming, Title: "Søknad", Party: "Kafé AS"})
	c, err := svc.Transition(ctx, officer, c.ID, sak.Closed, "")
	if err != nil {
		t.Fatal(err)
	}
	var o sak.ArchiveOptions
	m, err := o.Saksmappe(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Description, fnr) || !strings.Contains(m.Description, "038515*****") {
		t.Errorf("description %q", m.Description)
	}
	if m.Records[0].Parties[0].Type != "Avsender" || m.Records[0].Type != "Inngående dokument" {
		t.Errorf("journalpost %+v", m.Records[0])
	}
	if fin, _ := c.Finished(); !m.Finished.Equal(fin) || m.Status != "Avsluttet" || len(m.Changes) != 1 {
		t.Errorf("finished %v status %q changes %d", m.Finished, m.Status, len(m.Changes))
	}
}

// xmllint validates every XML file of an extract against the official
// Noark 5 v5.0 schemas, as archive embeds them (archive's
// TestSchemasAreOfficial holds them to the official bytes).
func xmllint(t *testing.T, dir string) {
	t.Helper()
	bin := testenv.Xmllint(t)
	specs := t.TempDir()
	for _, name := range []string{"arkivstruktur.xsd", "metadatakatalog.xsd", "endringslogg.xsd", "loependeJournal.xsd", "offentligJournal.xsd", "addml.xsd"} {
		b, ok := archive.Schema(name)
		if !ok {
			t.Fatalf("archive has no schema %s", name)
		}
		if err := os.WriteFile(filepath.Join(specs, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for xml, xsd := range map[string]string{
		archive.FileArkivstruktur:    "arkivstruktur.xsd",
		archive.FileEndringslogg:     "endringslogg.xsd",
		archive.FileLoependeJournal:  "loependeJournal.xsd",
		archive.FileOffentligJournal: "offentligJournal.xsd",
		archive.FileArkivuttrekk:     "addml.xsd",
	} {
		out, err := exec.Command(bin, "--noout", "--nonet", "--huge", "--schema", filepath.Join(specs, xsd), filepath.Join(dir, xml)).CombinedOutput()
		if err != nil {
			t.Errorf("xmllint %s against %s: %v\n%.4000s", xml, xsd, err, out)
		}
	}
}

func TestExportArchiveStops(t *testing.T) {
	ctx := context.Background()
	svc, clk := newService()
	store := docs{}
	journey(t, svc, clk, store, 5)
	cs, _, _ := svc.List(ctx, sak.Filter{}, sak.Page{})
	boom := errors.New("store went away")
	t.Run("iterator error", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "x")
		_, err := sak.ExportArchive(ctx, dir, func(yield func(*sak.Case, error) bool) {
			if yield(cs[0], nil) {
				yield(nil, boom)
			}
		}, archiveOptions(store, clk))
		if !errors.Is(err, boom) {
			t.Errorf("err %v, want the iterator's", err)
		}
		if _, err := os.Stat(filepath.Join(dir, archive.FileArkivuttrekk)); err == nil {
			t.Error("an abandoned extract has arkivuttrekk.xml")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := svc.ExportArchive(cctx, filepath.Join(t.TempDir(), "x"), sak.Filter{}, archiveOptions(store, clk))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
	t.Run("personal number in the case title", func(t *testing.T) {
		c := *cs[0]
		c.Title = "Søknad fra " + fnr
		_, err := sak.ExportArchive(ctx, filepath.Join(t.TempDir(), "x"), seq([]*sak.Case{&c}), archiveOptions(store, clk))
		if !errors.Is(err, sak.ErrPersonalNumber) || strings.Contains(err.Error(), fnr) {
			t.Errorf("err %v", err)
		}
		c.PublicTitle = "Søknad om skjenkebevilling" // screened: allowed
		dir := filepath.Join(t.TempDir(), "y")
		if _, err := sak.ExportArchive(ctx, dir, seq([]*sak.Case{&c}), archiveOptions(store, clk)); err != nil {
			t.Fatal(err)
		}
		pub, _ := os.ReadFile(filepath.Join(dir, archive.FileOffentligJournal))
		if bytes.Contains(pub, []byte(fnr)) {
			t.Error("the public journal holds the screened case title")
		}
	})
}
