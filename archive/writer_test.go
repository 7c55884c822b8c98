package archive_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/civil"
)

var t0 = time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC)

const caseID = "0b6a5b3e-1c1a-4a47-9d1e-000000000017"

// oneCase is a small valid case with one screened entry.
func oneCase() *archive.Saksmappe {
	docs := fstest.MapFS{"vedtak.pdf": {Data: archivetest.PDF("Vedtak")}}
	return &archive.Saksmappe{
		SystemID: caseID, ClassID: archivetest.ClassSkjenkebevilling, Title: "Søknad om skjenkebevilling - Kafé Måken AS",
		Created: t0, CreatedBy: "kari", Finished: t0.Add(72 * time.Hour), FinishedBy: "kari",
		Year: 2025, Sequence: 17, Date: civil.DateOf(t0), AdministrativeUnit: "Næringsetaten",
		Officer: "kari", Status: "Avsluttet",
		Records: []archive.Journalpost{
			{Created: t0, CreatedBy: "kari", Title: "Uttalelse om vandel - styrer Per Hemmelig",
				PublicTitle: "Uttalelse om vandel - styrer *****",
				Screening:   &archive.Skjerming{Restriction: "13", Authority: "Offl. § 13", Metadata: []string{"tittel"}},
				Parties:     []archive.Korrespondansepart{{Type: "Kopimottaker", Name: "Per Hemmelig", Screened: true}},
				Year:        2025, Sequence: 40, Type: "Inngående dokument", Status: "Arkivert", Date: civil.DateOf(t0)},
			{Created: t0.Add(time.Hour), CreatedBy: "kari", Title: "Vedtak",
				Parties: []archive.Korrespondansepart{{Type: "Mottaker", Name: "Kafé Måken AS"}},
				Year:    2025, Sequence: 41, Type: "Utgående dokument", Status: "Arkivert", Date: civil.DateOf(t0),
				Documents: []archive.Dokument{{Type: "Vedtak", Title: "Vedtak", Created: t0, CreatedBy: "kari",
					Open: archive.FromFS(docs, "vedtak.pdf")}}},
		},
		Changes: []archive.Endring{{Ref: caseID, Field: "saksstatus", Changed: t0, ChangedBy: "kari", Previous: "Under behandling", New: "Avsluttet"}},
	}
}

