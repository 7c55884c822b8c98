package idportentest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// provider holds one issuer's signing keys.
type provider struct {
	which Provider

	mu        sync.Mutex
	current   *signingKey
	published []*signingKey     // in the JWKS, current included
	ec        *signingKey       // created on first ES256 use
	extra     []json.RawMessage // unparseable entries added by tests
	n         int               // kid counter
}

type signingKey struct {
	kid string
	alg jwa.SignatureAlgorithm
	key any // *rsa.PrivateKey or *ecdsa.PrivateKey
}

func newProvider(p Provider) *provider {
	return &provider{which: p}
}

// init makes the first key on first use: RSA key generation is slow, and
// most tests use one provider only. The caller holds p.mu.
func (p *provider) init() {
	if p.current == nil {
		p.current = p.newRSA()
		p.published = append([]*signingKey{p.current}, p.published...)
	}
}

func (p *provider) newRSA() *signingKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	p.n++
	return &signingKey{kid: fmt.Sprintf("%s-rsa-%d", shortName(p.which), p.n), alg: jwa.RS256(), key: k}
}

func shortName(p Provider) string {
	return [...]string{"idporten", "ansattporten", "maskinporten"}[p]
}

func (k *signingKey) public() any {
	switch pk := k.key.(type) {
	case *rsa.PrivateKey:
		return &pk.PublicKey
	case *ecdsa.PrivateKey:
		return &pk.PublicKey
	}
	return nil
}

// RotateKey makes a new signing key current. With keepOld the old key stays in
// the JWKS (a graceful rotation); without, it disappears at once.
func (s *Server) RotateKey(p Provider, keepOld bool) {
	pr := s.providers[p]
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.init()
	k := pr.newRSA()
	if keepOld {
		pr.published = append([]*signingKey{k}, pr.published...)
	} else {
		pr.published = []*signingKey{k}
		if pr.ec != nil {
			pr.published = append(pr.published, pr.ec)
		}
	}
	pr.current = k
}

// AddKey publishes one more RSA key that signs nothing, so that the JWKS has
// several candidate keys.
func (s *Server) AddKey(p Provider) {
	pr := s.providers[p]
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.init()
	pr.published = append(pr.published, pr.newRSA())
}

// AddUnparseableKey publishes a JWK entry that no library can parse (an RSA
// key with a broken modulus) beside the good ones.
func (s *Server) AddUnparseableKey(p Provider) {
	pr := s.providers[p]
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.init()
	pr.extra = append(pr.extra, json.RawMessage(`{"kty":"RSA","kid":"broken","use":"sig","n":"!!not-base64!!","e":"AQAB"}`))
}

func (p *provider) ecKey() *signingKey {
	if p.ec == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		p.n++
		p.ec = &signingKey{kid: fmt.Sprintf("%s-ec-%d", shortName(p.which), p.n), alg: jwa.ES256(), key: k}
		p.published = append(p.published, p.ec)
	}
	return p.ec
}

func (e endpointCtx) jwks(w http.ResponseWriter, r *http.Request) {
	pr := e.prov
	pr.mu.Lock()
	pr.init()
	keys := make([]json.RawMessage, 0, len(pr.published)+len(pr.extra))
	for _, k := range pr.published {
		jk, err := jwk.Import(k.public())
		if err != nil {
			continue
		}
		_ = jk.Set(jwk.KeyIDKey, k.kid)
		_ = jk.Set(jwk.KeyUsageKey, "sig")
		_ = jk.Set(jwk.AlgorithmKey, k.alg)
		b, err := json.Marshal(jk)
		if err != nil {
			continue
		}
		keys = append(keys, b)
	}
	keys = append(keys, pr.extra...)
	pr.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// signOptions are the ways a token can be signed wrongly on purpose.
type signOptions struct {
	badSignature bool
	omitKID      bool
	alg          string // "" (RS256), "ES256", "HS256", "none"
}

// sign makes a compact JWS of claims with the provider's current key.
func (p *provider) sign(claims map[string]any, o signOptions) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.init()
	k := p.current
	switch o.alg {
	case "ES256":
		k = p.ecKey()
	case "none", "HS256":
		rsaPub := k.public().(*rsa.PublicKey)
		p.mu.Unlock()
		return unsafeToken(payload, o.alg, k.kid, rsaPub)
	}
	p.mu.Unlock()
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	if !o.omitKID {
		_ = hdr.Set(jws.KeyIDKey, k.kid)
	}
	out, err := jws.Sign(payload, jws.WithKey(k.alg, k.key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	tok := string(out)
	if o.badSignature {
		tok = corrupt(tok)
	}
	return tok, nil
}

// unsafeToken builds the two classic forgeries: alg none, and HS256 keyed
// with the provider's public key (the "algorithm confusion" attack).
func unsafeToken(payload []byte, alg, kid string, pub *rsa.PublicKey) (string, error) {
	hdr, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
	input := b64(hdr) + "." + b64(payload)
	if alg == "none" {
		return input + ".", nil
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, der)
	m.Write([]byte(input))
	return input + "." + b64(m.Sum(nil)), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// corrupt flips a bit in the middle of the signature.
func corrupt(tok string) string {
	i := len(tok) - 10
	b := []byte(tok)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// verify checks a token this provider signed (id_token_hint, access tokens):
// any published key, by kid.
func (p *provider) verify(tok string) ([]byte, error) {
	p.mu.Lock()
	p.init()
	keys := append([]*signingKey(nil), p.published...)
	p.mu.Unlock()
	for _, k := range keys {
		if payload, err := jws.Verify([]byte(tok), jws.WithKey(k.alg, k.public())); err == nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("not signed by %s", p.which)
}
