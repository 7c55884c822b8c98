package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/grunnmur/grunnmur/internal/text"
)

// Address errors. They never hold the address itself.
var (
	// ErrInvalidPhone is a phone number that does not parse, is not a valid
	// number, or cannot take SMS (a fixed line).
	ErrInvalidPhone = errors.New("notify: invalid phone number")
	// ErrInvalidEmail is an e-mail address that does not parse.
	ErrInvalidEmail = errors.New("notify: invalid e-mail address")
)

// ParsePhone reads a mobile number as people and KRR write it (91234567,
// +47 912 34 567, 0047 91234567), Norwegian unless it has a country code, and
// returns it in E.164 form: +4791234567. A number that is not valid for its
// country, or is a fixed line that cannot take SMS, is ErrInvalidPhone. The
// error says why, never the number.
func ParsePhone(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 || !text.Valid(s) {
		return Address{}, fmt.Errorf("%w: empty or not a number", ErrInvalidPhone)
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, "NO")
	if err != nil {
		return Address{}, fmt.Errorf("%w: does not parse", ErrInvalidPhone)
	}
	if !phonenumbers.IsValidNumber(n) {
		return Address{}, fmt.Errorf("%w: not a valid number for its country", ErrInvalidPhone)
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return Address{}, fmt.Errorf("%w: not a mobile number", ErrInvalidPhone)
	}
	return NewAddress(phonenumbers.Format(n, phonenumbers.E164)), nil
}

// ParseEmail reads one bare e-mail address (ola@example.no, no display name)
// and returns it trimmed, or ErrInvalidEmail.
func ParseEmail(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || !text.Valid(s) || strings.ContainsAny(s, "<>\r\n") {
		return Address{}, fmt.Errorf("%w: empty, too long or not a bare address", ErrInvalidEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return Address{}, fmt.Errorf("%w: does not parse as a bare address", ErrInvalidEmail)
	}
	return NewAddress(s), nil
}

// ParseAddress reads an address for channel c: ParsePhone for SMS,
// ParseEmail for e-mail.
func ParseAddress(c Channel, s string) (Address, error) {
	if c == SMS {
		return ParsePhone(s)
	}
	return ParseEmail(s)
}
