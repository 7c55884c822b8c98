package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrExpression is wrapped by every expression error, at load time and at
// run time.
var ErrExpression = errors.New("forms: expression error")

// ExprError is an expression that cannot be compiled or evaluated. Path says
// where in the expression the problem is, as JSON array indices ("[2][1]").
type ExprError struct {
	Path string
	Msg  string
}

func (e *ExprError) Error() string {
	if e.Path == "" {
		return "forms: expression: " + e.Msg
	}
	return "forms: expression at " + e.Path + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrExpression) true.
func (e *ExprError) Unwrap() error { return ErrExpression }

// exprType is the static type of an expression, for load-time checks.
type exprType uint8

const (
	tAny exprType = iota
	tNull
	tBool
	tNum
	tStr
)

func (t exprType) String() string {
	return [...]string{"any", "null", "boolean", "number", "string"}[t]
}

// accepts reports whether a parameter of type p can take an argument of static
// type a; the cast itself happens at run time, as in Altinn.
func (p exprType) accepts(a exprType) bool {
	switch p {
	case tNum:
		return a != tBool
	}
	return true
}

// Expr is a compiled expression in Altinn 3's expression language: a literal
// (null, boolean, number, string) or a function call written as a JSON array,
// ["equals", ["component", "x"], "ja"]. The zero Expr is the literal null.
type Expr struct {
	root *node
	raw  json.RawMessage
	err  error // a compile error kept from UnmarshalJSON, reported by Parse with its place
}

type node struct {
	fn   *function // nil for a literal
	lit  Value
	args []*node
	typ  exprType
	// op is compare's operator, resolved at compile time.
	op  compareOp
	neg bool
}

// ParseExpr compiles an expression from its JSON form. Unknown functions,
// wrong arity and literals of the wrong type are errors.
func ParseExpr(b []byte) (*Expr, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, &ExprError{Msg: "invalid JSON: " + err.Error()}
	}
	if d.More() {
		return nil, &ExprError{Msg: "invalid JSON: trailing data"}
	}
	n, err := compile(x, "", 0)
	if err != nil {
		return nil, err
	}
	return &Expr{root: n, raw: append(json.RawMessage(nil), bytes.TrimSpace(b)...)}, nil
}

// MustParseExpr is ParseExpr that panics; for tests and examples.
func MustParseExpr(s string) *Expr {
	e, err := ParseExpr([]byte(s))
	if err != nil {
		panic(err)
	}
	return e
}

// UnmarshalJSON compiles the expression. A compile error is kept in the
// Expr, so that Parse can report it with the place it was found.
func (e *Expr) UnmarshalJSON(b []byte) error {
	x, err := ParseExpr(b)
	if err != nil {
		*e = Expr{raw: append(json.RawMessage(nil), b...), err: err}
		return nil
	}
	*e = *x
	return nil
}

// Err returns the compile error of an Expr decoded from JSON, or nil.
func (e *Expr) Err() error {
	if e == nil {
		return nil
	}
	return e.err
}

// MarshalJSON writes the expression as it was given.
func (e Expr) MarshalJSON() ([]byte, error) {
	if e.raw == nil {
		return []byte("null"), nil
	}
	return e.raw, nil
}

// String returns the expression's JSON.
func (e *Expr) String() string {
	if e == nil || e.raw == nil {
		return "null"
	}
	return string(e.raw)
}

// IsConst reports whether the expression is a literal, and its value.
func (e *Expr) IsConst() (Value, bool) {
	if e == nil || e.root == nil {
		return Null, true
	}
	return e.root.lit, e.root.fn == nil
}

// maxExprDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxExprDepth = 64

