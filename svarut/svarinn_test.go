package svarut_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// The KS test vectors' expected plaintexts (testvectors-cms/SOURCE.txt; the
// text.txt hash from openssl cms -decrypt and unzip).
const (
	smallPDFSHA   = "8b628fc6410a8617083a6a265c4d9ac6c8f501aa378d8137e9aae0403db95d39"
	dokumenterSHA = "9a71850e8f9e4e0269b37caf8640bca85d4f56147b9e3cae0e8b07b6f98d80a0"
	textTxtSHA    = "38b48620a3ecaef150d40c44530b28962f2a0a0976365db07f5bfbaa241bef42"
)

type testKeys struct {
	cert *x509.Certificate
	key  any
}

func loadKeys(t testing.TB) testKeys {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "svarut", "testvectors-cms", name))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			t.Fatalf("%s: no PEM", name)
		}
		return blk.Bytes
	}
	cert, err := x509.ParseCertificate(read("TEST-ONLY-recipient-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	der := read("TEST-ONLY-recipient-privatekey.pem")
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		k8, err8 := x509.ParsePKCS8PrivateKey(der)
		if err8 != nil {
			t.Fatal(err, err8)
		}
		return testKeys{cert, k8}
	}
	return testKeys{cert, key}
}

func vector(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "svarut", "testvectors-cms", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestDecryptKSVectors(t *testing.T) {
	k := loadKeys(t)
	for name, want := range map[string]string{"small.pdf.crypt": smallPDFSHA, "dokumenter.zip.crypt": dokumenterSHA} {
		plain, err := svarut.Decrypt(vector(t, name), k.cert, k.key)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := sha(plain); got != want {
			t.Fatalf("%s: sha256 %s, want %s", name, got, want)
		}
	}
	// The fake's own encryption (RSA-OAEP SHA-256 + AES-256-CBC) opens too.
	ct, err := svaruttest.Encrypt([]byte("hei fra svaruttest"), k.cert)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := svarut.Decrypt(ct, k.cert, k.key); err != nil || string(plain) != "hei fra svaruttest" {
		t.Fatalf("fake's CMS: %q, %v", plain, err)
	}
	// Tampered ciphertexts fail cleanly.
	bad := vector(t, "small.pdf.crypt")
	bad[len(bad)-5] ^= 0xff
	if plain, err := svarut.Decrypt(bad, k.cert, k.key); err == nil && sha(plain) == smallPDFSHA {
		t.Fatal("a tampered ciphertext decrypted to the original")
	}
	if _, err := svarut.Decrypt([]byte("not cms"), k.cert, k.key); !errors.Is(err, svarut.ErrDecrypt) {
		t.Fatalf("garbage: %v", err)
	}
}

type received struct {
	mu    sync.Mutex
	files map[string]string // name -> sha256 of the streamed content
}

func (r *received) handler(fail error) svarut.Handler {
	return func(_ context.Context, in *svarut.Incoming, f svarut.IncomingFile, content io.Reader) error {
		if fail != nil {
			return fail
		}
		b, err := io.ReadAll(content)
		if err != nil {
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.files[f.Name] = sha(b)
		return nil
	}
}

func receiverEnv(t *testing.T) (*env, *svarut.Receiver) {
	k := loadKeys(t)
	e := setup(t, svaruttest.Config{SvarInnCertificate: k.cert})
	return e, &svarut.Receiver{Client: e.client, Certificate: k.cert, Key: k.key, TempDir: t.TempDir()}
}

func TestSvarInnReceiveKSVectors(t *testing.T) {
	e, r := receiverEnv(t)
	zipID, err := e.fake.AddIncoming(svaruttest.Incoming{
		Title: "Søknad om skjenkebevilling", SenderOrgnr: "974760673", SenderName: "Kafé Ærlig & Søt AS",
		Encrypted: vector(t, "dokumenter.zip.crypt"),
		Files: []svaruttest.IncomingFile{
			{Name: "small.pdf", MimeType: "application/pdf", SHA256: smallPDFSHA, Size: 3151},
			{Name: "text.txt", MimeType: "text/plain", SHA256: textTxtSHA, Size: 11},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pdfID, err := e.fake.AddIncoming(svaruttest.Incoming{
		Title: "Ett dokument", Encrypted: vector(t, "small.pdf.crypt"),
		Files: []svaruttest.IncomingFile{{Name: "small.pdf", MimeType: "application/pdf", SHA256: smallPDFSHA, Size: 3151}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := &received{files: map[string]string{}}
	r.Handler = got.handler(nil)
	if err := r.RunOnce(context.Background()); err != nil {
		t.Fatalf("RunOnce = %v", err)
	}
	if got.files["small.pdf"] != smallPDFSHA || got.files["text.txt"] != textTxtSHA {
		t.Fatalf("handler saw %v", got.files)
	}
	for _, id := range []string{zipID, pdfID} {
		if st, _ := e.fake.IncomingState(id); st.Status != "MOTTATT" {
			t.Fatalf("%s: state %+v", id, st)
		}
	}
	// Acknowledged shipments are no longer offered.
	if list, err := e.client.PollIncoming(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("after MOTTATT: %d offered, %v", len(list), err)
	}
}

func TestSvarInnTamperedIsFEILET(t *testing.T) {
	e, r := receiverEnv(t)
	ctx := context.Background()
	// A file whose content does not match filer[].hash.
	wrongHash, _ := e.fake.AddIncoming(svaruttest.Incoming{
		Title: "Tuklet", Encrypted: vector(t, "dokumenter.zip.crypt"),
		Files: []svaruttest.IncomingFile{
			{Name: "small.pdf", MimeType: "application/pdf", SHA256: smallPDFSHA, Size: 3151},
			{Name: "text.txt", MimeType: "text/plain", SHA256: strings.Repeat("0", 64), Size: 11},
		},
	})
	// A ciphertext with a flipped byte.
	ct := vector(t, "small.pdf.crypt")
	ct[len(ct)-20] ^= 0x01
	flipped, _ := e.fake.AddIncoming(svaruttest.Incoming{
		Title: "Ødelagt", Encrypted: ct,
		Files: []svaruttest.IncomingFile{{Name: "small.pdf", MimeType: "application/pdf", SHA256: smallPDFSHA, Size: 3151}},
	})
	got := &received{files: map[string]string{}}
	r.Handler = got.handler(nil)
	err := r.RunOnce(ctx)
	if err == nil {
		t.Fatal("RunOnce = nil, want errors")
	}
	if !errors.Is(err, svarut.ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch among them", err)
	}
	if len(got.files) != 0 {
		t.Fatalf("the handler saw files of a tampered shipment: %v", got.files)
	}
	for _, id := range []string{wrongHash, flipped} {
		st, _ := e.fake.IncomingState(id)
		if st.Status != "FEILET" || !st.Permanent || st.Message == "" {
			t.Fatalf("%s: state %+v, want FEILET permanent", id, st)
		}
	}
}

func TestSvarInnGeneratedAndHandlerFailure(t *testing.T) {
	e, r := receiverEnv(t)
	ctx := context.Background()
	files := []svaruttest.IncomingFile{
		{Name: "søknad.pdf", MimeType: "application/pdf", Content: pdf(20000)},
		{Name: "vedlegg.json", MimeType: "application/json", Content: []byte(`{"a":1}`)},
	}
	id, err := e.fake.AddIncoming(svaruttest.Incoming{Title: "Søknad", SenderOrgnr: "974760673", Files: files})
	if err != nil {
		t.Fatal(err)
	}
	got := &received{files: map[string]string{}}
	// The handler fails: FEILET, temporary, and still offered.
	r.Handler = got.handler(fmt.Errorf("archive is down"))
	if err := r.RunOnce(ctx); err == nil || !strings.Contains(err.Error(), "archive is down") {
		t.Fatalf("err = %v", err)
	}
	st, _ := e.fake.IncomingState(id)
	if st.Status != "FEILET" || st.Permanent {
		t.Fatalf("state %+v, want FEILET temporary", st)
	}
	r.Handler = got.handler(nil)
	if err := r.RunOnce(ctx); err != nil {
		t.Fatalf("second RunOnce = %v", err)
	}
	if got.files["søknad.pdf"] != sha(files[0].Content) || got.files["vedlegg.json"] != sha(files[1].Content) {
		t.Fatalf("handler saw %v", got.files)
	}
	if st, _ := e.fake.IncomingState(id); st.Status != "MOTTATT" || st.Downloads != 2 {
		t.Fatalf("state %+v", st)
	}
	// Too large for the receiver's limit: FEILET permanent.
	big, _ := e.fake.AddIncoming(svaruttest.Incoming{Title: "Stor", Files: []svaruttest.IncomingFile{{Name: "stor.pdf", MimeType: "application/pdf", Content: pdf(50000)}}})
	r.MaxSize = 10000
	if err := r.RunOnce(ctx); !errors.Is(err, svarut.ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	if st, _ := e.fake.IncomingState(big); st.Status != "FEILET" || !st.Permanent {
		t.Fatalf("too large: state %+v", st)
	}
}

// TestPollIncomingTooLarge: a poll answer past the bound is refused as too
// large, not cut and misreported as bad JSON.
func TestPollIncomingTooLarge(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[")
		pad := strings.Repeat(" ", 1<<20)
		for range 65 {
			io.WriteString(w, pad)
		}
		io.WriteString(w, "]")
	}))
	defer ts.Close()
	c, err := svarut.New(svarut.Config{BaseURL: ts.URL, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New("p")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PollIncoming(context.Background()); !errors.Is(err, svarut.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}
