package ident

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// Fodselsnummer is an 11-digit Norwegian personal number: a fødselsnummer, a
// D-nummer, or a synthetic H- or Tenor number. Its zero value means "none".
//
// It redacts itself wherever it could leak by accident: String, every fmt
// verb, slog and MarshalJSON all show the birth date part and five stars
// ("010190*****"). Even a struct that holds it in an unexported field prints no
// digits, because the digits are kept masked in memory. Code that must send or
// store the digits calls Reveal, so every such place can be found with grep.
//
// Values are comparable with == and usable as map keys.
type Fodselsnummer struct {
	// x is (number+1) XOR a per-process mask, so that reflection-based
	// printing of a struct that holds the value (fmt's %v of an unexported
	// field) shows no digits. The zero value, x == 0, is "none".
	x uint64
}

// mask hides the digits in memory. Bit 63 is set, so a masked value is never
// 0 (numbers are below 2^37).
var mask = func() uint64 {
	var b [8]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1<<63
}()

// Kind is the set of kinds a personal number belongs to.
type Kind uint8

// The kinds. A number is either KindFnr or KindDnr; KindHnr and KindTnr mark
// the synthetic ones, so a synthetic D-number is KindDnr|KindTnr.
const (
	KindFnr Kind = 1 << iota // ordinary fødselsnummer
	KindDnr                  // D-nummer: 4 added to the first digit
	KindHnr                  // H-nummer, NAV's synthetic numbers: 40 added to the month
	KindTnr                  // Tenor synthetic number: 80 added to the month
)

// Has reports whether k includes every kind in o.
func (k Kind) Has(o Kind) bool { return k&o == o && o != 0 }

// String lists the kinds as the CLI prints them: "fnr", "dnr,tnr".
func (k Kind) String() string {
	var parts []string
	for _, p := range []struct {
		k    Kind
		name string
	}{{KindFnr, "fnr"}, {KindDnr, "dnr"}, {KindHnr, "hnr"}, {KindTnr, "tnr"}} {
		if k&p.k != 0 {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, ",")
}

// Rule is the control-digit rule a number satisfies.
type Rule uint8

const (
	// Rule1964 is the original rule: the first control digit leaves
	// remainder 0.
	Rule1964 Rule = iota + 1
	// Rule2032 is Skatteetaten's rule for numbers issued from 2032: the first
	// control digit may also leave remainder 1, 2 or 3.
	Rule2032
)

func (r Rule) String() string {
	switch r {
	case Rule1964:
		return "1964"
	case Rule2032:
		return "2032"
	}
	return "unknown"
}

const fnrWhat = "fødselsnummer"

var (
	k1Weights = [10]int{3, 7, 6, 1, 8, 9, 4, 5, 2, 1}
	k2Weights = [11]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1}
)

// ParseFodselsnummer checks s as a personal number of any kind and returns it.
// Surrounding space is ignored, as is one space between the date and the
// individual number ("010190 12345"). The error is a *ParseError that says
// why, without the digits.
func ParseFodselsnummer(s string) (Fodselsnummer, error) {
	s = strings.TrimSpace(s)
	if len(s) == 12 && s[6] == ' ' {
		s = s[:6] + s[7:]
	}
	if len(s) != 11 {
		return Fodselsnummer{}, parseErr(fnrWhat, ErrLength, "want 11 digits, got "+strconv.Itoa(len(s)))
	}
	var d [11]byte
	var n uint64
	for i := range 11 {
		c := s[i]
		if c < '0' || c > '9' {
			return Fodselsnummer{}, parseErr(fnrWhat, ErrNonDigit, "position "+strconv.Itoa(i+1))
		}
		d[i] = c - '0'
		n = n*10 + uint64(d[i])
	}
	if _, err := controlRule(&d); err != nil {
		return Fodselsnummer{}, err
	}
	if _, ok := birthDate(&d); !ok {
		return Fodselsnummer{}, parseErr(fnrWhat, ErrDate, "")
	}
	return Fodselsnummer{x: (n + 1) ^ mask}, nil
}

// MustParseFodselsnummer is ParseFodselsnummer for tests and examples: it
// panics on an invalid number. Never use it on outside input.
func MustParseFodselsnummer(s string) Fodselsnummer {
	f, err := ParseFodselsnummer(s)
	if err != nil {
		panic(err)
	}
	return f
}

