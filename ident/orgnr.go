package ident

import (
	"strconv"
	"strings"
)

// Orgnr is a 9-digit organisasjonsnummer from Enhetsregisteret. It is public
// data, so it prints as it is. Build one with ParseOrgnr; a converted string
// has not been checked.
type Orgnr string

// ParseOrgnr checks s as an organisasjonsnummer (MOD11 with weights
// 3,2,7,6,5,4,3,2). Spaces are ignored, so "923 609 016" is accepted.
func ParseOrgnr(s string) (Orgnr, error) {
	s = stripSpaces(s)
	if err := checkMod11("organisasjonsnummer", s, 9, []int{3, 2, 7, 6, 5, 4, 3, 2}); err != nil {
		return "", err
	}
	return Orgnr(s), nil
}

// String returns the nine digits.
func (o Orgnr) String() string { return string(o) }

// Kontonummer is an 11-digit Norwegian bank account number (MOD11).
type Kontonummer string

// ParseKontonummer checks s as a kontonummer. Dots and spaces are ignored, so
// "1234.56.78903" and "1234 56 78903" are accepted; the result holds only the
// digits.
func ParseKontonummer(s string) (Kontonummer, error) {
	s = strings.NewReplacer(".", "", " ", "").Replace(strings.TrimSpace(s))
	if err := checkMod11("kontonummer", s, 11, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}); err != nil {
		return "", err
	}
	return Kontonummer(s), nil
}

// String returns the 11 digits.
func (k Kontonummer) String() string { return string(k) }

// Format returns the usual written form, "xxxx.xx.xxxxx". A value that is
// not 11 characters long is returned as it is.
func (k Kontonummer) Format() string {
	if len(k) != 11 {
		return string(k)
	}
	return string(k[:4]) + "." + string(k[4:6]) + "." + string(k[6:])
}

func stripSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

// checkMod11 checks that s is n digits whose last is the MOD11 check digit of
// the others under weights (remainder 0 gives 0; a check value of 10 makes the
// number invalid).
func checkMod11(what, s string, n int, weights []int) error {
	if len(s) != n {
		return parseErr(what, ErrLength, "want "+strconv.Itoa(n)+" digits, got "+strconv.Itoa(len(s)))
	}
	d := make([]byte, 0, 11)
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return parseErr(what, ErrNonDigit, "position "+strconv.Itoa(i+1))
		}
		d = append(d, c-'0')
	}
	k := checkDigit(d[:n-1], weights)
	if k < 0 || k != int(d[n-1]) {
		return parseErr(what, ErrControlDigit, "")
	}
	return nil
}
