package payment

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"
)

// OCRError is a line of an OCR Giro file that does not parse. It matches
// ErrInvalid.
type OCRError struct {
	Line   int
	Reason string
}

func (e *OCRError) Error() string {
	return fmt.Sprintf("payment: OCR file line %d: %s", e.Line, e.Reason)
}

func (e *OCRError) Unwrap() error { return ErrInvalid }

// ParseOCR reads a Nets OCR Giro file (the bank's report of payments with KID:
// 80-character "NY" records) and returns its incoming payments, in file order.
// Each payment's BankReference is built from the settlement date, the bank's
// archive reference and the transaction number, so registering the same file
// twice books each payment once. Start and end records are checked for shape
// and otherwise skipped.
func ParseOCR(r io.Reader) ([]IncomingPayment, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 128), 1024)
	var (
		out     []IncomingPayment
		pending *IncomingPayment
		pendNo  string
		pendAt  int
		line    int
	)
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if s == "" {
			continue
		}
		if len(s) != 80 {
			return nil, &OCRError{line, fmt.Sprintf("a record is 80 characters, this one %d", len(s))}
		}
		if !isASCII(s) || s[:2] != "NY" {
			return nil, &OCRError{line, `a record starts with "NY" and is plain ASCII`}
		}
		service, typ := s[2:4], s[6:8]
		if service != "09" {
			if service == "00" {
				continue // transmission start and end
			}
			return nil, &OCRError{line, "service code " + strconv.Quote(service) + " is not OCR Giro (09)"}
		}
		switch typ {
		case "20", "88":
			continue // assignment start and end
		case "30":
			if pending != nil {
				return nil, &OCRError{pendAt, "amount item 1 without its item 2"}
			}
			item, err := ocrAmountItem1(line, s)
			if err != nil {
				return nil, err
			}
			pending, pendNo, pendAt = item, s[8:15], line
		case "31":
			if pending == nil || s[8:15] != pendNo {
				return nil, &OCRError{line, "amount item 2 without its item 1"}
			}
			archive := strings.TrimSpace(s[25:34])
			if archive == "" {
				archive = "0"
			}
			if d, err := ocrDate(s[41:47]); err == nil {
				pending.Date = d // the payer's bank date, when given
			}
			pending.BankReference = pending.Date.Format("20060102") + "-" + archive + "-" + pendNo
			out = append(out, *pending)
			pending = nil
		case "32":
			// amount item 3 (free text); nothing to book.
		default:
			return nil, &OCRError{line, "record type " + strconv.Quote(typ) + " is not an OCR Giro record"}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &OCRError{line + 1, err.Error()}
	}
	if pending != nil {
		return nil, &OCRError{pendAt, "amount item 1 without its item 2"}
	}
	return out, nil
}

// ocrAmountItem1 reads an amount item 1 record: the transaction number,
// settlement date, amount and KID.
func ocrAmountItem1(line int, s string) (*IncomingPayment, error) {
	no := s[8:15]
	date, err := ocrDate(s[15:21])
	if err != nil || !allDigits(no) {
		return nil, &OCRError{line, "transaction number or settlement date is not digits"}
	}
	if s[31] != '0' && s[31] != '-' {
		return nil, &OCRError{line, "the sign is neither '0' nor '-'"}
	}
	amt := s[32:49]
	if !allDigits(amt) {
		return nil, &OCRError{line, "the amount is not 17 digits"}
	}
	n, _ := strconv.ParseInt(amt, 10, 64)
	if s[31] == '-' {
		n = -n
	}
	kid := strings.TrimLeft(s[49:74], " ")
	if kid == "" || strings.ContainsAny(kid, " ") || !allDigits(strings.TrimSuffix(kid, "-")) {
		return nil, &OCRError{line, "the KID is not digits, right-aligned"}
	}
	return &IncomingPayment{KID: kid, Amount: money.Amount(n), Date: date}, nil
}

func ocrDate(s string) (time.Time, error) {
	if !allDigits(s) || s == "000000" {
		return time.Time{}, fmt.Errorf("no date")
	}
	return time.ParseInLocation("020106", s, civil.Oslo)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
