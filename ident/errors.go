package ident

import (
	"errors"
	"fmt"
)

// Sentinels for the reasons an identifier is refused. A *ParseError unwraps to
// one of them, so callers branch with errors.Is.
var (
	ErrLength       = errors.New("ident: wrong length")
	ErrNonDigit     = errors.New("ident: not only digits")
	ErrControlDigit = errors.New("ident: wrong control digit")
	ErrDate         = errors.New("ident: not a real date")
)

// ParseError says why an identifier was refused. It never holds the input:
// the input may be a fødselsnummer, and an error string ends up in logs.
type ParseError struct {
	What   string // "fødselsnummer", "organisasjonsnummer", "kontonummer" or "KID"
	Err    error  // ErrLength, ErrNonDigit, ErrControlDigit or ErrDate
	Detail string // more about the reason, without the input's digits
}

func (e *ParseError) Error() string {
	msg := "ident: invalid " + e.What + ": " + reasonText(e.Err)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func (e *ParseError) Unwrap() error { return e.Err }

func reasonText(err error) string {
	switch err {
	case ErrLength:
		return "wrong length"
	case ErrNonDigit:
		return "not only digits"
	case ErrControlDigit:
		return "wrong control digit"
	case ErrDate:
		return "not a real date"
	}
	return fmt.Sprint(err)
}

func parseErr(what string, err error, detail string) *ParseError {
	return &ParseError{What: what, Err: err, Detail: detail}
}

// Reason returns a short English reason for err, as the CLI prints it:
// "wrong length (want 11 digits, got 10)".
func Reason(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		r := reasonText(pe.Err)
		if pe.Detail != "" {
			r += " (" + pe.Detail + ")"
		}
		return r
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
