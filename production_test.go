package grunnmur_test

import (
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// linked lists the module's packages (not the standard library's) that
// `go list -deps` finds in pkg, with the build tags given.
func linked(t *testing.T, tags, pkg string) []string {
	t.Helper()
	args := []string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command("go", append(args, pkg)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Fields(string(out))
}

// fakeLike reports whether an import path is a fake: a *test package, the
// sandbox or the fakes' toolkit.
func fakeLike(ip string) bool {
	last := path.Base(ip)
	return strings.HasSuffix(last, "test") || last == "devenv" || ip == module+"/fake"
}

// TestProductionLinksNoFake: an example built with -tags production links no
// fake (issue 17): `go list -deps -tags production` shows no *test package,
// no devenv and no fake toolkit. Without the tag the same example links
// devenv, so the check can fail.
func TestProductionLinksNoFake(t *testing.T) {
	for _, ex := range []string{"./examples/skjenkebevilling", "./examples/hallbooking"} {
		prod := linked(t, "production", ex)
		if !slices.Contains(prod, module+"/site") {
			t.Fatalf("%s: go list found no site among %d packages", ex, len(prod))
		}
		for _, ip := range prod {
			if fakeLike(ip) {
				t.Errorf("%s built with -tags production links %s", ex, ip)
			}
		}
		if dev := linked(t, "", ex); !slices.Contains(dev, module+"/devenv") {
			t.Errorf("%s built without the tag links no devenv: the sandbox is not wired in", ex)
		}
	}
}
