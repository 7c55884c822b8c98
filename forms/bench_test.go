package forms

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/grunnmur/grunnmur/forms/expr"
)

// BenchmarkValidateSkjenkebevilling validates (and prunes) a full valid
// submission of the real form. Target: at most 100 µs/op.
func BenchmarkValidateSkjenkebevilling(b *testing.B) {
	def := loadSkjenk(b)
	data := loadData(b, "skjenkebevilling-valid.json")
	b.ReportAllocs()
	for b.Loop() {
		if res := def.Validate(data, Options{Lang: "nb"}); !res.Valid() {
			b.Fatal(res.Errors)
		}
	}
}

// BenchmarkValidateSkjenkebevillingBaselineDecode is the baseline: decoding
// the same submission body from JSON, which every request does anyway.
func BenchmarkValidateSkjenkebevillingBaselineDecode(b *testing.B) {
	body, err := os.ReadFile("testdata/skjenkebevilling-valid.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var x map[string]any
		if err := d.Decode(&x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpression evaluates a typical hidden expression,
// ["notEquals", ["component", "uteservering"], "ja"], as validation does: one
// evaluation state per submission, so the target's own visibility is
// looked up once. Target: at most 1 µs/op.
func BenchmarkExpression(b *testing.B) {
	def := loadSkjenk(b)
	data := loadData(b, "skjenkebevilling-valid.json")
	c := def.Component("uteservering-areal")
	st := newState(def, data, "nb", nil)
	b.ReportAllocs()
	for b.Loop() {
		h, err := st.evalBool(c.Hidden, c, nil, nil)
		if err != nil || h {
			b.Fatal(err, h)
		}
	}
}

// BenchmarkExpressionCold is the same expression through the public
// Definition.Eval: a fresh state each time, so the target's visibility (its
// page and its own hidden expression) is worked out again.
func BenchmarkExpressionCold(b *testing.B) {
	def := loadSkjenk(b)
	data := loadData(b, "skjenkebevilling-valid.json")
	e := def.Component("uteservering-areal").Hidden
	ctx := Context{Component: "uteservering-areal"}
	b.ReportAllocs()
	for b.Loop() {
		if v, err := def.Eval(e, data, ctx); err != nil || v != expr.Bool(false) {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpressionBaselineGo is the baseline: the same check written by
// hand in Go.
func BenchmarkExpressionBaselineGo(b *testing.B) {
	data := loadData(b, "skjenkebevilling-valid.json")
	b.ReportAllocs()
	for b.Loop() {
		sk, _ := data["skjenkested"].(map[string]any)
		v, _ := sk["uteservering"].(string)
		if v != "ja" {
			b.Fatal(v)
		}
	}
}
