package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// functions is the expression language's function table. It is filled once in
// init and never changed.
var functions map[string]*function

func init() {
	fs := []*function{
		{name: "component", min: 1, max: 1, params: []exprType{tStr}, ret: tAny, impl: fnComponent},
		{name: "dataModel", min: 1, max: 1, params: []exprType{tStr}, ret: tAny, impl: fnDataModel},
		{name: "argv", min: 1, max: 1, params: []exprType{tNum}, ret: tAny, impl: fnArgv},
		{name: "and", min: 1, max: -1, variadic: tBool, ret: tBool, impl: fnAndOr(true)},
		{name: "or", min: 1, max: -1, variadic: tBool, ret: tBool, impl: fnAndOr(false)},
		{name: "not", min: 1, max: 1, params: []exprType{tBool}, ret: tBool, impl: fnNot},
		{name: "if", min: 2, max: 4, params: []exprType{tBool, tAny, tStr, tAny}, ret: tAny, extra: checkIf, impl: fnIf},
		{name: "equals", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnEquals(false)},
		{name: "notEquals", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnEquals(true)},
		{name: "greaterThan", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tBool, impl: fnNumCmp(opGreaterThan)},
		{name: "greaterThanEq", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tBool, impl: fnNumCmp(opGreaterThanEq)},
		{name: "lessThan", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tBool, impl: fnNumCmp(opLessThan)},
		{name: "lessThanEq", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tBool, impl: fnNumCmp(opLessThanEq)},
		{name: "compare", min: 3, max: 4, variadic: tAny, ret: tBool, extra: checkCompare, impl: fnCompare},
		{name: "concat", min: 0, max: -1, variadic: tStr, ret: tStr, impl: fnConcat},
		{name: "contains", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnStrPred(strings.Contains, false)},
		{name: "notContains", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnStrPred(strings.Contains, true)},
		{name: "startsWith", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnStrPred(strings.HasPrefix, false)},
		{name: "endsWith", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnStrPred(strings.HasSuffix, false)},
		{name: "commaContains", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tBool, impl: fnCommaContains},
		{name: "lowerCase", min: 1, max: 1, params: []exprType{tStr}, ret: tStr, impl: fnStrMap(strings.ToLower)},
		{name: "upperCase", min: 1, max: 1, params: []exprType{tStr}, ret: tStr, impl: fnStrMap(strings.ToUpper)},
		{name: "lowerCaseFirst", min: 1, max: 1, params: []exprType{tStr}, ret: tStr, impl: fnStrMap(firstRune(unicode.ToLower))},
		{name: "upperCaseFirst", min: 1, max: 1, params: []exprType{tStr}, ret: tStr, impl: fnStrMap(firstRune(unicode.ToUpper))},
		{name: "stringLength", min: 1, max: 1, params: []exprType{tStr}, ret: tNum, impl: fnStringLength},
		{name: "stringIndexOf", min: 2, max: 2, params: []exprType{tStr, tStr}, ret: tNum, impl: fnStringIndexOf},
		{name: "stringSlice", min: 2, max: 3, params: []exprType{tStr, tNum, tNum}, ret: tStr, impl: fnStringSlice},
		{name: "stringReplace", min: 3, max: 3, params: []exprType{tStr, tStr, tStr}, ret: tStr, impl: fnStringReplace},
		{name: "plus", min: 1, max: -1, variadic: tNum, ret: tNum, impl: fnArith('+')},
		{name: "minus", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tNum, impl: fnArith('-')},
		{name: "multiply", min: 1, max: -1, variadic: tNum, ret: tNum, impl: fnArith('*')},
		{name: "divide", min: 2, max: 2, params: []exprType{tNum, tNum}, ret: tNum, impl: fnArith('/')},
		{name: "round", min: 1, max: 2, params: []exprType{tNum, tNum}, ret: tStr, impl: fnRound},
		{name: "formatDate", min: 1, max: 2, params: []exprType{tStr, tStr}, ret: tStr, impl: fnFormatDate},
	}
	functions = make(map[string]*function, len(fs))
	for _, f := range fs {
		functions[f.name] = f
	}
}

