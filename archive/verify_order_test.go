package archive_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

// TestVerifyOrderIsSequential checks that the concurrent scans (journals and
// change log beside arkivstruktur.xml, document files on workers) report as
// one pass over the files in order would: arkivstruktur.xml's results first,
// the documents in the order of their dokumentobjekt, the cap of 100 results
// per test applied over all files together, and the same report every run.
func TestVerifyOrderIsSequential(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 300, DocsPerCase: 1, Seed: 3})
	// Empty elements in arkivstruktur.xml and in the running journal (N5.63).
	empty := func(elem string, limit int) func([]byte) []byte {
		re := regexp.MustCompile(`<` + elem + `>[^<]*</` + elem + `>`)
		return func(b []byte) []byte {
			n := 0
			return re.ReplaceAllFunc(b, func(m []byte) []byte {
				if n++; n > limit {
					return m
				}
				return []byte("<" + elem + "></" + elem + ">")
			})
		}
	}
	edit(t, dir, archive.FileArkivstruktur, true, empty("opprettetAv", 60))
	edit(t, dir, archive.FileLoependeJournal, true, empty("saksansvarlig", 1000))
	// Every document file changed (N5.30), more than the workers hold.
	docs, err := filepath.Glob(filepath.Join(dir, archive.DirDokumenter, "*"))
	if err != nil || len(docs) < 300 {
		t.Fatal(err, len(docs))
	}
	for _, p := range docs {
		write(t, p, append(read(t, p), '\n'))
	}

	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	var (
		as   = read(t, filepath.Join(dir, archive.FileArkivstruktur))
		lj   = read(t, filepath.Join(dir, archive.FileLoependeJournal))
		nAS  = strings.Count(string(as), "<opprettetAv></opprettetAv>")
		nLJ  = strings.Count(string(lj), "<saksansvarlig></saksansvarlig>")
		refs = regexp.MustCompile(`<referanseDokumentfil>([^<]*)<`).FindAllSubmatch(as, -1)
	)
	if nAS >= 100 || nAS+nLJ <= 100 {
		t.Fatalf("the test needs fewer than 100 empty elements in arkivstruktur.xml and more in all: %d, %d", nAS, nLJ)
	}
	// Every reference is checked, the change log's with arkivstruktur.xml's.
	nRefs := len(regexp.MustCompile(`<referanse(Arkivdel|Til[A-Za-z]+|SekundaerKlassifikasjon|AvskrivesAvJournalpost|FraMoeteregistrering|ForrigeMoete|NesteMoete)>`).FindAll(as, -1)) +
		strings.Count(string(read(t, filepath.Join(dir, archive.FileEndringslogg))), "<referanseArkivenhet>")
	for _, tr := range rep.Tests {
		switch tr.ID {
		case "N5.48":
			want := strconv.Itoa(nRefs) + " references checked"
			if nRefs == 0 || !slices.ContainsFunc(tr.Results, func(r archive.Result) bool { return r.Message == want }) {
				t.Fatalf("N5.48 results %v, want %q", tr.Results, want)
			}
		case "N5.63":
			if tr.Errors != nAS+nLJ || len(tr.Results) != 100 || tr.Omitted != nAS+nLJ-100 {
				t.Fatalf("N5.63: %d errors, %d results, %d omitted; want %d, 100, %d", tr.Errors, len(tr.Results), tr.Omitted, nAS+nLJ, nAS+nLJ-100)
			}
			for i, r := range tr.Results {
				want := archive.FileArkivstruktur + ":"
				if i >= nAS {
					want = archive.FileLoependeJournal + ":"
				}
				if !strings.HasPrefix(r.Location, want) {
					t.Fatalf("N5.63 result %d at %s, want %s...", i, r.Location, want)
				}
			}
		case "N5.30":
			if tr.Errors != 2*len(refs) || len(tr.Results) != 100 {
				t.Fatalf("N5.30: %d errors, %d results; want %d, 100", tr.Errors, len(tr.Results), 2*len(refs))
			}
			for i, r := range tr.Results {
				if want := string(refs[i/2][1]); r.Location != want {
					t.Fatalf("N5.30 result %d is about %s, want %s (the order of the dokumentobjekt elements)", i, r.Location, want)
				}
			}
		}
	}
	for i := range 3 {
		again, err := archive.Verify(dir)
		if err != nil {
			t.Fatal(err)
		}
		again.Duration = rep.Duration
		if !reflect.DeepEqual(again, rep) {
			t.Fatalf("run %d reported differently", i+2)
		}
	}
}

// TestVerifyForkErrorsOmitted checks the counts of results a scan beside
// arkivstruktur.xml leaves out: a journal with more empty elements than the
// cap.
func TestVerifyForkErrorsOmitted(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 60, DocsPerCase: 1, Seed: 4})
	edit(t, dir, archive.FileOffentligJournal, true, func(b []byte) []byte {
		return regexp.MustCompile(`<tittel>[^<]*</tittel>`).ReplaceAll(b, []byte("<tittel/>"))
	})
	n := strings.Count(string(read(t, filepath.Join(dir, archive.FileOffentligJournal))), "<tittel/>")
	if n <= 100 {
		t.Fatalf("only %d empty titles", n)
	}
	rep, err := archive.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range rep.Tests {
		if tr.ID != "N5.63" {
			continue
		}
		if tr.Status != archive.Failed || tr.Errors != n || len(tr.Results) != 100 || tr.Omitted != n-100 {
			t.Fatalf("N5.63: %s, %d errors, %d results, %d omitted; want %d errors", tr.Status, tr.Errors, len(tr.Results), tr.Omitted, n)
		}
		if r := tr.Results[0]; r.Location != archive.FileOffentligJournal+":"+strconv.Itoa(lineOf(t, dir, "<tittel/>")) {
			t.Fatalf("first result at %s", r.Location)
		}
	}
}

func lineOf(t *testing.T, dir, s string) int {
	b, err := os.ReadFile(filepath.Join(dir, archive.FileOffentligJournal))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), s)
	return strings.Count(string(b[:i]), "\n") + 1
}
