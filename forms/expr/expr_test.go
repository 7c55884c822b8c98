package expr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/forms/expr"
	"github.com/grunnmur/grunnmur/i18n"
)

func TestParseRefuses(t *testing.T) {
	for _, src := range []string{
		`0]`, `["not", true] x`, `[]`, `[1]`, `{"a": 1}`, `["nope"]`, `["equals", 1]`,
		`["if", true, 1, "otherwise", 2]`, `["compare", 1, "between", 2]`, `1e999`, ``,
	} {
		if _, err := expr.Parse([]byte(src)); !errors.Is(err, expr.ErrExpression) {
			t.Errorf("Parse(%q) = %v, want an expression error", src, err)
		}
	}
}

// Without an Env or a Context, an expression still evaluates: component is
// an error, dataModel is null, argv is an error, dates are read in Oslo and
// written in bokmål.
func TestEvalWithoutEnv(t *testing.T) {
	for _, tc := range []struct {
		src     string
		c       *expr.Context
		want    expr.Value
		wantErr bool
	}{
		{`["component", "a"]`, nil, expr.Null, true},
		{`["dataModel", "a.b"]`, nil, expr.Null, false},
		{`["argv", 0]`, nil, expr.Null, true},
		{`["argv", 0]`, &expr.Context{Argv: []expr.Value{expr.Number(7)}}, expr.Number(7), false},
		{`["argv", 1]`, &expr.Context{Argv: []expr.Value{expr.Number(7)}}, expr.Null, true},
		{`["formatDate", "2026-03-29T01:30:00Z", "HH.mm EEEE"]`, nil, expr.String("03.30 søndag"), false},
		{`["formatDate", "2026-03-29T01:30:00Z", "HH:mm EEEE"]`, &expr.Context{Lang: i18n.EN, Location: time.UTC}, expr.String("01:30 Sunday"), false},
		{`["plus", "0.1", 0.2]`, nil, expr.Number(0.30000000000000004), false}, // as in JavaScript, which Altinn follows
		{`["divide", 1, 0]`, nil, expr.Null, true},
	} {
		got, err := expr.MustParse(tc.src).Eval(tc.c)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%s: got %#v, %v", tc.src, got, err)
		}
		if err != nil && !errors.Is(err, expr.ErrExpression) {
			t.Errorf("%s: %v is not an expression error", tc.src, err)
		}
	}
}

// A run-time error never quotes the value that caused it: it may be a
// citizen's personal number.
func TestErrorsHoldNoData(t *testing.T) {
	fnr := expr.String("20036914700")
	e := expr.MustParse(`["greaterThan", ["argv", 0], 18]`)
	_, err := e.Eval(&expr.Context{Argv: []expr.Value{expr.String("fnr 20036914700")}})
	if err == nil {
		t.Fatal("no error")
	}
	if s := err.Error(); strings.Contains(s, "20036914700") {
		t.Errorf("the error quotes the data: %s", s)
	}
	if b, err := fnr.AsBool(); b || err == nil || strings.Contains(err.Error(), "20036914700") {
		t.Errorf("AsBool: %v %v", b, err)
	}
}
