package vipps

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/payment"
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

// Every answer gets the shared shape: Status, Code, Message, RequestID and
// Temporary, and matches its sentinels.
func TestErrorShape(t *testing.T) {
	problemJSON := http.Header{"Content-Type": {"application/problem+json"}}
	for _, c := range []struct {
		name      string
		status    int
		header    http.Header
		body      string
		code, msg string
		requestID string
		temporary bool
		is        []error
		isNot     []error
	}{
		{
			name: "not found", status: 404, header: problemJSON,
			body: `{"type":"https://developer.vippsmobilepay.com/docs/APIs/epayment-api/errors/payment-not-found","title":"Not Found","detail":"No payment with this reference","traceId":"abc123"}`,
			code: CodePaymentNotFound, msg: "No payment with this reference", requestID: "abc123",
			is: []error{ErrPaymentNotFound, payment.ErrNotFound, payment.ErrRejected},
		},
		{
			name: "title only", status: 409, header: problemJSON,
			body: `{"type":"https://example.com/errors/invalid-payment-state/","title":"Conflict"}`,
			code: CodeInvalidState, msg: "Conflict",
			is: []error{ErrInvalidState, payment.ErrConflict, payment.ErrRejected},
		},
		{
			name: "gateway page", status: 502, header: http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"r-9"}},
			body: `<html>Bad Gateway</html>`, requestID: "r-9", temporary: true,
			isNot: []error{payment.ErrRejected, payment.ErrNotFound},
		},
		{
			name: "rate limited", status: 429, header: problemJSON, body: `{"title":"Too Many Requests"}`,
			msg: "Too Many Requests", temporary: true, isNot: []error{payment.ErrRejected},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := newError(problem.Parse(c.status, c.header, []byte(c.body)))
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("%T, want *Error", err)
			}
			if e.Status != c.status || e.Code != c.code || e.Message != c.msg || e.RequestID != c.requestID || e.Temporary() != c.temporary {
				t.Errorf("got status %d code %q message %q request id %q temporary %v", e.Status, e.Code, e.Message, e.RequestID, e.Temporary())
			}
			for _, target := range c.is {
				if !errors.Is(err, target) {
					t.Errorf("does not match %v", target)
				}
			}
			for _, target := range c.isNot {
				if errors.Is(err, target) {
					t.Errorf("matches %v", target)
				}
			}
		})
	}
}