func runErr(n *node, format string, args ...any) error {
	return &Error{Msg: n.fn.name + ": " + fmt.Sprintf(format, args...)}
}

func castErr(n *node, err error) error {
	return &Error{Msg: n.fn.name + ": " + strings.TrimPrefix(err.Error(), "expr: ")}
}

func argStr(ec *Context, n *node, i int) (string, bool, error) {
	v, err := n.args[i].eval(ec)
	if err != nil {
		return "", false, err
	}
	s, null := v.AsString()
	return s, null, nil
}

func argNum(ec *Context, n *node, i int) (float64, bool, error) {
	v, err := n.args[i].eval(ec)
	if err != nil {
		return 0, false, err
	}
	f, null, err := v.AsNumber()
	if err != nil {
		return 0, false, castErr(n, err)
	}
	return f, null, nil
}

func argBool(ec *Context, n *node, i int) (bool, error) {
	v, err := n.args[i].eval(ec)
	if err != nil {
		return false, err
	}
	b, err := v.AsBool()
	if err != nil {
		return false, castErr(n, err)
	}
	return b, nil
}

func fnComponent(ec *Context, n *node) (Value, error) {
	id, null, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	if null {
		return Null, runErr(n, "component id cannot be null")
	}
	if ec == nil || ec.Env == nil {
		return Null, runErr(n, "unable to find component with identifier %q", id)
	}
	return ec.Env.Component(id)
}

func fnDataModel(ec *Context, n *node) (Value, error) {
	p, null, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	if null {
		return Null, runErr(n, "path cannot be null")
	}
	if ec == nil || ec.Env == nil {
		return Null, nil
	}
	return ec.Env.DataModel(p)
}

func fnArgv(ec *Context, n *node) (Value, error) {
	f, null, err := argNum(ec, n, 0)
	if err != nil {
		return Null, err
	}
	if ec == nil || ec.Argv == nil {
		return Null, runErr(n, "no positional arguments available")
	}
	if null || f != math.Trunc(f) || f < 0 || int(f) >= len(ec.Argv) {
		return Null, runErr(n, "index %s out of range", FormatNumber(f))
	}
	return ec.Argv[int(f)], nil
}

func fnAndOr(and bool) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		// Every argument is evaluated, so that a bad argument is an error
		// whatever comes before it, as in Altinn.
		res := and
		for i := range n.args {
			b, err := argBool(ec, n, i)
			if err != nil {
				return Null, err
			}
			if and {
				res = res && b
			} else {
				res = res || b
			}
		}
		return Bool(res), nil
	}
}

func fnNot(ec *Context, n *node) (Value, error) {
	b, err := argBool(ec, n, 0)
	if err != nil {
		return Null, err
	}
	return Bool(!b), nil
}

func checkIf(n *node, path string) error {
	switch len(n.args) {
	case 2:
		return nil
	case 4:
		if a := n.args[2]; a.fn != nil || a.lit.k != KindString || a.lit.s != "else" {
			return &Error{Path: path + "[3]", Msg: `if: expected third argument to be "else"`}
		}
		return nil
	}
	return &Error{Path: path, Msg: fmt.Sprintf("if: expected either 2 arguments (if) or 4 (if + else), got %d", len(n.args))}
}

func fnIf(ec *Context, n *node) (Value, error) {
	b, err := argBool(ec, n, 0)
	if err != nil {
		return Null, err
	}
	if b {
		return n.args[1].eval(ec)
	}
	if len(n.args) == 4 {
		return n.args[3].eval(ec)
	}
	return Null, nil
}

func fnEquals(negate bool) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		a, an, err := argStr(ec, n, 0)
		if err != nil {
			return Null, err
		}
		b, bn, err := argStr(ec, n, 1)
		if err != nil {
			return Null, err
		}
		eq := an == bn && a == b
		return Bool(eq != negate), nil
	}
}

type compareOp uint8

const (
	opNone compareOp = iota
	opEquals
	opGreaterThan
	opGreaterThanEq
	opLessThan
	opLessThanEq
	opIsBefore
	opIsBeforeEq
	opIsAfter
	opIsAfterEq
	opIsSameDay
)

