package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestIdent(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string // exact stdout
		err   string // substring of stderr
	}{
		{
			name: "fnr valid and invalid",
			args: []string{"ident", "fnr", "20036914700", "12345678910"},
			code: exitFail,
			out: "20036914700\tvalid\tfnr; 1964 rule; born 1969-03-20\n" +
				"12345678910\tinvalid\twrong control digit (second control digit)\n",
		},
		{
			name: "fnr kinds and rules",
			args: []string{"ident", "fnr", "41819077906", "03851598730", "30108299939"},
			code: exitOK,
			out: "41819077906\tvalid\tdnr,tnr; 2032 rule; born 1990-01-01\n" +
				"03851598730\tvalid\tfnr,tnr; 1964 rule; born 2015-05-03\n" +
				"30108299939\tvalid\tfnr; 2032 rule; born 1982-10-30\n",
		},
		{
			name: "fnr reasons",
			args: []string{"ident", "fnr", "123", "2003691470X", "29020105729"},
			code: exitFail,
			out: "123\tinvalid\twrong length (want 11 digits, got 3)\n" +
				"2003691470X\tinvalid\tnot only digits (position 11)\n" +
				"29020105729\tinvalid\tnot a real date\n",
		},
		{
			name: "orgnr",
			args: []string{"ident", "orgnr", "974760673", "974760674"},
			code: exitFail,
			out:  "974760673\tvalid\tMOD11\n974760674\tinvalid\twrong control digit\n",
		},
		{
			name: "kontonr",
			args: []string{"ident", "kontonr", "8601.11.17947"},
			code: exitOK,
			out:  "8601.11.17947\tvalid\t8601.11.17947\n",
		},
		{
			name: "kid check",
			args: []string{"ident", "kid", "79927398713", "6-", "12345678903", "79927398714"},
			code: exitFail,
			out: "79927398713\tvalid\tMOD10\n6-\tvalid\tMOD11\n12345678903\tvalid\tMOD10+MOD11\n" +
				"79927398714\tinvalid\twrong control digit (neither MOD10 nor MOD11)\n",
		},
		{
			name: "kid generate mod10",
			args: []string{"ident", "kid", "-mod10", "7992739871"},
			code: exitOK,
			out:  "79927398713\n",
		},
		{
			name: "kid generate mod11 with dash",
			args: []string{"ident", "kid", "-mod11", "6", "1234567890"},
			code: exitOK,
			out:  "6-\n12345678903\n",
		},
		{
			name: "kid generate bad base",
			args: []string{"ident", "kid", "-mod10", "12a"},
			code: exitFail,
			err:  "not only digits",
		},
		{
			name:  "values from stdin",
			args:  []string{"ident", "orgnr", "-"},
			stdin: "974760673\n\n923609016\n",
			code:  exitOK,
			out:   "974760673\tvalid\tMOD11\n923609016\tvalid\tMOD11\n",
		},
		{name: "no arguments", args: []string{"ident"}, code: exitUsage, err: "usage: grunnmur ident"},
		{
			name: "detected kinds",
			args: []string{"ident", "20036914700", "41819077906", "974760673", "923 609 016", "8601.11.17947", "86011117947", "79927398713", "6-", "0000"},
			code: exitOK,
			out: "20036914700\tvalid\tfnr: fnr; 1964 rule; born 1969-03-20\n" +
				"41819077906\tvalid\tfnr: dnr,tnr; 2032 rule; born 1990-01-01\n" +
				"974760673\tvalid\torgnr: MOD11\n" +
				"923 609 016\tvalid\torgnr: MOD11\n" +
				"8601.11.17947\tvalid\tkontonr: 8601.11.17947\n" +
				"86011117947\tvalid\tkontonr: 8601.11.17947\n" +
				"79927398713\tvalid\tkid: MOD10\n" +
				"6-\tvalid\tkid: MOD11\n" +
				"0000\tvalid\tkid: MOD10+MOD11\n",
		},
		{
			name: "detected, invalid",
			args: []string{"ident", "12345678910", "974760674", "bsn", "2003691470X"},
			code: exitFail,
			out: "12345678910\tinvalid\tno kind fits: fnr: wrong control digit (second control digit); kontonr: wrong control digit; kid: wrong control digit (neither MOD10 nor MOD11)\n" +
				"974760674\tinvalid\tno kind fits: orgnr: wrong control digit; kid: wrong control digit (neither MOD10 nor MOD11)\n" +
				"bsn\tinvalid\tno kind fits (want 11 digits for fnr or kontonr, 9 for orgnr, 2-25 for kid)\n" +
				"2003691470X\tinvalid\tno kind fits (want 11 digits for fnr or kontonr, 9 for orgnr, 2-25 for kid)\n",
		},
		{
			name:  "detected from stdin",
			args:  []string{"ident", "-"},
			stdin: "974760673\n03851598730\n",
			code:  exitOK,
			out:   "974760673\tvalid\torgnr: MOD11\n03851598730\tvalid\tfnr: fnr,tnr; 1964 rule; born 2015-05-03\n",
		},
		{name: "no values", args: []string{"ident", "fnr"}, code: exitUsage, err: "no VALUE"},
		{name: "both kid flags", args: []string{"ident", "kid", "-mod10", "-mod11", "1"}, code: exitUsage, err: "exactly one"},
		{name: "kid flag without base", args: []string{"ident", "kid", "-mod10"}, code: exitUsage, err: "exactly one"},
		{name: "bad flag", args: []string{"ident", "-x", "fnr"}, code: exitUsage, err: "-x"},
		{name: "kid flags without kid", args: []string{"ident", "-mod10", "123"}, code: exitUsage, err: "ident kid -mod10"},
		{name: "kid -h", args: []string{"ident", "kid", "-h"}, code: exitOK, out: identUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(stdio{in: strings.NewReader(tt.stdin), out: &out, err: &errb}, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if tt.out != "" && out.String() != tt.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tt.out)
			}
			if !strings.Contains(errb.String(), tt.err) {
				t.Errorf("stderr %q does not contain %q", errb.String(), tt.err)
			}
		})
	}
}

// TestIdentDetectionPrecedence: detection reports the first kind that fits,
// in the documented order, and that kind's own check agrees.
func TestIdentDetectionPrecedence(t *testing.T) {
	for _, v := range []string{"20036914700", "30108299939", "974760673", "86011117947", "79927398713", "6-", "12345678903"} {
		detail, err := detectIdent(v)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		kind, _, _ := strings.Cut(detail, ": ")
		for _, k := range identKinds {
			_, kerr := identCheckers[k](v)
			if k == kind {
				if kerr != nil {
					t.Errorf("%s detected as %s, which refuses it: %v", v, k, kerr)
				}
				break
			}
			if kerr == nil {
				t.Errorf("%s detected as %s, but %s comes first and fits", v, kind, k)
			}
		}
	}
}

// TestIdentDetectedReasonsNeverQuoteTheNumber: the reason of a value that
// fits no kind names no digits of it (the value column is the input itself,
// as with "ident fnr").
func TestIdentDetectedReasonsNeverQuoteTheNumber(t *testing.T) {
	for _, v := range []string{"20036914702", "200369147001", "20036914", "2003691470X"} {
		_, err := detectIdent(v)
		if err == nil {
			t.Fatalf("%s accepted", v)
		}
		if strings.Contains(err.Error(), v[:6]) {
			t.Errorf("reason %q quotes the value", err)
		}
	}
}
