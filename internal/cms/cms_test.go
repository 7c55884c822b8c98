package cms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/cms"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
	"github.com/smallstep/pkcs7"
)

// vector reads a vendored KS test vector.
func vector(t testing.TB, name string) []byte { t.Helper(); return cmstest.Vector(t, name) }

func demo(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	return cmstest.DemoKeys(t, filepath.Join("testdata", "fiks-io"))
}

func TestDecryptKSVectorBERAndDER(t *testing.T) {
	cert, key := demo(t)
	want := vector(t, "payload.asice")
	for _, name := range []string{"payload.asice.cms-ber", "payload.asice.cms-der"} {
		t.Run(name, func(t *testing.T) {
			ct := vector(t, name)
			for label, k := range map[string]cms.Key{"by certificate": {Certificate: cert, Private: key}, "key only": {Private: key}} {
				var out bytes.Buffer
				// One byte at a time exercises every boundary of the stream.
				n, err := cms.Decrypt(&out, cmstest.OneByte(bytes.NewReader(ct)), 0, k)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if n != int64(len(want)) || !bytes.Equal(out.Bytes(), want) {
					t.Fatalf("%s: %d bytes, not payload.asice", label, n)
				}
			}
			for _, cut := range []int{0, 1, 10, 300, len(ct) / 2, len(ct) - 17, len(ct) - 1} {
				if _, err := cms.Decrypt(io.Discard, bytes.NewReader(ct[:cut]), 0, cms.Key{Private: key}); !errors.Is(err, cms.ErrMalformed) {
					t.Fatalf("cut at %d: %v", cut, err)
				}
			}
			var out bytes.Buffer
			if n, err := cms.Decrypt(&out, bytes.NewReader(ct), 100, cms.Key{Private: key}); !errors.Is(err, cms.ErrTooLarge) || n > 100 || n != int64(out.Len()) {
				t.Fatalf("limit 100: %d, %v", n, err)
			}
		})
	}
}

func TestDecryptKeyRotation(t *testing.T) {
	cert, key := demo(t)
	old := cmstest.RSAKey(t)
	oldCert := cmstest.SelfSigned(t, old, "old")
	ct := vector(t, "payload.asice.cms-ber")
	want := vector(t, "payload.asice")
	cases := []struct {
		name string
		keys []cms.Key
		err  error
	}{
		{"new key after an old one", []cms.Key{{Private: old}, {Private: key}}, nil},
		{"old key with its certificate first", []cms.Key{{Certificate: oldCert, Private: old}, {Certificate: cert, Private: key}}, nil},
		{"only the old key", []cms.Key{{Private: old}}, cms.ErrNoKey},
		{"the right key under the wrong certificate", []cms.Key{{Certificate: oldCert, Private: key}}, cms.ErrNoKey},
		{"no keys", nil, cms.ErrNoKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := cms.Decrypt(&out, bytes.NewReader(ct), 0, c.keys...)
			if !errors.Is(err, c.err) || (c.err != nil) != (err != nil) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if c.err == nil && !bytes.Equal(out.Bytes(), want) {
				t.Fatal("wrong plaintext")
			}
			if c.err != nil && out.Len() != 0 {
				t.Fatalf("%d bytes written without a key", out.Len())
			}
		})
	}
}

func TestDecryptRejects(t *testing.T) {
	_, key := demo(t)
	ct := vector(t, "payload.asice.cms-der")
	flip := func(i int) []byte { b := bytes.Clone(ct); b[i] ^= 0x01; return b }
	cases := map[string]struct {
		in  []byte
		err error
	}{
		"empty":                {nil, cms.ErrMalformed},
		"not CMS":              {[]byte("PK\x03\x04 a zip, not CMS"), cms.ErrMalformed},
		"SignedData":           {vector(t, "signature.p7s"), cms.ErrUnsupported},
		"last ciphertext byte": {flip(len(ct) - 1), cms.ErrMalformed}, // the padding breaks
		"wrapped key":          {flip(len(ct) - 3702 - 80), cms.ErrNoKey},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := cms.Decrypt(io.Discard, bytes.NewReader(c.in), 0, cms.Key{Private: key}); !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
		})
	}
}

