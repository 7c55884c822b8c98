package forms

import (
	"encoding/json"
	"testing"

	"github.com/grunnmur/grunnmur/money"
)

func TestAmountOf(t *testing.T) {
	for _, tc := range []struct {
		in      any
		ore     money.Amount
		problem string
	}{
		{json.Number("1500"), 150000, ""},
		{json.Number("1500.5"), 150050, ""},
		{json.Number("0.1"), 10, ""},
		{json.Number("0.29"), 29, ""}, // 0.29*100 is 28.999999999999996 as a float
		{json.Number("-12.05"), -1205, ""},
		{json.Number("1.5e3"), 150000, ""},
		{json.Number("12.340"), 1234, ""},
		{json.Number("0.000"), 0, ""},
		{json.Number("12.345"), 0, CodeDecimals},
		{json.Number("1e-3"), 0, CodeDecimals},
		{json.Number("1e400"), 0, CodeType},
		{json.Number("1e-99999"), 0, CodeType},
		{json.Number("9999999999999999"), 0, CodeType},
		{"1 500,50", 150050, ""},
		{"kr 1 500", 150000, ""},
		{" 42 ", 4200, ""},
		{"1,005", 0, CodeDecimals},
		{"-+1", 0, CodeType},
		{"1.2.3", 0, CodeType},
		{"tolv", 0, CodeType},
		{"", 0, CodeType},
		{0.29, 29, ""},
		{1e21, 0, CodeType},
		{int64(7), 700, ""},
		{true, 0, CodeType},
		{nil, 0, CodeType},
	} {
		a, problem := amountOf(tc.in)
		if a != tc.ore || problem != tc.problem {
			t.Errorf("amountOf(%#v) = %d %q, want %d %q", tc.in, a, problem, tc.ore, tc.problem)
		}
	}
}

func TestKronerNumber(t *testing.T) {
	for a, want := range map[money.Amount]string{0: "0", 150000: "1500", 150050: "1500.5", 5: "0.05", -1205: "-12.05", -5: "-0.05"} {
		if got := kronerNumber(a); string(got) != want {
			t.Errorf("kronerNumber(%d) = %s, want %s", a, got, want)
		}
	}
}

// FuzzAmountOf: any text gives an amount or a problem, never a panic, and
// an amount written back as kroner reads as the same amount.
func FuzzAmountOf(f *testing.F) {
	for _, s := range []string{"1500", "1 500,50", "0.29", "1.5e3", "-0.05", "1e-99999", "kr 12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, problem := amountOf(s)
		if problem != "" {
			return
		}
		if back, p := amountOf(kronerNumber(a)); back != a || p != "" {
			t.Fatalf("%q: %d written as %s reads as %d %q", s, a, kronerNumber(a), back, p)
		}
	})
}
