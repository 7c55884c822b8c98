package vipps

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/internal/problem"
)

// Vipps echoes what it rejected; a personal number in the problem's detail or
// in an extraDetails reason must not reach an error string under any verb.
func TestErrorMasksPersonalNumbers(t *testing.T) {
	const fnr = "20036914700"
	body := `{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/problems#validation-error","title":"Bad Request","detail":"ugyldig ` + fnr + `","extraDetails":[{"name":"customer.personalQrCode","reason":"` + fnr + ` er ikke gyldig"}]}`
	err := newError(problem.Parse(400, http.Header{"Content-Type": {"application/problem+json"}}, []byte(body)))
	e, ok := err.(*Error)
	if !ok || len(e.ExtraDetails) != 1 || e.ExtraDetails[0].Reason != fnr+" er ikke gyldig" {
		t.Fatalf("parsed %#v", err)
	}
	for _, out := range []string{e.Error(), fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)} {
		if strings.Contains(out, fnr) {
			t.Errorf("leaks the number: %s", out)
		}
		if !strings.Contains(out, "er ikke gyldig") {
			t.Errorf("lost the reason: %s", out)
		}
	}
}
