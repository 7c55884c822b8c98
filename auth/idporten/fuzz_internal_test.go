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
// claims checks: never a panic, a pass means every rule holds, and where the
// hand-written scan answers it answers what encoding/json does.
func FuzzCheckClaims(f *testing.F) {
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Issuer: "https://test.idporten.no", ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb", Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(map[string]any{"iss": "https://test.idporten.no", "sub": "s", "aud": "rp", "exp": now.Unix() + 60, "iat": now.Unix(),
		"nonce": "n", "acr": "idporten-loa-high", "pid": "20036914700", "amr": []string{"BankID"}})
	f.Add(good)
	for _, s := range claimShapes {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		sameAsJSON(t, payload)
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

// claimShapes are payloads at the edges of what scanClaims reads itself.
var claimShapes = []string{
	`{"iss":"https://test.idporten.no","sub":"s","aud":["rp","other"],"azp":"rp","exp":1.8e9,"iat":1774785600.5,"nonce":"n","acr":"Level3","pid":"55102499947","amr":"pwd"}`,
	`{"exp":-1,"iat":1e308,"aud":7,"amr":[1]}`,
	` { "iss" : "i" , "aud" : [ "a" , "b" ] , "amr" : [ ] , "exp" : 0 , "iat" : 1099511627776 } `,
	`{"iat":1099511627777}`, `{"iat":01}`, `{"iat":1774785600e0}`, `{"iat":"1774785600"}`, `{"iat":9999999999999999}`,
	`{"exp":1774785660,"exp":null}`, `{"aud":null}`, `{"iss":null}`, `{"iss":"a","iss":"b"}`, `{"ISS":"x"}`, `{"Iss":"x","iss":"y"}`,
	`{"\u0069ss":"x"}`, `{"iss":"a\/b"}`, `{"iss":"é"}`, `{"ſub":"x"}`, `{"iss":"a` + "\x01" + `"}`,
	`{"jti":"j","n":-0.5e+3,"t":true,"f":false,"z":null,"o":{"a":1},"l":[1]}`, `{"n":-}`, `{"n":1.}`, `{"n":1e}`, `{"n":01}`, `{"t":tru}`, `{"t":nullx}`,
	`{}`, `{`, `{"a":1,}`, `{"a" 1}`, `{"a":1}x`, `{"a":1} `, `null`, `[]`, `{"aud":["a",]}`, `{"aud":["a" "b"]}`, `{"aud":"a"`, "",
}

// sameAsJSON fails t when scanClaims reads payload other than json.Unmarshal.
func sameAsJSON(t *testing.T, payload []byte) {
	t.Helper()
	var fast rawClaims
	if !scanClaims(payload, &fast) {
		return
	}
	var want rawClaims
	if err := json.Unmarshal(payload, &want); err != nil || !reflect.DeepEqual(fast, want) {
		t.Fatalf("scanClaims(%q) = %+v, encoding/json %+v (%v)", payload, fast, want, err)
	}
}

// TestScanClaims: the common shapes are read by hand (not merely left to
// encoding/json), and every shape decodes as encoding/json decodes it.
func TestScanClaims(t *testing.T) {
	for _, s := range []string{
		`{"iss":"i","sub":"s","aud":"rp","exp":1774785660,"iat":1774785600,"auth_time":1774785600,"nonce":"n","acr":"idporten-loa-high","amr":["BankID"],"pid":"20036914700","sid":"x","locale":"nb","jti":"j","at_hash":"h"}`,
		` { "aud" : [ "a" , "b" ] , "amr" : [ ] , "exp" : 0 , "iat" : 1099511627776 , "x": -0.5e+3, "y": true } `,
		`{"iss":"a","iss":"b"}`, `{}`,
	} {
		var cl rawClaims
		if !scanClaims([]byte(s), &cl) {
			t.Errorf("scanClaims(%s) left it to encoding/json", s)
		}
	}
	for _, s := range claimShapes {
		sameAsJSON(t, []byte(s))
		var fast, slow rawClaims
		errFast, errSlow := decodeClaims([]byte(s), &fast), json.Unmarshal([]byte(s), &slow)
		if (errFast == nil) != (errSlow == nil) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("decodeClaims(%s) = %+v, %v; encoding/json %+v, %v", s, fast, errFast, slow, errSlow)
		}
	}
}

// TestClaimNames: claimNames are rawClaims' JSON names, so that a key
// differing from one only in case goes to encoding/json.
func TestClaimNames(t *testing.T) {
	var tags []string
	rt := reflect.TypeFor[rawClaims]()
	for i := range rt.NumField() {
		tags = append(tags, rt.Field(i).Tag.Get("json"))
	}
	if !reflect.DeepEqual(tags, claimNames[:]) {
		t.Errorf("claimNames %v, rawClaims' tags %v", claimNames, tags)
	}
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