var compareOps = map[string]compareOp{
	"equals": opEquals, "greaterThan": opGreaterThan, "greaterThanEq": opGreaterThanEq,
	"lessThan": opLessThan, "lessThanEq": opLessThanEq, "isBefore": opIsBefore,
	"isBeforeEq": opIsBeforeEq, "isAfter": opIsAfter, "isAfterEq": opIsAfterEq, "isSameDay": opIsSameDay,
}

func fnNumCmp(op compareOp) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		b, err := numCompare(ec, n, op, n.args[0], n.args[1])
		return Bool(b), err
	}
}

func numCompare(ec *Context, n *node, op compareOp, x, y *node) (bool, error) {
	xv, err := x.eval(ec)
	if err != nil {
		return false, err
	}
	yv, err := y.eval(ec)
	if err != nil {
		return false, err
	}
	a, an, err := xv.AsNumber()
	if err != nil {
		return false, castErr(n, err)
	}
	b, bn, err := yv.AsNumber()
	if err != nil {
		return false, castErr(n, err)
	}
	if an || bn {
		return false, nil
	}
	switch op {
	case opGreaterThan:
		return a > b, nil
	case opGreaterThanEq:
		return a >= b, nil
	case opLessThan:
		return a < b, nil
	}
	return a <= b, nil
}

func checkCompare(n *node, path string) error {
	opIdx := 1
	if len(n.args) == 4 {
		if a := n.args[1]; a.fn != nil || a.lit.k != KindString || a.lit.s != "not" {
			return &Error{Path: path + "[2]", Msg: `compare: second argument must be "not" when providing 4 arguments in total`}
		}
		n.neg = true
		opIdx = 2
	}
	a := n.args[opIdx]
	if a.fn != nil || a.lit.k != KindString {
		return &Error{Path: path + "[" + strconv.Itoa(opIdx+1) + "]", Msg: "compare: invalid operator (it cannot be an expression or null)"}
	}
	op, ok := compareOps[a.lit.s]
	if !ok {
		return &Error{Path: path + "[" + strconv.Itoa(opIdx+1) + "]", Msg: fmt.Sprintf("compare: invalid operator %q", a.lit.s)}
	}
	n.op = op
	if op >= opGreaterThan && op <= opLessThanEq {
		for _, i := range []int{0, len(n.args) - 1} {
			if x := n.args[i]; x.typ == tBool {
				return &Error{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: "compare: expected number, got boolean"}
			} else if x.fn == nil {
				if _, _, err := x.lit.AsNumber(); err != nil {
					return &Error{Path: path + "[" + strconv.Itoa(i+1) + "]", Msg: "compare: " + strings.TrimPrefix(err.Error(), "expr: ")}
				}
			}
		}
	}
	return nil
}

func fnCompare(ec *Context, n *node) (Value, error) {
	x, y := n.args[0], n.args[len(n.args)-1]
	var res bool
	var err error
	switch n.op {
	case opEquals:
		var a, b string
		var an, bn bool
		if a, an, err = argStr(ec, n, 0); err == nil {
			b, bn, err = argStr(ec, n, len(n.args)-1)
		}
		res = an == bn && a == b
	case opGreaterThan, opGreaterThanEq, opLessThan, opLessThanEq:
		res, err = numCompare(ec, n, n.op, x, y)
	default:
		res, err = dateCompare(ec, n, x, y)
	}
	if err != nil {
		return Null, err
	}
	return Bool(res != n.neg), nil
}

func fnConcat(ec *Context, n *node) (Value, error) {
	var sb strings.Builder
	for i := range n.args {
		s, _, err := argStr(ec, n, i)
		if err != nil {
			return Null, err
		}
		sb.WriteString(s)
	}
	return String(sb.String()), nil
}

func fnStrPred(pred func(s, sub string) bool, negate bool) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		a, an, err := argStr(ec, n, 0)
		if err != nil {
			return Null, err
		}
		b, bn, err := argStr(ec, n, 1)
		if err != nil {
			return Null, err
		}
		if an || bn {
			return Bool(negate), nil
		}
		return Bool(pred(a, b) != negate), nil
	}
}

