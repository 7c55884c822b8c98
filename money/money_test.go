package money

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestString(t *testing.T) {
	for a, want := range map[Amount]string{0: "0,00 kr", 5: "0,05 kr", 150050: "1 500,50 kr", -100: "-1,00 kr", Kroner(1234567): "1 234 567,00 kr",
		math.MinInt64: "-92 233 720 368 547 758,08 kr", math.MaxInt64: "92 233 720 368 547 758,07 kr"} {
		if got := a.String(); got != want {
			t.Errorf("%d: %q, want %q", int64(a), got, want)
		}
	}
}

func TestParse(t *testing.T) {
	ok := map[string]Amount{"1500": 150000, "1 500,50": 150050, "1500.5": 150050, "kr 1 500,00": 150000, "1 500,00 kr": 150000,
		"NOK 1,500.00": 150000, "-12,5": -1250, "−3": -300, "1\u00a0000": 100000, "0,05": 5, "kr. 1 500": 150000, "1 500 kr.": 150000}
	for in, want := range ok {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "kr", "1,505", "1.505", "abc", "12,", ",5", "1e3", "1234567890123456", "--1", "0x10", "１２"} {
		if _, err := Parse(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q): %v, want ErrSyntax", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1500", "1 500,50 kr", "NOK 1,500.00", "-0,01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("%q → %d → %q → %d, %v", s, a, a.String(), b, err)
		}
	})
}

func Example() {
	fee := Kroner(1500) + 50
	paid, err := Parse("1 500,50 kr")
	if err != nil {
		panic(err)
	}
	fmt.Println(fee == paid, fee, fee.Ore())
	// Output: true 1 500,50 kr 150050
}
