package expr_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

// Altinn's shared expression tests (testdata/altinn-expressions) are this
// package's conformance suite. Most of them read components in Altinn
// layouts, so they run through an adapter that turns the layouts and dotted
// bindings into forms definitions, and evaluate with forms as the Env: the
// engine and forms' component model are checked together.

// altinnSkips are the function folders that test Altinn platform features a
// grunnmur form does not have, with the reason.
var altinnSkips = map[string]string{
	"instanceContext":           "Altinn instance metadata (instanceOwnerPartyId, appId); a grunnmur form has no Altinn instance",
	"authContext":               "Altinn process/task permissions (read, write, sign); grunnmur's auth package decides who may act",
	"externalApi":               "Altinn app external API calls; forms do no I/O while evaluating",
	"displayValue":              "the frontend's rendered display string of a component (option labels, formatted numbers)",
	"optionLabel":               "Altinn code lists (options from the app's options API)",
	"text":                      "Altinn text resources with variables; grunnmur texts are per-key, checked at load",
	"linkToComponent":           "frontend navigation URLs",
	"linkToPage":                "frontend navigation URLs",
	"frontendSettings":          "Altinn app frontend settings",
	"countDataElements":         "Altinn instance data elements (attachments) counted on the platform",
	"language":                  "the Altinn user profile's language; the caller passes the language to Eval",
	"value":                     "the value of the component the expression is attached to, in Altinn option/filter contexts",
	"_experimentalSelectAndMap": "experimental Altinn function",
	"dataModelMultiple":         "several data elements (data types) in one Altinn instance; a grunnmur form has one data model",
}

// altinnFileSkips are single cases whose layout a grunnmur definition
// cannot express, with the reason. None today.
var altinnFileSkips = map[string]string{}

// platformFunction returns the first skipped platform function an
// expression calls, or "".
func platformFunction(raw json.RawMessage) string {
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return ""
	}
	var find func(x any) string
	find = func(x any) string {
		arr, ok := x.([]any)
		if !ok || len(arr) == 0 {
			return ""
		}
		if name, ok := arr[0].(string); ok {
			if _, skip := altinnSkips[name]; skip && name != "dataModelMultiple" {
				return name
			}
		}
		for _, a := range arr[1:] {
			if fn := find(a); fn != "" {
				return fn
			}
		}
		return ""
	}
	return find(x)
}

type altinnCase struct {
	Name           string          `json:"name"`
	Expression     json.RawMessage `json:"expression"`
	Expects        json.RawMessage `json:"expects"`
	ExpectsFailure *string         `json:"expectsFailure"`
	Layouts        map[string]struct {
		Data struct {
			Hidden json.RawMessage   `json:"hidden"`
			Layout []json.RawMessage `json:"layout"`
		} `json:"data"`
	} `json:"layouts"`
	DataModel  json.RawMessage `json:"dataModel"`
	DataModels []struct {
		Data json.RawMessage `json:"data"`
	} `json:"dataModels"`
	Context *struct {
		Component  string `json:"component"`
		RowIndices []int  `json:"rowIndices"`
	} `json:"context"`
	ProfileSettings struct {
		Language string `json:"language"`
	} `json:"profileSettings"`
	PositionalArguments []json.RawMessage `json:"positionalArguments"`
	TestCases           []json.RawMessage `json:"testCases"`
	Instance            json.RawMessage   `json:"instance"`
	FrontendSettings    json.RawMessage   `json:"frontendSettings"`
}

type altinnComp struct {
	ID       string                     `json:"id"`
	Type     string                     `json:"type"`
	Bindings map[string]json.RawMessage `json:"dataModelBindings"`
	Children []string                   `json:"children"`
	Hidden   json.RawMessage            `json:"hidden"`
	Required json.RawMessage            `json:"required"`
	ReadOnly json.RawMessage            `json:"readOnly"`
	RowHide  json.RawMessage            `json:"hiddenRow"`
}

