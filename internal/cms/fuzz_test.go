package cms_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/grunnmur/grunnmur/internal/cms"
)

// FuzzDecrypt feeds outside input to the streaming EnvelopedData reader:
// a typed error or the content, never a panic, never more than the limit.
func FuzzDecrypt(f *testing.F) {
	cert, key := demo(f)
	f.Add(vector(f, "payload.asice.cms-ber"))
	f.Add(vector(f, "payload.asice.cms-der"))
	f.Add(encrypt(f, []byte("grunnmur"), cert))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09})
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		n, err := cms.Decrypt(&out, bytes.NewReader(data), 4096, cms.Key{Certificate: cert, Private: key})
		if err != nil && !errors.Is(err, cms.ErrMalformed) && !errors.Is(err, cms.ErrUnsupported) &&
			!errors.Is(err, cms.ErrNoKey) && !errors.Is(err, cms.ErrTooLarge) {
			t.Fatalf("untyped error %v", err)
		}
		if n != int64(out.Len()) || n > 4096 {
			t.Fatalf("wrote %d, reported %d", out.Len(), n)
		}
	})
}

// FuzzVerifyDetached feeds outside input to the SignedData reader.
func FuzzVerifyDetached(f *testing.F) {
	f.Add(vector(f, "signature.p7s"), vector(f, "signedData.xml"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, []byte{})
	f.Fuzz(func(t *testing.T, sig, content []byte) {
		signers, err := cms.VerifyDetached(sig, bytes.NewReader(content))
		if err != nil && !errors.Is(err, cms.ErrMalformed) && !errors.Is(err, cms.ErrUnsupported) && !errors.Is(err, cms.ErrSignature) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && len(signers) == 0 {
			t.Fatal("verified without a signer")
		}
	})
}
