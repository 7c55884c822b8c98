package idporten

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/secret"
)

// FuzzParseKeySet feeds arbitrary JWKS documents: never a panic, and every
// key kept is usable.
func FuzzParseKeySet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"broken","n":"!!","e":"AQAB"},{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, _, err := parseKeySet(body)
		if err != nil {
			return
		}
		for _, k := range keys {
			if k.key == nil {
				t.Fatal("kept a key with no public key")
			}
			for _, alg := range []string{"RS256", "ES256", "HS256", "none"} {
				if fits(k, alg) && (alg == "HS256" || alg == "none") {
					t.Fatalf("key fits %s", alg)
				}
			}
		}
	})
}

// FuzzCheckClaims feeds arbitrary (already signature-checked) payloads to the
// claims checks: never a panic, and a pass means every rule holds.
func FuzzCheckClaims(f *testing.F) {
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Issuer: "https://test.idporten.no", ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(map[string]any{"iss": "https://test.idporten.no", "sub": "s", "aud": "rp", "exp": now.Unix() + 60, "iat": now.Unix(),
		"nonce": "n", "acr": "idporten-loa-high", "pid": "20036914700", "amr": []string{"BankID"}})
	f.Add(good)
	f.Add([]byte(`{"iss":"https://test.idporten.no","sub":"s","aud":["rp","other"],"azp":"rp","exp":1.8e9,"iat":1774785600.5,"nonce":"n","acr":"Level3","pid":"55102499947","amr":"pwd"}`))
	f.Add([]byte(`{"exp":-1,"iat":1e308,"aud":7,"amr":[1]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		tok, err := c.checkClaims(payload, "raw", ValidateOptions{Nonce: "n", MinACR: Substantial})
		if err != nil {
			if tok != nil {
				t.Fatal("token and error")
			}
			return
		}
		if tok.Issuer != "https://test.idporten.no" || tok.Nonce != "n" || tok.Subject == "" || tok.PID.IsZero() ||
			!tok.ACR.Satisfies(Substantial) || !now.Before(tok.Expiry.Add(c.skew)) || tok.IssuedAt.After(now.Add(c.skew)) {
			t.Fatalf("accepted a token that breaks a rule: %+v", tok)
		}
	})
}

// FuzzPlainStrings: where the claims' shortcuts for plain JSON strings and
// arrays of them answer, they answer what encoding/json does.
func FuzzPlainStrings(f *testing.F) {
	for _, s := range []string{`"BankID"`, `["BankID"]`, `[ "a" , "b" ]`, `[]`, `["a\"b"]`, `["a",]`, `[1]`, `"é"`, `null`, `""`, `[""]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		if one, ok := plainString(b); ok {
			var want string
			if err := json.Unmarshal(b, &want); err != nil || one != want {
				t.Fatalf("plainString(%q) = %q, encoding/json %q (%v)", b, one, want, err)
			}
		}
		if many, ok := plainStrings(b); ok {
			var want []string
			if err := json.Unmarshal(b, &want); err != nil || !reflect.DeepEqual(many, want) {
				t.Fatalf("plainStrings(%q) = %#v, encoding/json %#v (%v)", b, many, want, err)
			}
		}
	})
}

// TestNullDates: a null exp or iat, alone or after a value, is a missing
// claim, as it was when the dates were pointers.
func TestNullDates(t *testing.T) {
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Issuer: "https://test.idporten.no", ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const rest = `"iss":"https://test.idporten.no","sub":"s","aud":"rp","nonce":"n","acr":"idporten-loa-high","pid":"20036914700"`
	for _, dates := range []string{`"exp":null,"iat":1774785600`, `"exp":1774785660,"exp":null,"iat":1774785600`, `"exp":1774785660,"iat":null`} {
		if _, err := c.checkClaims([]byte(`{`+rest+`,`+dates+`}`), "raw", ValidateOptions{Nonce: "n"}); !errors.Is(err, ErrMissingClaim) && !errors.Is(err, ErrIssuedAt) {
			t.Errorf("%s: %v, want a missing claim", dates, err)
		}
	}
	if _, err := c.checkClaims([]byte(`{`+rest+`,"exp":1774785660,"iat":1774785600,"auth_time":null}`), "raw", ValidateOptions{Nonce: "n"}); err != nil {
		t.Errorf("null auth_time: %v", err)
	}
}
