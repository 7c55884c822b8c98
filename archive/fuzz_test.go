package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzVerifyParsers feeds arbitrary bytes to every parser of the verifier:
// arkivstruktur.xml, the journals, the change log and arkivuttrekk.xml. None
// may panic, and each must leave the report consistent.
func FuzzVerifyParsers(f *testing.F) {
	for _, name := range []string{FileArkivstruktur, FileLoependeJournal, FileOffentligJournal, FileEndringslogg, FileArkivuttrekk} {
		b, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<arkiv><mappe xsi:type="x:saksmappe"><systemID>zz</systemID><referanseTilMappe>0b6a5b3e-1c1a-4a47-9d1e-000000000005</referanseTilMappe><dokumentobjekt><referanseDokumentfil>../../etc/passwd</referanseDokumentfil><sjekksumAlgoritme>SHA-256</sjekksumAlgoritme></dokumentobjekt></mappe></arkiv>`))
	f.Add([]byte(`<addml><dataObject><properties><property name="file"><properties><property name="name"><value>/etc/passwd</value></property></properties></property></properties></dataObject></addml>`))
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "doc.pdf"), []byte("%PDF"), 0o644)
	root, err := os.OpenRoot(dir)
	if err != nil {
		f.Fatal(err)
	}
	defer root.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		scans := []func(v *verifier, d *xmlScanner) error{
			func(v *verifier, d *xmlScanner) error { return v.scanArkivstruktur(v.newScan(FileArkivstruktur, d)) },
			func(v *verifier, d *xmlScanner) error {
				var j journalInfo
				return v.scanJournal(v.newScan(FileLoependeJournal, d), &j)
			},
			func(v *verifier, d *xmlScanner) error {
				var j journalInfo
				return v.scanEndringslogg(v.newScan(FileEndringslogg, d), &j, true)
			},
		}
		for _, scan := range scans {
			v := newVerifier(context.Background(), &Verifier{}, dir, root)
			_ = scan(v, newXMLScanner(bytes.NewReader(data)))
			v.afterArkivstruktur()
			v.checkIDs()
			v.checkDocumentFolder(v.beside(nil, func(b *besideScan) { b.files = b.fork.walkDocuments() }))
			rep := v.finish()
			for _, tr := range rep.Tests {
				if (tr.Errors > 0) != (tr.Status == Failed) || len(tr.Results) > maxResults {
					t.Fatalf("inconsistent test %s: %+v", tr.ID, tr)
				}
			}
		}
		if info, err := parseADDML(bytes.NewReader(data)); err == nil {
			for _, fl := range info.files {
				if !isLocalName(fl.name) {
					t.Fatalf("ADDML file name %q escapes the folder", fl.name)
				}
			}
		}
	})
}
