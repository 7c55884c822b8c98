package fiksarkiv

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/fiksarkiv/internal/kscase"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// The vendored V1 schema for each message type (testdata/SOURCE.txt).
func xsdFor(messageType string) string {
	return filepath.Join("testdata", "V1", messageType+".xsd")
}

// lint validates doc against the message type's V1 XSD with xmllint and
// returns xmllint's complaint, or "" when the document is valid. It skips
// the test without xmllint (fails under GRUNNMUR_REQUIRE_PEERS=1).
func lint(t *testing.T, messageType string, doc []byte) string {
	t.Helper()
	bin := testenv.Xmllint(t)
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", xsdFor(messageType), f).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

// mustLint fails the test when doc is not valid.
func mustLint(t *testing.T, messageType string, doc []byte) {
	t.Helper()
	if msg := lint(t, messageType, doc); msg != "" {
		t.Errorf("not valid against %s:\n%.3000s\n%.3000s", messageType, msg, doc)
	}
}

// validatorCase is one of KS' conformance cases (testdata/validator).
type validatorCase = kscase.Case

func validatorCases(t *testing.T) []validatorCase {
	t.Helper()
	cases, err := kscase.Load(filepath.Join("testdata", "validator"))
	if err != nil || len(cases) != 38 {
		t.Fatalf("%d validator cases, want 38: %v", len(cases), err)
	}
	return cases
}

func leaves(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var path []string
	var text strings.Builder
	var out []string
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			path = append(path, tk.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			if v := strings.TrimSpace(text.String()); v != "" {
				out = append(out, strings.Join(path, "/")+"="+v)
			}
			text.Reset()
			path = path[:len(path)-1]
		}
	}
	sort.Strings(out)
	return out
}

// subset reports the entries of sub that super lacks (as multisets).
func subset(sub, super []string) []string {
	have := map[string]int{}
	for _, s := range super {
		have[s]++
	}
	var extra []string
	for _, s := range sub {
		if have[s] == 0 {
			extra = append(extra, s)
			continue
		}
		have[s]--
	}
	return extra
}
