package idporten_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/internal/oauthx"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/secret"
)

// TestPrivateKeyJWT logs in with private_key_jwt client authentication, the
// key named by kid or by a certificate in x5c, and checks the assertion.
func TestPrivateKeyJWT(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "TEST KOMMUNE"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsaKey.PublicKey, rsaKey)
	cert, _ := x509.ParseCertificate(der)

	for _, tc := range []struct {
		name  string
		key   crypto.Signer
		kid   string
		chain []*x509.Certificate
	}{
		{"kid-rsa", rsaKey, "rp-key-1", nil},
		{"kid-ec", ecKey, "rp-ec-1", nil},
		{"x5c", rsaKey, "", []*x509.Certificate{cert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, func(c *idporten.Config) {
				c.ClientSecret = secret.Value{}
				c.Key, c.KeyID, c.Certificates = tc.key, tc.kid, tc.chain
			})
			e.fake.RegisterClient(idportentest.Client{
				ID: clientID, RedirectURIs: []string{redirectURI},
				Keys:         map[string]crypto.PublicKey{"rp-key-1": &rsaKey.PublicKey, "rp-ec-1": &ecKey.PublicKey},
				Certificates: []*x509.Certificate{cert},
			})
			if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("assertion-claims", func(t *testing.T) {
		a, err := oauthx.Sign(rsaKey, "k", nil, map[string]any{"iss": "c", "sub": "c", "aud": "https://test.idporten.no", "jti": "j"})
		if err != nil {
			t.Fatal(err)
		}
		hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(a, ".")[0])
		var h map[string]any
		json.Unmarshal(hdr, &h)
		if h["alg"] != "RS256" || h["kid"] != "k" {
			t.Fatalf("header %v", h)
		}
	})
	t.Run("client-assertion-jti-reused", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.RegisterClient(idportentest.Client{ID: clientID, RedirectURIs: []string{redirectURI},
			Keys: map[string]crypto.PublicKey{"rp-key-1": &rsaKey.PublicKey}})
		now := time.Now()
		a, err := oauthx.Sign(rsaKey, "rp-key-1", nil, map[string]any{
			"iss": clientID, "sub": clientID, "aud": e.cfg.Issuer, "jti": "once", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {"unknown"}, "redirect_uri": {redirectURI},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
		want := []string{"invalid_grant", "invalid_client"} // the client is known the first time, refused the second
		for i, w := range want {
			resp, err := http.PostForm(e.cfg.Issuer+"/token", form)
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Error string }
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body.Error != w {
				t.Fatalf("use %d: %s, want %s", i+1, body.Error, w)
			}
		}
	})
	t.Run("unregistered-key-refused", func(t *testing.T) {
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		e := setup(t, func(c *idporten.Config) { c.ClientSecret = secret.Value{}; c.Key, c.KeyID = other, "rp-ec-1" })
		e.fake.RegisterClient(idportentest.Client{ID: clientID, RedirectURIs: []string{redirectURI},
			Keys: map[string]crypto.PublicKey{"rp-ec-1": &ecKey.PublicKey}})
		_, err := e.login(t, idporten.AuthOptions{})
		if ae, ok := err.(*oauth.Error); !ok || ae.Code != oauth.CodeInvalidClient || ae.Provider != "idporten" {
			t.Fatalf("error %v, want invalid_client", err)
		}
	})
}

