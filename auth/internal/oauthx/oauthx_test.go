package oauthx

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth/oauth"
)

func TestParseErrorMPCode(t *testing.T) {
	body := []byte(`{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. (MP-026) jti 01019012345"}`)
	e := ParseError("maskinporten", 400, http.Header{"X-Request-Id": {"req-1"}}, body)
	if e.MPCode != "MP-026" || e.RequestID != "req-1" || e.Provider != "maskinporten" || !errors.Is(e, oauth.ErrInvalidGrant) {
		t.Fatalf("%+v", e)
	}
	if strings.Contains(e.Error(), "01019012345") {
		t.Fatalf("personal number in error: %s", e)
	}
	if !strings.HasPrefix(e.Error(), "maskinporten: http 400: invalid_grant (MP-026): ") {
		t.Fatalf("error text %q", e)
	}
	if e := ParseError("idporten", 502, nil, []byte("<html>bad gateway</html>")); e.Code != "bad_gateway" || !e.Temporary() || !errors.Is(e, oauth.ErrServer) {
		t.Fatalf("%+v", e)
	}
}

func TestSignHeader(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, tc := range []struct {
		key crypto.Signer
		alg string
	}{{rsaKey, "RS256"}, {ecKey, "ES384"}} {
		a, err := Sign(tc.key, "k", nil, map[string]any{"iss": "c"})
		if err != nil {
			t.Fatal(err)
		}
		hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(a, ".")[0])
		var h map[string]any
		if err := json.Unmarshal(hdr, &h); err != nil {
			t.Fatal(err)
		}
		if h["alg"] != tc.alg || h["kid"] != "k" || h["typ"] != "JWT" {
			t.Fatalf("%s: header %v", tc.alg, h)
		}
	}
}

func TestTransportIsTemporary(t *testing.T) {
	e := Transport("maskinporten", errors.New("connection refused"))
	if !e.Temporary() || !strings.HasPrefix(e.Error(), "maskinporten: no answer: ") {
		t.Fatalf("%v temporary=%v", e, e.Temporary())
	}
}

// FuzzParseError feeds arbitrary error bodies: never a panic, always a
// typed error whose text holds no 11-digit number.
func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"Invalid assertion (MP-026)"}`))
	f.Add(503, []byte(`<html>down</html>`))
	f.Add(400, []byte(`{"error":{"nested":1},"error_description":null,"error_code":"MP-1"}`))
	f.Add(418, []byte(`{"error_description":"pid 20036914700 unknown"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError("maskinporten", status, http.Header{}, body)
		if e == nil || e.Status != status {
			t.Fatal("no error")
		}
		msg := e.Error()
		for i := 0; i+11 <= len(msg); i++ {
			if strings.Trim(msg[i:i+11], "0123456789") == "" && (i == 0 || msg[i-1] < '0' || msg[i-1] > '9') && (i+11 == len(msg) || msg[i+11] < '0' || msg[i+11] > '9') {
				t.Fatalf("personal number in %q", msg)
			}
		}
	})
}