// altinnDefinition builds a definition from Altinn layouts: RepeatingGroup
// becomes a repeating group bound relative to its parent row, Group a group,
// any component with a simpleBinding a text field, the rest info texts.
func altinnDefinition(c *altinnCase) (*forms.Definition, error) {
	names := make([]string, 0, len(c.Layouts))
	for n := range c.Layouts {
		names = append(names, n)
	}
	sort.Strings(names)
	def := map[string]any{
		"id": "altinn", "version": 1, "title": "t",
		"texts": map[string]any{"t": map[string]string{"nb": "T", "nn": "T", "en": "T"}},
	}
	var pages []any
	for _, name := range names {
		l := c.Layouts[name]
		comps := map[string]*altinnComp{}
		var order []string
		child := map[string]bool{}
		for _, raw := range l.Data.Layout {
			var ac altinnComp
			if err := json.Unmarshal(raw, &ac); err != nil {
				return nil, err
			}
			comps[ac.ID] = &ac
			order = append(order, ac.ID)
			for _, ch := range ac.Children {
				child[ch] = true
			}
		}
		var conv func(id, base string) (map[string]any, error)
		conv = func(id, base string) (map[string]any, error) {
			ac := comps[id]
			if ac == nil {
				return nil, fmt.Errorf("child %q not in layout", id)
			}
			m := map[string]any{"id": ac.ID, "label": "t"}
			for k, v := range map[string]json.RawMessage{"hidden": ac.Hidden, "required": ac.Required, "readOnly": ac.ReadOnly, "rowHidden": ac.RowHide} {
				if len(v) > 0 {
					m[k] = v
				}
			}
			bind := func(key string) (string, bool, error) {
				raw, ok := ac.Bindings[key]
				if !ok {
					return "", false, nil
				}
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return "", false, fmt.Errorf("binding %s of %q is not a plain path", key, id)
				}
				rel := s
				if base != "" {
					if !strings.HasPrefix(s, base+".") {
						// Bound outside the group's rows: one value for all rows.
						m["bindRoot"] = true
						return "/" + strings.ReplaceAll(s, ".", "/"), true, nil
					}
					rel = strings.TrimPrefix(s, base+".")
				}
				return "/" + strings.ReplaceAll(rel, ".", "/"), true, nil
			}
			switch ac.Type {
			case "RepeatingGroup":
				b, ok, err := bind("group")
				if err != nil || !ok {
					return nil, fmt.Errorf("repeating group %q: %v", id, err)
				}
				m["type"], m["bind"] = "repeating", b
				var full string
				var seg string
				_ = json.Unmarshal(ac.Bindings["group"], &full)
				seg = full
				var kids []any
				for _, ch := range ac.Children {
					k, err := conv(ch, seg)
					if err != nil {
						return nil, err
					}
					kids = append(kids, k)
				}
				m["components"] = kids
			case "Group":
				m["type"] = "group"
				var kids []any
				for _, ch := range ac.Children {
					k, err := conv(ch, base)
					if err != nil {
						return nil, err
					}
					kids = append(kids, k)
				}
				m["components"] = kids
			default:
				b, ok, err := bind("simpleBinding")
				if err != nil {
					return nil, err
				}
				if ok {
					m["type"], m["bind"] = "text", b
				} else {
					m["type"] = "info"
				}
			}
			return m, nil
		}
		var top []any
		for _, id := range order {
			if child[id] {
				continue
			}
			m, err := conv(id, "")
			if err != nil {
				return nil, err
			}
			top = append(top, m)
		}
		page := map[string]any{"id": name, "title": "t", "components": top}
		if len(l.Data.Hidden) > 0 {
			page["hidden"] = l.Data.Hidden
		}
		pages = append(pages, page)
	}
	if len(pages) == 0 {
		pages = []any{map[string]any{"id": "empty", "title": "t", "components": []any{map[string]any{"id": "empty", "type": "info", "label": "t"}}}}
	}
	def["pages"] = pages
	b, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	return forms.Parse(b)
}

