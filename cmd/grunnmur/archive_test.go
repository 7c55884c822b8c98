package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArchiveDemoThenVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "extract")
	code, out, errs := runCLI(t, "archive", "demo", "-out", dir, "-cases", "25", "-docs-per-case", "2", "-seed", "7")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "25 cases") || !strings.Contains(out, "50 document files") {
		t.Errorf("demo output: %s", out)
	}
	code, out, errs = runCLI(t, "archive", "verify", dir)
	if code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "PASSED") || !strings.Contains(out, "N5.30") {
		t.Errorf("verify output:\n%s", out)
	}

	code, out, _ = runCLI(t, "archive", "verify", "-json", dir)
	if code != exitOK {
		t.Fatalf("verify -json: exit %d", code)
	}
	var rep struct {
		Errors int
		Tests  []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("verify -json: %v\n%s", err, out)
	}
	if rep.Errors != 0 || len(rep.Tests) < 30 || rep.Tests[0].ID != "N5.01" {
		t.Errorf("verify -json: %+v", rep)
	}

	// Break it: verify must exit 1 and name the test.
	if err := os.Remove(filepath.Join(dir, "dokumenter", "0000001.pdf")); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "archive", "verify", dir)
	if code != exitFail || !strings.Contains(out, "N5.32") || !strings.Contains(out, "FAILED") {
		t.Errorf("verify of a broken extract: exit %d\n%s", code, out)
	}
}

func TestArchiveDemoIsDeterministic(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, d := range []string{a, b} {
		if code, out, errs := runCLI(t, "archive", "demo", "-out", d, "-cases", "10", "-seed", "3"); code != exitOK {
			t.Fatalf("demo: %d %s %s", code, out, errs)
		}
	}
	for _, f := range []string{"arkivstruktur.xml", "loependeJournal.xml", "offentligJournal.xml", "endringslogg.xml", "arkivuttrekk.xml", "dokumenter/0000007.pdf"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || string(x) != string(y) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
}

func TestArchiveVerifySample(t *testing.T) {
	dir := filepath.Join("..", "..", "archive", "testdata", "noark5", "sample")
	if code, out, errs := runCLI(t, "archive", "verify", dir); code != exitOK {
		t.Errorf("verify sample: exit %d\n%s%s", code, out, errs)
	}
}

func TestArchiveUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"archive"}, exitUsage},
		{[]string{"archive", "-h"}, exitOK},
		{[]string{"archive", "bogus"}, exitUsage},
		{[]string{"archive", "demo"}, exitUsage},
		{[]string{"archive", "demo", "-h"}, exitOK},
		{[]string{"archive", "demo", "-out", "x", "-cases", "0"}, exitUsage},
		{[]string{"archive", "demo", "-nope"}, exitUsage},
		{[]string{"archive", "verify"}, exitUsage},
		{[]string{"archive", "verify", "-h"}, exitOK},
		{[]string{"archive", "verify", "a", "b"}, exitUsage},
		{[]string{"archive", "verify", "/no/such/dir"}, exitFail},
	} {
		code, out, errs := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("grunnmur %v: exit %d, want %d\n%s%s", tc.args, code, tc.code, out, errs)
		}
	}
	// A non-empty output folder is refused.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	if code, _, errs := runCLI(t, "archive", "demo", "-out", dir); code != exitFail || !strings.Contains(errs, "not empty") {
		t.Errorf("demo into a non-empty folder: exit %d, %s", code, errs)
	}
}
