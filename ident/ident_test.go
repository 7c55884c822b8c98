package ident_test

import (
	"errors"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
)

func TestParseOrgnr(t *testing.T) {
	tests := []struct {
		in   string
		want ident.Orgnr
		err  error
	}{
		{"974760673", "974760673", nil}, // Brønnøysundregistrene
		{"923609016", "923609016", nil},
		{"974 760 673", "974760673", nil},
		{"974760674", "", ident.ErrControlDigit},
		{"97476067", "", ident.ErrLength},
		{"9747606730", "", ident.ErrLength},
		{"97476067a", "", ident.ErrNonDigit},
		{"", "", ident.ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ident.ParseOrgnr(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// Every check digit but one is wrong; a check value of 10 is never valid.
	valid := 0
	for d := '0'; d <= '9'; d++ {
		if _, err := ident.ParseOrgnr("97476067" + string(d)); err == nil {
			valid++
		}
	}
	if valid != 1 {
		t.Errorf("%d check digits accepted, want 1", valid)
	}
}

func TestParseKontonummer(t *testing.T) {
	tests := []struct {
		in, want, formatted string
		err                 error
	}{
		{"86011117947", "86011117947", "8601.11.17947", nil},
		{"8601.11.17947", "86011117947", "8601.11.17947", nil},
		{" 8601 11 17947 ", "86011117947", "8601.11.17947", nil},
		{"86011117948", "", "", ident.ErrControlDigit},
		{"8601111794", "", "", ident.ErrLength},
		{"8601-11-17947", "", "", ident.ErrLength},
		{"86011117a47", "", "", ident.ErrNonDigit},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ident.ParseKontonummer(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if string(got) != tt.want || (err == nil && got.Format() != tt.formatted) {
				t.Errorf("got %q / %q, want %q / %q", got, got.Format(), tt.want, tt.formatted)
			}
		})
	}
}

func TestKID(t *testing.T) {
	tests := []struct {
		base string
		alg  ident.KIDAlgorithm
		want ident.KID
	}{
		{"7992739871", ident.MOD10, "79927398713"}, // the classic Luhn example
		{"1234567890", ident.MOD11, "12345678903"},
		{"0", ident.MOD10, "00"},
		{"1", ident.MOD10, "18"},
		{"1", ident.MOD11, "19"},
		{"5", ident.MOD11, "51"}, // 5*2 = 10: remainder 10 gives check digit 1
		{"123456789012345678901234", ident.MOD10, "1234567890123456789012340"},
	}
	for _, tt := range tests {
		t.Run(tt.base+"/"+tt.alg.String(), func(t *testing.T) {
			got, err := ident.NewKID(tt.base, tt.alg)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("NewKID = %q, want %q", got, tt.want)
			}
			if err := ident.CheckKID(string(got), tt.alg); err != nil {
				t.Errorf("CheckKID(%q) = %v", got, err)
			}
			kid, algs, err := ident.ParseKID(string(got))
			if err != nil || kid != got || algs&tt.alg == 0 {
				t.Errorf("ParseKID(%q) = %q, %v, %v", got, kid, algs, err)
			}
		})
	}
	// Remainder 1 under MOD11 gives '-': base "6" weighs 12, 12 mod 11 = 1.
	if got, _ := ident.NewKID("6", ident.MOD11); got != "6-" {
		t.Errorf("NewKID(6, MOD11) = %q, want 6-", got)
	}
	if _, algs, err := ident.ParseKID("6-"); err != nil || algs != ident.MOD11 {
		t.Errorf("ParseKID(6-) = %v, %v", algs, err)
	}
	for _, tt := range []struct {
		in  string
		err error
	}{
		{"1", ident.ErrLength},
		{"12345678901234567890123456", ident.ErrLength},
		{"79927398714", ident.ErrControlDigit},
		{"7992a398713", ident.ErrNonDigit},
		{"-1", ident.ErrNonDigit},
		{"1-", ident.ErrControlDigit},
	} {
		if _, _, err := ident.ParseKID(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("ParseKID(%q) = %v, want %v", tt.in, err, tt.err)
		}
	}
	if _, err := ident.NewKID("", ident.MOD10); !errors.Is(err, ident.ErrLength) {
		t.Errorf("empty base: %v", err)
	}
	if _, err := ident.NewKID("12", 0); err == nil {
		t.Error("NewKID accepted no algorithm")
	}
	if err := ident.CheckKID("79927398713", ident.MOD11); !errors.Is(err, ident.ErrControlDigit) {
		t.Errorf("a MOD10 KID passed as MOD11: %v", err)
	}
}

func FuzzParseOrgnr(f *testing.F) {
	for _, s := range []string{"974760673", "974 760 673", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ident.ParseOrgnr(s)
		if err != nil {
			return
		}
		if again, err := ident.ParseOrgnr(string(o)); err != nil || again != o || len(o) != 9 {
			t.Fatalf("%q -> %q does not parse back: %v", s, o, err)
		}
	})
}

func FuzzParseKontonummer(f *testing.F) {
	for _, s := range []string{"86011117947", "8601.11.17947", "", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ident.ParseKontonummer(s)
		if err != nil {
			return
		}
		if again, err := ident.ParseKontonummer(k.Format()); err != nil || again != k {
			t.Fatalf("%q -> %q does not parse back: %v", s, k.Format(), err)
		}
	})
}

func FuzzParseKID(f *testing.F) {
	for _, s := range []string{"79927398713", "12345678903", "6-", "", "--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, algs, err := ident.ParseKID(s)
		if err != nil {
			return
		}
		for _, a := range []ident.KIDAlgorithm{ident.MOD10, ident.MOD11} {
			if algs&a == 0 {
				continue
			}
			if err := ident.CheckKID(string(k), a); err != nil {
				t.Fatalf("ParseKID said %v but CheckKID says %v", algs, err)
			}
			again, err := ident.NewKID(string(k[:len(k)-1]), a)
			if err != nil || again != k {
				t.Fatalf("NewKID(%q, %v) = %q, %v; want %q", k[:len(k)-1], a, again, err, k)
			}
		}
	})
}