func TestConfigRefusals(t *testing.T) {
	base := idporten.Config{Issuer: "https://test.idporten.no", ClientID: "c", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb"}
	for name, mod := range map[string]func(*idporten.Config){
		"issuer-not-url":   func(c *idporten.Config) { c.Issuer = "test.idporten.no" },
		"redirect-not-url": func(c *idporten.Config) { c.RedirectURI = "/auth/callback" },
		"logout-not-url":   func(c *idporten.Config) { c.PostLogoutRedirectURI = "ftp://rp/out" },
		"no-client":        func(c *idporten.Config) { c.ClientID = "" },
		"no-redirect":      func(c *idporten.Config) { c.RedirectURI = "" },
		"no-secret":        func(c *idporten.Config) { c.ClientSecret = secret.Value{} },
		"alg-none":         func(c *idporten.Config) { c.Algorithms = []string{"RS256", "none"} },
		"alg-hs256":        func(c *idporten.Config) { c.Algorithms = []string{"HS256"} },
		"unknown-acr":      func(c *idporten.Config) { c.ACR = "idporten-loa-low" },
		"pkjwt-no-kid":     func(c *idporten.Config) { c.AuthMethod = idporten.PrivateKeyJWT },
	} {
		c := base
		mod(&c)
		if _, err := idporten.New(c); !errors.Is(err, idporten.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// An empty Issuer is the test environment: production only when named.
func TestEmptyIssuerIsTest(t *testing.T) {
	c, err := idporten.New(idporten.Config{ClientID: "c", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer() != idporten.TestIssuer {
		t.Fatalf("issuer %q, want %q", c.Issuer(), idporten.TestIssuer)
	}
	c, err = idporten.New(idporten.Config{Issuer: idporten.ProductionIssuer, ClientID: "c", ClientSecret: secret.New("s"), RedirectURI: "https://rp/cb"})
	if err != nil || c.Issuer() != "https://idporten.no" {
		t.Fatalf("production: %v %v", c, err)
	}
}

func TestACR(t *testing.T) {
	for _, tc := range []struct {
		got, min idporten.ACR
		ok       bool
	}{
		{idporten.High, idporten.Substantial, true},
		{idporten.Substantial, idporten.High, false},
		{"Level4", idporten.Substantial, true},
		{"Level3", idporten.High, false},
		{"Level3", idporten.Substantial, true},
		{"idporten-loa-low", "", false},
		{"", "", false},
		{idporten.Substantial, "", true},
	} {
		if got := tc.got.Satisfies(tc.min); got != tc.ok {
			t.Errorf("%q satisfies %q = %v", tc.got, tc.min, got)
		}
	}
	if idporten.ACR("Level4").Normalize() != idporten.High || idporten.ACR("Level3").Normalize() != idporten.Substantial {
		t.Error("legacy levels not mapped")
	}
}

func TestLoginNeverPrints(t *testing.T) {
	e := setup(t, nil)
	l, err := e.login(t, idporten.AuthOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, p := e.authorize(t, idporten.AuthOptions{})
	out := sprint(l) + sprint(*l) + sprint(l.IDToken) + sprint(*l.IDToken) + sprint(p) + sprint(*p)
	for _, secret := range []string{l.IDToken.PID.Reveal(), l.AccessToken.Reveal(), l.IDToken.Raw.Reveal(), p.CodeVerifier.Reveal()} {
		if strings.Contains(out, secret) {
			t.Fatalf("printed a secret or the pid: %s", out)
		}
	}
}

// A Client printed whole shows no ClientSecret: fmt reaches the config
// through an unexported field, where Secret's Format is not called.
func TestClientPrintsNoSecret(t *testing.T) {
	c, err := idporten.New(idporten.Config{Issuer: "https://test.idporten.no", ClientID: "c", ClientSecret: secret.New("hemmelig-klient-123"), RedirectURI: "https://rp/cb"})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(out, "hemmelig-klient-123") {
			t.Fatalf("output leaks the client secret:\n%s", out)
		}
	}
}

// A Pending never shows its PKCE verifier: not in a log line, not in %v, not
// in its JSON. A store that keeps it writes it out on purpose, with Reveal.
func TestPendingLogsNoVerifier(t *testing.T) {
	p := idporten.Pending{State: "state-hemmelig", Nonce: "nonce-hemmelig", CodeVerifier: secret.New("verifier-hemmelig"), ACR: idporten.Substantial}
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("login", "pending", p, "ptr", &p)
	if strings.Contains(logs.String(), "hemmelig") {
		t.Fatalf("log leaks: %s", logs.String())
	}
	if !strings.Contains(logs.String(), string(idporten.Substantial)) {
		t.Fatalf("log lost the acr: %s", logs.String())
	}
	b, err := json.Marshal(p)
	if err != nil || strings.Contains(string(b), "verifier-hemmelig") {
		t.Fatalf("JSON leaks the verifier: %s %v", b, err)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v %#v", p, p, &p)} {
		if strings.Contains(out, "verifier-hemmelig") {
			t.Fatalf("fmt leaks the verifier: %s", out)
		}
	}
}

// A Config, and a Client made from it, printed in any way show no private
// key material, RSA or Ed25519: a configuration logged at start-up must not
// leak the key.
func TestConfigPrintsNoKey(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	for _, k := range []crypto.Signer{rk, ek} {
		cfg := idporten.Config{Issuer: "https://test.idporten.no", ClientID: "c", Key: k, KeyID: "kid-1", RedirectURI: "https://rp/cb", ClientSecret: secret.New("hemmelig-klient-123")}
		c, err := idporten.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var logged strings.Builder
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "cfg", cfg)
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "cfg", cfg, "client", c)
		out := fmt.Sprintf("%v %+v %#v %s %x | %v %+v %#v | %s", cfg, cfg, cfg, cfg, cfg, c, c, c, logged.String())
		for _, secret := range keyMaterial(k) {
			if strings.Contains(out, secret) {
				t.Fatalf("%T: output leaks key material %.20s…:\n%.2000s", k, secret, out)
			}
		}
		if strings.Contains(out, "hemmelig-klient-123") || !strings.Contains(out, fmt.Sprintf("[REDACTED %T]", k)) {
			t.Fatalf("%T: %.2000s", k, out)
		}
	}
}

// keyMaterial is how a private key's secret parts print: decimal and hex of
// RSA's D and primes, the bytes of an Ed25519 seed.
func keyMaterial(k crypto.Signer) []string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		out := []string{k.D.String(), k.D.Text(16)}
		for _, p := range k.Primes {
			out = append(out, p.String(), p.Text(16))
		}
		return out
	case ed25519.PrivateKey:
		seed := k.Seed()
		return []string{fmt.Sprint(seed[:8])[1:20], fmt.Sprintf("%x", seed[:8]), base64.StdEncoding.EncodeToString(k)[:12]}
	}
	panic("unknown key")
}
