package payment

import (
	"errors"
	"net/http"
)

// statuses maps the package's errors to an HTTP status and a stable code,
// most specific first: ErrInvalidText is also an ErrInvalid, and Start's
// conflict with another provider is both ErrConflict and ErrOtherProvider.
var statuses = []struct {
	err    error
	status int
	code   string
}{
	{ErrInvalidText, http.StatusBadRequest, "invalid_text"},
	{ErrInvalid, http.StatusBadRequest, "invalid"},
	{ErrUncertain, http.StatusServiceUnavailable, "outcome_uncertain"},
	{ErrInProgress, http.StatusConflict, "in_progress"},
	{ErrOtherProvider, http.StatusConflict, "other_provider"},
	{ErrInvalidTransition, http.StatusConflict, "invalid_transition"},
	{ErrNotFound, http.StatusNotFound, "not_found"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrRejected, http.StatusUnprocessableEntity, "rejected"},
	{ErrNotSupported, http.StatusUnprocessableEntity, "not_supported"},
}

// HTTPStatus maps an error of this package (or of a Provider, which matches
// these sentinels) to the HTTP status and the stable, lower-case code a
// handler answers with:
//
//	invalid, invalid_text                          400
//	not_found                                      404
//	conflict, in_progress, other_provider,
//	invalid_transition                             409
//	rejected, not_supported                        422
//	outcome_uncertain (retrying is safe)           503
//
// Any other error is (500, "internal"); nil is (200, "").
func HTTPStatus(err error) (status int, code string) {
	if err == nil {
		return http.StatusOK, ""
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.status, s.code
		}
	}
	return http.StatusInternalServerError, "internal"
}
