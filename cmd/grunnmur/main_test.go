package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(stdio{in: strings.NewReader(""), out: &out, err: &errb}, args)
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"-h"}, exitOK},
		{[]string{"help"}, exitOK},
		{[]string{"no-such-command"}, exitUsage},
		{[]string{"help", "no-such-command"}, exitUsage},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("grunnmur %v: exit %d, want %d", tc.args, code, tc.code)
		}
		if !strings.Contains(out+errs, "usage: grunnmur") {
			t.Errorf("grunnmur %v: no usage printed", tc.args)
		}
	}
}

// TestEverySubcommandHasHelp checks the shared convention: -h (anywhere
// among the arguments), -help, --help and "grunnmur help COMMAND" print the
// usage once, to stdout, and exit 0.
func TestEverySubcommandHasHelp(t *testing.T) {
	calls := [][]string{{"help"}}
	for name := range commands() {
		calls = append(calls, []string{name, "-h"}, []string{name, "--help"}, []string{"help", name})
	}
	calls = append(calls,
		[]string{"ident", "fnr", "-h"}, []string{"ident", "fnr", "20036914700", "-h"}, []string{"ident", "kid", "-h"},
		[]string{"ident", "20036914700", "-help"},
		[]string{"holidays", "2027", "-h"}, []string{"holidays", "-lang", "en", "-h"},
		[]string{"forms", "validate", "-h"}, []string{"forms", "validate", "a.json", "b.json", "-h"}, []string{"forms", "check", "-h"},
		[]string{"archive", "demo", "-h"}, []string{"archive", "verify", "-h"}, []string{"archive", "verify", "x.zip", "-h"},
		[]string{"version", "-h"},
	)
	for _, args := range calls {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errs := runCLI(t, args...)
			if code != exitOK {
				t.Errorf("exit %d, want 0", code)
			}
			if n := strings.Count(out, "usage: grunnmur"); n != 1 {
				t.Errorf("stdout has the usage %d times, want once:\n%s", n, out)
			}
			if errs != "" {
				t.Errorf("stderr %q, want nothing", errs)
			}
		})
	}
}

// TestFlagsAfterArguments checks that a flag works wherever it stands, and
// that "--" ends the flags.
func TestFlagsAfterArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{args: []string{"holidays", "2027", "-lang", "en"}, out: "2027-12-25\tChristmas Day\n"},
		{args: []string{"holidays", "-lang", "nn", "2027"}, out: "2027-05-01\tOffentleg høgtidsdag\n"},
		{args: []string{"ident", "kid", "7992739871", "-mod10"}, out: "79927398713\n"},
		{args: []string{"ident", "-mod11", "kid", "6"}, out: "6-\n"},
		{args: []string{"ident", "fnr", "--", "-1"}, code: exitFail, out: "-1\tinvalid\twrong length"},
		{args: []string{"ident", "fnr", "20036914700", "-mod10"}, code: exitUsage, err: "grunnmur ident kid -mod10|-mod11 BASE"},
		{args: []string{"ident", "orgnr", "974760673", "-nope"}, code: exitUsage, err: "flag provided but not defined: -nope"},
		{args: []string{"holidays", "--", "-lang"}, code: exitFail, err: `"-lang" is not a Gregorian year`},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("grunnmur %q: exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", tc.args, code, tc.code, out, tc.out, errs, tc.err)
		}
	}
}

func TestEndedByDashDash(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("lang", "", "")
	fs.Bool("json", false, "")
	for _, tc := range []struct {
		consumed []string
		want     bool
	}{
		{nil, false},
		{[]string{"--"}, true},
		{[]string{"-json", "--"}, true},
		{[]string{"-lang", "nb", "--"}, true},
		{[]string{"-lang=nb", "--"}, true},
		{[]string{"-lang", "--"}, false}, // "--" is the value of -lang
		{[]string{"--lang", "--"}, false},
		{[]string{"-json"}, false},
	} {
		if got := endedByDashDash(fs, tc.consumed); got != tc.want {
			t.Errorf("endedByDashDash(%q) = %v, want %v", tc.consumed, got, tc.want)
		}
	}
}
