package archive_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit changes one XML file and, with reseal, puts its new checksum into
// arkivuttrekk.xml, so that only the intended check can fail.
func edit(t *testing.T, dir, name string, reseal bool, fn func([]byte) []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	old := read(t, p)
	b := fn(bytes.Clone(old))
	if bytes.Equal(b, old) {
		t.Fatalf("edit of %s changed nothing", name)
	}
	write(t, p, b)
	if reseal {
		ap := filepath.Join(dir, archive.FileArkivuttrekk)
		addml := read(t, ap)
		write(t, ap, bytes.ReplaceAll(addml, []byte(sha(old)), []byte(sha(b))))
	}
}

func replaceNth(b []byte, re string, n int, repl string) []byte {
	r := regexp.MustCompile(re)
	i := 0
	return r.ReplaceAllFunc(b, func(m []byte) []byte {
		i++
		if i == n {
			return []byte(repl)
		}
		return m
	})
}

// TestCorruptionNamesTheTest breaks a valid extract in one way at a time and
// checks that exactly the expected Arkade tests fail.
func TestCorruptionNamesTheTest(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string
	}{
		{"changed byte in a document", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "dokumenter", "0000003.pdf")
			b := read(t, p)
			b[len(b)/2] ^= 0x20
			write(t, p, b)
		}, []string{"N5.30"}},
		{"changed byte in arkivstruktur.xml", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, false, func(b []byte) []byte {
				return bytes.Replace(b, []byte("<tittel>Byggesaker"), []byte("<tittel>Byggesakar"), 1)
			})
		}, []string{"N5.02"}},
		{"missing document file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "dokumenter", "0000002.pdf"))
		}, []string{"N5.28", "N5.32"}},
		{"missing structure file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, archive.FileEndringslogg))
		}, []string{"N5.01"}},
		{"wrong folder count in ADDML", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivuttrekk, false, func(b []byte) []byte {
				return replaceNth(b, `(?s)<value>//mappe</value>\s*</property>\s*<property dataType="integer" name="value">\s*<value>6</value>`, 1,
					"<value>//mappe</value></property><property dataType=\"integer\" name=\"value\"><value>7</value>")
			})
		}, []string{"N5.10"}},
		{"wrong registration count in ADDML", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivuttrekk, false, func(b []byte) []byte {
				return regexp.MustCompile(`(?s)(<value>//registrering</value>\s*</property>\s*<property dataType="integer" name="value">\s*<value>)(\d+)`).
					ReplaceAll(b, []byte("${1}999"))
			})
		}, []string{"N5.16"}},
		{"wrong antallDokumentfiler", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivuttrekk, false, func(b []byte) []byte {
				return regexp.MustCompile(`(name="antallDokumentfiler">\s*<value>)\d+`).ReplaceAll(b, []byte("${1}13"))
			})
		}, []string{"N5.28"}},
		{"unreferenced file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "dokumenter", "stray.pdf"), archivetest.PDF("stray"))
			edit(t, dir, archive.FileArkivuttrekk, false, func(b []byte) []byte {
				return regexp.MustCompile(`(name="antallDokumentfiler">\s*<value>)\d+`).ReplaceAll(b, []byte("${1}13"))
			})
		}, []string{"N5.33"}},
		{"zero-byte file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "dokumenter", "0000004.pdf"), nil)
		}, []string{"N5.30", "N5.64"}},
		{"file referenced twice", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				return bytes.Replace(b, []byte("dokumenter/0000002.pdf"), []byte("dokumenter/0000001.pdf"), 1)
			})
		}, []string{"N5.30", "N5.33", "N5.34"}},
		{"reference outside the extract", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				return bytes.Replace(b, []byte("dokumenter/0000005.pdf"), []byte("../../etc/passwd"), 1)
			})
		}, []string{"N5.32", "N5.33"}},
		{"duplicate systemID", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				ids := regexp.MustCompile(`<mappe xsi:type="saksmappe">\s*<systemID>([^<]+)</systemID>`).FindAllSubmatch(b, 2)
				return bytes.Replace(b, ids[1][1], ids[0][1], 1)
			})
		}, []string{"N5.47", "N5.62"}}, // the change log named the replaced folder
		{"dangling reference", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				return replaceNth(b, `</avsluttetAv>\n\s*<part>`, 1,
					"</avsluttetAv><referanseArkivdel>00000000-0000-4000-8000-000000000000</referanseArkivdel><part>")
			})
		}, []string{"N5.48"}},
		{"change log refers to nothing", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileEndringslogg, true, func(b []byte) []byte {
				return replaceNth(b, `<referanseArkivenhet>[^<]+</referanseArkivenhet>`, 1,
					"<referanseArkivenhet>00000000-0000-4000-8000-000000000000</referanseArkivenhet>")
			})
		}, []string{"N5.62"}},
		{"journal count wrong", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileLoependeJournal, true, func(b []byte) []byte {
				return regexp.MustCompile(`<antallJournalposter>\d+`).ReplaceAll(b, []byte("<antallJournalposter>1"))
			})
		}, []string{"N5.59"}},
		{"journal period wrong", func(t *testing.T, dir string) {
			for _, f := range []string{archive.FileLoependeJournal, archive.FileOffentligJournal} {
				edit(t, dir, f, true, func(b []byte) []byte {
					return regexp.MustCompile(`<journalStartDato>[^<]+`).ReplaceAll(b, []byte("<journalStartDato>2025-06-01"))
				})
			}
		}, []string{"N5.60"}},
		{"journal date empty", func(t *testing.T, dir string) {
			// An empty date is no date: N5.63 reports the element, and N5.60
			// the journal period it leaves open.
			for _, f := range []string{archive.FileLoependeJournal, archive.FileOffentligJournal} {
				edit(t, dir, f, true, func(b []byte) []byte {
					return regexp.MustCompile(`<journalSluttDato>[^<]+`).ReplaceAll(b, []byte("<journalSluttDato>"))
				})
			}
		}, []string{"N5.60", "N5.63"}},
		{"archival period not a date", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				return regexp.MustCompile(`<arkivdelstatus>`).ReplaceAll(b, []byte("<arkivperiodeStartDato>2025-02-30</arkivperiodeStartDato><arkivdelstatus>"))
			})
		}, []string{"N5.60"}},
		{"empty element", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte {
				return replaceNth(b, `<opprettetAv>[^<]+</opprettetAv>`, 3, "<opprettetAv>  </opprettetAv>")
			})
		}, []string{"N5.63"}},
		{"schema not the official one", func(t *testing.T, dir string) {
			edit(t, dir, "metadatakatalog.xsd", true, func(b []byte) []byte {
				return bytes.Replace(b, []byte("\r\n"), []byte("\n"), 1)
			})
		}, []string{"N5.02"}},
		{"truncated arkivstruktur.xml", func(t *testing.T, dir string) {
			edit(t, dir, archive.FileArkivstruktur, true, func(b []byte) []byte { return b[:len(b)/2] })
		}, []string{"N5.03"}},
	}
	base := t.TempDir()
	writeDemo(t, base, archivetest.Config{Cases: 6, DocsPerCase: 2, Seed: 4})
	if rep, err := archive.Verify(base); err != nil || !rep.OK() {
		t.Fatalf("the base extract fails: %v %v", err, rep.Failed())
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			tc.break_(t, dir)
			rep, err := archive.Verify(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Failed()
			if !slices.Equal(got, tc.want) {
				var b strings.Builder
				rep.WriteText(&b, 5)
				t.Errorf("failed tests %v, want %v\n%s", got, tc.want, b.String())
			}
			if rep.OK() {
				t.Error("report OK")
			}
		})
	}
}
