package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildsOutsideTheModule copies the quickstart into a module of its
// own, example.com/outside, which requires grunnmur through a replace
// directive pointing at this checkout, and builds it there. The build fails
// if the quickstart needs anything that another module cannot import, such
// as an internal package. Built with -tags production, it must link no
// fake.
//
// It needs no network as a rule: the checkout's go.sum comes along, and
// GOPROXY=off makes the go command use the module cache that building this
// test filled. Only a fresh cache without the go.mod files of some
// dependencies' own requirements sends it to the configured module proxy;
// it skips, saying so, when that proxy cannot be reached.
func TestBuildsOutsideTheModule(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the quickstart in a module of its own")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyQuickstart(t, dir)
	goMod := "module example.com/outside\n\ngo 1.26\n\n" +
		"require github.com/grunnmur/grunnmur v0.0.0\n\n" +
		"replace github.com/grunnmur/grunnmur => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}

	proxy := "GOPROXY=off"
	run := func(args ...string) (string, error) {
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", proxy, "GOWORK=off", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	goCmd := func(args ...string) string {
		out, err := run(args...)
		if err != nil && proxy == "GOPROXY=off" && strings.Contains(out, "module lookup disabled by GOPROXY=off") {
			// The new module's graph reaches go.mod files that building
			// this checkout never needed (the requirements of a dependency
			// older than Go 1.17), so a fresh module cache lacks them:
			// fetch those through the configured proxy, once.
			proxy = "GOPROXY=" + goEnv(t, goTool, "GOPROXY")
			if out, err = run(args...); err != nil && offline(out) {
				t.Skipf("the module of its own needs go.mod files that are not in the module cache, and the module proxy cannot be reached:\n%s", out)
			}
		}
		if err != nil {
			t.Fatalf("go %s in a module of its own: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	goCmd("build", "-o", filepath.Join(t.TempDir(), "quickstart"), ".")

	if testing.Short() {
		return // the production build compiles every package anew
	}
	// Built for production, it links no fake.
	goCmd("build", "-tags", "production", "-o", filepath.Join(t.TempDir(), "quickstart"), ".")
	for _, p := range strings.Fields(goCmd("list", "-deps", "-tags", "production", ".")) {
		if strings.HasSuffix(p, "/devenv") || (strings.HasPrefix(p, "github.com/grunnmur/grunnmur/") && strings.HasSuffix(p, "test")) {
			t.Errorf("the production build links %s", p)
		}
	}
}

// copyQuickstart copies this folder but its tests into dir: the Go files
// and what they embed.
func copyQuickstart(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goEnv is the go command's setting of key.
func goEnv(t *testing.T, goTool, key string) string {
	t.Helper()
	out, err := exec.Command(goTool, "env", key).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

// offline reports whether the go command's output says that it could not
// reach the module proxy.
func offline(out string) bool {
	for _, s := range []string{"dial tcp", "no such host", "connection refused", "i/o timeout", "network is unreachable", "GOPROXY=off"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}
