package svarut_test

import (
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
