package forms

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

const okTexts = `"texts":{"t":{"nb":"T","nn":"T","en":"T"},"o":{"nb":"O","nn":"O","en":"O"}}`

func defWith(components string) string {
	return `{"id":"f","version":1,"title":"t",` + okTexts + `,"pages":[{"id":"p","title":"t","components":[` + components + `]}]}`
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, def string
		want      []string
	}{
		{"unknown type", defWith(`{"id":"a","type":"slider","bind":"/a","label":"t"}`), []string{`pages[0] "p".components[0] "a": unknown component type "slider"`}},
		{"unknown field", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","colour":"red"}`), []string{`unknown field "colour"`}},
		{"bad pointer", defWith(`{"id":"a","type":"text","bind":"a/b","label":"t"}`), []string{`"a": bind: "a/b" is not a JSON Pointer`}},
		{"bad escape", defWith(`{"id":"a","type":"text","bind":"/a~2","label":"t"}`), []string{`bad ~ escape`}},
		{"index in bind", defWith(`{"id":"a","type":"text","bind":"/a/0","label":"t"}`), []string{`array indices do not belong in a binding`}},
		{"missing bind", defWith(`{"id":"a","type":"text","label":"t"}`), []string{`"a": bind: missing JSON Pointer`}},
		{"info with bind", defWith(`{"id":"a","type":"info","bind":"/a","label":"t"}`), []string{`bind: a info holds no data`}},
		{"duplicate id", defWith(`{"id":"a","type":"text","bind":"/a","label":"t"},{"id":"a","type":"text","bind":"/b","label":"t"}`), []string{`duplicate component id "a"`}},
		{"missing text key", defWith(`{"id":"a","type":"text","bind":"/a","label":"nope"}`), []string{`pages[0] "p".components[0] "a".label: text key "nope" is not in texts`}},
		{"missing language", `{"id":"f","version":1,"title":"t","texts":{"t":{"nb":"T","nn":"T","en":" "}},"pages":[{"id":"p","title":"t","components":[]}]}`, []string{`texts.t: missing en text`}},
		{"no label", defWith(`{"id":"a","type":"text","bind":"/a"}`), []string{`"a": label: missing text key`}},
		{"arity", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["equals",1]}`), []string{`"a".hidden: expression: equals: expected 2 argument(s), got 1`}},
		{"unknown function", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","required":["frobnicate"]}`), []string{`"a".required: expression: function "frobnicate" not implemented`}},
		{"wrong literal type", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["not","maybe"]}`), []string{`"a".hidden: expression at [1]: not: expected boolean, got value "maybe"`}},
		{"number where boolean", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["plus",1,2]}`), []string{`expected a boolean expression, plus returns a number`}},
		{"boolean into number", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["greaterThan",["equals",1,1],2]}`), []string{`greaterThan: expected number, got boolean`}},
		{"constant not boolean", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":"sometimes"}`), []string{`"a".hidden: expected boolean, got value "sometimes"`}},
		{"unknown component ref", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["equals",["component","b"],"x"]}`), []string{`"a".hidden: [1]: unknown component "b"`}},
		{"unreachable row", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["equals",["component","x"],"1"]},{"id":"r","type":"repeating","bind":"/r","components":[{"id":"x","type":"text","bind":"/x","label":"t"}]}`), []string{`component "x" is in a repeating group that "a" is not in`}},
		{"bad dataModel path", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["equals",["dataModel","a[x]"],"1"]}`), []string{`bad data model path "a[x]"`}},
		{"cycle", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["equals",["component","b"],"1"]},{"id":"b","type":"text","bind":"/b","label":"t","hidden":["and",["equals",["component","a"],"1"],["equals",["component","a"],"2"]]}`), []string{`hidden expressions depend on themselves: a -> b -> a`}},
		{"options", defWith(`{"id":"a","type":"radio","bind":"/a","label":"t"},{"id":"b","type":"select","bind":"/b","label":"t","options":[{"value":"1","label":"o"},{"value":"1","label":"o"}]}`), []string{`a radio needs options`, `options[1]: empty or duplicate value "1"`}},
		{"pattern", defWith(`{"id":"a","type":"text","bind":"/a","label":"t","pattern":"("}`), []string{`"a": pattern: error parsing regexp`}},
		{"rows", defWith(`{"id":"r","type":"repeating","bind":"/r","minRows":3,"maxRows":2,"components":[{"id":"x","type":"text","bind":"/x","label":"t"}]}`), []string{`bad minRows/maxRows`}},
		{"file limits", defWith(`{"id":"f1","type":"file","bind":"/f","label":"t","maxSize":999999999999,"accept":["pdf"]}`), []string{`maxSize must be from 1`, `accept: "pdf" is not a MIME type`}},
		{"schema", `{"id":"f","version":1,"title":"t",` + okTexts + `,"schema":{"$ref":"https://example.com/s.json"},"pages":[{"id":"p","title":"t","components":[]}]}`, []string{`schema: `}},
		{"version", `{"id":"f","version":0,"title":"t",` + okTexts + `,"pages":[]}`, []string{`version: must be 1 or more`, `pages: a form needs at least one page`}},
		{"trailing", defWith(``) + `{}`, []string{`trailing data`}},
		{"amount limit below øre", defWith(`{"id":"a","type":"amount","bind":"/a","label":"t","min":0.001,"max":1e20}`), []string{`"a": min and max of an amount are kroner with at most two decimals`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.def))
			var de *DefinitionError
			if !errors.As(err, &de) || !errors.Is(err, ErrDefinition) {
				t.Fatalf("got %v, want a *DefinitionError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestRuntimeCycleIsAnErrorNotAHang(t *testing.T) {
	// The name is computed, so the load-time check cannot see the cycle.
	def := MustParse([]byte(defWith(`{"id":"a","type":"text","bind":"/a","label":"t","hidden":["and",["equals",["component",["concat","","a"]],"1"],["equals",["component",["concat","a",""]],"2"]]}`)))
	res := def.Validate(Data{"a": "x"}, Options{})
	if len(res.ExprErrors) == 0 || !strings.Contains(res.ExprErrors[0].Error(), "cycle") {
		t.Errorf("got %v", res.ExprErrors)
	}
}

func TestMessagesInEveryLanguage(t *testing.T) {
	for key, text := range messages {
		for _, lang := range i18n.All {
			if strings.TrimSpace(text[string(lang)]) == "" {
				t.Errorf("message %q has no %s text", key, lang)
			}
		}
	}
}

func TestSkjenkebevillingTextsComplete(t *testing.T) {
	def := loadSkjenk(t)
	for key, text := range def.Texts {
		for _, lang := range i18n.All {
			if strings.TrimSpace(text[string(lang)]) == "" {
				t.Errorf("%s lacks %s", key, lang)
			}
		}
	}
}

func TestExprErrorsHoldNoPersonalData(t *testing.T) {
	def := MustParse([]byte(defWith(`{"id":"fnr","type":"fodselsnummer","bind":"/fnr","label":"t"},
		{"id":"a","type":"text","bind":"/a","label":"t","hidden":["or",["greaterThan",["component","fnr"],5],["compare",["component","fnr"],"isBefore","2020-01-01"]]}`)))
	for _, v := range []string{"2003691470X", "20036914700x"} {
		res := def.Validate(Data{"fnr": v, "a": "x"}, Options{})
		if len(res.ExprErrors) == 0 {
			t.Fatal("no expression error")
		}
		for _, e := range res.ExprErrors {
			if strings.Contains(e.Error(), "2003691470") {
				t.Errorf("expression error leaks the value: %v", e)
			}
		}
	}
}

func TestBindRootInRows(t *testing.T) {
	def := MustParse([]byte(defWith(`{"id":"r","type":"repeating","bind":"/r","components":[
		{"id":"x","type":"text","bind":"/x","label":"t"},
		{"id":"felles","type":"text","bind":"/felles","bindRoot":true,"label":"t","required":true}]}`)))
	res := def.Validate(Data{"r": []any{map[string]any{"x": "a"}, map[string]any{"x": "b"}}}, Options{})
	if len(res.Errors) != 1 || res.Errors[0].Pointer != "/felles" {
		t.Errorf("want one error at /felles, got %+v", res.Errors)
	}
	res = def.Validate(Data{"felles": "f", "r": []any{map[string]any{"x": "a", "felles": "stray"}, map[string]any{"x": "b"}}}, Options{})
	b, _ := json.Marshal(res.Data)
	if !res.Valid() || string(b) != `{"felles":"f","r":[{"x":"a"},{"x":"b"}]}` {
		t.Errorf("%s %+v", b, res.Errors)
	}
	v, err := def.Eval(expr.MustParse(`["component", "felles"]`), map[string]any(Data{"felles": "f", "r": []any{map[string]any{}}}), Context{Component: "x", Rows: []int{0}})
	if err != nil || v.Any() != "f" {
		t.Error(v, err)
	}
	var page strings.Builder
	if err := (&Renderer{}).RenderPage(&page, def, "p", Data{"felles": "f", "r": []any{map[string]any{}}}, nil, "nb"); err != nil || !strings.Contains(page.String(), `name="/felles" type="text" value="f"`) {
		t.Error(err)
	}
	got, _, err := def.DecodeForm("p", url.Values{"/r~rows": {"1"}, "/felles": {"ny"}, "/r/0/x": {"z"}}, Data{})
	if err != nil || got["felles"] != "ny" {
		t.Error(got, err)
	}
}

// Every component type that holds data has its own check, so that a new
// type cannot be stored unvalidated.
func TestEveryBoundTypeHasACheck(t *testing.T) {
	for _, typ := range Types() {
		if typ.bound() && typ != TypeRepeating && checks[typ] == nil {
			t.Errorf("type %q has no entry in checks", typ)
		}
	}
}