func TestPublicJournalHidesScreened(t *testing.T) {
	dir := t.TempDir()
	c := oneCase()
	w, err := archive.Create(dir, archivetest.Extract(), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	sum, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Screened || sum.Documents != 1 || sum.Records != 2 {
		t.Errorf("summary %+v", sum)
	}
	public := string(read(t, filepath.Join(dir, archive.FileOffentligJournal)))
	running := string(read(t, filepath.Join(dir, archive.FileLoependeJournal)))
	if strings.Contains(public, "Hemmelig") {
		t.Errorf("offentligJournal.xml carries the screened title or name:\n%s", public)
	}
	if !strings.Contains(public, "styrer *****") || !strings.Contains(public, "Unntatt offentlighet") {
		t.Errorf("offentligJournal.xml lacks the public title or the placeholder name")
	}
	if !strings.Contains(running, "Per Hemmelig") {
		t.Errorf("loependeJournal.xml lacks the real title")
	}
	xmllintExtract(t, dir)
}

func TestWriterRefusesInvalidCases(t *testing.T) {
	for _, tc := range []struct {
		field  string
		mutate func(*archive.Saksmappe)
	}{
		{"tittel", func(c *archive.Saksmappe) { c.Title = "  " }},
		{"systemID", func(c *archive.Saksmappe) { c.SystemID = "not-a-uuid-12345678901" }},
		{"avsluttetDato", func(c *archive.Saksmappe) { c.Finished = time.Time{} }},
		{"saksdato", func(c *archive.Saksmappe) { c.Date = civil.Date{Year: 2025, Month: 2, Day: 30} }},
		{"offentligTittel", func(c *archive.Saksmappe) { c.Records[0].PublicTitle = "" }},
		{"korrespondansepart", func(c *archive.Saksmappe) { c.Records[1].Parties = nil }},
		{"skjerming/skjermingMetadata", func(c *archive.Saksmappe) { c.Records[0].Screening.Metadata = nil }},
		{"referanseDokumentfil", func(c *archive.Saksmappe) { c.Records[1].Documents[0].Open = nil }},
		{"referanseDokumentfil", func(c *archive.Saksmappe) { c.Records[1].Documents[0].Ext = "../x" }},
		{"registrering", func(c *archive.Saksmappe) { c.Records = nil }},
		{"referanseArkivenhet", func(c *archive.Saksmappe) { c.Changes[0].Ref = "x" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			w, err := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
			if err != nil {
				t.Fatal(err)
			}
			c := oneCase()
			tc.mutate(c)
			err = w.Add(context.Background(), c)
			var fe *archive.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, archive.ErrInvalid) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError for %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "Hemmelig") || strings.Contains(err.Error(), "Måken") {
				t.Errorf("error leaks a value: %v", err)
			}
			// A refused case leaves the writer usable.
			if err := w.Add(context.Background(), oneCase()); err != nil {
				t.Fatalf("valid case after a refused one: %v", err)
			}
			if _, err := w.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("unknown class", func(t *testing.T) {
		w, _ := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
		c := oneCase()
		c.ClassID = "nope"
		if err := w.Add(ctx, c); !errors.Is(err, archive.ErrUnknownClass) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		w, _ := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
		if _, err := w.Close(); !errors.Is(err, archive.ErrEmpty) {
			t.Errorf("err = %v", err)
		}
		if err := w.Add(ctx, oneCase()); err == nil {
			t.Error("Add after a failed Close succeeded")
		}
	})
	t.Run("no changes", func(t *testing.T) {
		w, _ := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
		c := oneCase()
		c.Changes = nil
		w.Add(ctx, c)
		if _, err := w.Close(); !errors.Is(err, archive.ErrEmpty) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("outside a sharp period", func(t *testing.T) {
		ex := archivetest.Extract()
		ex.Part.Start, ex.Part.End = civil.Date{Year: 2024, Month: 1, Day: 1}, civil.Date{Year: 2024, Month: 12, Day: 31}
		w, _ := archive.Create(t.TempDir(), ex, archive.Options{})
		if err := w.Add(ctx, oneCase()); !errors.Is(err, archive.ErrOutsidePeriod) {
			t.Errorf("err = %v", err)
		}
		ex.SoftPeriod = true
		w, _ = archive.Create(t.TempDir(), ex, archive.Options{})
		if err := w.Add(ctx, oneCase()); err != nil {
			t.Errorf("soft period: %v", err)
		}
	})
	t.Run("folder not empty", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x"), nil, 0o644)
		if _, err := archive.Create(dir, archivetest.Extract(), archive.Options{}); !errors.Is(err, archive.ErrDirNotEmpty) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad extract", func(t *testing.T) {
		ex := archivetest.Extract()
		ex.Archive.Creators = nil
		var fe *archive.FieldError
		if _, err := archive.Create(t.TempDir(), ex, archive.Options{}); !errors.As(err, &fe) || fe.Field != "arkivskaper" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("document cannot be read", func(t *testing.T) {
		dir := t.TempDir()
		w, _ := archive.Create(dir, archivetest.Extract(), archive.Options{})
		c := oneCase()
		boom := errors.New("storage down")
		c.Records[1].Documents[0].Open = func() (io.ReadCloser, error) { return nil, boom }
		if err := w.Add(ctx, c); !errors.Is(err, boom) || !errors.Is(err, archive.ErrDocument) {
			t.Errorf("err = %v", err)
		}
		// The case is left out whole; the writer goes on with the next.
		if err := w.Add(ctx, oneCase()); err != nil {
			t.Errorf("the writer stopped after a case's failed document: %v", err)
		}
		if sum, err := w.Close(); err != nil || sum.Cases != 1 || sum.Documents != 1 {
			t.Errorf("Close = %+v, %v", sum, err)
		}
		if docs, _ := os.ReadDir(filepath.Join(dir, archive.DirDokumenter)); len(docs) != 1 {
			t.Errorf("%d files in dokumenter/, want 1", len(docs))
		}
		if rep, err := archive.Verify(dir); err != nil || !rep.OK() {
			t.Errorf("verify: %v %v", err, rep.Failed())
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		w, _ := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := w.Add(cctx, oneCase()); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestForbiddenCharactersReplaced(t *testing.T) {
	dir := t.TempDir()
	c := oneCase()
	c.Title = "a\x00b\x1fc\uFFFEd\xffe <&> 🍺"
	w, _ := archive.Create(dir, archivetest.Extract(), archive.Options{})
	if err := w.Add(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := string(read(t, filepath.Join(dir, archive.FileArkivstruktur)))
	if want := "<tittel>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe &lt;&amp;&gt; 🍺</tittel>"; !strings.Contains(s, want) {
		t.Errorf("arkivstruktur.xml lacks %q", want)
	}
	xmllintExtract(t, dir)
	rep, err := archive.Verify(dir)
	if err != nil || !rep.OK() {
		t.Errorf("verify: %v %v", err, rep.Failed())
	}
}

// TestZeroDates checks what the zero civil.Date means to the writer: no
// date. A required date (saksdato, journaldato) that is zero is refused as
// missing, an optional one (dokumentetsDato) is left out, and a zero
// archival period is taken from the registrations.
func TestZeroDates(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		field  string
		mutate func(*archive.Saksmappe)
	}{
		{"saksdato", func(c *archive.Saksmappe) { c.Date = civil.Date{} }},
		{"journaldato", func(c *archive.Saksmappe) { c.Records[1].Date = civil.Date{} }},
		{"dokumentetsDato", func(c *archive.Saksmappe) { c.Records[1].DocumentDate = civil.Date{Year: 2025, Month: 13, Day: 1} }},
	} {
		w, _ := archive.Create(t.TempDir(), archivetest.Extract(), archive.Options{})
		c := oneCase()
		tc.mutate(c)
		var fe *archive.FieldError
		if err := w.Add(ctx, c); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: err = %v", tc.field, err)
		}
	}

	dir := t.TempDir()
	c := oneCase()
	c.Records[0].DocumentDate = civil.NewDate(2025, 2, 28)
	c.Records[1].Created = t0.Add(40 * 24 * time.Hour)
	w, err := archive.Create(dir, archivetest.Extract(), archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, c); err != nil {
		t.Fatal(err)
	}
	sum, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Start != civil.NewDate(2025, 3, 3) || sum.End != civil.NewDate(2025, 4, 12) {
		t.Errorf("period %s to %s, want the registrations' 2025-03-03 to 2025-04-12", sum.Start, sum.End)
	}
	s := string(read(t, filepath.Join(dir, archive.FileArkivstruktur)))
	if n := strings.Count(s, "<dokumentetsDato>"); n != 1 || !strings.Contains(s, "<dokumentetsDato>2025-02-28</dokumentetsDato>") {
		t.Errorf("%d dokumentetsDato elements; want only the one given", n)
	}
	if !strings.Contains(s, "<arkivperiodeStartDato>2025-03-03</arkivperiodeStartDato>") {
		t.Error("arkivstruktur.xml lacks the period taken from the registrations")
	}
	for _, name := range []string{archive.FileLoependeJournal, archive.FileOffentligJournal} {
		if j := string(read(t, filepath.Join(dir, name))); !strings.Contains(j, "<journalSluttDato>2025-04-12</journalSluttDato>") {
			t.Errorf("%s lacks the period's end", name)
		}
	}
	xmllintExtract(t, dir)
}

func TestJournalpostType(t *testing.T) {
	for code, want := range map[string]string{"I": "Inngående dokument", "U": "Utgående dokument", "N": "Organinternt dokument for oppfølging", "X": "Organinternt dokument uten oppfølging"} {
		if got, ok := archive.JournalpostType(code); !ok || got != want {
			t.Errorf("%s: %q %v", code, got, ok)
		}
	}
	if _, ok := archive.JournalpostType("Q"); ok {
		t.Error("Q accepted")
	}
}
