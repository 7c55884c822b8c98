package archive_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/archive/archivetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenExtract pins the bytes of a small extract. Run with -update after
// an intended change to the output, and review the diff.
func TestGoldenExtract(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 3, DocsPerCase: 2, Seed: 1})
	golden := filepath.Join("testdata", "golden")
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasSuffix(rel, ".xsd") {
			return nil // the official schemas; TestSchemasAreOfficial covers them
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if *update {
		os.RemoveAll(golden)
	}
	for _, name := range names {
		got := read(t, filepath.Join(dir, name))
		gp := filepath.Join(golden, filepath.FromSlash(name))
		if *update {
			os.MkdirAll(filepath.Dir(gp), 0o755)
			write(t, gp, got)
			continue
		}
		want, err := os.ReadFile(gp)
		if err != nil {
			t.Errorf("%s: no golden file (run go test -run TestGoldenExtract -update): %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
			for i := 0; i < len(gl) && i < len(wl); i++ {
				if !bytes.Equal(gl[i], wl[i]) {
					t.Errorf("%s differs from the golden file at line %d:\n got: %s\nwant: %s", name, i+1, gl[i], wl[i])
					break
				}
			}
			if len(gl) != len(wl) {
				t.Errorf("%s: %d lines, golden has %d", name, len(gl), len(wl))
			}
		}
	}
	// No golden file may go missing from the output.
	var goldenNames []string
	filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(golden, p)
			goldenNames = append(goldenNames, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(goldenNames)
	if !*update && strings.Join(goldenNames, ",") != strings.Join(names, ",") {
		t.Errorf("files %v, golden files %v", names, goldenNames)
	}
}

// TestSchemasAreOfficial checks the embedded schemas against the official
// files (testdata/noark5/sample), byte for byte.
func TestSchemasAreOfficial(t *testing.T) {
	dir := t.TempDir()
	writeDemo(t, dir, archivetest.Config{Cases: 1, DocsPerCase: 0, Seed: 1})
	// The sample's copies are the official bytes: their SHA-256 sums are
	// the ones SOURCE.txt lists from Arkivverket's repository.
	listed := regexp.MustCompile(`([0-9a-f]{64})  (\w+\.xsd)`).FindAllStringSubmatch(string(read(t, filepath.Join("testdata", "noark5", "SOURCE.txt"))), -1)
	if len(listed) != 6 {
		t.Fatalf("SOURCE.txt lists %d schema checksums, want 6", len(listed))
	}
	for _, m := range listed {
		if sum := sha256.Sum256(read(t, filepath.Join(specDir(t), m[2]))); hex.EncodeToString(sum[:]) != m[1] {
			t.Errorf("testdata %s: sha256 %x, SOURCE.txt lists %s", m[2], sum, m[1])
		}
	}
	for _, name := range []string{"arkivstruktur.xsd", "metadatakatalog.xsd", "endringslogg.xsd", "loependeJournal.xsd", "offentligJournal.xsd", "addml.xsd"} {
		official := read(t, filepath.Join(specDir(t), name))
		if got := read(t, filepath.Join(dir, name)); !bytes.Equal(got, official) {
			t.Errorf("%s in the extract is not byte-identical to the official schema", name)
		}
	}
}
