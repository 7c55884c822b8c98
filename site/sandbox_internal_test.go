package site

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
)

// stub is a sandbox without fakes, for the package's own tests (devenv
// imports site, so they cannot start the real one): its variables point
// at addresses nothing answers, and a real Maskinporten key.
type stub struct {
	vars   map[string]string
	closed bool
}

func (s *stub) Getenv(name string) string { return s.vars[name] }
func (s *stub) Lines() []string           { return []string{"stub"} }
func (s *stub) Officer() (string, ident.Fodselsnummer) {
	return "", ident.Fodselsnummer{}
}
func (s *stub) Close(context.Context) error { s.closed = true; return nil }

// stubSandbox returns a StartSandbox that starts a stub.
func stubSandbox(t *testing.T) StartSandbox {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(SandboxOptions) (Sandbox, error) {
		return &stub{vars: map[string]string{
			"GRUNNMUR_IDPORTEN_ISSUER": "http://127.0.0.1:1/", "GRUNNMUR_IDPORTEN_CLIENT_ID": "i",
			"GRUNNMUR_ANSATTPORTEN_ISSUER": "http://127.0.0.1:1/a", "GRUNNMUR_ANSATTPORTEN_CLIENT_ID": "a",
			"GRUNNMUR_MASKINPORTEN_ISSUER": "http://127.0.0.1:1/m", "GRUNNMUR_MASKINPORTEN_CLIENT_ID": "m",
			"GRUNNMUR_MASKINPORTEN_KEY_FILE": keyFile, "GRUNNMUR_MASKINPORTEN_KID": "k",
			"GRUNNMUR_VIPPS_BASE_URL": "http://127.0.0.1:1/v", "GRUNNMUR_VIPPS_MSN": "123456",
			"GRUNNMUR_VIPPS_CLIENT_ID": "c", "GRUNNMUR_VIPPS_CLIENT_SECRET": "s", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "k",
			"GRUNNMUR_SVARUT_KONTO_ID": "9c6f7a43-5b0e-4f0e-9a55-2f1d3c1a6b01", "GRUNNMUR_SVARUT_INTEGRASJON_ID": "2b1e0c6a-8f4d-4c3b-9e2a-7d5f1a0b3c4d",
			"GRUNNMUR_SVARUT_INTEGRASJON_PASSORD": "p",
			"GRUNNMUR_SVARUT_BASE_URL":            "http://127.0.0.1:1/s", "GRUNNMUR_BRREG_BASE_URL": "http://127.0.0.1:1/b",
		}}, nil
	}
}

// TestSandboxClosed: Close stops the sandbox that Setup started, and a
// failing Setup stops it too.
func TestSandboxClosed(t *testing.T) {
	var got *stub
	start := stubSandbox(t)
	o := Options{Public: "http://127.0.0.1:1", OfficerPrefix: "/ansatt/auth", Sandbox: func(o SandboxOptions) (Sandbox, error) {
		sb, err := start(o)
		got = sb.(*stub)
		return sb, err
	}}
	x, err := Setup(func(string) string { return "" }, o)
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	if got == nil || !got.closed {
		t.Error("Close left the sandbox running")
	}
	got = nil
	if _, err := Setup(func(k string) string { return map[string]string{"GRUNNMUR_OFFICERS": "12345678901"}[k] }, o); err == nil || got == nil || !got.closed {
		t.Errorf("a failed Setup left the sandbox running: %v", err)
	}
}
