package payment

import (
	"fmt"
	"strconv"
	"strings"
)

// Amount is a sum of money in øre (1/100 krone). It is an integer on purpose:
// no float ever touches money in this package.
type Amount int64

// Kroner returns an Amount of whole kroner.
func Kroner(kr int64) Amount { return Amount(kr * 100) }

// Ore returns the amount as a count of øre.
func (a Amount) Ore() int64 { return int64(a) }

// String formats the amount as a citizen reading Norwegian sees it:
// "1 500,00 kr".
func (a Amount) String() string { return a.Display("nb") }

// Display formats the amount for a language: "1 500,00 kr" for nb and nn,
// "NOK 1,500.00" for en. An unknown language gets the nb form.
func (a Amount) Display(lang string) string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-(a + 1)) + 1 // safe for math.MinInt64
	}
	kr, ore := u/100, u%100
	var b strings.Builder
	switch lang {
	case "en":
		b.WriteString("NOK ")
		if neg {
			b.WriteByte('-')
		}
		b.WriteString(group(kr, ','))
		b.WriteByte('.')
		fmt.Fprintf(&b, "%02d", ore)
	default:
		if neg {
			b.WriteByte('-')
		}
		b.WriteString(group(kr, ' '))
		b.WriteByte(',')
		fmt.Fprintf(&b, "%02d", ore)
		b.WriteString(" kr")
	}
	return b.String()
}

// group writes n with sep between groups of three digits.
func group(n uint64, sep byte) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// ParseAmount reads an amount in kroner as people write it: "1500", "1 500,50",
// "1500.5", "kr 1 500,00", "1 500,00 kr", "NOK 1,500.00". A comma followed by
// exactly three digits is read as a thousands separator only in the en form
// (with a decimal point); otherwise the comma is the decimal mark, as in
// Norwegian. More than two decimals is an error, never a rounding.
func ParseAmount(s string) (Amount, error) {
	orig := s
	s = strings.TrimSpace(s)
	for _, affix := range []string{"NOK", "kr", "kr."} {
		s = strings.TrimSpace(strings.TrimPrefix(s, affix))
		s = strings.TrimSpace(strings.TrimSuffix(s, affix))
	}
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	}
	// Drop grouping spaces (plain, no-break and narrow no-break).
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if strings.Contains(s, ".") && strings.Contains(s, ",") {
		// "1,500.00": the comma groups thousands.
		s = strings.ReplaceAll(s, ",", "")
	}
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || len(frac) > 2 || !allDigits(frac))) {
		return 0, fmt.Errorf("%w: %q is not an amount in kroner", ErrInvalid, orig)
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("%w: %q is too large", ErrInvalid, orig)
	}
	kr, _ := strconv.ParseInt(whole, 10, 64)
	var ore int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		ore, _ = strconv.ParseInt(frac, 10, 64)
	}
	a := Amount(kr*100 + ore)
	if neg {
		a = -a
	}
	return a, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
