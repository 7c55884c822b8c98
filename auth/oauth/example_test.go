package oauth_test

import (
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/auth/oauth"
)

// A caller tells a cancelled login from a provider that is down.
func ExampleError() {
	for _, err := range []error{
		&oauth.Error{Provider: "idporten", Code: oauth.CodeAccessDenied},
		&oauth.Error{Provider: "maskinporten", Status: 503, Code: "server_error"},
		&oauth.Error{Provider: "maskinporten", Status: 400, Code: oauth.CodeInvalidGrant, MPCode: "MP-026"},
	} {
		var oe *oauth.Error
		switch {
		case errors.Is(err, oauth.ErrAccessDenied):
			fmt.Println("cancelled:", err)
		case errors.As(err, &oe) && oe.Temporary():
			fmt.Println("try later:", err)
		default:
			fmt.Println("refused:", err)
		}
	}
	// Output:
	// cancelled: idporten: access_denied
	// try later: maskinporten: http 503: server_error
	// refused: maskinporten: http 400: invalid_grant (MP-026)
}
