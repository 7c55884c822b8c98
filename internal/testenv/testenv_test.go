package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s has no go.mod: %v", root, err)
	}
	if wd := mustWd(t); !filepath.IsAbs(root) || len(wd) < len(root) || wd[:len(root)] != root {
		t.Fatalf("module root %s is not above the working directory %s", root, wd)
	}
}

func TestIsModuleRootRejectsOtherModules(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(p, []byte("module example.com/other\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if isModuleRoot(p) {
		t.Fatal("another module's go.mod was taken for grunnmur's")
	}
	if err := os.WriteFile(p, []byte("// comment\nmodule "+Module+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !isModuleRoot(p) {
		t.Fatal("grunnmur's go.mod was not recognised")
	}
}

// TestMissingPeerSkipsOrFails checks both behaviours of a missing peer in a
// subprocess-free way: a fake testing.TB records what happened.
func TestMissingPeerSkipsOrFails(t *testing.T) {
	peers := map[string]func(testing.TB){
		"PostgreSQL": func(tb testing.TB) { DatabaseURL(tb) },
		"vnu":        func(tb testing.TB) { Vnu(tb) },
	}
	for name, lookup := range peers {
		for _, require := range []bool{false, true} {
			rec := &recordTB{TB: t}
			if require {
				t.Setenv(EnvRequirePeers, "1")
			} else {
				t.Setenv(EnvRequirePeers, "")
			}
			t.Setenv(EnvDatabaseURL, "")
			t.Setenv(EnvVnuJar, filepath.Join(t.TempDir(), "no-vnu.jar"))
			func() {
				defer func() { _ = recover() }() // recordTB panics to stop like runtime.Goexit would
				lookup(rec)
			}()
			if require && !rec.failed {
				t.Errorf("%s: required peer missing: test was not failed", name)
			}
			if !require && !rec.skipped {
				t.Errorf("%s: optional peer missing: test was not skipped", name)
			}
		}
	}
}

// TestSkipMessagesSayWhatToInstall: every missing peer's skip names the
// package that installs it.
func TestSkipMessagesSayWhatToInstall(t *testing.T) {
	t.Setenv(EnvRequirePeers, "")
	t.Setenv(EnvDatabaseURL, "")
	t.Setenv(EnvChromium, "")
	t.Setenv(EnvAxeJS, filepath.Join(t.TempDir(), "no-axe.min.js"))
	t.Setenv("PATH", t.TempDir()) // no chromium, no xmllint
	for _, tc := range []struct {
		name    string
		lookup  func(testing.TB)
		install string
	}{
		{"PostgreSQL", func(tb testing.TB) { DatabaseURL(tb) }, "apt-get install postgresql"},
		{"Chromium", func(tb testing.TB) { Chromium(tb) }, "apt-get install chromium"},
		{"axe-core", func(tb testing.TB) { AxeJS(tb) }, "npm install --no-save axe-core"},
		{"xmllint", func(tb testing.TB) { Xmllint(tb) }, "apt-get install libxml2-utils"},
	} {
		rec := &recordTB{TB: t}
		func() {
			defer func() { _ = recover() }()
			tc.lookup(rec)
		}()
		if !rec.skipped || !strings.Contains(rec.msg, tc.install) || !strings.HasPrefix(rec.msg, tc.name+" not found: ") {
			t.Errorf("%s: skipped %v with %q, want %q naming %q", tc.name, rec.skipped, rec.msg, tc.name+" not found: ...", tc.install)
		}
	}
}

type recordTB struct {
	testing.TB
	failed, skipped bool
	msg             string
}

type stop struct{}

func (r *recordTB) Helper()               {}
func (r *recordTB) Fatalf(string, ...any) { r.failed = true; panic(stop{}) }
func (r *recordTB) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	panic(stop{})
}
func (r *recordTB) Skipf(string, ...any) { r.skipped = true; panic(stop{}) }
func (r *recordTB) Fatal(...any)         { r.failed = true; panic(stop{}) }

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
