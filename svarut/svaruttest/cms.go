package svaruttest

import (
	"bytes"
	"crypto/x509"

	"github.com/grunnmur/grunnmur/internal/cms"
)

// Encrypt wraps content in CMS EnvelopedData for the holder of cert, the way
// SvarInn does: a fresh AES-256-CBC key, wrapped with RSA-OAEP (SHA-256,
// MGF1-SHA-256), the recipient named by issuer and serial number, BER with
// the content in chunks.
func Encrypt(content []byte, cert *x509.Certificate) ([]byte, error) {
	var out bytes.Buffer
	w, err := cms.Encrypt(&out, cert)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(content); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
