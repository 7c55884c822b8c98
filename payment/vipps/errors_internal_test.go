package vipps

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
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

// TestCanonicalHeaderKeys: Verify looks the signing headers up by these
// keys directly, so they must be what http.Header.Get would look up.
func TestCanonicalHeaderKeys(t *testing.T) {
	for k, want := range map[string]string{headerDate: canonicalDate, headerContent: canonicalContent, "Authorization": "Authorization"} {
		if got := http.CanonicalHeaderKey(k); got != want {
			t.Errorf("%s: canonical %q, Verify uses %q", k, got, want)
		}
	}
}

// TestHMACSHA256: Verify's HMAC is crypto/hmac's, for keys shorter than,
// as long as and longer than a SHA-256 block.
func TestHMACSHA256(t *testing.T) {
	for _, n := range []int{0, 1, 36, 63, 64, 65, 88, 200} {
		key := strings.Repeat("k", n)
		checkHMAC(t, key, []byte("POST\n/cb\nSun, 29 Mar 2026 02:00:00 GMT;h;"+strings.Repeat("x", n)))
	}
}

// FuzzHMACSHA256 compares Verify's HMAC with crypto/hmac's on any key and
// message.
func FuzzHMACSHA256(f *testing.F) {
	f.Add("secret", []byte("POST\n/\nSun, 29 Mar 2026 02:00:00 GMT;h;x"))
	f.Add(strings.Repeat("k", 65), []byte{})
	f.Fuzz(checkHMAC)
}

func checkHMAC(t *testing.T, key string, msg []byte) {
	h := hmac.New(sha256.New, []byte(key))
	h.Write(msg)
	want := h.Sum(nil)
	buf := append(make([]byte, sha256.BlockSize), msg...)
	if got := hmacSHA256(key, buf); !bytes.Equal(got[:], want) {
		t.Fatalf("key %d bytes, message %d bytes: %x, crypto/hmac %x", len(key), len(msg), got, want)
	}
	if !bytes.Equal(buf[sha256.BlockSize:], msg) {
		t.Fatal("the message was changed")
	}
}
