package maskinporten

import (
	"fmt"
	"os"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// ConfigFromEnv reads prefix+"_ISSUER", "_CLIENT_ID", "_KEY_FILE" and
// "_KID" or "_CERT_FILE" (a PEM chain, sent as x5c), e.g. with prefix
// "GRUNNMUR_MASKINPORTEN". getenv nil means os.Getenv. It reports ok=false
// when the issuer is unset: the caller then uses the fake. Scopes are the
// caller's to set.
func ConfigFromEnv(prefix string, getenv func(string) string) (cfg Config, ok bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg.Issuer = getenv(prefix + "_ISSUER")
	if cfg.Issuer == "" {
		return cfg, false, nil
	}
	cfg.ClientID = getenv(prefix + "_CLIENT_ID")
	cfg.KeyID = getenv(prefix + "_KID")
	if f := getenv(prefix + "_KEY_FILE"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return cfg, true, fmt.Errorf("%w: %s_KEY_FILE: %w", ErrConfig, prefix, err)
		}
		if cfg.Key, err = idporten.ParsePrivateKey(data); err != nil {
			return cfg, true, err
		}
		cfg.Key = redact.Signer(cfg.Key) // a Config kept by value prints no key
	}
	if f := getenv(prefix + "_CERT_FILE"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return cfg, true, fmt.Errorf("%w: %s_CERT_FILE: %w", ErrConfig, prefix, err)
		}
		if cfg.Certificates, err = idporten.ParseCertificates(data); err != nil {
			return cfg, true, err
		}
	}
	return cfg, true, nil
}
