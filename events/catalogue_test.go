package events_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/internal/testenv"

	// Every package that defines event types, so that Catalogue has them.
	_ "github.com/grunnmur/grunnmur/booking"
	_ "github.com/grunnmur/grunnmur/forms"
	_ "github.com/grunnmur/grunnmur/payment"
	_ "github.com/grunnmur/grunnmur/sak"
	_ "github.com/grunnmur/grunnmur/svarut"
)

var update = flag.Bool("update", false, "write CATALOGUE.md from the defined event types")

// definedInSource finds every events.Define[T]("name") call in the
// module's non-test Go files, outside the *test helper packages (whose
// types are fixtures), and returns the names by file.
func definedInSource(t *testing.T) map[string]string {
	t.Helper()
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") && rel != "." ||
				strings.HasSuffix(name, "test") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		return scanDefines(t, path, rel, found)
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func scanDefines(t *testing.T, path, rel string, found map[string]string) error {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return err
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		idx, ok := call.Fun.(*ast.IndexExpr)
		if !ok {
			return true
		}
		sel, ok := idx.X.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Define" {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "events" {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if len(call.Args) != 1 || !ok || lit.Kind != token.STRING {
			t.Errorf("%s: events.Define takes the type's name as a string literal, so the catalogue can find it", rel)
			return true
		}
		name, _ := strconv.Unquote(lit.Value)
		found[name] = rel
		return true
	})
	return nil
}

// catalogueMarkdown renders the catalogue of the given types.
func catalogueMarkdown(defs []events.Definition) string {
	var b strings.Builder
	b.WriteString(`# Event catalogue

Every event type grunnmur emits, generated from the ` + "`events.Define`" + ` calls by
` + "`go test ./events -run TestCatalogue -update`" + ` and checked by the same test: a type
missing here fails it.

Each event is a CloudEvents 1.0 event with JSON data. Its type is
` + "`no.grunnmur.<package>.<aggregate>.<verb>.v<N>`" + `, its source ` + "`/grunnmur/<package>`" + `, its
subject the aggregate's id. A relay publishes it on the NATS subject
` + "`<prefix>.<package>.<aggregate>.<id>`" + ` (prefix ` + "`grunnmur`" + ` unless configured; the id
escaped as in ` + "`events.Subject`" + `). Payloads carry ids and states, never personal
data: a subscriber that needs a person looks them up with its own authority.
`)
	if len(defs) == 0 {
		b.WriteString("\nNo event types are defined yet.\n")
	}
	for _, d := range defs {
		parts := strings.Split(d.Type, ".")
		fmt.Fprintf(&b, "\n## `%s`\n\n", d.Type)
		fmt.Fprintf(&b, "- source: `%s`\n- subject: the id of the %s\n- NATS subject: `grunnmur.%s.%s.<id>`\n- payload: `%s`\n\n",
			d.Source, parts[3], parts[2], parts[3], d.Payload)
		b.WriteString("| field (JSON) | Go type |\n|---|---|\n")
		for _, f := range d.Fields {
			fmt.Fprintf(&b, "| `%s` | `%s` |\n", f.JSON, strings.ReplaceAll(f.Go, "|", `\|`))
		}
	}
	return b.String()
}

// TestCatalogue: every event type defined in the module is in CATALOGUE.md,
// and the file is what the definitions say.
func TestCatalogue(t *testing.T) {
	src := definedInSource(t)
	var defs []events.Definition
	have := map[string]bool{}
	for _, d := range events.Catalogue() {
		if _, ok := src[d.Type]; ok {
			defs = append(defs, d)
			have[d.Type] = true
		}
	}
	for name, file := range src {
		if !have[name] {
			t.Errorf("%s defines %s, which the catalogue lacks: import its package in catalogue_test.go", file, name)
		}
	}
	want := catalogueMarkdown(defs)
	if *update {
		if err := os.WriteFile("CATALOGUE.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("CATALOGUE.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("CATALOGUE.md is stale: run go test ./events -run TestCatalogue -update")
	}
	for _, d := range defs {
		if !strings.Contains(string(got), "## `"+d.Type+"`") {
			t.Errorf("CATALOGUE.md lacks %s", d.Type)
		}
	}
}

// TestCatalogueMarkdown: a type's entry names its fields with their JSON
// names and Go types.
func TestCatalogueMarkdown(t *testing.T) {
	for _, d := range events.Catalogue() {
		if d.Type == testCaseDecided.Name() {
			md := catalogueMarkdown([]events.Definition{d})
			for _, want := range []string{"## `no.grunnmur.eventstestpkg.case.decided.v1`", "- source: `/grunnmur/eventstestpkg`",
				"- NATS subject: `grunnmur.eventstestpkg.case.<id>`", "| `caseId` | `string` |", "| `attempts[].n` | `int` |"} {
				if !strings.Contains(md, want) {
					t.Errorf("the entry lacks %q:\n%s", want, md)
				}
			}
			return
		}
	}
	t.Fatal("the test type is not in the catalogue")
}
