package auth

import (
	"errors"
	"net/http"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/oauth"
)

// HTTPStatus maps err to the HTTP status a handler answers with and a
// stable, lower-case code:
//
//	ErrNoSession, ErrNotFound             401 not_logged_in
//	ErrCSRF                               403 csrf
//	oauth.ErrAccessDenied                 403 access_denied (the person cancelled)
//	*http.MaxBytesError                   413 body_too_large
//	ErrValueKey, ErrInvalidText           400 invalid_value
//	ErrValueTooLarge                      422 value_too_large
//	an *oauth.Error that is Temporary,
//	idporten.ErrDiscovery                 503 provider_unavailable
//	any other *oauth.Error, a failed
//	id_token check, a state or issuer
//	mismatch                              401 login_failed
//
// nil gives (200, ""); any other error, idporten.ErrConfig included,
// (500, "internal"). The Manager's own handlers answer a failed login with
// it.
func HTTPStatus(err error) (status int, code string) {
	var (
		mbe *http.MaxBytesError
		oe  *oauth.Error
		ve  *idporten.ValidationError
	)
	switch {
	case err == nil:
		return http.StatusOK, ""
	case errors.Is(err, ErrNoSession), errors.Is(err, ErrNotFound):
		return http.StatusUnauthorized, "not_logged_in"
	case errors.Is(err, ErrCSRF):
		return http.StatusForbidden, "csrf"
	case errors.Is(err, oauth.ErrAccessDenied):
		return http.StatusForbidden, "access_denied"
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "body_too_large"
	case errors.Is(err, ErrValueKey), errors.Is(err, ErrInvalidText):
		return http.StatusBadRequest, "invalid_value"
	case errors.Is(err, ErrValueTooLarge):
		return http.StatusUnprocessableEntity, "value_too_large"
	case errors.As(err, &oe) && oe.Temporary(), errors.Is(err, idporten.ErrDiscovery):
		return http.StatusServiceUnavailable, "provider_unavailable"
	case oe != nil, errors.As(err, &ve), errors.Is(err, idporten.ErrStateMismatch),
		errors.Is(err, idporten.ErrIssuerMismatch), errors.Is(err, idporten.ErrUserinfoSubject),
		errors.Is(err, idporten.ErrLogout):
		return http.StatusUnauthorized, "login_failed"
	}
	return http.StatusInternalServerError, "internal"
}
