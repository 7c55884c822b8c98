package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth/oauth"
)

// An *Error matches the sentinel of its code with errors.Is, and only that
// one, so that a caller need not compare codes.
func TestErrorSentinels(t *testing.T) {
	cause := errors.New("connection reset")
	sentinels := []error{oauth.ErrAccessDenied, oauth.ErrInvalidGrant, oauth.ErrInvalidClient, oauth.ErrInvalidScope, oauth.ErrServer}
	for _, tc := range []struct {
		err  *oauth.Error
		want error
		temp bool
	}{
		{&oauth.Error{Code: oauth.CodeAccessDenied}, oauth.ErrAccessDenied, false},
		{&oauth.Error{Status: 400, Code: oauth.CodeInvalidGrant}, oauth.ErrInvalidGrant, false},
		{&oauth.Error{Status: 401, Code: oauth.CodeInvalidClient}, oauth.ErrInvalidClient, false},
		{&oauth.Error{Status: 401, Code: oauth.CodeUnauthorizedClient}, oauth.ErrInvalidClient, false},
		{&oauth.Error{Status: 400, Code: oauth.CodeInvalidScope}, oauth.ErrInvalidScope, false},
		{&oauth.Error{Status: 503, Code: "service_unavailable"}, oauth.ErrServer, true},
		{&oauth.Error{Status: 429, Code: "too_many_requests"}, nil, true},
		{&oauth.Error{Status: 400, Code: oauth.CodeInvalidRequest}, nil, false},
		{&oauth.Error{Err: cause}, cause, true},
		{&oauth.Error{Err: fmt.Errorf("post: %w", context.Canceled)}, context.Canceled, false},
		{&oauth.Error{Err: context.DeadlineExceeded}, context.DeadlineExceeded, true},
	} {
		var err error = fmt.Errorf("login: %w", tc.err)
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%v does not match %v", tc.err, tc.want)
		}
		for _, other := range sentinels {
			if other != tc.want && errors.Is(err, other) {
				t.Errorf("%v matches %v too", tc.err, other)
			}
		}
		if tc.err.Temporary() != tc.temp {
			t.Errorf("%v: Temporary() = %v", tc.err, !tc.temp)
		}
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *oauth.Error
		want string
	}{
		{&oauth.Error{Provider: "idporten", Code: "access_denied", Message: "the user cancelled"}, "idporten: access_denied: the user cancelled"},
		{&oauth.Error{Provider: "maskinporten", Status: 400, Code: "invalid_grant", MPCode: "MP-026", RequestID: "r1"}, "maskinporten: http 400: invalid_grant (MP-026) (request id r1)"},
		{&oauth.Error{Provider: "maskinporten", Err: errors.New("dial tcp: refused")}, "maskinporten: no answer: dial tcp: refused"},
		{&oauth.Error{Status: 400, Code: "invalid_request", Message: "pid 01019012345 unknown"}, "oauth: http 400: invalid_request: pid 010190***** unknown"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if strings.Contains(tc.err.Error(), "01019012345") {
			t.Errorf("personal number in %q", tc.err)
		}
	}
}