func encrypt(t testing.TB, content []byte, cert *x509.Certificate) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := cms.Encrypt(&out, cert)
	if err != nil {
		t.Fatal(err)
	}
	// Uneven writes cross the chunk and block boundaries.
	for rest := content; len(rest) > 0; {
		k := min(len(rest), 1+len(rest)%70001)
		if _, err := w.Write(rest[:k]); err != nil {
			t.Fatal(err)
		}
		rest = rest[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	return out.Bytes()
}

func TestEncryptRoundTripAndPKCS7(t *testing.T) {
	cert, key := demo(t)
	for _, size := range []int{0, 1, 15, 16, 17, 64<<10 - 1, 64 << 10, 64<<10 + 1, 300_000} {
		content := make([]byte, size)
		rand.Read(content)
		ct := encrypt(t, content, cert)
		var out bytes.Buffer
		if _, err := cms.Decrypt(&out, cmstest.OneByte(bytes.NewReader(ct)), 0, cms.Key{Private: key}); err != nil || !bytes.Equal(out.Bytes(), content) {
			t.Fatalf("size %d: %v", size, err)
		}
		// smallstep/pkcs7, an independent reader, opens it too.
		p7, err := pkcs7.Parse(ct)
		if err != nil {
			t.Fatalf("size %d: pkcs7: %v", size, err)
		}
		if got, err := p7.Decrypt(cert, key); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("size %d: pkcs7 decrypt: %v", size, err)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := cms.Encrypt(io.Discard, cmstest.SelfSigned(t, ec, "ec")); !errors.Is(err, cms.ErrUnsupported) {
		t.Fatalf("EC recipient: %v", err)
	}
}

func TestOpenSSLReadsWhatWeWrite(t *testing.T) {
	bin := cmstest.OpenSSL(t)
	dir := t.TempDir()
	cert, _ := demo(t)
	content := make([]byte, 200_003)
	rand.Read(content)
	write := func(name string, b []byte) string { return cmstest.WriteFile(t, dir, name, b) }
	ctPath := write("ct.cms", encrypt(t, content, cert))
	keyPath := write("key.pem", vector(t, "TEST-ONLY-fiks_demo_private.pem"))
	certPath := write("cert.pem", vector(t, "TEST-ONLY-fiks_demo_public.pem"))
	got := cmstest.Run(t, bin, "cms", "-decrypt", "-binary", "-inform", "DER", "-in", ctPath, "-inkey", keyPath, "-recip", certPath)
	if !bytes.Equal(got, content) {
		t.Fatalf("openssl cms -decrypt gave %d bytes, want %d", len(got), len(content))
	}

	sk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, key := range map[string]crypto.Signer{"RSA": cmstest.RSAKey(t), "ECDSA": sk} {
		sc := cmstest.SelfSigned(t, key, "signer")
		sig, err := cms.SignDetached(bytes.NewReader(content), cms.Signer{Certificate: sc, Key: key, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		sigPath := write("sig-"+name+".p7s", sig)
		cmstest.Run(t, bin, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigPath, "-content", write("content", content), "-noverify", "-out", os.DevNull)
		printed := cmstest.Run(t, bin, "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigPath)
		for _, want := range []string{"signingTime", "messageDigest", "contentType", "id-smime-aa-signingCertificateV2", "UTCTIME:Dec  6 12:00:00 2026 GMT"} {
			if !bytes.Contains(printed, []byte(want)) {
				t.Fatalf("%s signature lacks %s:\n%s", name, want, printed)
			}
		}
	}
}

func fixedNow() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }

func TestVerifyKSSignature(t *testing.T) {
	sig := vector(t, "signature.p7s")
	manifest := vector(t, "signedData.xml")
	signers, err := cms.VerifyDetached(sig, bytes.NewReader(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) != 1 || !strings.Contains(signers[0].Subject.CommonName, "DIREKTORATET FOR FORVALTNING OG IKT") {
		t.Fatalf("signers %v", signers)
	}
	bad := bytes.Replace(manifest, []byte("bii-message.xml"), []byte("bii-messagE.xml"), 1)
	if _, err := cms.VerifyDetached(sig, bytes.NewReader(bad)); !errors.Is(err, cms.ErrSignature) {
		t.Fatalf("changed manifest: %v", err)
	}
	badSig := bytes.Clone(sig)
	badSig[bytes.Index(sig, []byte{0x37, 0x17, 0x2c, 0x07, 0x3f})+10] ^= 1 // inside the signature value
	if _, err := cms.VerifyDetached(badSig, bytes.NewReader(manifest)); !errors.Is(err, cms.ErrSignature) {
		t.Fatalf("changed signature: %v", err)
	}
	for _, in := range [][]byte{nil, []byte("not CMS"), vector(t, "payload.asice.cms-der")} {
		if _, err := cms.VerifyDetached(in, bytes.NewReader(manifest)); !errors.Is(err, cms.ErrMalformed) && !errors.Is(err, cms.ErrUnsupported) {
			t.Fatalf("%.10q: %v", in, err)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := cmstest.RSAKey(t)
	cert := cmstest.SelfSigned(t, key, "signer")
	content := []byte("<ASiCManifest/>")
	sig, err := cms.SignDetached(bytes.NewReader(content), cms.Signer{Certificate: cert, Key: key, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	signers, err := cms.VerifyDetached(sig, bytes.NewReader(content))
	if err != nil || len(signers) != 1 || !signers[0].Equal(cert) {
		t.Fatalf("verify: %v, %v", signers, err)
	}
	if _, err := cms.VerifyDetached(sig, strings.NewReader("<ASiCManifest />")); !errors.Is(err, cms.ErrSignature) {
		t.Fatalf("other content: %v", err)
	}
	// smallstep/pkcs7 agrees.
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		t.Fatal(err)
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		t.Fatalf("pkcs7 verify: %v", err)
	}
	if _, err := cms.SignDetached(bytes.NewReader(content), cms.Signer{Key: key}); !errors.Is(err, cms.ErrUnsupported) {
		t.Fatalf("no certificate: %v", err)
	}
}
