package sandbox_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductionLinksNoFake lists what a production build of the package
// links: neither devenv nor any fake, while an ordinary build links both.
func TestProductionLinksNoFake(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot list the package's dependencies")
	}
	deps := func(tags ...string) []string {
		out, err := exec.Command(goTool, append(append([]string{"list", "-deps"}, tags...), ".")...).Output()
		if err != nil {
			t.Fatalf("go list -deps %v: %v", tags, err)
		}
		return strings.Fields(string(out))
	}
	fake := func(p string) bool {
		return strings.HasSuffix(p, "/devenv") || (strings.HasSuffix(p, "test") && strings.HasPrefix(p, "github.com/grunnmur/grunnmur/"))
	}
	var linked []string
	for _, p := range deps("-tags", "production") {
		if fake(p) {
			linked = append(linked, p)
		}
	}
	if len(linked) > 0 {
		t.Errorf("a production build links %v", linked)
	}
	var dev []string
	for _, p := range deps() {
		if fake(p) {
			dev = append(dev, p)
		}
	}
	if len(dev) == 0 {
		t.Error("an ordinary build links no fake: the test would pass for the wrong reason")
	}
}