func controlRule(d *[11]byte) (Rule, error) {
	s1 := 0
	for i, w := range k1Weights {
		s1 += w * int(d[i])
	}
	s2 := 0
	for i, w := range k2Weights {
		s2 += w * int(d[i])
	}
	if s2%11 != 0 {
		return 0, parseErr(fnrWhat, ErrControlDigit, "second control digit")
	}
	switch s1 % 11 {
	case 0:
		return Rule1964, nil
	case 1, 2, 3:
		return Rule2032, nil
	}
	return 0, parseErr(fnrWhat, ErrControlDigit, "first control digit")
}

// fields splits the date part into day, month and two-digit year, with the
// D-, H- and Tenor offsets removed, and the kinds they showed.
func fields(d *[11]byte) (day, month, yy int, kind Kind) {
	day = int(d[0])*10 + int(d[1])
	month = int(d[2])*10 + int(d[3])
	yy = int(d[4])*10 + int(d[5])
	kind = KindFnr
	if day > 40 {
		day -= 40
		kind = KindDnr
	}
	switch {
	case month > 80:
		month -= 80
		kind |= KindTnr
	case month > 40:
		month -= 40
		kind |= KindHnr
	}
	return day, month, yy, kind
}

// century returns the century the individual number gives the year, by
// Skatteetaten's ranges, or 0 where the ranges give none.
func century(individual, yy int) int {
	switch {
	case individual <= 499:
		return 1900
	case individual <= 749 && yy >= 54:
		return 1800
	case yy <= 39:
		return 2000 // 500-999
	case individual >= 900:
		return 1900 // 900-999 with year 40-99
	}
	return 0
}

// birthDate returns the date of birth: in the century the individual number
// gives when the date is real there, else in the first century where it is.
// From 2032 the individual number no longer tells the century, so a number is
// valid when its date is real in some century (29 February in year 00 is then
// valid: 2000 was a leap year). This is what Skatteetaten's test vectors ask.
func birthDate(d *[11]byte) (civil.Date, bool) {
	day, month, yy, _ := fields(d)
	individual := int(d[6])*100 + int(d[7])*10 + int(d[8])
	centuries := [4]int{century(individual, yy), 1900, 2000, 1800}
	for _, c := range centuries {
		if c == 0 {
			continue
		}
		if date := (civil.Date{Year: c + yy, Month: time.Month(month), Day: day}); date.IsValid() {
			return date, true
		}
	}
	return civil.Date{}, false
}

func (f Fodselsnummer) digits() (d [11]byte) {
	n := (f.x ^ mask) - 1
	for i := 10; i >= 0; i-- {
		d[i] = byte(n % 10)
		n /= 10
	}
	return d
}

// IsZero reports whether f is the zero value, "no number".
func (f Fodselsnummer) IsZero() bool { return f.x == 0 }

// Reveal returns the 11 digits. It is the one way to get them out: call it
// only where the digits must go to an API payload or a database column.
func (f Fodselsnummer) Reveal() string {
	if f.IsZero() {
		return ""
	}
	d := f.digits()
	var b [11]byte
	for i := range d {
		b[i] = '0' + d[i]
	}
	return string(b[:])
}

// String returns the redacted form: the date part and five stars,
// "010190*****". The zero value gives "".
func (f Fodselsnummer) String() string {
	if f.IsZero() {
		return ""
	}
	d := f.digits()
	var b [11]byte
	for i := range d {
		if i < 6 {
			b[i] = '0' + d[i]
		} else {
			b[i] = '*'
		}
	}
	return string(b[:])
}

// Format prints the redacted form for every verb, so that %v, %+v, %#v, %s,
// %q, %d and %x cannot show the digits.
func (f Fodselsnummer) Format(s fmt.State, verb rune) {
	switch {
	case verb == 'q':
		fmt.Fprintf(s, "%q", f.String())
	case verb == 'v' && s.Flag('#'):
		fmt.Fprintf(s, "ident.Fodselsnummer(%q)", f.String())
	default:
		io.WriteString(s, f.String())
	}
}

// LogValue makes slog log the redacted form with every handler.
func (f Fodselsnummer) LogValue() slog.Value { return slog.StringValue(f.String()) }

