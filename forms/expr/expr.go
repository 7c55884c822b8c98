package expr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/i18n"
)

// ErrExpression is wrapped by every expression error, at compile time and
// at run time.
var ErrExpression = errors.New("expr: expression error")

// Error is an expression that cannot be compiled or evaluated. Path says
// where in the expression the problem is, as JSON array indices ("[2][1]").
// Msg never holds a value from the data: at run time that may be a
// personal number.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return "expr: " + e.Where() }

// Where is the error without the package prefix: "expression at [2]: msg",
// or "expression: msg" for the whole expression.
func (e *Error) Where() string {
	if e.Path == "" {
		return "expression: " + e.Msg
	}
	return "expression at " + e.Path + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrExpression) true.
func (e *Error) Unwrap() error { return ErrExpression }

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

// Parse compiles an expression from its JSON form. Unknown functions,
// wrong arity and literals of the wrong type are errors.
func Parse(b []byte) (*Expr, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return nil, &Error{Msg: "invalid JSON: " + err.Error()}
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &Error{Msg: "invalid JSON: trailing data"}
	}
	n, err := compile(x, "", 0)
	if err != nil {
		return nil, err
	}
	return &Expr{root: n, raw: append(json.RawMessage(nil), bytes.TrimSpace(b)...)}, nil
}

// MustParse is Parse that panics; for tests and examples.
func MustParse(s string) *Expr {
	e, err := Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return e
}

// UnmarshalJSON compiles the expression. A compile error is kept in the
// Expr, so that Parse can report it with the place it was found.
func (e *Expr) UnmarshalJSON(b []byte) error {
	x, err := Parse(b)
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
		return nil, &Error{Path: path, Msg: "expression nested too deeply"}
	}
	switch x := x.(type) {
	case nil:
		return &node{typ: tNull}, nil
	case bool:
		return &node{lit: Bool(x), typ: tBool}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, &Error{Path: path, Msg: "invalid number " + string(x)}
		}
		return &node{lit: Number(f), typ: tNum}, nil
	case float64:
		return &node{lit: Number(x), typ: tNum}, nil
	case string:
		return &node{lit: String(x), typ: tStr}, nil
	case map[string]any:
		return nil, &Error{Path: path, Msg: `invalid type "object"`}
	case []any:
		if len(x) == 0 {
			return nil, &Error{Path: path, Msg: "missing function name in expression"}
		}
		name, ok := x[0].(string)
		if !ok {
			return nil, &Error{Path: path, Msg: "function name in expression should be string"}
		}
		fn := functions[name]
		if fn == nil {
			return nil, &Error{Path: path, Msg: fmt.Sprintf("function %q not implemented", name)}
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
	return nil, &Error{Path: path, Msg: fmt.Sprintf("invalid type %T", x)}
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
	impl  func(c *Context, n *node) (Value, error)
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
		return &Error{Path: path, Msg: fmt.Sprintf("%s: expected %s argument(s), got %d", f.name, want, got)}
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
			return &Error{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: fmt.Sprintf("%s: expected %s, got %s", f.name, p, a.typ)}
		}
		// A literal that can never be cast is a load error, not a run-time one.
		if a.fn == nil {
			var err error
			switch p {
			case tBool:
				_, err = a.lit.AsBool()
			case tNum:
				_, _, err = a.lit.AsNumber()
			}
			if err != nil {
				// A literal is the definition's, not personal data: show it.
				return &Error{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: fmt.Sprintf("%s: expected %s, got value %s", f.name, p, a.lit.display())}
			}
		}
	}
	return nil
}

// Env is what an expression reads: the form's components and its data
// model. forms implements it for a definition and its data; a tool can
// implement it over anything.
type Env interface {
	// Component returns the value of the component with the id, as seen
	// from where the expression is evaluated (null when it is hidden). An
	// unknown id is an error.
	Component(id string) (Value, error)
	// DataModel returns the value at a path of the data model: a JSON
	// Pointer ("/a/b/0/c") or Altinn's dotted form ("a.b[0].c"). A path
	// that holds nothing gives null.
	DataModel(path string) (Value, error)
}

// Context is where an expression is evaluated. The zero Context (or nil)
// has no components, no data model and no positional arguments; dates are
// read in Europe/Oslo and written in Norwegian Bokmål.
type Context struct {
	Env Env // nil: component is an error, dataModel gives null
	// Argv is what ["argv", i] returns; nil makes argv an error.
	Argv []Value
	// Lang is formatDate's language: nb (default), nn, en, or
	// i18n.Lang("se") for Northern Sami.
	Lang i18n.Lang
	// Location is where dates without an offset are; default Europe/Oslo.
	Location *time.Location
}

func (c *Context) location() *time.Location {
	if c == nil || c.Location == nil {
		return civil.Oslo
	}
	return c.Location
}

func (c *Context) lang() string {
	if c == nil || c.Lang == "" {
		return string(i18n.NB)
	}
	return string(c.Lang)
}

// Eval evaluates the expression in c, which may be nil. The nil *Expr is
// null.
func (e *Expr) Eval(c *Context) (Value, error) {
	if e == nil {
		return Null, nil
	}
	if e.err != nil {
		return Null, e.err
	}
	if e.root == nil {
		return Null, nil
	}
	return e.root.eval(c)
}

func (n *node) eval(c *Context) (Value, error) {
	if n.fn == nil {
		return n.lit, nil
	}
	return n.fn.impl(c, n)
}

// EvalBool evaluates the expression and casts the result to a boolean, as
// Altinn does (null is false).
func (e *Expr) EvalBool(c *Context) (bool, error) {
	v, err := e.Eval(c)
	if err != nil {
		return false, err
	}
	b, err := v.AsBool()
	if err != nil {
		return false, &Error{Msg: strings.TrimPrefix(err.Error(), "expr: ")}
	}
	return b, nil
}

// CheckBool reports, at load time, an expression that can never be a
// boolean: a literal that does not cast to one, or a call that returns a
// number.
func (e *Expr) CheckBool() error {
	if e == nil || e.err != nil || e.root == nil {
		return e.Err()
	}
	if e.root.fn == nil {
		if _, err := e.root.lit.AsBool(); err != nil {
			return &Error{Msg: "expected boolean, got value " + e.root.lit.display()}
		}
	} else if e.root.typ == tNum {
		return &Error{Msg: "expected a boolean expression, " + e.root.fn.name + " returns a number"}
	}
	return nil
}

// Ref is a call of component or dataModel whose argument is a literal
// string, so that a definition can check it at load time.
type Ref struct {
	Func string // "component" or "dataModel"
	Arg  string // the literal argument: a component id or a path
	Path string // where the call is, as JSON array indices ("[2][1]"); "" for the whole expression
}

// Refs lists the expression's component and dataModel calls with literal
// arguments, in order.
func (e *Expr) Refs() []Ref {
	if e == nil || e.err != nil || e.root == nil {
		return nil
	}
	var out []Ref
	var walk func(n *node, path string)
	walk = func(n *node, path string) {
		if n.fn == nil {
			return
		}
		if name := n.fn.name; (name == "component" || name == "dataModel") && len(n.args) == 1 && n.args[0].fn == nil && n.args[0].lit.k == KindString {
			out = append(out, Ref{Func: name, Arg: n.args[0].lit.s, Path: path})
		}
		for i, a := range n.args {
			walk(a, path+"["+strconv.Itoa(i+1)+"]")
		}
	}
	walk(e.root, "")
	return out
}

// Functions returns the names of the implemented functions.
func Functions() []string {
	names := make([]string, 0, len(functions))
	for name := range functions {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
