// Package money holds sums of money in Norwegian kroner, as whole øre.
//
// An [Amount] is an int64 count of øre: no float ever touches money. Fees,
// prices, payments and invoices in every grunnmur package are Amounts.
//
//	fee := money.Kroner(1500) + 50           // 1 500,50 kr
//	paid, err := money.Parse("1 500,50 kr")  // the same Amount
//	fmt.Println(fee == paid, fee)            // true 1 500,50 kr
//
// To show an amount in the citizen's language, use i18n.Lang.Amount.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/internal/numfmt"
)

// Amount is a sum of money in øre (1/100 krone).
type Amount int64

// Kroner returns an Amount of whole kroner.
func Kroner(kr int64) Amount { return Amount(kr * 100) }

// Ore returns the amount as a count of øre.
func (a Amount) Ore() int64 { return int64(a) }

// String formats the amount as a reader of Norwegian sees it: "1 500,00 kr".
func (a Amount) String() string { return numfmt.Kroner(int64(a), false) }

// ErrSyntax is returned by [Parse] for text that is not an amount.
var ErrSyntax = errors.New("money: not an amount in kroner")

// Parse reads an amount in kroner as people write it: "1500", "1 500,50",
// "1500.5", "kr 1 500,00", "1 500,00 kr", "NOK 1,500.00". The comma is the
// decimal mark, as in Norwegian, unless the text also has a decimal point
// ("1,500.00"). More than two decimals is an error, never a rounding.
func Parse(s string) (Amount, error) {
	orig := s
	s = strings.TrimSpace(s)
	for _, affix := range []string{"NOK", "kr.", "kr"} { // "kr." before "kr"
		s = strings.TrimSpace(strings.TrimPrefix(s, affix))
		s = strings.TrimSpace(strings.TrimSuffix(s, affix))
	}
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	} else if rest, ok := strings.CutPrefix(s, "−"); ok {
		neg, s = true, rest
	}
	// Drop grouping spaces (plain, no-break and narrow no-break).
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if strings.Contains(s, ".") && strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ",", "") // "1,500.00": the comma groups thousands
	}
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || len(frac) > 2 || !allDigits(frac))) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, clip(orig))
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("%w: %q is too large", ErrSyntax, clip(orig))
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

// clip keeps an error message short whatever the input was.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
