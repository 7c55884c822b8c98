package cms_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/grunnmur/grunnmur/internal/cms"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
	"github.com/grunnmur/grunnmur/internal/testheap"
)

// encryptDecrypt streams size bytes through Encrypt, an io.Pipe and
// Decrypt, and reports whether the plaintext came back intact.
func encryptDecrypt(tb testing.TB, size int64) bool {
	cert, key := demo(tb)
	pr, pw := io.Pipe()
	go func() {
		w, err := cms.Encrypt(pw, cert)
		if err == nil {
			_, err = io.Copy(w, cmstest.Pattern(size))
		}
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()
	got := sha256.New()
	n, err := cms.Decrypt(got, pr, 0, cms.Key{Private: key})
	if err != nil {
		tb.Fatal(err)
	}
	want := sha256.New()
	io.Copy(want, cmstest.Pattern(size))
	return n == size && bytes.Equal(got.Sum(nil), want.Sum(nil))
}

// TestEncryptDecrypt200MBMemory: encrypting and decrypting 200 MB grows the
// peak heap by less than 32 MiB.
func TestEncryptDecrypt200MBMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("encrypts and decrypts 200 MB")
	}
	size := int64(200 << 20)
	if raceEnabled {
		size = 32 << 20 // the race detector makes AES and hashing many times slower
	}
	stop := testheap.Sample()
	ok := encryptDecrypt(t, size)
	growth := stop()
	if !ok {
		t.Fatal("the plaintext did not come back intact")
	}
	t.Logf("%d MB encrypt+decrypt: peak HeapInuse growth %.2f MiB", size>>20, float64(growth)/(1<<20))
	if growth >= 32<<20 {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
}

// BenchmarkEncryptDecrypt streams 8 MB through Encrypt and Decrypt;
// BenchmarkCopy is the baseline, the same bytes through the same pipe.
func BenchmarkEncryptDecrypt(b *testing.B) {
	const size = 8 << 20
	b.SetBytes(size)
	for b.Loop() {
		if !encryptDecrypt(b, size) {
			b.Fatal("corrupt")
		}
	}
}

func BenchmarkCopy(b *testing.B) {
	const size = 8 << 20
	b.SetBytes(size)
	for b.Loop() {
		pr, pw := io.Pipe()
		go func() { _, err := io.Copy(pw, cmstest.Pattern(size)); pw.CloseWithError(err) }()
		h := sha256.New()
		io.Copy(h, pr)
	}
}
