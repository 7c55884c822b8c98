package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind is the type of an expression value.
type Kind uint8

// The kinds of expression values, as in Altinn: null, boolean, number, string.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
)

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "boolean"
	case KindNumber:
		return "number"
	case KindString:
		return "string"
	}
	return "null"
}

// Value is the result of an expression: null, a boolean, a number or a
// string. It is a small struct rather than an interface so that evaluation
// does not allocate.
type Value struct {
	k Kind
	b bool
	n float64
	s string
}

// Null, Bool, Number and String make values.
var Null = Value{}

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{k: KindBool, b: b} }

// Number returns a number value.
func Number(n float64) Value { return Value{k: KindNumber, n: n} }

// String returns a string value.
func String(s string) Value { return Value{k: KindString, s: s} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.k }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.k == KindNull }

// Any returns the value as nil, bool, float64 or string.
func (v Value) Any() any {
	switch v.k {
	case KindBool:
		return v.b
	case KindNumber:
		return v.n
	case KindString:
		return v.s
	}
	return nil
}

// MarshalJSON writes the value as JSON.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.k == KindNumber {
		if math.IsNaN(v.n) || math.IsInf(v.n, 0) {
			return []byte("null"), nil
		}
		return []byte(FormatNumber(v.n)), nil
	}
	return json.Marshal(v.Any())
}

// GoString shows the value for %#v.
func (v Value) GoString() string { return "expr.Value(" + v.display() + ")" }

// display writes the value the way error messages quote it.
func (v Value) display() string {
	switch v.k {
	case KindBool:
		return strconv.FormatBool(v.b)
	case KindNumber:
		return FormatNumber(v.n)
	case KindString:
		return strconv.Quote(v.s)
	}
	return "null"
}

// ValueOf converts a decoded JSON value (from a data model) to a Value:
// string, bool, float64, json.Number, int and int64. Objects, arrays and
// anything else have no expression value; they give null.
func ValueOf(x any) Value {
	switch x := x.(type) {
	case string:
		return String(x)
	case bool:
		return Bool(x)
	case float64:
		return Number(x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return String(string(x))
		}
		return Number(f)
	case int:
		return Number(float64(x))
	case int64:
		return Number(float64(x))
	}
	return Null
}

// FormatNumber writes a number as JavaScript's String(n) does, which is
// what Altinn's casting rules are written against: 0.1, 1e+21, 3e-7.
func FormatNumber(n float64) string {
	if n == 0 {
		return "0"
	}
	a := math.Abs(n)
	if a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(n, 'e', -1, 64)
		// Go writes 3e-07, JavaScript 3e-7.
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			mant, exp := s[:i], s[i+1:]
			sign := "+"
			if exp[0] == '-' || exp[0] == '+' {
				if exp[0] == '-' {
					sign = "-"
				}
				exp = exp[1:]
			}
			exp = strings.TrimLeft(exp, "0")
			return mant + "e" + sign + exp
		}
		return s
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// isNumber reports whether s is what Altinn accepts as a number inside a
// string: [+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?
func isNumber(s string) bool {
	i, n := 0, len(s)
	if i < n && (s[i] == '+' || s[i] == '-') {
		i++
	}
	run := func() int {
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	whole := run()
	if i < n && s[i] == '.' {
		i++
		if run() == 0 {
			return false
		}
	} else if whole == 0 {
		return false
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if run() == 0 {
			return false
		}
	}
	return i == n
}

// castError is a run-time casting failure.
type castError struct {
	want Kind
	got  Value
}

func (e *castError) Error() string {
	// The value itself is left out: at run time it comes from the citizen's
	// data and may be a personal number.
	return fmt.Sprintf("expr: expected %s, got a %s that is not one", e.want, e.got.k)
}

// AsString casts as Altinn does: numbers and booleans are written out, and
// the strings "null", "true" and "false" are compared case-insensitively
// (so "NULL" is null).
func (v Value) AsString() (s string, null bool) {
	switch v.k {
	case KindNull:
		return "", true
	case KindBool:
		if v.b {
			return "true", false
		}
		return "false", false
	case KindNumber:
		return FormatNumber(v.n), false
	}
	if len(v.s) == 4 || len(v.s) == 5 {
		switch {
		case strings.EqualFold(v.s, "null"):
			return "", true
		case strings.EqualFold(v.s, "true"):
			return "true", false
		case strings.EqualFold(v.s, "false"):
			return "false", false
		}
	}
	return v.s, false
}

// AsNumber casts as Altinn does: numbers, and strings that look like
// numbers ([+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?). Anything else is an
// error that does not quote the value.
func (v Value) AsNumber() (n float64, null bool, err error) {
	switch v.k {
	case KindNull:
		return 0, true, nil
	case KindNumber:
		return v.n, false, nil
	case KindString:
		if s, null := v.AsString(); null {
			return 0, true, nil
		} else if isNumber(s) {
			f, err := strconv.ParseFloat(s, 64)
			if err == nil {
				return f, false, nil
			}
		}
	}
	return 0, false, &castError{want: KindNumber, got: v}
}

// AsBool casts as Altinn does: booleans, 0 and 1, and the strings "true",
// "false", "0" and "1" (also "1.0", "0.000"). Null is false. Anything else
// is an error that does not quote the value.
func (v Value) AsBool() (bool, error) {
	switch v.k {
	case KindNull:
		return false, nil
	case KindBool:
		return v.b, nil
	case KindNumber:
		switch v.n {
		case 1:
			return true, nil
		case 0:
			return false, nil
		}
	case KindString:
		s, null := v.AsString()
		switch {
		case null:
			return false, nil
		case s == "true":
			return true, nil
		case s == "false":
			return false, nil
		case isNumber(s):
			f, err := strconv.ParseFloat(s, 64)
			if err == nil && (f == 0 || f == 1) {
				return f == 1, nil
			}
		}
	}
	return false, &castError{want: KindBool, got: v}
}
