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

// ConfigFromEnv reads prefix+"_ISSUER", "_CLIENT_ID", "_CLIENT_SECRET", or
// "_CLIENT_KEY_FILE" with "_CLIENT_KID" (or "_CLIENT_CERT_FILE" for x5c),
// "_REDIRECT_URI" and "_POST_LOGOUT_REDIRECT_URI", e.g. with prefix
// "GRUNNMUR_IDPORTEN". getenv nil means os.Getenv. It reports ok=false when
// the issuer is unset: the caller then uses the fake.
func ConfigFromEnv(prefix string, getenv func(string) string) (cfg Config, ok bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg.Issuer = getenv(prefix + "_ISSUER")
	if cfg.Issuer == "" {
		return cfg, false, nil
	}
	cfg.ClientID = getenv(prefix + "_CLIENT_ID")
	cfg.ClientSecret = Secret(getenv(prefix + "_CLIENT_SECRET"))
	cfg.RedirectURI = getenv(prefix + "_REDIRECT_URI")
	cfg.PostLogoutRedirectURI = getenv(prefix + "_POST_LOGOUT_REDIRECT_URI")
	if f := getenv(prefix + "_CLIENT_KEY_FILE"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return cfg, true, fmt.Errorf("%w: %s_CLIENT_KEY_FILE: %w", ErrConfig, prefix, err)
		}
		if cfg.Key, err = ParsePrivateKey(data); err != nil {
			return cfg, true, err
		}
		cfg.Key = redact.Signer(cfg.Key) // a Config kept by value prints no key
		cfg.KeyID = getenv(prefix + "_CLIENT_KID")
		if cf := getenv(prefix + "_CLIENT_CERT_FILE"); cf != "" {
			data, err := os.ReadFile(cf)
			if err != nil {
				return cfg, true, fmt.Errorf("%w: %s_CLIENT_CERT_FILE: %w", ErrConfig, prefix, err)
			}
			if cfg.Certificates, err = ParseCertificates(data); err != nil {
				return cfg, true, err
			}
		}
	}
	return cfg, true, nil
}