func compile(x any, path string, depth int) (*node, error) {
	if depth > maxExprDepth {
		return nil, &ExprError{Path: path, Msg: "expression nested too deeply"}
	}
	switch x := x.(type) {
	case nil:
		return &node{typ: tNull}, nil
	case bool:
		return &node{lit: Bool(x), typ: tBool}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, &ExprError{Path: path, Msg: "invalid number " + string(x)}
		}
		return &node{lit: Number(f), typ: tNum}, nil
	case float64:
		return &node{lit: Number(x), typ: tNum}, nil
	case string:
		return &node{lit: String(x), typ: tStr}, nil
	case map[string]any:
		return nil, &ExprError{Path: path, Msg: `invalid type "object"`}
	case []any:
		if len(x) == 0 {
			return nil, &ExprError{Path: path, Msg: "missing function name in expression"}
		}
		name, ok := x[0].(string)
		if !ok {
			return nil, &ExprError{Path: path, Msg: "function name in expression should be string"}
		}
		fn := functions[name]
		if fn == nil {
			return nil, &ExprError{Path: path, Msg: fmt.Sprintf("function %q not implemented", name)}
		}
		n := &node{fn: fn, typ: fn.ret, args: make([]*node, 0, len(x)-1)}
		for i, a := range x[1:] {
			c, err := compile(a, path+"["+strconv.Itoa(i+1)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, c)
		}
		if err := fn.check(n, path); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, &ExprError{Path: path, Msg: fmt.Sprintf("invalid type %T", x)}
}

// function is one function of the expression language.
type function struct {
	name     string
	min, max int // max < 0: no upper bound
	params   []exprType
	variadic exprType // type of arguments beyond params
	ret      exprType
	// literalOnly marks parameters that must be literals (compare's operator,
	// if's "else").
	extra func(n *node, path string) error
	impl  func(ec *evalCtx, n *node) (Value, error)
}

func (f *function) check(n *node, path string) error {
	got := len(n.args)
	if got < f.min || (f.max >= 0 && got > f.max) {
		var want string
		switch {
		case f.max < 0:
			want = strconv.Itoa(f.min) + "+"
		case f.min == f.max:
			want = strconv.Itoa(f.min)
		default:
			want = strconv.Itoa(f.min) + "-" + strconv.Itoa(f.max)
		}
		return &ExprError{Path: path, Msg: fmt.Sprintf("%s: expected %s argument(s), got %d", f.name, want, got)}
	}
	if f.extra != nil {
		if err := f.extra(n, path); err != nil {
			return err
		}
	}
	for i, a := range n.args {
		p := f.variadic
		if i < len(f.params) {
			p = f.params[i]
		}
		if !p.accepts(a.typ) {
			return &ExprError{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: fmt.Sprintf("%s: expected %s, got %s", f.name, p, a.typ)}
		}
		// A literal that can never be cast is a load error, not a run-time one.
		if a.fn == nil {
			var err error
			switch p {
			case tBool:
				_, err = asBool(a.lit)
			case tNum:
				_, _, err = asNumber(a.lit)
			}
			if err != nil {
				// A literal is the definition's, not personal data: show it.
				return &ExprError{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: fmt.Sprintf("%s: expected %s, got value %s", f.name, p, a.lit.display())}
			}
		}
	}
	return nil
}

// evalCtx is where an expression is evaluated: the form instance, the
// component it belongs to and the repeating-group rows it is in.
type evalCtx struct {
	st   *state
	comp *Component // may be nil
	rows []int      // row index per repeating ancestor (and comp itself if it is a row)
	argv []Value
}

// Eval evaluates the expression against a Values-only environment: no
// components, no data model. Use an Instance to evaluate with data.
func (e *Expr) eval(ec *evalCtx) (Value, error) {
	if e == nil {
		return Null, nil
	}
	if e.err != nil {
		return Null, e.err
	}
	if e.root == nil {
		return Null, nil
	}
	return e.root.eval(ec)
}

func (n *node) eval(ec *evalCtx) (Value, error) {
	if n.fn == nil {
		return n.lit, nil
	}
	return n.fn.impl(ec, n)
}

// evalBool evaluates e and casts the result to a boolean (null is false).
func (e *Expr) evalBool(ec *evalCtx) (bool, error) {
	v, err := e.eval(ec)
	if err != nil {
		return false, err
	}
	b, err := asBool(v)
	if err != nil {
		return false, &ExprError{Msg: strings.TrimPrefix(err.Error(), "forms: ")}
	}
	return b, nil
}

// Functions returns the names of the implemented functions.
func Functions() []string {
	names := make([]string, 0, len(functions))
	for name := range functions {
		names = append(names, name)
	}
	return names
}
