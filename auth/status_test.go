package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/oauth"
)

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{nil, 200, ""},
		{auth.ErrNoSession, 401, "not_logged_in"},
		{fmt.Errorf("wrapped: %w", auth.ErrNotFound), 401, "not_logged_in"},
		{auth.ErrCSRF, 403, "csrf"},
		{&oauth.Error{Provider: "idporten", Code: oauth.CodeAccessDenied}, 403, "access_denied"},
		{&http.MaxBytesError{Limit: 10}, 413, "body_too_large"},
		{auth.ErrValueKey, 400, "invalid_value"},
		{auth.ErrInvalidText, 400, "invalid_value"},
		{auth.ErrValueTooLarge, 422, "value_too_large"},
		{&oauth.Error{Provider: "idporten", Status: 503, Code: "server_error"}, 503, "provider_unavailable"},
		{&oauth.Error{Provider: "idporten", Err: errors.New("connection refused")}, 503, "provider_unavailable"},
		{fmt.Errorf("%w: 500", idporten.ErrDiscovery), 503, "provider_unavailable"},
		{&oauth.Error{Provider: "idporten", Status: 400, Code: oauth.CodeInvalidGrant}, 401, "login_failed"},
		{&oauth.Error{Provider: "idporten", Err: context.Canceled}, 401, "login_failed"},
		{&idporten.ValidationError{Check: "aud", Err: idporten.ErrAudience}, 401, "login_failed"},
		{idporten.ErrStateMismatch, 401, "login_failed"},
		{fmt.Errorf("x: %w", idporten.ErrIssuerMismatch), 401, "login_failed"},
		{idporten.ErrConfig, 500, "internal"},
		{auth.ErrConflict, 500, "internal"},
		{errors.New("disk on fire"), 500, "internal"},
	} {
		status, code := auth.HTTPStatus(tc.err)
		if status != tc.status || code != tc.code {
			t.Errorf("HTTPStatus(%v) = %d %q, want %d %q", tc.err, status, code, tc.status, tc.code)
		}
	}
}
