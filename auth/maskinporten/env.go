package maskinporten

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// ConfigFromEnv reads a Config from the variables under prefix, e.g.
// "GRUNNMUR_MASKINPORTEN_": ISSUER (empty means TestIssuer), CLIENT_ID,
// KEY_FILE (a PEM private key) and KID, or CERT_FILE (a PEM chain, sent as
// x5c). getenv nil means os.Getenv. When none is set the error matches
// config.ErrUnset: the caller then uses a fake. Scopes are the caller's to
// set.
func ConfigFromEnv(prefix string, getenv func(string) string) (Config, error) {
	r := config.NewReader(prefix, getenv)
	cfg := Config{Issuer: r.URL("ISSUER"), ClientID: r.String("CLIENT_ID"), KeyID: r.String("KID")}
	keyFile, certFile := r.String("KEY_FILE"), r.String("CERT_FILE")
	errs := []error{r.Err()}
	if keyFile != "" {
		key, err := readKey(keyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %sKEY_FILE: %w", ErrConfig, prefix, err))
		}
		cfg.Key = key
	}
	if certFile != "" {
		chain, err := readCertificates(certFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %sCERT_FILE: %w", ErrConfig, prefix, err))
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
	k, err := idporten.ParsePrivateKey(data)
	if err != nil {
		return nil, err
	}
	return redact.Signer(k), nil
}

func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return idporten.ParseCertificates(data)
}
