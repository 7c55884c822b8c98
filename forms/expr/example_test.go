package expr_test

import (
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/forms/expr"
)

// env is a small Env over a flat map: components by id, data by path.
type env map[string]any

func (m env) Component(id string) (expr.Value, error) {
	x, ok := m[id]
	if !ok {
		return expr.Null, fmt.Errorf("no component %q", id)
	}
	return expr.ValueOf(x), nil
}

func (m env) DataModel(path string) (expr.Value, error) { return expr.ValueOf(m[path]), nil }

func Example() {
	e := expr.MustParse(`["if", ["equals", ["component", "farlig"], "ja"],
		["concat", ["upperCase", ["dataModel", "navn"]], " er farlig"],
		"else", ["formatDate", "2026-05-17", "EEEE d. MMMM"]]`)
	for _, farlig := range []string{"ja", "nei"} {
		v, err := e.Eval(&expr.Context{Env: env{"farlig": farlig, "navn": "Fido"}, Lang: "nn"})
		fmt.Println(v.Any(), err)
	}
	// Output:
	// FIDO er farlig <nil>
	// sundag 17. mai <nil>
}

func ExampleParse() {
	_, err := expr.Parse([]byte(`["and", ["equals", "a"], true]`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, expr.ErrExpression))
	// Output:
	// expr: expression at [1]: equals: expected 2 argument(s), got 1
	// true
}

// A custom validation reads the field's value as ["argv", 0].
func ExampleContext_argv() {
	e := expr.MustParse(`["lessThan", ["argv", 0], 18]`)
	for _, age := range []any{17, "42", "førti"} {
		tooYoung, err := e.EvalBool(&expr.Context{Argv: []expr.Value{expr.ValueOf(age)}})
		fmt.Println(tooYoung, err)
	}
	// Output:
	// true <nil>
	// false <nil>
	// false expr: expression: lessThan: expected number, got a string that is not one
}

// Refs lets a form check, at load time, that every component an expression
// names exists.
func ExampleExpr_Refs() {
	e := expr.MustParse(`["or", ["equals", ["component", "type"], "bar"], ["dataModel", "a.b[0]"]]`)
	for _, r := range e.Refs() {
		fmt.Println(r.Func, r.Arg, r.Path)
	}
	// Output:
	// component type [1][1]
	// dataModel a.b[0] [2]
}

func ExampleExpr_CheckBool() {
	fmt.Println(expr.MustParse(`["plus", 1, 2]`).CheckBool())
	fmt.Println(expr.MustParse(`"maybe"`).CheckBool())
	fmt.Println(expr.MustParse(`["not", ["component", "x"]]`).CheckBool())
	// Output:
	// expr: expression: expected a boolean expression, plus returns a number
	// expr: expression: expected boolean, got value "maybe"
	// <nil>
}
