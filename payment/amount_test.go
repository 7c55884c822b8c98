package payment_test

import (
	"errors"
	"math"
	"testing"

	"github.com/grunnmur/grunnmur/payment"
)

func TestAmountDisplay(t *testing.T) {
	tests := []struct {
		a      payment.Amount
		nb, en string
	}{
		{150000, "1 500,00 kr", "NOK 1,500.00"},
		{0, "0,00 kr", "NOK 0.00"},
		{5, "0,05 kr", "NOK 0.05"},
		{99, "0,99 kr", "NOK 0.99"},
		{100050, "1 000,50 kr", "NOK 1,000.50"},
		{123456789, "1 234 567,89 kr", "NOK 1,234,567.89"},
		{-150000, "-1 500,00 kr", "NOK -1,500.00"},
		{payment.Kroner(650000), "650 000,00 kr", "NOK 650,000.00"},
	}
	for _, tt := range tests {
		if got := tt.a.Display("nb"); got != tt.nb {
			t.Errorf("%d nb: %q, want %q", int64(tt.a), got, tt.nb)
		}
		if got := tt.a.Display("nn"); got != tt.nb {
			t.Errorf("%d nn: %q, want %q", int64(tt.a), got, tt.nb)
		}
		if got := tt.a.Display("en"); got != tt.en {
			t.Errorf("%d en: %q, want %q", int64(tt.a), got, tt.en)
		}
		if tt.a.String() != tt.nb {
			t.Errorf("String: %q", tt.a.String())
		}
	}
	if got := payment.Amount(math.MinInt64).Display("nb"); got != "-92 233 720 368 547 758,08 kr" {
		t.Errorf("MinInt64: %q", got)
	}
}

func TestParseAmount(t *testing.T) {
	ok := map[string]payment.Amount{
		"1500": 150000, "1 500": 150000, "1 500,00 kr": 150000, "kr 1 500,50": 150050, "1500.5": 150050,
		"NOK 1,500.00": 150000, "0,05": 5, "1\u00a0500,00": 150000, "-12,30": -1230, "12,3": 1230,
	}
	for in, want := range ok {
		got, err := payment.ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "kr", "1,234", "1.234.5", "12,345", "abc", "1e3", "1,", ",5", "99999999999999999", "1 500,00 kr extra"} {
		if _, err := payment.ParseAmount(in); !errors.Is(err, payment.ErrInvalid) {
			t.Errorf("ParseAmount(%q): %v, want ErrInvalid", in, err)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1 500,00 kr", "NOK 1,500.00", "0,05", "-1", "kr.", "１５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := payment.ParseAmount(s)
		if err != nil {
			if !errors.Is(err, payment.ErrInvalid) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// What parses, formats and parses back to the same øre.
		for _, lang := range []string{"nb", "en"} {
			b, err := payment.ParseAmount(a.Display(lang))
			if err != nil || b != a {
				t.Fatalf("%q -> %d -> %q -> %d, %v", s, a, a.Display(lang), b, err)
			}
		}
	})
}
