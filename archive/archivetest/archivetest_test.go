package archivetest_test

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
)

// collect returns the cases with each document's bytes in place of its Open
// function (reflect.DeepEqual treats non-nil funcs as different).
func collect(cfg archivetest.Config) ([]archive.Saksmappe, [][]byte) {
	var cases []archive.Saksmappe
	var docs [][]byte
	for c := range archivetest.Cases(cfg) {
		for i := range c.Records {
			for j := range c.Records[i].Documents {
				d := &c.Records[i].Documents[j]
				rc, _ := d.Open()
				var data bytes.Buffer
				data.ReadFrom(rc)
				docs = append(docs, data.Bytes())
				d.Open = nil
			}
		}
		cases = append(cases, *c)
	}
	return cases, docs
}

func TestCasesAreDeterministic(t *testing.T) {
	cfg := archivetest.Config{Cases: 20, DocsPerCase: 2, Seed: 42, Hostile: true}
	c1, d1 := collect(cfg)
	c2, d2 := collect(cfg)
	if !reflect.DeepEqual(c1, c2) || !reflect.DeepEqual(d1, d2) {
		t.Error("the same Config gave different cases")
	}
	cfg.Seed = 43
	if c3, _ := collect(cfg); reflect.DeepEqual(c1, c3) {
		t.Error("another seed gave the same cases")
	}
}

func TestCasesMix(t *testing.T) {
	var byggesak, skjenke, screened, docs int
	for c := range archivetest.Cases(archivetest.Config{Cases: 40, DocsPerCase: 3, Seed: 1}) {
		switch c.ClassID {
		case archivetest.ClassByggesak:
			byggesak++
		case archivetest.ClassSkjenkebevilling:
			skjenke++
		}
		for _, r := range c.Records {
			if r.Screening != nil {
				screened++
			}
			docs += len(r.Documents)
		}
		if len(c.Changes) == 0 || c.Finished.Before(c.Created) {
			t.Errorf("case %s: no change log or finished before created", c.Number())
		}
	}
	if byggesak != 20 || skjenke != 20 || screened == 0 || docs != 120 {
		t.Errorf("byggesak %d, skjenkebevilling %d, screened %d, documents %d", byggesak, skjenke, screened, docs)
	}
}

// TestPDF checks the generated PDF's cross-reference table: every offset
// points at its object.
func TestPDF(t *testing.T) {
	pdf := archivetest.PDF("Vedtak (2025/17) æøå \\")
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("not a PDF")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		t.Fatal("startxref does not point at the xref table")
	}
	offsets := regexp.MustCompile(`(\d{10}) 00000 n`).FindAllSubmatch(pdf, -1)
	if len(offsets) != 5 {
		t.Fatalf("%d objects", len(offsets))
	}
	for i, o := range offsets {
		off, _ := strconv.Atoi(string(o[1]))
		if want := fmt.Sprintf("%d 0 obj", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("object %d is not at offset %d", i+1, off)
		}
	}
}
