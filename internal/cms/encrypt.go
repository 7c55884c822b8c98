package cms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
)

// chunkSize is the plaintext held before a chunk of ciphertext is written:
// the encrypter's memory, whatever the size of the content.
const chunkSize = 64 << 10

// Encrypt starts a CMS EnvelopedData for the holder of cert and returns
// the writer the content goes to. The content key is a fresh AES-256-CBC
// key wrapped with RSAES-OAEP (SHA-256, MGF1-SHA-256), the recipient named
// by issuer and serial number, as KS' kryptering library does. The output
// is BER with indefinite lengths and the content in chunks, so memory stays
// at one chunk whatever the size. Close writes the padding and the ends of
// the elements; it does not close dst.
func Encrypt(dst io.Writer, cert *x509.Certificate) (io.WriteCloser, error) {
	if cert == nil {
		return nil, fmt.Errorf("%w: no recipient certificate", ErrUnsupported)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: the recipient certificate holds a %T, not an RSA key", ErrUnsupported, cert.PublicKey)
	}
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	rand.Read(key)
	rand.Read(iv)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, key, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: wrap the content key: %v", ErrUnsupported, err)
	}
	head, err := envelopeHead(cert, wrapped, iv)
	if err != nil {
		return nil, err
	}
	if _, err := dst.Write(head); err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(key)
	bufs := chunkPool.Get().(*chunkBufs)
	return &encrypter{dst: dst, mode: cipher.NewCBCEncrypter(block, iv), bufs: bufs, buf: bufs.plain[:0], out: bufs.out[:0]}, nil
}

// chunkBufs are an encrypter's two chunk buffers, kept in chunkPool
// between messages: a sender of many small messages makes no 128 KiB of
// garbage per message.
type chunkBufs struct{ plain, out []byte }

var chunkPool = sync.Pool{New: func() any {
	return &chunkBufs{plain: make([]byte, 0, chunkSize+aes.BlockSize), out: make([]byte, 0, chunkSize+aes.BlockSize+8)}
}}

// envelopeHead encodes everything before the content chunks.
func envelopeHead(cert *x509.Certificate, wrapped, iv []byte) ([]byte, error) {
	sha256ID := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	sha256DER, err := asn1.Marshal(sha256ID)
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(oaepParams{
		HashFunc:    sha256ID,
		MaskGenFunc: pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: sha256DER}},
	})
	if err != nil {
		return nil, err
	}
	ri, err := asn1.Marshal(struct {
		Version                int
		IssuerAndSerialNumber  issuerAndSerial
		KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
		EncryptedKey           []byte
	}{
		IssuerAndSerialNumber:  issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, SerialNumber: cert.SerialNumber},
		KeyEncryptionAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidRSAESOAEP, Parameters: asn1.RawValue{FullBytes: params}},
		EncryptedKey:           wrapped,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: recipient info: %v", ErrUnsupported, err)
	}
	ivDER, _ := asn1.Marshal(iv)
	alg, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}})
	envOID, _ := asn1.Marshal(oidEnvelopedData)
	dataOID, _ := asn1.Marshal(oidData)

	var h []byte
	h = append(h, 0x30, 0x80) // ContentInfo
	h = append(h, envOID...)
	h = append(h, 0xa0, 0x80)       // [0] EXPLICIT
	h = append(h, 0x30, 0x80)       // EnvelopedData
	h = append(h, 0x02, 0x01, 0x00) // version 0: issuerAndSerialNumber, no originator, no attributes
	h = appendTLV(h, 0x31, ri)      // recipientInfos
	h = append(h, 0x30, 0x80)       // EncryptedContentInfo
	h = append(h, dataOID...)
	h = append(h, alg...)
	h = append(h, 0xa0, 0x80) // [0] IMPLICIT encryptedContent, constructed
	return h, nil
}

type issuerAndSerial struct {
	Issuer       asn1.RawValue
	SerialNumber *big.Int
}

// trailer ends encryptedContent, EncryptedContentInfo, EnvelopedData,
// [0] and ContentInfo.
var trailer = make([]byte, 10)

var errClosed = errors.New("cms: write after Close")

type encrypter struct {
	dst    io.Writer
	mode   cipher.BlockMode
	bufs   *chunkBufs // back to chunkPool on Close
	buf    []byte     // plaintext not yet encrypted
	out    []byte
	err    error
	closed bool
}

func (e *encrypter) Write(p []byte) (int, error) {
	if e.closed {
		return 0, errClosed
	}
	if e.err != nil {
		return 0, e.err
	}
	n := 0
	for len(p) > 0 {
		k := min(len(p), chunkSize-len(e.buf))
		e.buf = append(e.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(e.buf) == chunkSize {
			if e.err = e.flush(); e.err != nil {
				return n, e.err
			}
		}
	}
	return n, nil
}

// flush encrypts the whole blocks held and writes them as one chunk.
func (e *encrypter) flush() error {
	full := len(e.buf) / aes.BlockSize * aes.BlockSize
	if full == 0 {
		return nil
	}
	e.out = appendLength(append(e.out[:0], 0x04), full)
	hl := len(e.out)
	e.out = slices.Grow(e.out, full)[:hl+full]
	e.mode.CryptBlocks(e.out[len(e.out)-full:], e.buf[:full])
	e.buf = append(e.buf[:0], e.buf[full:]...)
	_, err := e.dst.Write(e.out)
	return err
}

// Close pads and writes the last chunk and the ends of the elements.
func (e *encrypter) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err != nil {
		return e.err
	}
	pad := aes.BlockSize - len(e.buf)%aes.BlockSize
	for range pad {
		e.buf = append(e.buf, byte(pad))
	}
	if e.err = e.flush(); e.err != nil {
		return e.err
	}
	_, e.err = e.dst.Write(trailer)
	e.release()
	return e.err
}

// release clears the plaintext held and returns the buffers to chunkPool.
func (e *encrypter) release() {
	clear(e.buf[:cap(e.buf)])
	e.bufs.plain, e.bufs.out = e.buf[:0], e.out[:0]
	chunkPool.Put(e.bufs)
	e.bufs, e.buf, e.out = nil, nil, nil
}
