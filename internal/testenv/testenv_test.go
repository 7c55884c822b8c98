package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
		"Redis":      func(tb testing.TB) { RedisURL(tb) },
		"NATS":       func(tb testing.TB) { NATSURL(tb) },
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
			t.Setenv(EnvRedisURL, "")
			t.Setenv(EnvNATSURL, "")
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
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvNATSURL, "")
	t.Setenv(EnvChromium, "")
	t.Setenv(EnvAxeJS, filepath.Join(t.TempDir(), "no-axe.min.js"))
	t.Setenv(EnvVnuJar, filepath.Join(t.TempDir(), "no-vnu.jar"))
	empty := t.TempDir() // no chromium, no xmllint, no java
	withJava := t.TempDir()
	if err := os.WriteFile(filepath.Join(withJava, "java"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		lookup  func(testing.TB)
		install string
		path    string
	}{
		{"PostgreSQL", func(tb testing.TB) { DatabaseURL(tb) }, "apt-get install postgresql", empty},
		{"Redis", func(tb testing.TB) { RedisURL(tb) }, "apt-get install redis-server", empty},
		{"NATS", func(tb testing.TB) { NATSURL(tb) }, "apt-get install nats-server", empty},
		{"Chromium", func(tb testing.TB) { Chromium(tb) }, "apt-get install chromium", empty},
		{"axe-core", func(tb testing.TB) { AxeJS(tb) }, "npm install --no-save --ignore-scripts axe-core@", empty},
		{"xmllint", func(tb testing.TB) { Xmllint(tb) }, "apt-get install libxml2-utils", empty},
		{"pgbench", func(tb testing.TB) { Pgbench(tb) }, "apt-get install postgresql (pgbench 14 or newer)", empty},
		{"java (for the Nu Html Checker)", func(tb testing.TB) { Vnu(tb) }, "apt-get install default-jre-headless", empty},
		{"vnu.jar (the Nu Html Checker)", func(tb testing.TB) { Vnu(tb) }, "npm install --no-save --ignore-scripts axe-core@4.11.0 vnu-jar@", withJava},
	} {
		t.Setenv("PATH", tc.path)
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

// TestNpmPinsMatchCI keeps the install command the skip messages print in step
// with the versions .ci/run installs.
func TestNpmPinsMatchCI(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var ci []string
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "npm_pins=("); ok {
			ci = strings.Fields(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ")")))
		}
	}
	_, pins, _ := strings.Cut(npmInstall, "--ignore-scripts ")
	if got := strings.Fields(pins); len(ci) == 0 || !slices.Equal(got, ci) {
		t.Fatalf(".ci/run installs %v, the skip messages say %v", ci, got)
	}
}

func TestPgbenchMajor(t *testing.T) {
	for in, want := range map[string]int{
		"pgbench (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n": 15,
		"pgbench (PostgreSQL) 14.1":                             14,
		"pgbench (PostgreSQL) 13.16":                            13,
		"pgbench (PostgreSQL) 17beta1":                          0,
		"Error: no pgbench for the cluster":                     0,
		"":                                                      0,
	} {
		if got := pgbenchMajor(in); got != want {
			t.Errorf("pgbenchMajor(%q) = %d, want %d", in, got, want)
		}
	}
}
