package forms

import (
	"errors"
	"net/http"

	"github.com/grunnmur/grunnmur/internal/errmap"
)

// ErrNoStore is returned where a call needs a Store to write to and was
// given none (Definition.Submit, DraftExpiry).
var ErrNoStore = errors.New("forms: no store")

// statuses maps the package's errors to HTTP, most specific first.
var statuses = errmap.Table{
	errmap.E(ErrAlreadySubmitted, http.StatusConflict, "already_submitted"),
	errmap.E(ErrConflict, http.StatusConflict, "conflict"),
	errmap.E(ErrFileNotFound, http.StatusNotFound, "file_not_found"),
	errmap.E(ErrNotFound, http.StatusNotFound, "not_found"),
	errmap.E(ErrDraftVersion, http.StatusGone, "draft_version"),
	errmap.E(ErrWrongForm, http.StatusGone, "wrong_form"),
	errmap.E(ErrFileTooLarge, http.StatusRequestEntityTooLarge, "file_too_large"),
	errmap.E(ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"),
	errmap.E(ErrBadData, http.StatusBadRequest, "bad_data"),
	errmap.E(ErrBadPost, http.StatusBadRequest, "bad_post"),
	errmap.E(ErrInvalidText, http.StatusBadRequest, "invalid_text"),
}

// HTTPStatus maps an error of this package to an HTTP status and a stable
// lower-case code, for a service's own handlers and logs: ErrNotFound is
// (404, "not_found"), ErrAlreadySubmitted (409, "already_submitted"), a
// *VersionError (410, "draft_version"), a FieldError (422, "invalid").
// A nil error is (200, ""); any other error is (500, "internal"). Flow
// answers with the same statuses.
func HTTPStatus(err error) (status int, code string) {
	var fe FieldError
	if _, _, ok := statuses.Find(err); !ok && errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, "invalid"
	}
	return statuses.Lookup(err)
}
