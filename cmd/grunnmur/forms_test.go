package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForms(t *testing.T) {
	const form = "../../forms/testdata/skjenkebevilling.json"
	const valid = "../../forms/testdata/skjenkebevilling-valid.json"
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"soker":{"organisasjonsnummer":"974760674","kontakt":{"epost":"x"}},"styrer":{"fodselsnummer":"20036914701"}}`), 0o644)
	brokenForm := filepath.Join(dir, "form.json")
	os.WriteFile(brokenForm, []byte(`{"id":"f","version":1,"title":"t","texts":{"t":{"nb":"T","nn":"T"}},"pages":[{"id":"p","title":"t","components":[{"id":"a","type":"slider","bind":"/a","label":"t"},{"id":"b","type":"text","bind":"a","label":"t","hidden":["equals",["component","zz"]]}]}]}`), 0o644)
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte(`[1,2`), 0o644)
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   []string // substrings of stdout
		err   []string // substrings of stderr
	}{
		{name: "valid", args: []string{"forms", "validate", form, valid}, code: exitOK, out: []string{valid + "\tok\tvalid against skjenkebevilling version 1\n"}},
		{name: "valid json", args: []string{"forms", "validate", "-json", form, valid}, code: exitOK, out: []string{"[]"}},
		{name: "invalid nb", args: []string{"forms", "validate", form, bad}, code: exitFail,
			out: []string{"/soker/organisasjonsnummer\tsoker-orgnr\t«Organisasjonsnummer» må være et gyldig organisasjonsnummer med 9 siffer.\n",
				"/soker/navn\tsoker-navn\tDu må fylle ut «Foretakets navn».\n", "/styrer/fodselsnummer\tstyrer-fnr\t"}},
		{name: "invalid en from stdin", args: []string{"forms", "validate", "-lang", "en", form, "-"}, stdin: `{"soker":{"navn":"A"}}`, code: exitFail,
			out: []string{"/soker/organisasjonsnummer\tsoker-orgnr\tEnter “Organisation number”.\n"}},
		{name: "a regional tag, as i18n.Parse reads it", args: []string{"forms", "validate", "-lang", "en-GB", form, "-"}, stdin: `{"soker":{"navn":"A"}}`, code: exitFail,
			out: []string{"/soker/organisasjonsnummer\tsoker-orgnr\tEnter “Organisation number”.\n"}},
		{name: "invalid json output", args: []string{"forms", "validate", "-json", "-lang", "nn", form, bad}, code: exitFail,
			out: []string{`"pointer": "/soker/organisasjonsnummer"`, `"component": "soker-orgnr"`, `"code": "orgnr"`}},
		{name: "data not json", args: []string{"forms", "validate", form, notJSON}, code: exitFail, err: []string{"not a JSON object"}},
		{name: "broken form", args: []string{"forms", "validate", brokenForm, valid}, code: exitFail,
			err: []string{`unknown component type "slider"`, `bind: "a" is not a JSON Pointer`, "missing en text", `"b".hidden: expression: equals: expected 2 argument(s), got 1`}},
		{name: "check", args: []string{"forms", "check", form}, code: exitOK, out: []string{"ok\tskjenkebevilling version 1, 5 pages"}},
		{name: "check broken", args: []string{"forms", "check", brokenForm}, code: exitFail, err: []string{"slider"}},
		{name: "flags after args", args: []string{"forms", "validate", form, valid, "-json", "-lang", "en"}, code: exitOK, out: []string{"[]\n"}},
		{name: "flags between args", args: []string{"forms", "validate", form, "-lang", "en", bad}, code: exitFail, out: []string{"/soker/navn\tsoker-navn\tEnter"}},
		{name: "bad lang", args: []string{"forms", "validate", "-lang", "de", form, valid}, code: exitUsage},
		{name: "missing file", args: []string{"forms", "validate", form, filepath.Join(dir, "nope.json")}, code: exitUsage},
		{name: "no args", args: []string{"forms"}, code: exitUsage},
		{name: "unknown sub", args: []string{"forms", "frobnicate"}, code: exitUsage},
		{name: "help", args: []string{"forms", "validate", "-h"}, code: exitOK, out: []string{"usage: grunnmur forms validate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(stdio{in: strings.NewReader(tt.stdin), out: &out, err: &errb}, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, w := range tt.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.err {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if strings.Contains(out.String()+errb.String(), "20036914701") {
				t.Error("output leaks the fødselsnummer")
			}
		})
	}
	// Valid data with -json print only the empty array.
	if code, out, _ := runCLI(t, "forms", "validate", "-json", form, valid); code != exitOK || out != "[]\n" {
		t.Errorf("valid -json: exit %d, stdout %q, want only []", code, out)
	}
	// -json output is a JSON array.
	var out bytes.Buffer
	run(stdio{in: strings.NewReader(""), out: &out, err: &out}, []string{"forms", "validate", "-json", form, bad})
	var arr []map[string]string
	if err := json.Unmarshal(out.Bytes(), &arr); err != nil || len(arr) == 0 {
		t.Errorf("-json: %v %s", err, out.String())
	}
}
