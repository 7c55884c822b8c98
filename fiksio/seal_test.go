package fiksio_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
)

// sealing gives alice a signer and bob the decryption keys of testCert,
// after an unrelated key, as during a rotation.
func sealing(t testing.TB, e *env) (alice, bob *fiksio.Client, signer asice.Signer) {
	signer = aliceSigner(t)
	alice, _ = e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Signer = signer })
	testCert(t)
	bob, _ = e.account(func(_ *fiksiotest.Account, c *fiksio.Config) {
		c.Keys = []crypto.Decrypter{cmstest.RSAKey(t), certKey}
	})
	return alice, bob, signer
}

// TestSealedRoundTrip: files sealed (ASiC-E, signed, encrypted to the
// receiver's katalog certificate) and sent; received, decrypted with the
// second of two keys, verified and byte-compared: 50 MB, through Dokumentlager.
func TestSealedRoundTrip(t *testing.T) {
	t.Parallel()
	size := int64(50 << 20)
	if raceEnabled {
		size = 12 << 20 // still through Dokumentlager
	}
	if testing.Short() {
		size = 1 << 20
	}
	e := setup(t, nil)
	alice, bob, signer := sealing(t, e)
	xml := []byte("<arkivmelding>🐟 \u202e</arkivmelding>")
	// Random bytes, repeated beyond deflate's window: they do not compress,
	// so the sealed payload is as large as the file.
	seed := make([]byte, 1<<20)
	_, _ = rand.Read(seed)
	file := func() io.Reader { return io.LimitReader(repeat(seed), size) }
	want := sha256.New()
	_, _ = io.Copy(want, file())

	type opened struct {
		m     *fiksio.Received
		files []asice.Entry
		xml   []byte
		sum   []byte
		err   error
	}
	got := make(chan opened, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		o := opened{m: m}
		defer func() { got <- o }()
		c, err := m.Open(ctx)
		if err != nil {
			o.err = err
			return fiksio.Processed()
		}
		defer c.Close()
		o.files = c.Files
		if !c.SignatureVerified || len(c.Signers) != 1 || !c.Signers[0].Equal(signer.Certificate) {
			o.err = errors.New("signer not verified")
		}
		r, err := c.Open("arkivmelding.xml")
		if err == nil {
			o.xml, _ = io.ReadAll(r)
			r.Close()
		}
		if r, err = c.Open("vedlegg.bin"); err == nil {
			h := sha256.New()
			_, _ = io.Copy(h, r)
			r.Close()
			o.sum = h.Sum(nil)
		}
		return fiksio.Processed()
	})
	sent, err := alice.SendFiles(context.Background(), fiksio.Message{
		Mottaker: bob.KontoID(), Type: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett", TTL: time.Hour,
		KlientMeldingID: "km-seal", Headers: map[string]string{"saksnummer": "2026/18"},
	},
		asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: bytes.NewReader(xml)},
		asice.File{Name: "vedlegg.bin", Content: file()})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-got:
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.m.MeldingID != sent.MeldingID || o.m.TTL != time.Hour || o.m.KlientMeldingID() != "km-seal" || o.m.Headers["saksnummer"] != "2026/18" {
			t.Errorf("message %+v", o.m)
		}
		if len(o.files) != 2 || o.files[0].Name != "arkivmelding.xml" || o.files[1].Size != size {
			t.Errorf("files %+v", o.files)
		}
		if !bytes.Equal(o.xml, xml) || !bytes.Equal(o.sum, want.Sum(nil)) {
			t.Error("the files changed on the way")
		}
		if size > 5<<20 && o.m.DokumentlagerID == [16]byte{} {
			t.Error("a large sealed payload did not go through Dokumentlager")
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("nothing received")
	}
}

// aliceSigner is a signing key and certificate apart from any encryption key.
func aliceSigner(t testing.TB) asice.Signer {
	signKey := cmstest.RSAKey(t)
	return asice.Signer{Certificate: cmstest.SelfSigned(t, signKey, "alice signs"), Key: signKey,
		Now: func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }}
}

// A receiver without the right key gets asice.ErrNoKey, and SendFiles
// refuses a receiver whose certificate does not verify.
func TestSealedRefusals(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _, _ := sealing(t, e)
	wrongKeys, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Keys = []crypto.Decrypter{cmstest.RSAKey(t)} })
	errs := make(chan error, 1)
	receive(t, wrongKeys, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		_, err := m.Open(ctx)
		errs <- err
		return fiksio.Processed()
	})
	if _, err := alice.SendFiles(context.Background(), fiksio.Message{Mottaker: wrongKeys.KontoID(), Type: "no.ks.fiks.test"},
		asice.File{Name: "a.txt", Content: bytes.NewReader([]byte("a"))}); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; !errors.Is(err, asice.ErrNoKey) {
		t.Errorf("Open with the wrong key = %v, want asice.ErrNoKey", err)
	}
	expired, _ := e.account(func(a *fiksiotest.Account, _ *fiksio.Config) {
		a.Certificate = certWith(t, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), false)
	})
	_, err := alice.SendFiles(context.Background(), fiksio.Message{Mottaker: expired.KontoID(), Type: "no.ks.fiks.test"},
		asice.File{Name: "a.txt", Content: bytes.NewReader([]byte("a"))})
	if !errors.Is(err, fiksio.ErrCertificate) {
		t.Errorf("SendFiles to an expired certificate = %v, want ErrCertificate", err)
	}
	noSigner, _ := e.account(nil)
	if _, err := noSigner.SendFiles(context.Background(), fiksio.Message{Mottaker: alice.KontoID(), Type: "no.ks.fiks.test"},
		asice.File{Name: "a.txt", Content: bytes.NewReader([]byte("a"))}); !errors.Is(err, fiksio.ErrConfig) {
		t.Errorf("SendFiles without a Signer = %v, want ErrConfig", err)
	}
}

// TestHandBuiltKeys: RSA keys built field by field, without Precompute,
// sign and decrypt as well (New precomputes copies of them), and the
// caller's keys are left as they were.
func TestHandBuiltKeys(t *testing.T) {
	t.Parallel()
	bare := func(k *rsa.PrivateKey) *rsa.PrivateKey {
		return &rsa.PrivateKey{PublicKey: k.PublicKey, D: k.D, Primes: k.Primes}
	}
	e := setup(t, nil)
	signer := aliceSigner(t)
	signer.Key = bare(signer.Key.(*rsa.PrivateKey))
	alice, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Signer = signer })
	testCert(t)
	key := bare(certKey)
	keys := []crypto.Decrypter{key}
	bob, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Keys = keys })
	got := make(chan string, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		c, err := m.Open(ctx)
		if err != nil {
			got <- err.Error()
			return fiksio.Processed()
		}
		defer c.Close()
		r, err := c.Open("a.txt")
		if err != nil {
			got <- err.Error()
			return fiksio.Processed()
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
		return fiksio.Processed()
	})
	if _, err := alice.SendFiles(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.nokler"},
		asice.File{Name: "a.txt", Content: bytes.NewReader([]byte("æøå"))}); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "æøå" {
			t.Errorf("got %q", s)
		}
	case <-time.After(time.Minute):
		t.Fatal("nothing received")
	}
	if key.Precomputed.Dp != nil || signer.Key.(*rsa.PrivateKey).Precomputed.Dp != nil || keys[0] != crypto.Decrypter(key) {
		t.Error("New wrote to the caller's keys")
	}
}
