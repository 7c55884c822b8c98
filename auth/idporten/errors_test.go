package idporten_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/auth/idporten"
)

// A ValidationError built by hand without Err still prints.
func TestValidationErrorWithoutErr(t *testing.T) {
	e := &idporten.ValidationError{Check: "nonce", Detail: "x"}
	if got := e.Error(); got != "idporten: id_token nonce (x)" {
		t.Fatalf("Error() = %q", got)
	}
}
