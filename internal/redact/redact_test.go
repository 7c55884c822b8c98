package redact

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"no digits", "no digits"},
		{"01019012345", "010190*****"},
		{"/v1/personer/01019012345?part=navn", "/v1/personer/010190*****?part=navn"},
		{"a 01019012345 b 31129956789", "a 010190***** b 311299*****"},
		{"orgnr 974760673", "orgnr 974760673"},           // 9 digits: kept
		{"konto 12345678903", "konto 123456*****"},       // 11 digits: a kontonummer is masked too, the safe side
		{"id 123456789012", "id 123456789012"},           // 12 digits: kept
		{"KID 0101901234567890", "KID 0101901234567890"}, // longer runs are not personal numbers
	} {
		if got := Numbers(tc.in); got != tc.want {
			t.Errorf("Numbers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var elevenDigits = regexp.MustCompile(`(^|[^0-9])[0-9]{11}([^0-9]|$)`)

func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"01019012345", "x01019012345y", "0101901234501019012345", "1 2 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Numbers(s)
		if len(got) != len(s) {
			t.Fatalf("length changed: %q -> %q", s, got)
		}
		if elevenDigits.MatchString(got) {
			t.Fatalf("an 11-digit run survived: %q -> %q", s, got)
		}
	})
}

func BenchmarkNumbersClean(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Numbers("/enhetsregisteret/api/enheter/974760673")
	}
}

func TestSigner(t *testing.T) {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	s := Signer(k)
	var typedNil *rsa.PrivateKey
	if Signer(s) != s || Signer(nil) != nil || Signer(typedNil) != nil {
		t.Fatal("Signer wraps twice, or wraps nil")
	}
	sig, err := s.Sign(rand.Reader, []byte("melding"), crypto.Hash(0))
	if err != nil || !ed25519.Verify(s.Public().(ed25519.PublicKey), []byte("melding"), sig) {
		t.Fatalf("the wrapped key does not sign as the key: %v", err)
	}
	js, _ := json.Marshal(struct{ K crypto.Signer }{s})
	out := fmt.Sprintf("%v %+v %#v %s %x %q", s, s, s, s, s, s) + fmt.Sprintf("%+v", struct{ k crypto.Signer }{s}) + string(js)
	if strings.Contains(out, fmt.Sprintf("%x", k.Seed()[:6])) || strings.Contains(out, strings.Trim(fmt.Sprint(k.Seed()[:6]), "[]")) {
		t.Fatalf("printed the key: %s", out)
	}
	if !strings.Contains(out, "[REDACTED ed25519.PrivateKey]") {
		t.Fatalf("printed %s", out)
	}
}
