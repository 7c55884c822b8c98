package payment

import (
	"net/http"

	"github.com/grunnmur/grunnmur/internal/errmap"
)

// statuses maps the package's errors to an HTTP status and a stable code,
// most specific first: ErrInvalidText is also an ErrInvalid, and Start's
// conflict with another provider is both ErrConflict and ErrOtherProvider.
var statuses = errmap.Table{
	errmap.E(ErrInvalidText, http.StatusBadRequest, "invalid_text"),
	errmap.E(ErrInvalid, http.StatusBadRequest, "invalid"),
	errmap.E(ErrUncertain, http.StatusServiceUnavailable, "outcome_uncertain"),
	errmap.E(ErrInProgress, http.StatusConflict, "in_progress"),
	errmap.E(ErrOtherProvider, http.StatusConflict, "other_provider"),
	errmap.E(ErrInvalidTransition, http.StatusConflict, "invalid_transition"),
	errmap.E(ErrNotFound, http.StatusNotFound, "not_found"),
	errmap.E(ErrConflict, http.StatusConflict, "conflict"),
	errmap.E(ErrRejected, http.StatusUnprocessableEntity, "rejected"),
	errmap.E(ErrNotSupported, http.StatusUnprocessableEntity, "not_supported"),
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
	return statuses.Lookup(err)
}
