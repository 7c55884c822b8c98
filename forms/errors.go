package forms

import (
	"errors"
	"net/http"
)

// ErrNoStore is returned where a call needs a Store to write to and was
// given none (Definition.Submit, DraftExpiry).
var ErrNoStore = errors.New("forms: no store")

// statuses maps the package's errors to HTTP, most specific first.
var statuses = []struct {
	err    error
	status int
	code   string
}{
	{ErrAlreadySubmitted, http.StatusConflict, "already_submitted"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrFileNotFound, http.StatusNotFound, "file_not_found"},
	{ErrNotFound, http.StatusNotFound, "not_found"},
	{ErrDraftVersion, http.StatusGone, "draft_version"},
	{ErrWrongForm, http.StatusGone, "wrong_form"},
	{ErrFileTooLarge, http.StatusRequestEntityTooLarge, "file_too_large"},
	{ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{ErrBadData, http.StatusBadRequest, "bad_data"},
	{ErrBadPost, http.StatusBadRequest, "bad_post"},
	{ErrInvalidText, http.StatusBadRequest, "invalid_text"},
}

// HTTPStatus maps an error of this package to an HTTP status and a stable
// lower-case code, for a service's own handlers and logs: ErrNotFound is
// (404, "not_found"), ErrAlreadySubmitted (409, "already_submitted"), a
// *VersionError (410, "draft_version"), a FieldError (422, "invalid").
// A nil error is (200, ""); any other error is (500, "internal"). Flow
// answers with the same statuses.
func HTTPStatus(err error) (status int, code string) {
	if err == nil {
		return http.StatusOK, ""
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.status, s.code
		}
	}
	var fe FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, "invalid"
	}
	return http.StatusInternalServerError, "internal"
}
