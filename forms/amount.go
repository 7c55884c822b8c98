package forms

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/grunnmur/grunnmur/money"
)

// An amount field holds kroner with at most two decimals. It is read into a
// money.Amount exactly, from its decimal text, and never through a float:
// 0.1 + 0.2 kroner is 30 øre.

// maxAmountDigits bounds an amount's whole kroner, as money.Parse does.
const maxAmountDigits = 15

// amountOf reads an amount field's value: a JSON number, or text as a
// citizen types it ("1 500,50", "1500.5", "kr 1 500"). problem is "" for an
// amount, CodeDecimals for a number with more than two decimals and CodeType
// for anything else.
func amountOf(x any) (a money.Amount, problem string) {
	var s string
	switch x := x.(type) {
	case json.Number:
		s = string(x)
	case string:
		if a, err := money.Parse(x); err == nil {
			return a, ""
		}
		s = strings.Replace(stripSpaces(x), ",", ".", 1)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return 0, CodeType
		}
		// The shortest text that reads back as x: what the JSON said.
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return 0, CodeType
	}
	ore, problem := decimalOre(s)
	return money.Amount(ore), problem
}

// decimalOre reads a decimal number as JSON writes one ("-12.5", "1.5e3")
// as øre, exactly: the digits are shifted, never multiplied as floats.
func decimalOre(s string) (int64, string) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e < -1000 || e > 1000 {
			return 0, CodeType
		}
		mant, exp = s[:i], e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := whole + frac
	if digits == "" || !allDigits(digits) || strings.Contains(frac, ".") {
		return 0, CodeType
	}
	// The øre are the digits up to two places after the decimal point.
	point := len(whole) + exp + 2
	digits = strings.TrimLeft(digits, "0")
	point -= len(whole+frac) - len(digits)
	if digits == "" {
		return 0, ""
	}
	if point < len(digits) {
		if strings.Trim(digits[max(point, 0):], "0") != "" {
			return 0, CodeDecimals
		}
		digits = digits[:max(point, 0)]
	}
	if point > maxAmountDigits+2 {
		return 0, CodeType
	}
	digits += strings.Repeat("0", point-len(digits))
	ore, err := strconv.ParseInt("0"+digits, 10, 64)
	if err != nil {
		return 0, CodeType
	}
	if neg {
		ore = -ore
	}
	return ore, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// kronerNumber writes an amount as the JSON number of kroner a submission
// keeps: 1500, 1500.5, -0.05.
func kronerNumber(a money.Amount) json.Number {
	ore := a.Ore()
	sign := ""
	u := uint64(ore)
	if ore < 0 {
		sign, u = "-", uint64(-(ore+1))+1
	}
	s := sign + strconv.FormatUint(u/100, 10)
	if r := u % 100; r != 0 {
		s += strings.TrimRight("."+strconv.FormatUint(100+r, 10)[1:], "0")
	}
	return json.Number(s)
}

// amountLimit reads a definition's min or max for an amount field, which
// must be whole øre.
func amountLimit(f *float64) (*money.Amount, bool) {
	if f == nil {
		return nil, true
	}
	a, problem := amountOf(*f)
	if problem != "" {
		return nil, false
	}
	return &a, true
}
