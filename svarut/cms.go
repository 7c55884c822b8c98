package svarut

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
)

// A streaming reader of the CMS EnvelopedData that SvarInn sends: BER with
// indefinite lengths and the encrypted content in chunks (BouncyCastle's
// streaming generator), or DER. Only the small parts (the recipient infos,
// the algorithm) are held in memory; the content is decrypted as it passes.
// Encodings it does not handle give errUnsupportedCMS, and the caller falls
// back to smallstep/pkcs7, which reads the whole message into memory.

var errUnsupportedCMS = errors.New("svarut: cms: encoding not supported by the streaming reader")

var (
	oidEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidRSAESOAEP     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 7}
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidAES128CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

const maxSmallElement = 1 << 20 // recipient infos, algorithms: never this large

type berHeader struct {
	class, tag  int
	constructed bool
	length      int64 // -1: indefinite
	raw         []byte
}

type berReader struct{ r *bufio.Reader }

func (b *berReader) header() (berHeader, error) {
	var h berHeader
	c, err := b.r.ReadByte()
	if err != nil {
		return h, err
	}
	h.raw = append(h.raw, c)
	h.class, h.constructed, h.tag = int(c>>6), c&0x20 != 0, int(c&0x1f)
	if h.tag == 0x1f {
		return h, errUnsupportedCMS // high tag numbers do not occur in CMS
	}
	l, err := b.r.ReadByte()
	if err != nil {
		return h, unexpected(err)
	}
	h.raw = append(h.raw, l)
	switch {
	case l < 0x80:
		h.length = int64(l)
	case l == 0x80:
		if !h.constructed {
			return h, fmt.Errorf("%w: indefinite length on a primitive", ErrDecrypt)
		}
		h.length = -1
	default:
		n := int(l & 0x7f)
		if n > 7 {
			return h, fmt.Errorf("%w: length too long", ErrDecrypt)
		}
		for range n {
			c, err := b.r.ReadByte()
			if err != nil {
				return h, unexpected(err)
			}
			h.raw = append(h.raw, c)
			h.length = h.length<<8 | int64(c)
		}
	}
	return h, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrDecrypt)
	}
	return err
}

// element reads a whole definite-length element (header included).
func (b *berReader) element(h berHeader) ([]byte, error) {
	if h.length < 0 {
		return nil, errUnsupportedCMS
	}
	if h.length > maxSmallElement {
		return nil, fmt.Errorf("%w: element of %d bytes", ErrDecrypt, h.length)
	}
	out := make([]byte, len(h.raw)+int(h.length))
	copy(out, h.raw)
	if _, err := io.ReadFull(b.r, out[len(h.raw):]); err != nil {
		return nil, unexpected(err)
	}
	return out, nil
}

func (b *berReader) expect(class, tag int, constructed bool) (berHeader, error) {
	h, err := b.header()
	if err != nil {
		return h, unexpected(err)
	}
	if h.class != class || h.tag != tag || h.constructed != constructed {
		return h, fmt.Errorf("%w: unexpected element (class %d tag %d)", ErrDecrypt, h.class, h.tag)
	}
	return h, nil
}

func (b *berReader) oid() (asn1.ObjectIdentifier, error) {
	h, err := b.expect(0, asn1.TagOID, false)
	if err != nil {
		return nil, err
	}
	raw, err := b.element(h)
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(raw, &oid); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	return oid, nil
}

type cmsRecipient struct {
	Version               int
	IssuerAndSerialNumber struct {
		Issuer       asn1.RawValue
		SerialNumber *big.Int
	}
	KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedKey           []byte
}

type oaepParams struct {
	HashFunc    pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MaskGenFunc pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
}