// sameValue compares a result with the test's expected JSON. Numbers compare
// to 1e-9 relative: the tests expect 0.1+0.2 to be 0.3.
func sameValue(got expr.Value, want json.RawMessage) bool {
	w, err := decodeJSON(want)
	if err != nil {
		return false
	}
	wv := expr.ValueOf(w)
	if got.Kind() != wv.Kind() {
		return false
	}
	if got.Kind() == expr.KindNumber {
		g, _, _ := got.AsNumber()
		n, _, _ := wv.AsNumber()
		return g == n || math.Abs(g-n) <= 1e-9*math.Max(math.Abs(g), math.Abs(n))
	}
	return got == wv
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func runAltinnCase(c *altinnCase) (skip string, err error) {
	if len(c.DataModels) > 1 {
		return "several data models in one instance", nil
	}
	data := c.DataModel
	if len(c.DataModels) == 1 {
		data = c.DataModels[0].Data
	}
	def, err := altinnDefinition(c)
	if err != nil {
		return "", fmt.Errorf("adapter: %w", err)
	}
	ctx := forms.Context{Lang: i18n.Lang(c.ProfileSettings.Language), Location: time.UTC}
	if c.Context != nil {
		ctx.Component, ctx.Rows = c.Context.Component, c.Context.RowIndices
	}
	if c.PositionalArguments != nil {
		ctx.Argv = []expr.Value{}
		for _, a := range c.PositionalArguments {
			x, _ := decodeJSON(a)
			ctx.Argv = append(ctx.Argv, expr.ValueOf(x))
		}
	}
	got, evalErr := def.EvalJSON(c.Expression, data, ctx)
	if c.ExpectsFailure != nil {
		if evalErr == nil {
			return "", fmt.Errorf("got %s, want a failure (%s)", fmt.Sprintf("%#v", got), *c.ExpectsFailure)
		}
		return "", nil
	}
	if evalErr != nil {
		return "", fmt.Errorf("failed: %v", evalErr)
	}
	if !sameValue(got, c.Expects) {
		return "", fmt.Errorf("got %s, want %s", fmt.Sprintf("%#v", got), c.Expects)
	}
	return "", nil
}

// altinnDir holds Altinn's shared expression tests (SOURCE.txt there).
var altinnDir = filepath.Join("testdata", "altinn-expressions")

// altinnPassing is how many of the shared tests pass: every case of the
// functions this package implements. A change that skips cases by mistake
// lowers the count and fails.
const altinnPassing = 754

func TestAltinnSharedExpressions(t *testing.T) {
	dir := altinnDir
	var files []string
	for _, sub := range []string{"functions", "invalid"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	var pass, fail, skipped int
	skippedBy := map[string]int{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		folder := strings.Split(rel, string(filepath.Separator))[1]
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var base altinnCase
		if err := json.Unmarshal(raw, &base); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		cases := []altinnCase{base}
		for _, tc := range base.TestCases {
			// Each sub-case overrides the file's fields.
			var m map[string]json.RawMessage
			_ = json.Unmarshal(raw, &m)
			var over map[string]json.RawMessage
			_ = json.Unmarshal(tc, &over)
			delete(m, "testCases")
			delete(m, "expects")
			delete(m, "expectsFailure")
			maps := m
			for k, v := range over {
				maps[k] = v
			}
			b, _ := json.Marshal(maps)
			var c altinnCase
			_ = json.NewDecoder(bytes.NewReader(b)).Decode(&c)
			cases = append(cases, c)
		}
		if len(base.TestCases) > 0 && len(base.Expression) == 0 {
			cases = cases[1:] // the file is only a container of cases
		}
		for i, c := range cases {
			name := rel
			if i > 0 {
				name = fmt.Sprintf("%s#%d", rel, i)
			}
			if reason, ok := altinnFileSkips[filepath.Base(f)]; ok && folder == "component" {
				skipped++
				skippedBy[filepath.Base(f)+": "+reason]++
				continue
			}
			if fn := platformFunction(c.Expression); fn != "" {
				skipped++
				skippedBy["uses "+fn+": "+altinnSkips[fn]]++
				continue
			}
			if reason, ok := altinnSkips[folder]; ok {
				skipped++
				skippedBy[folder+": "+reason]++
				continue
			}
			skip, err := runAltinnCase(&c)
			switch {
			case skip != "":
				skipped++
				skippedBy[skip]++
			case err != nil:
				fail++
				t.Errorf("%s (%s): %s\n    %s", name, c.Name, err, c.Expression)
			default:
				pass++
			}
		}
	}
	reasons := make([]string, 0, len(skippedBy))
	for r, n := range skippedBy {
		reasons = append(reasons, fmt.Sprintf("%4d  %s", n, r))
	}
	sort.Strings(reasons)
	t.Logf("Altinn shared expression tests: %d passed, %d failed, %d skipped (of %d)\n%s", pass, fail, skipped, pass+fail+skipped, strings.Join(reasons, "\n"))
	if pass != altinnPassing {
		t.Errorf("%d of Altinn's shared tests pass, want %d", pass, altinnPassing)
	}
}

// TestAltinnContextLists checks the places expressions are evaluated against
// Altinn's context-list tests: pages, components, and each row's components.
func TestAltinnContextLists(t *testing.T) {
	dir := filepath.Join(altinnDir, "context-lists")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pass := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c altinnCase
		var want struct {
			Expected json.RawMessage `json:"expectedContexts"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(raw, &want)
		def, err := altinnDefinition(&c)
		if err != nil {
			t.Errorf("%s: adapter: %v", f, err)
			continue
		}
		var data any
		if len(c.DataModel) > 0 {
			data, _ = decodeJSON(c.DataModel)
		}
		got, _ := json.Marshal(def.Contexts(data))
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal(want.Expected, &w)
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Errorf("%s:\ngot  %s\nwant %s", f, gb, wb)
			continue
		}
		pass++
	}
	t.Logf("Altinn context lists: %d of %d pass", pass, len(files))
}