func fnCommaContains(ec *Context, n *node) (Value, error) {
	list, ln, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	item, in, err := argStr(ec, n, 1)
	if err != nil {
		return Null, err
	}
	if ln || in || item == "" {
		return Bool(false), nil
	}
	for part := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(part) == item {
			return Bool(true), nil
		}
	}
	return Bool(false), nil
}

func fnStrMap(f func(string) string) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		s, null, err := argStr(ec, n, 0)
		if err != nil || null {
			return Null, err
		}
		return String(f(s)), nil
	}
}

func firstRune(m func(rune) rune) func(string) string {
	return func(s string) string {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 {
			return s
		}
		return string(m(r)) + s[size:]
	}
}

// Altinn's string positions count UTF-16 code units, as JavaScript does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func fnStringLength(ec *Context, n *node) (Value, error) {
	s, _, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	return Number(float64(utf16Len(s))), nil
}

func fnStringIndexOf(ec *Context, n *node) (Value, error) {
	s, sn, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	sub, bn, err := argStr(ec, n, 1)
	if err != nil {
		return Null, err
	}
	if sn || bn {
		return Null, nil
	}
	i := strings.Index(s, sub)
	if i < 0 {
		return Null, nil
	}
	return Number(float64(utf16Len(s[:i]))), nil
}

func fnStringSlice(ec *Context, n *node) (Value, error) {
	s, null, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	u := utf16.Encode([]rune(s))
	start, sn, err := argNum(ec, n, 1)
	if err != nil {
		return Null, err
	}
	end, en := float64(len(u)), false
	if len(n.args) == 3 {
		if end, en, err = argNum(ec, n, 2); err != nil {
			return Null, err
		}
	}
	if sn || en {
		return Null, runErr(n, "start/end index cannot be null")
	}
	if null {
		return Null, nil
	}
	clamp := func(f float64) int {
		i := int(math.Trunc(math.Max(math.Min(f, 1e9), -1e9)))
		if i < 0 {
			i += len(u)
		}
		return max(0, min(i, len(u)))
	}
	a, b := clamp(start), clamp(end)
	if a >= b {
		return String(""), nil
	}
	return String(string(utf16.Decode(u[a:b]))), nil
}

func fnStringReplace(ec *Context, n *node) (Value, error) {
	s, sn, err := argStr(ec, n, 0)
	if err != nil {
		return Null, err
	}
	old, on, err := argStr(ec, n, 1)
	if err != nil {
		return Null, err
	}
	repl, _, err := argStr(ec, n, 2)
	if err != nil {
		return Null, err
	}
	if sn {
		return Null, nil
	}
	if on || old == "" {
		return String(s), nil
	}
	return String(strings.ReplaceAll(s, old, repl)), nil
}

func fnArith(op byte) func(*Context, *node) (Value, error) {
	return func(ec *Context, n *node) (Value, error) {
		var acc float64
		for i := range n.args {
			f, _, err := argNum(ec, n, i) // null counts as 0
			if err != nil {
				return Null, err
			}
			if i == 0 {
				acc = f
				continue
			}
			switch op {
			case '+':
				acc += f
			case '-':
				acc -= f
			case '*':
				acc *= f
			case '/':
				if f == 0 {
					return Null, runErr(n, "the second argument is 0, cannot divide by 0")
				}
				acc /= f
			}
		}
		if math.IsInf(acc, 0) || math.IsNaN(acc) {
			return Null, runErr(n, "result out of range")
		}
		return Number(acc), nil
	}
}

func fnRound(ec *Context, n *node) (Value, error) {
	f, _, err := argNum(ec, n, 0)
	if err != nil {
		return Null, err
	}
	prec := 0.0
	if len(n.args) == 2 {
		if prec, _, err = argNum(ec, n, 1); err != nil {
			return Null, err
		}
	}
	if prec < 0 || prec > 20 || prec != math.Trunc(prec) {
		return Null, runErr(n, "precision must be a whole number from 0 to 20")
	}
	p := math.Pow(10, prec)
	r := math.Round(f*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	return String(strconv.FormatFloat(r, 'f', int(prec), 64)), nil
}