// decryptStream decrypts the EnvelopedData read from src into dst, and
// returns the number of plaintext bytes written. At most limit bytes are
// written; more gives ErrTooLarge.
func decryptStream(src io.Reader, dst io.Writer, cert *x509.Certificate, key crypto.PrivateKey, limit int64) (int64, error) {
	d := &envelope{b: &berReader{r: bufio.NewReaderSize(src, 64<<10)}}
	if err := d.open(); err != nil {
		return 0, err
	}
	cek, err := d.recipientKey(cert, key)
	if err != nil {
		return 0, err
	}
	mode, err := d.contentCipher(cek)
	if err != nil {
		return 0, err
	}
	cw := &cbcWriter{mode: mode, dst: dst, limit: limit}
	if err := d.content(cw); err != nil {
		return cw.n, err
	}
	if err := d.close(); err != nil {
		return cw.n, err
	}
	if err := cw.finish(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

// envelope reads an EnvelopedData in order: its headers, the recipient
// infos, the content algorithm, the content, and the ends of the elements
// around it.
type envelope struct {
	b     *berReader
	outer []berHeader // the enclosing elements, whose end-of-contents follow the content
}

// enter reads the header of a constructed element that encloses the content.
func (d *envelope) enter(class, tag int) error {
	h, err := d.b.expect(class, tag, true)
	if err == nil {
		d.outer = append(d.outer, h)
	}
	return err
}

// open reads ContentInfo, [0] EXPLICIT, EnvelopedData and its version.
func (d *envelope) open() error {
	if err := d.enter(0, asn1.TagSequence); err != nil { // ContentInfo
		return err
	}
	oid, err := d.b.oid()
	if err != nil {
		return err
	}
	if !oid.Equal(oidEnvelopedData) {
		return fmt.Errorf("%w: not EnvelopedData", ErrDecrypt)
	}
	if err := d.enter(2, 0); err != nil { // [0] EXPLICIT
		return err
	}
	if err := d.enter(0, asn1.TagSequence); err != nil { // EnvelopedData
		return err
	}
	h, err := d.b.expect(0, asn1.TagInteger, false) // version
	if err != nil {
		return err
	}
	_, err = d.b.element(h)
	return err
}

// recipientKey reads the recipient infos and unwraps the content key.
func (d *envelope) recipientKey(cert *x509.Certificate, key crypto.PrivateKey) ([]byte, error) {
	h, err := d.b.header()
	if err != nil {
		return nil, unexpected(err)
	}
	if h.class == 2 && h.tag == 0 { // originatorInfo: not used by SvarInn
		return nil, errUnsupportedCMS
	}
	if h.class != 0 || h.tag != asn1.TagSet || !h.constructed {
		return nil, fmt.Errorf("%w: recipient infos missing", ErrDecrypt)
	}
	rawSet, err := d.b.element(h)
	if err != nil {
		return nil, err
	}
	var recipients []cmsRecipient
	if _, err := asn1.UnmarshalWithParams(rawSet, &recipients, "set"); err != nil {
		return nil, errUnsupportedCMS // other recipient kinds, BER inside: leave to pkcs7
	}
	return unwrapKey(recipients, cert, key)
}

// contentCipher reads EncryptedContentInfo's content type and algorithm,
// and returns the AES-CBC decrypter for the content key.
func (d *envelope) contentCipher(cek []byte) (cipher.BlockMode, error) {
	if err := d.enter(0, asn1.TagSequence); err != nil { // EncryptedContentInfo
		return nil, err
	}
	if _, err := d.b.oid(); err != nil { // content type (data)
		return nil, err
	}
	h, err := d.b.expect(0, asn1.TagSequence, true)
	if err != nil {
		return nil, err
	}
	rawAlg, err := d.b.element(h)
	if err != nil {
		return nil, err
	}
	var alg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(rawAlg, &alg); err != nil {
		return nil, fmt.Errorf("%w: content algorithm: %v", ErrDecrypt, err)
	}
	var keyLen int
	switch {
	case alg.Algorithm.Equal(oidAES256CBC):
		keyLen = 32
	case alg.Algorithm.Equal(oidAES192CBC):
		keyLen = 24
	case alg.Algorithm.Equal(oidAES128CBC):
		keyLen = 16
	default:
		return nil, errUnsupportedCMS
	}
	var iv []byte
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: bad IV", ErrDecrypt)
	}
	if len(cek) != keyLen {
		return nil, fmt.Errorf("%w: wrong key length", ErrDecrypt)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	return cipher.NewCBCDecrypter(block, iv), nil
}

// content copies [0] IMPLICIT encryptedContent, whole or in chunks, to w.
func (d *envelope) content(w io.Writer) error {
	h, err := d.b.header()
	if err != nil {
		return unexpected(err)
	}
	if h.class != 2 || h.tag != 0 {
		return fmt.Errorf("%w: no encrypted content", ErrDecrypt)
	}
	if !h.constructed {
		if _, err := io.CopyN(w, d.b.r, h.length); err != nil {
			return unexpected(err)
		}
		return nil
	}
	for {
		c, err := d.b.header()
		if err != nil {
			return unexpected(err)
		}
		if c.class == 0 && c.tag == 0 && !c.constructed && c.length == 0 { // end of contents
			return nil
		}
		if c.class != 0 || c.tag != asn1.TagOctetString || c.constructed {
			return errUnsupportedCMS
		}
		if _, err := io.CopyN(w, d.b.r, c.length); err != nil {
			return unexpected(err)
		}
	}
}

// close reads the ends of the enclosing elements: a message cut after its
// content is still a cut message.
func (d *envelope) close() error {
	for i := len(d.outer) - 1; i >= 0; i-- {
		if d.outer[i].length >= 0 {
			continue
		}
		e, err := d.b.header()
		if err != nil {
			return unexpected(err)
		}
		if e.class != 0 || e.tag != 0 || e.constructed || e.length != 0 {
			return errUnsupportedCMS // unprotectedAttrs, say
		}
	}
	return nil
}

func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, func() hash.Hash, bool) {
	switch {
	case oid == nil, oid.Equal(oidSHA1):
		return crypto.SHA1, sha1.New, true
	case oid.Equal(oidSHA256):
		return crypto.SHA256, sha256.New, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, sha512.New384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, sha512.New, true
	}
	return 0, nil, false
}

// unwrapKey finds the recipient info for cert and unwraps the content key.
func unwrapKey(recipients []cmsRecipient, cert *x509.Certificate, key crypto.PrivateKey) ([]byte, error) {
	dec, ok := key.(crypto.Decrypter)
	if !ok {
		return nil, fmt.Errorf("%w: the key cannot decrypt", ErrDecrypt)
	}
	for _, ri := range recipients {
		if ri.IssuerAndSerialNumber.SerialNumber == nil || ri.IssuerAndSerialNumber.SerialNumber.Cmp(cert.SerialNumber) != 0 ||
			!bytes.Equal(ri.IssuerAndSerialNumber.Issuer.FullBytes, cert.RawIssuer) {
			continue
		}
		var opts crypto.DecrypterOpts
		switch {
		case ri.KeyEncryptionAlgorithm.Algorithm.Equal(oidRSAESOAEP):
			var p oaepParams
			if len(ri.KeyEncryptionAlgorithm.Parameters.FullBytes) > 0 {
				if _, err := asn1.Unmarshal(ri.KeyEncryptionAlgorithm.Parameters.FullBytes, &p); err != nil {
					return nil, fmt.Errorf("%w: OAEP parameters: %v", ErrDecrypt, err)
				}
			}
			h, _, ok := hashFor(p.HashFunc.Algorithm)
			if !ok {
				return nil, errUnsupportedCMS
			}
			opts = &rsa.OAEPOptions{Hash: h}
		default:
			return nil, errUnsupportedCMS // PKCS #1 v1.5 key transport: left to pkcs7
		}
		cek, err := dec.Decrypt(rand.Reader, ri.EncryptedKey, opts)
		if err != nil {
			return nil, fmt.Errorf("%w: unwrap the content key: %v", ErrDecrypt, err)
		}
		return cek, nil
	}
	return nil, fmt.Errorf("%w: no recipient info for this certificate", ErrDecrypt)
}

// cbcWriter decrypts CBC as ciphertext arrives, holding back the last
// block until finish removes the PKCS#7 padding.
type cbcWriter struct {
	mode    cipher.BlockMode
	dst     io.Writer
	pending []byte // ciphertext not yet decrypted: less than a block, or the held-back block
	buf     []byte
	n       int64
	limit   int64
}

func (w *cbcWriter) Write(p []byte) (int, error) {
	w.pending = append(w.pending, p...)
	// Decrypt every full block but the last, which may hold the padding.
	full := len(w.pending) / aes.BlockSize * aes.BlockSize
	if full == len(w.pending) {
		full -= aes.BlockSize
	}
	if full > 0 {
		if cap(w.buf) < full {
			w.buf = make([]byte, full)
		}
		out := w.buf[:full]
		w.mode.CryptBlocks(out, w.pending[:full])
		if err := w.emit(out); err != nil {
			return 0, err
		}
		w.pending = append(w.pending[:0], w.pending[full:]...)
	}
	return len(p), nil
}

func (w *cbcWriter) emit(p []byte) error {
	if w.n+int64(len(p)) > w.limit {
		return fmt.Errorf("%w: decrypted content over %d bytes", ErrTooLarge, w.limit)
	}
	n, err := w.dst.Write(p)
	w.n += int64(n)
	return err
}

func (w *cbcWriter) finish() error {
	if len(w.pending) != aes.BlockSize {
		return fmt.Errorf("%w: ciphertext is not whole blocks", ErrDecrypt)
	}
	last := make([]byte, aes.BlockSize)
	w.mode.CryptBlocks(last, w.pending)
	pad := int(last[aes.BlockSize-1])
	if pad == 0 || pad > aes.BlockSize {
		return fmt.Errorf("%w: bad padding", ErrDecrypt)
	}
	for _, c := range last[aes.BlockSize-pad:] {
		if int(c) != pad {
			return fmt.Errorf("%w: bad padding", ErrDecrypt)
		}
	}
	return w.emit(last[:aes.BlockSize-pad])
}
