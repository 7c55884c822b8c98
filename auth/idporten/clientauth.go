package idporten

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lestrrat-go/jwx/v3/cert"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// authenticate adds client authentication to a token or PAR request.
func (c *Client) authenticate(req *http.Request, form url.Values, issuer string) error {
	switch c.authMethod {
	case ClientSecretBasic:
		// RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret.Reveal()))
	case ClientSecretPost:
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_secret", c.cfg.ClientSecret.Reveal())
	case PrivateKeyJWT:
		a, err := SignAssertion(c.cfg.Key, c.cfg.KeyID, c.cfg.Certificates, map[string]any{
			"iss": c.cfg.ClientID,
			"sub": c.cfg.ClientID,
			"aud": issuer,
			"jti": randomString(18),
			"iat": c.now().Unix(),
			"exp": c.now().Add(60 * time.Second).Unix(),
		})
		if err != nil {
			return err
		}
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", a)
	}
	return nil
}

// SignAssertion signs claims as a compact JWS with key, putting kid or the
// certificate chain (x5c, leaf first) in the header. It picks RS256 for RSA,
// ES256/384/512 for EC and EdDSA for Ed25519 keys. Both private_key_jwt and
// Maskinporten grants are made with it.
func SignAssertion(key crypto.Signer, kid string, chain []*x509.Certificate, claims map[string]any) (string, error) {
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
			if err := x5c.AddString(encodeStd(c.Raw)); err != nil {
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
		return "", fmt.Errorf("idporten: sign assertion: %w", err)
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
	return jwa.EmptySignatureAlgorithm(), fmt.Errorf("%w: unsupported signing key type %T", ErrConfig, key.Public())
}

func encodeStd(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
