// Package cmstest holds what the tests of internal/cms, fiksio/asice and
// svarut share: KS' demo key pair, throwaway certificates with fixed dates,
// readers that stream a large payload or dribble one byte at a time, and
// OpenSSL as the independent reader.
//
//	cert, key := cmstest.DemoKeys(t, "testdata/fiks-io")
//	signCert := cmstest.SelfSigned(t, signKey, "Grunnmur kommune")
//	out := cmstest.Run(t, cmstest.OpenSSL(t), "cms", "-decrypt", ...)
package cmstest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testenv"
)

// Vector reads the vendored KS test vector name from the calling package's
// testdata/fiks-io folder.
func Vector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fiks-io", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// DemoKeys reads KS' published demo certificate and key (never a real
// credential) from dir: TEST-ONLY-fiks_demo_public.pem and
// TEST-ONLY-fiks_demo_private.pem.
func DemoKeys(t testing.TB, dir string) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	block := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := pem.Decode(b)
		if p == nil {
			t.Fatalf("%s: no PEM", name)
		}
		return p.Bytes
	}
	cert, err := x509.ParseCertificate(block("TEST-ONLY-fiks_demo_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKCS1PrivateKey(block("TEST-ONLY-fiks_demo_private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// RSAKey makes a fresh 2048-bit RSA key.
func RSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// SelfSigned makes a self-signed certificate for key, valid 2026–2036:
// no test depends on the day it runs.
func SelfSigned(t testing.TB, key crypto.Signer, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4711),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Grunnmur test"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Pattern yields n bytes of a repeating, not all-zero pattern without
// holding them; two Patterns of one n yield the same bytes.
func Pattern(n int64) io.Reader { return &pattern{n: n} }

type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		x := p.off + int64(i)
		b[i] = byte(x ^ x>>8 ^ x>>17)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// OneByte returns a reader that gives r's bytes one at a time, to cross
// every boundary of a streaming parser.
func OneByte(r io.Reader) io.Reader { return oneByte{r} }

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// OpenSSL returns the path of the openssl command; without it the test is
// skipped with what to install, or fails when GRUNNMUR_REQUIRE_PEERS is set.
func OpenSSL(t testing.TB) string {
	t.Helper()
	return testenv.OpenSSL(t)
}

// Run runs a command and returns its standard output; a failure fails the
// test with its standard error.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// WriteFile writes b to name in dir and returns its path.
func WriteFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
