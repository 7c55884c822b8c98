package expr_test

import (
	"encoding/json"
	"testing"

	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

// FuzzEval compiles and evaluates arbitrary expressions, with and without an
// Env: errors, never a panic, and what compiles writes itself back as the
// same JSON.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		`["equals", ["component", "a"], "ja"]`,
		`["and", ["greaterThan", ["dataModel", "b"], 2], ["not", null]]`,
		`["compare", "2020-01-01", "not", "isSameDay", ["formatDate", "2020-01-01T10:00:00Z", "EEEE d. MMMM yyyy G a"]]`,
		`["stringSlice", ["concat", "🌍", 1.5e300], -3, ["stringIndexOf", "abc", "c"]]`,
		`["round", ["divide", ["plus", "1e308", 1e308], 3], 20]`,
		`["if", ["commaContains", ["component", "a"], "2"], ["upperCaseFirst", "x"], "else", ["argv", 0]]`,
		`[[[[[]]]]]`, `{"a":1}`, `"x"`, `1e999`,
	} {
		f.Add([]byte(s), "nb")
	}
	e := env{"a": "1,2", "b": 3.5}
	f.Fuzz(func(t *testing.T, src []byte, lang string) {
		x, err := expr.Parse(src)
		if err != nil {
			return
		}
		if !json.Valid([]byte(x.String())) {
			t.Fatalf("%q compiled but writes itself as %q", src, x.String())
		}
		_, _ = x.Eval(nil)
		_, _ = x.Eval(&expr.Context{Env: e, Lang: i18n.Lang(lang), Argv: []expr.Value{expr.String("x")}})
		_ = x.CheckBool()
		_ = x.Refs()
	})
}
