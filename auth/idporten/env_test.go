package idporten_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/config"

	"github.com/grunnmur/grunnmur/auth/idporten"
)

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	keyFile := filepath.Join(dir, "key.pem")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	cder, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	certFile := filepath.Join(dir, "cert.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}), 0o600)

	env := map[string]string{
		"GRUNNMUR_IDPORTEN_ISSUER": "https://test.idporten.no", "GRUNNMUR_IDPORTEN_CLIENT_ID": "c",
		"GRUNNMUR_IDPORTEN_CLIENT_KEY_FILE": keyFile, "GRUNNMUR_IDPORTEN_CLIENT_KID": "kid-1",
		"GRUNNMUR_IDPORTEN_CLIENT_CERT_FILE": certFile, "GRUNNMUR_IDPORTEN_REDIRECT_URI": "https://rp/auth/callback",
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", getenv)
	if err != nil || cfg.Key == nil || cfg.KeyID != "kid-1" || len(cfg.Certificates) != 1 || cfg.ClientID != "c" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if _, err := idporten.New(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := idporten.ConfigFromEnv("GRUNNMUR_ANSATTPORTEN_", getenv); !errors.Is(err, config.ErrUnset) {
		t.Fatalf("nothing set: %v, want config.ErrUnset", err)
	}
	env["GRUNNMUR_IDPORTEN_CLIENT_KEY_FILE"] = certFile
	if _, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", getenv); !errors.Is(err, idporten.ErrKey) {
		t.Fatalf("certificate as key: %v", err)
	}
}

// The secret comes from the variable or its _FILE; an empty issuer is the
// test environment; a malformed URL is named, and its value is not shown.
func TestConfigFromEnvSecretAndIssuer(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("hemmelig-fra-fil\n"), 0o600)
	env := map[string]string{
		"AP_CLIENT_ID": "c", "AP_CLIENT_SECRET_FILE": secretFile, "AP_REDIRECT_URI": "https://rp/auth/callback",
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := idporten.ConfigFromEnv("AP_", getenv)
	if err != nil || cfg.ClientSecret.Reveal() != "hemmelig-fra-fil" || cfg.Issuer != "" {
		t.Fatalf("%+v %v", cfg, err)
	}
	c, err := idporten.New(cfg)
	if err != nil || c.Issuer() != idporten.TestIssuer {
		t.Fatalf("%v %v", c, err)
	}
	env["AP_CLIENT_SECRET"] = "hemmelig-i-variabel"
	if _, err := idporten.ConfigFromEnv("AP_", getenv); err == nil || strings.Contains(err.Error(), "hemmelig") {
		t.Fatalf("both secret and secret file: %v", err)
	}
	delete(env, "AP_CLIENT_SECRET")
	env["AP_ISSUER"] = "test.idporten.no/hemmelig"
	if _, err := idporten.ConfigFromEnv("AP_", getenv); err == nil || !strings.Contains(err.Error(), "AP_ISSUER") {
		t.Fatalf("issuer without scheme: %v", err)
	}
}

func TestParsePrivateKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	if k, err := idporten.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})); err != nil || k == nil {
		t.Fatalf("EC key: %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := idporten.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})); !errors.Is(err, idporten.ErrKey) {
		t.Fatalf("1024-bit key: %v", err)
	}
}

// FuzzParsePEM feeds arbitrary bytes to the key and certificate readers:
// never a panic, always ErrKey on failure.
func FuzzParsePEM(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := idporten.ParsePrivateKey(data); (err == nil) == (k == nil) || (err != nil && !errors.Is(err, idporten.ErrKey)) {
			t.Fatalf("key %v err %v", k, err)
		}
		if c, err := idporten.ParseCertificates(data); (err == nil) == (len(c) == 0) || (err != nil && !errors.Is(err, idporten.ErrKey)) {
			t.Fatalf("certs %d err %v", len(c), err)
		}
	})
}
