package fiksarkiv

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

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
type validatorCase struct {
	Name        string
	MessageType string   `json:"messageType"`
	Expected    []string `json:"expectedResponseMessageTypes"`
	Supported   bool     `json:"supported"`
	Queries     []struct {
		Query     string `json:"payloadQuery"`
		Value     string `json:"expectedValue"`
		ValueType int    `json:"valueType"` // 0 the value, 1 the xsi:type attribute
	} `json:"queriesWithExpectedValues"`
	File    string // the request's file name, e.g. sok.xml
	Payload []byte // the request as UTF-8
}

var lineComment = regexp.MustCompile(`(?m)//[^"\n]*$`)

func validatorCases(t *testing.T) []validatorCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "validator", "*", "testInformation.json"))
	if err != nil || len(dirs) != 38 {
		t.Fatalf("%d validator cases, want 38: %v", len(dirs), err)
	}
	var cases []validatorCase
	for _, info := range dirs {
		dir := filepath.Dir(info)
		b, err := os.ReadFile(info)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		var c validatorCase
		if err := json.Unmarshal(lineComment.ReplaceAll(b, nil), &c); err != nil {
			t.Fatalf("%s: %v", info, err)
		}
		c.Name = filepath.Base(dir)
		xmls, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		if len(xmls) != 1 {
			t.Fatalf("%s: %d XML files, want 1", dir, len(xmls))
		}
		c.File = filepath.Base(xmls[0])
		raw, err := os.ReadFile(xmls[0])
		if err != nil {
			t.Fatal(err)
		}
		c.Payload = toUTF8(raw)
		cases = append(cases, c)
	}
	return cases
}

// toUTF8 decodes a UTF-16 file (by its BOM) and drops a UTF-8 BOM, fixing
// the XML declaration's encoding to match.
func toUTF8(b []byte) []byte {
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		le := b[0] == 0xFF
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			if le {
				u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		b = []byte(string(utf16.Decode(u)))
		b = regexp.MustCompile(`(?i)encoding="utf-16"`).ReplaceAll(b, []byte(`encoding="utf-8"`))
	}
	return bytes.TrimPrefix(b, []byte("\uFEFF"))
}

// leaves lists an XML document's text leaves as "path=value", by local
// names, sorted: a namespace- and layout-blind view for comparing documents.
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
