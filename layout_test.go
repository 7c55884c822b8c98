package grunnmur_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/grunnmur/grunnmur"

// pkg is one Go package directory of the module.
type pkg struct {
	dir     string // slash-separated, relative to the module root; "." for the root
	hasDoc  bool
	imports map[string][]string // non-test imports -> files
	test    map[string][]string // test-file imports -> files
}

func packages(t *testing.T) []pkg {
	t.Helper()
	var pkgs []pkg
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		p := pkg{dir: filepath.ToSlash(path), imports: map[string][]string{}, test: map[string][]string{}}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		goFiles := 0
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			goFiles++
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(path, e.Name()), nil, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				t.Errorf("%s: %v", filepath.Join(path, e.Name()), err)
				continue
			}
			isTest := strings.HasSuffix(e.Name(), "_test.go")
			if !isTest && f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
				p.hasDoc = true
			}
			for _, imp := range f.Imports {
				ip, _ := strconv.Unquote(imp.Path.Value)
				if isTest {
					p.test[ip] = append(p.test[ip], e.Name())
				} else {
					p.imports[ip] = append(p.imports[ip], e.Name())
				}
			}
		}
		if goFiles > 0 {
			pkgs = append(pkgs, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestPackageDocs fails when a package lacks a package doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range packages(t) {
		if !p.hasDoc {
			t.Errorf("package %s has no package doc comment (add a doc.go)", p.dir)
		}
	}
}

// exampleInternals are the module's internal packages that the examples may
// import, in their tests too: none since issue 17, for an example shows what
// a service in another module can build, and that one cannot import them.
var exampleInternals = []string{}

// TestImportRules keeps heavy or test-only dependencies where DESIGN.md puts them.
func TestImportRules(t *testing.T) {
	rules := []struct {
		prefix  string
		allowed func(dir string) bool
		why     string
	}{
		{"github.com/jackc/pgx", func(dir string) bool { return dir == "postgres" || strings.HasPrefix(dir, "postgres/") },
			"pgx belongs in postgres/ only"},
		{"github.com/chromedp", func(dir string) bool { return dir == "internal/browsertest" || dir == "site/sitetest" },
			"chromedp is for browser tests only (internal/browsertest and site/sitetest's Journey are their shared helpers)"},
		{"github.com/stretchr/testify", func(string) bool { return false }, "testify is for tests only"},
		{"github.com/zitadel/oidc", func(string) bool { return false }, "the independent OP is a test-only peer"},
		{"github.com/coreos/go-oidc", func(string) bool { return false }, "go-oidc is a benchmark baseline only"},
		{"github.com/lestrrat-go/jwx/v2", func(string) bool { return false }, "jwx v2 is deprecated upstream; use v3"},
	}
	for _, p := range packages(t) {
		for ip, files := range p.imports {
			for _, r := range rules {
				if strings.HasPrefix(ip, r.prefix) && !r.allowed(p.dir) {
					t.Errorf("%s (%s) imports %s: %s", p.dir, strings.Join(files, ", "), ip, r.why)
				}
			}
			// Domain packages must not reach into the examples.
			if strings.HasPrefix(ip, module+"/examples") && !strings.HasPrefix(p.dir, "examples") {
				t.Errorf("%s imports %s: the SDK must not depend on its examples", p.dir, ip)
			}
			// The examples show what a user can build from the public
			// packages; they use no more internal plumbing than they do.
			checkExampleImport(t, p.dir, ip, files)
		}
		for ip, files := range p.test {
			checkExampleImport(t, p.dir, ip, files)
			if strings.HasPrefix(ip, "github.com/lestrrat-go/jwx/v2") {
				t.Errorf("%s (%s) imports jwx v2 in a test: use v3", p.dir, strings.Join(files, ", "))
			}
		}
	}
}

// checkExampleImport fails t when an example's file imports one of the
// module's internal packages (but exampleInternals): an example shows what a
// service in another module can build, and that one cannot import them.
func checkExampleImport(t *testing.T, dir, ip string, files []string) {
	t.Helper()
	if strings.HasPrefix(dir, "examples") && (strings.HasPrefix(ip, module+"/internal/") || strings.Contains(ip, "/internal/")) &&
		strings.HasPrefix(ip, module+"/") && !slices.Contains(exampleInternals, strings.TrimPrefix(ip, module+"/")) {
		t.Errorf("%s (%s) imports %s: examples may import no internal package, in tests neither (issue 17)", dir, strings.Join(files, ", "), ip)
	}
}

// TestReadmePackageTable keeps README.md's package table true: every public
// package is listed, and every listed package exists.
func TestReadmePackageTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| \\[?`([a-z0-9/]+)/?`")
	listed := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed[strings.TrimSuffix(m[1], "/")] = true
	}
	var dirs []string
	for _, p := range packages(t) {
		if p.dir == "." || strings.HasPrefix(p.dir, "internal") || strings.Contains(p.dir, "/internal") {
			continue
		}
		dirs = append(dirs, p.dir)
		if !listed[p.dir] {
			t.Errorf("package %s is missing from README.md's package table", p.dir)
		}
	}
	for dir := range listed {
		if !slices.Contains(dirs, dir) {
			t.Errorf("README.md's package table lists %s, which is not a package", dir)
		}
	}
}
