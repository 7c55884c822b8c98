// Package errmap is the one way grunnmur's domain packages map an error to
// the HTTP status and stable code of their HTTPStatus functions.
//
//	var statuses = errmap.Table{
//		errmap.E(ErrNotFound, http.StatusNotFound, "not_found"),
//		errmap.E(ErrInvalid, http.StatusBadRequest, "invalid"),
//	}
//
//	func HTTPStatus(err error) (int, string) { return statuses.Lookup(err) }
package errmap

import (
	"errors"
	"net/http"
)

// Entry maps one sentinel to a status and a code.
type Entry struct {
	Err    error
	Status int
	Code   string
}

// E returns the Entry mapping err to status and code.
func E(err error, status int, code string) Entry { return Entry{Err: err, Status: status, Code: code} }

// Table is searched in order: the first entry err matches (errors.Is) wins.
type Table []Entry

// Internal is the code of an error no table knows.
const Internal = "internal"

// Lookup maps err: nil gives (200, ""), an error no entry matches (500,
// "internal").
func (t Table) Lookup(err error) (status int, code string) {
	if err == nil {
		return http.StatusOK, ""
	}
	if s, c, ok := t.Find(err); ok {
		return s, c
	}
	return http.StatusInternalServerError, Internal
}

// Find reports the first entry err matches, for a package that maps more
// than sentinels after the table.
func (t Table) Find(err error) (status int, code string, ok bool) {
	for _, e := range t {
		if errors.Is(err, e.Err) {
			return e.Status, e.Code, true
		}
	}
	return 0, "", false
}
