package svarut_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/grunnmur/grunnmur/svarut"
)

// FuzzDecrypt feeds outside CMS input to the decryption: typed errors, no panic.
func FuzzDecrypt(f *testing.F) {
	k := loadKeys(f)
	f.Add(vector(f, "small.pdf.crypt"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := svarut.Decrypt(data, k.cert, k.key)
		if err != nil && !errors.Is(err, svarut.ErrDecrypt) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzDecryptTo feeds outside CMS input to the streaming decryption: typed
// errors, no panic, never more than the limit written.
func FuzzDecryptTo(f *testing.F) {
	k := loadKeys(f)
	f.Add(vector(f, "small.pdf.crypt"))
	f.Add(vector(f, "dokumenter.zip.crypt"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09})
	f.Fuzz(func(t *testing.T, data []byte) {
		var out countWriter
		n, err := svarut.DecryptTo(&out, bytes.NewReader(data), k.cert, k.key, 4096)
		if err != nil && !errors.Is(err, svarut.ErrDecrypt) && !errors.Is(err, svarut.ErrTooLarge) {
			t.Fatalf("untyped error %v", err)
		}
		if n != int64(out) || n > 4096 {
			t.Fatalf("wrote %d, reported %d", out, n)
		}
	})
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
