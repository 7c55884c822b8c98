package sak

import (
	"testing"

	"github.com/grunnmur/grunnmur/ident"
)

func TestPersonalNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"Søknad fra 03851598730":         "Søknad fra 038515*****",
		"03851598730,20036914700":        "038515*****,200369*****",
		"konto 038515 98730 og 12345678": "konto 038515***** og 12345678",
		"038515987301":                   "038515987301", // 12 digits: not a personal number
		"03851598731":                    "03851598731",  // bad control digit
		"orgnr 974760673":                "orgnr 974760673",
	} {
		if got := redactPersonalNumbers(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
		if got := containsPersonalNumber(in); got != (in != want) {
			t.Errorf("contains(%q) = %v", in, got)
		}
	}
}

// FuzzRedactPersonalNumbers checks that the redacted text never holds a
// personal number, and is the input when there was none.
func FuzzRedactPersonalNumbers(f *testing.F) {
	for _, s := range []string{"03851598730", "x038515 98730y", "2003691470020036914700", "55102499947 41819077906", "æøå0385159873"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := redactPersonalNumbers(s)
		if containsPersonalNumber(out) {
			t.Fatalf("redact(%q) = %q still holds a personal number", s, out)
		}
		if !containsPersonalNumber(s) && out != s {
			t.Fatalf("redact(%q) = %q changed text without a personal number", s, out)
		}
		for i, j := range personalNumbers(s) {
			d := s[i:j]
			if len(d) == 12 {
				d = d[:6] + d[7:]
			}
			if _, err := ident.ParseFodselsnummer(d); err != nil {
				t.Fatalf("personalNumbers(%q) yields %q: %v", s, s[i:j], err)
			}
		}
	})
}
