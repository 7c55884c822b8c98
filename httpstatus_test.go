package grunnmur_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/sak"
)

// TestHTTPStatusUnknownIsInternal: every package's HTTPStatus maps an error
// it does not know, even wrapped, to (500, "internal") (RULES §3), so that a
// handler never shows an unknown error's text or a made-up status. Every
// package that exports HTTPStatus needs an entry.
func TestHTTPStatusUnknownIsInternal(t *testing.T) {
	mappers := map[string]func(error) (int, string){
		"auth":           auth.HTTPStatus,
		"booking":        booking.HTTPStatus,
		"forms":          forms.HTTPStatus,
		"payment":        payment.HTTPStatus,
		"registry/brreg": brreg.HTTPStatus,
		"sak":            sak.HTTPStatus,
	}
	for _, p := range loadAPI(t) {
		if p.public() && funcSig(p, "HTTPStatus") != "" && mappers[p.rel] == nil {
			t.Errorf("%s exports HTTPStatus but has no entry in TestHTTPStatusUnknownIsInternal", p.rel)
		}
	}
	unknown := fmt.Errorf("a caller's: %w", errors.New("something no package knows"))
	for _, pkg := range sortedKeys(mappers) {
		if status, code := mappers[pkg](unknown); status != 500 || code != "internal" {
			t.Errorf("%s.HTTPStatus(unknown) = (%d, %q), want (500, \"internal\")", pkg, status, code)
		}
	}
}