// MarshalJSON writes the redacted form, so that a struct holding a number can
// be logged or dumped as JSON safely. An API payload or a stored document that
// needs the digits must put Reveal() in a string field of its own; this is
// why MarshalJSON and UnmarshalJSON are not each other's inverse.
func (f Fodselsnummer) MarshalJSON() ([]byte, error) {
	return json.Marshal(f.String())
}

// UnmarshalJSON accepts the digits as a JSON string (or null or "" for the
// zero value), for decoding API responses. A redacted value is refused.
func (f *Fodselsnummer) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Fodselsnummer{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return parseErr(fnrWhat, ErrNonDigit, "not a JSON string")
	}
	if s == "" {
		*f = Fodselsnummer{}
		return nil
	}
	v, err := ParseFodselsnummer(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Kinds returns the kinds of the number: KindFnr or KindDnr, with KindHnr or
// KindTnr for a synthetic one.
func (f Fodselsnummer) Kinds() Kind {
	if f.IsZero() {
		return 0
	}
	d := f.digits()
	_, _, _, k := fields(&d)
	return k
}

// Synthetic reports whether f is a synthetic test number (H- or Tenor number).
// Production systems should refuse them; test environments use only them.
func (f Fodselsnummer) Synthetic() bool { return f.Kinds()&(KindHnr|KindTnr) != 0 }

// Rule returns the control-digit rule the number satisfies.
func (f Fodselsnummer) Rule() Rule {
	if f.IsZero() {
		return 0
	}
	d := f.digits()
	r, _ := controlRule(&d)
	return r
}

// BirthDate returns the date of birth as best it can be told: the century
// comes from the individual number, which numbers issued from 2032 no longer
// tie to the year. The zero Fodselsnummer gives the zero Date. There is
// deliberately no gender function: numbers issued from 2032 carry none.
func (f Fodselsnummer) BirthDate() civil.Date {
	if f.IsZero() {
		return civil.Date{}
	}
	d := f.digits()
	date, _ := birthDate(&d) // a parsed number's date is real
	return date
}

// Synthetic returns a Tenor-style synthetic number (80 added to the month) for
// a person born on the given date, with valid control digits under the 1964
// rule. n picks among the valid individual numbers of that date (0 is the
// first), so that a fake can mint many distinct persons per date. Birth years
// 1900-2039 are supported.
func Synthetic(birth civil.Date, n int) (Fodselsnummer, error) {
	if !birth.IsValid() {
		return Fodselsnummer{}, errors.New("ident: synthetic number: the birth date does not exist")
	}
	y := birth.Year
	var lo, hi int
	switch {
	case y >= 1900 && y <= 1999:
		lo, hi = 0, 499
	case y >= 2000 && y <= 2039:
		lo, hi = 500, 999
	default:
		return Fodselsnummer{}, fmt.Errorf("ident: synthetic number: birth year %d outside 1900-2039", y)
	}
	if n < 0 {
		return Fodselsnummer{}, fmt.Errorf("ident: synthetic number: negative index %d", n)
	}
	var d [11]byte
	put2 := func(i, v int) { d[i], d[i+1] = byte(v/10), byte(v%10) }
	put2(0, birth.Day)
	put2(2, int(birth.Month)+80)
	put2(4, y%100)
	for ind := lo; ind <= hi; ind++ {
		d[6], d[7], d[8] = byte(ind/100), byte(ind/10%10), byte(ind%10)
		k1 := checkDigit(d[:9], k1Weights[:9])
		if k1 < 0 {
			continue
		}
		d[9] = byte(k1)
		k2 := checkDigit(d[:10], k2Weights[:10])
		if k2 < 0 {
			continue
		}
		d[10] = byte(k2)
		if n > 0 {
			n--
			continue
		}
		var num uint64
		for _, c := range d {
			num = num*10 + uint64(c)
		}
		return Fodselsnummer{x: (num + 1) ^ mask}, nil
	}
	return Fodselsnummer{}, fmt.Errorf("ident: synthetic number: index beyond the valid individual numbers of the date")
}

// checkDigit is the MOD11 check digit of d under weights, or -1 when the
// remainder leaves none (the value would be 10).
func checkDigit(d []byte, weights []int) int {
	s := 0
	for i, w := range weights {
		s += w * int(d[i])
	}
	k := 11 - s%11
	switch k {
	case 11:
		return 0
	case 10:
		return -1
	}
	return k
}
