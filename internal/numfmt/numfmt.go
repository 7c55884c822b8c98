// Package numfmt formats numbers the way money and i18n both need, so that
// the two write an amount alike.
package numfmt

import (
	"strconv"
	"strings"
)

// Kroner formats øre as "1 500,00 kr", or as "NOK 1,500.00" when en is set.
// It is exact for every int64, math.MinInt64 included.
func Kroner(ore int64, en bool) string {
	neg := ore < 0
	u := uint64(ore)
	if neg {
		u = uint64(-(ore + 1)) + 1
	}
	kr, rest := u/100, u%100
	var b strings.Builder
	if en {
		b.WriteString("NOK ")
	}
	if neg {
		b.WriteByte('-')
	}
	sep, dec := byte(' '), byte(',')
	if en {
		sep, dec = ',', '.'
	}
	b.WriteString(Group(kr, sep))
	b.WriteByte(dec)
	if rest < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatUint(rest, 10))
	if !en {
		b.WriteString(" kr")
	}
	return b.String()
}

// Group writes n with sep between groups of three digits: 1500000 → "1 500 000".
func Group(n uint64, sep byte) string {
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
