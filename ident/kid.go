package ident

import (
	"strconv"
	"strings"
)

// KID is a kundeidentifikasjonsnummer: the reference a payer types (or an
// invoice prints) so that the payee can match an incoming payment. It is 2 to
// 25 characters, digits and a final check digit, which under MOD11 may be '-'.
type KID string

// KIDAlgorithm is a KID check-digit algorithm, or a set of them: ParseKID
// returns MOD10|MOD11 for a KID valid under both.
type KIDAlgorithm uint8

// The two KID algorithms that Norwegian banks accept.
const (
	MOD10 KIDAlgorithm = 1 << iota // Luhn
	MOD11                          // weights 2..7 from the right; '-' for remainder 1
)

func (a KIDAlgorithm) String() string {
	switch a {
	case MOD10:
		return "MOD10"
	case MOD11:
		return "MOD11"
	case MOD10 | MOD11:
		return "MOD10+MOD11"
	}
	return "KIDAlgorithm(" + strconv.Itoa(int(a)) + ")"
}

// KID lengths, the check digit included.
const (
	MinKIDLength = 2
	MaxKIDLength = 25
)

const kidWhat = "KID"

// NewKID appends the check digit of alg to base, which must be digits only,
// 1 to 24 of them.
func NewKID(base string, alg KIDAlgorithm) (KID, error) {
	if len(base) < MinKIDLength-1 || len(base) > MaxKIDLength-1 {
		return "", parseErr(kidWhat, ErrLength, "base must be 1-24 digits, got "+strconv.Itoa(len(base)))
	}
	if err := allDigits(kidWhat, base); err != nil {
		return "", err
	}
	var c byte
	switch alg {
	case MOD10:
		c = mod10(base)
	case MOD11:
		c = mod11(base)
	default:
		return "", parseErr(kidWhat, ErrControlDigit, "algorithm must be MOD10 or MOD11")
	}
	return KID(base + string(c)), nil
}

// CheckKID checks s as a KID under alg.
func CheckKID(s string, alg KIDAlgorithm) error {
	if err := kidShape(s); err != nil {
		return err
	}
	base, last := s[:len(s)-1], s[len(s)-1]
	var want byte
	switch alg {
	case MOD10:
		want = mod10(base)
	case MOD11:
		want = mod11(base)
	default:
		return parseErr(kidWhat, ErrControlDigit, "algorithm must be MOD10 or MOD11")
	}
	if last != want {
		return parseErr(kidWhat, ErrControlDigit, alg.String())
	}
	return nil
}

// ParseKID checks s as a KID under both algorithms and reports which it is
// valid under (MOD10, MOD11, or both). Surrounding space is ignored.
func ParseKID(s string) (KID, KIDAlgorithm, error) {
	s = strings.TrimSpace(s)
	if err := kidShape(s); err != nil {
		return "", 0, err
	}
	var algs KIDAlgorithm
	for _, a := range []KIDAlgorithm{MOD10, MOD11} {
		if CheckKID(s, a) == nil {
			algs |= a
		}
	}
	if algs == 0 {
		return "", 0, parseErr(kidWhat, ErrControlDigit, "neither MOD10 nor MOD11")
	}
	return KID(s), algs, nil
}

// kidShape checks the length and that all but a final '-' are digits.
func kidShape(s string) error {
	if len(s) < MinKIDLength || len(s) > MaxKIDLength {
		return parseErr(kidWhat, ErrLength, "want 2-25 characters, got "+strconv.Itoa(len(s)))
	}
	body := s
	if s[len(s)-1] == '-' {
		body = s[:len(s)-1]
	}
	return allDigits(kidWhat, body)
}

func allDigits(what, s string) error {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return parseErr(what, ErrNonDigit, "position "+strconv.Itoa(i+1))
		}
	}
	return nil
}

// mod10 is the Luhn check digit of base: from the right, every other digit
// doubled (the rightmost first), digits of the products summed.
func mod10(base string) byte {
	sum := 0
	double := true
	for i := len(base) - 1; i >= 0; i-- {
		v := int(base[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// mod11 is the MOD11 check digit of base: weights 2,3,4,5,6,7 repeating from
// the right; remainder 0 gives '0', remainder 1 gives '-'.
func mod11(base string) byte {
	sum := 0
	w := 2
	for i := len(base) - 1; i >= 0; i-- {
		sum += int(base[i]-'0') * w
		w++
		if w > 7 {
			w = 2
		}
	}
	switch r := sum % 11; r {
	case 0:
		return '0'
	case 1:
		return '-'
	default:
		return byte('0' + 11 - r)
	}
}
