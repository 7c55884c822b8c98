package main

import (
	"bytes"
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

// TestEverySubcommandHasHelp checks the shared convention: -h prints help to
// stdout and exits 0.
func TestEverySubcommandHasHelp(t *testing.T) {
	for name := range commands() {
		t.Run(name, func(t *testing.T) {
			code, out, _ := runCLI(t, name, "-h")
			if code != exitOK {
				t.Errorf("grunnmur %s -h: exit %d, want 0", name, code)
			}
			if !strings.Contains(strings.ToLower(out), "usage") {
				t.Errorf("grunnmur %s -h printed no usage:\n%s", name, out)
			}
		})
	}
}
