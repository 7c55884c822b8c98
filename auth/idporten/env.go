package idporten

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// ErrKey is returned for a key or certificate file that cannot be used.
var ErrKey = errors.New("idporten: unusable key or certificate")

// ParsePrivateKey reads the first private key in PEM data: PKCS #8, PKCS #1
// (RSA) or SEC 1 (EC). The error never quotes the data.
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("%w: no PEM private key found", ErrKey)
		}
		var k any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s block does not parse", ErrKey, b.Type)
		}
		switch s := k.(type) {
		case *rsa.PrivateKey:
			if s.N.BitLen() < 2048 {
				return nil, fmt.Errorf("%w: RSA key shorter than 2048 bits", ErrKey)
			}
			return s, nil
		case *ecdsa.PrivateKey:
			return s, nil
		case ed25519.PrivateKey:
			return s, nil
		}
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrKey, k)
	}
}

// ParseCertificates reads every certificate in PEM data, leaf first, as x5c
// wants them.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate %d does not parse", ErrKey, len(out)+1)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PEM certificate found", ErrKey)
	}
	return out, nil
}

// ConfigFromEnv reads a Config from the variables under prefix, e.g.
// "GRUNNMUR_IDPORTEN_" or "GRUNNMUR_ANSATTPORTEN_": ISSUER (empty means
// TestIssuer), CLIENT_ID, CLIENT_SECRET (or CLIENT_SECRET_FILE), or
// CLIENT_KEY_FILE (a PEM private key) with CLIENT_KID or CLIENT_CERT_FILE (a
// PEM chain, sent as x5c), REDIRECT_URI and POST_LOGOUT_REDIRECT_URI. getenv
// nil means os.Getenv. When none is set the error matches config.ErrUnset:
// the caller then uses a fake. Every malformed variable is named in the
// error; the values never are.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	r := config.NewReader(prefix, getenv)
	cfg := Config{
		Issuer:                r.URL("ISSUER"),
		ClientID:              r.String("CLIENT_ID"),
		ClientSecret:          r.Secret("CLIENT_SECRET"),
		RedirectURI:           r.URL("REDIRECT_URI"),
		PostLogoutRedirectURI: r.URL("POST_LOGOUT_REDIRECT_URI"),
		KeyID:                 r.String("CLIENT_KID"),
	}
	keyFile, certFile := r.String("CLIENT_KEY_FILE"), r.String("CLIENT_CERT_FILE")
	errs := []error{r.Err()}
	if keyFile != "" {
		key, err := readKey(keyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %sCLIENT_KEY_FILE: %w", ErrConfig, prefix, err))
		}
		cfg.Key = key
	}
	if certFile != "" {
		chain, err := readCertificates(certFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %sCLIENT_CERT_FILE: %w", ErrConfig, prefix, err))
		}
		cfg.Certificates = chain
	}
	return cfg, errors.Join(errs...)
}

// readKey reads a PEM private key file, wrapped so that a Config kept by
// value prints no key.
func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(data)
	if err != nil {
		return nil, err
	}
	return redact.Signer(k), nil
}

// readCertificates reads a PEM certificate chain file, leaf first.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCertificates(data)
}
