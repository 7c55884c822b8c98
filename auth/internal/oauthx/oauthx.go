// Package oauthx holds what the ID-porten and Maskinporten clients share:
// signing a JWT assertion (private_key_jwt, the JWT-bearer grant) and reading
// an OAuth error response into an *oauth.Error.
package oauthx

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/lestrrat-go/jwx/v3/cert"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// ErrKeyType is returned for a signing key of a kind no assertion is made with.
var ErrKeyType = errors.New("unsupported signing key type")

// Sign signs claims as a compact JWS with key, putting kid or the
// certificate chain (x5c, leaf first) in the header. It picks RS256 for RSA,
// ES256/384/512 for EC and EdDSA for Ed25519 keys.
func Sign(key crypto.Signer, kid string, chain []*x509.Certificate, claims map[string]any) (string, error) {
	alg, err := algorithmFor(key)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	if kid != "" {
		if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
			return "", err
		}
	}
	if len(chain) > 0 {
		var x5c cert.Chain
		for _, c := range chain {
			if err := x5c.AddString(base64.StdEncoding.EncodeToString(c.Raw)); err != nil {
				return "", err
			}
		}
		if err := hdr.Set(jws.X509CertChainKey, &x5c); err != nil {
			return "", err
		}
	}
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return "", err
	}
	out, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign assertion: %w", err)
	}
	return string(out), nil
}

func algorithmFor(key crypto.Signer) (jwa.SignatureAlgorithm, error) {
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return jwa.RS256(), nil
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return jwa.ES256(), nil
		case 384:
			return jwa.ES384(), nil
		case 521:
			return jwa.ES512(), nil
		}
	case ed25519.PublicKey:
		return jwa.EdDSA(), nil
	}
	return jwa.EmptySignatureAlgorithm(), fmt.Errorf("%w %T", ErrKeyType, key.Public())
}

var mpCode = regexp.MustCompile(`\bMP-\d{1,5}\b`)

// ParseError reads an OAuth error response. It never fails: a body that is
// not OAuth JSON still gives an *oauth.Error with the status. Maskinporten's
// MP-nnn code is picked out of error_code, error or error_description.
func ParseError(provider string, status int, header http.Header, body []byte) *oauth.Error {
	o := problem.ParseOAuth(status, header, body)
	e := &oauth.Error{Provider: provider, Status: status, Code: o.Code, Message: o.Description, RequestID: o.RequestID}
	for _, s := range []string{o.ErrorCode, o.Code, o.Description} {
		if m := mpCode.FindString(s); m != "" {
			e.MPCode = m
			break
		}
	}
	return e
}

// CheckKey reports whether key can sign an assertion, for a constructor
// to refuse a configuration before the first login or grant.
func CheckKey(key crypto.Signer) error {
	_, err := algorithmFor(key)
	return err
}

// Transport wraps err, the failure to get any answer from provider, as an
// *oauth.Error whose Temporary is true unless the caller gave up.
func Transport(provider string, err error) *oauth.Error {
	return &oauth.Error{Provider: provider, Err: err}
}
