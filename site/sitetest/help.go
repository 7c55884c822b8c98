package sitetest

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Help checks a service's command line: -h prints the usage of name to
// stdout and is no error (the command exits 0); an unknown flag is an
// error with the usage on stderr.
func Help(t *testing.T, name string, run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error) {
	t.Helper()
	for _, h := range []string{"-h", "-help", "--help"} {
		var stdout, stderr strings.Builder
		if err := run(context.Background(), []string{h}, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Errorf("%s: %v", h, err)
		}
		if !strings.HasPrefix(stdout.String(), "Usage of "+name+":") || !strings.Contains(stdout.String(), "-addr") || stderr.Len() > 0 {
			t.Errorf("%s: stdout %q, stderr %q", h, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"-nope"}, func(string) string { return "" }, &stdout, &stderr); err == nil || !strings.Contains(stderr.String(), "-addr") || stdout.Len() > 0 {
		t.Errorf("an unknown flag: %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
	}
}
