package cms

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"sync"
)

// Key is one private key that may open a message. With a Certificate, only
// the recipient info naming that certificate (issuer and serial number, or
// subject key identifier) is tried; without one, the key is tried on every
// RSA recipient info, as KS' Fiks IO clients do with their list of keys.
type Key struct {
	Certificate *x509.Certificate
	Private     crypto.Decrypter
}

// Decrypt reads a CMS EnvelopedData from src, BER with indefinite lengths
// and chunked content (as streaming encoders such as BouncyCastle's and
// [Encrypt] write it) or DER, and writes the content to dst as it is
// decrypted. Only the recipient infos and algorithms are held in memory.
// Each key is tried in turn (key rotation). At most limit bytes are written
// (more gives ErrTooLarge; 0 means no limit); Decrypt returns how many were. The plaintext is
// only trustworthy once Decrypt returns nil: the padding is checked last.
//
// Key transport: RSAES-OAEP (SHA-1, SHA-256, SHA-384, SHA-512). Content:
// AES-128/192/256-CBC.
func Decrypt(dst io.Writer, src io.Reader, limit int64, keys ...Key) (int64, error) {
	d := &envelope{b: newBERReader(src)}
	if err := d.open(); err != nil {
		return 0, err
	}
	recipients, err := d.recipients()
	if err != nil {
		return 0, err
	}
	alg, err := d.contentAlgorithm()
	if err != nil {
		return 0, err
	}
	cek, err := unwrapKey(recipients, keys, alg.keyLen)
	if err != nil {
		return 0, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	bufs := decryptPool.Get().(*decryptBufs)
	defer bufs.release()
	d.buf = bufs.in[:cap(bufs.in)]
	cw := &cbcWriter{mode: cipher.NewCBCDecrypter(block, alg.iv), dst: dst, limit: limit, buf: bufs.out[:0], pending: bufs.pending[:0]}
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

// decryptBufs are Decrypt's buffers, kept in decryptPool between messages:
// a receiver of many small messages makes no 64 KiB of garbage per message.
type decryptBufs struct{ in, out, pending []byte }

var decryptPool = sync.Pool{New: func() any {
	return &decryptBufs{in: make([]byte, 32<<10), out: make([]byte, 0, 32<<10+aes.BlockSize), pending: make([]byte, 0, 32<<10+aes.BlockSize)}
}}

// release clears the plaintext and returns the buffers to decryptPool.
func (b *decryptBufs) release() {
	clear(b.out[:cap(b.out)])
	decryptPool.Put(b)
}

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidEnvelopedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAESOAEP     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 7}
	oidMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidAES128CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// envelope reads an EnvelopedData in order: its headers, the recipient
// infos, the content algorithm, the content, and the ends of the elements
// around it.
type envelope struct {
	b     *berReader
	outer []int64 // end offsets of the enclosing elements; -1: indefinite
	buf   []byte  // content copy buffer
}

// enter reads the header of a constructed element that encloses the content.
func (d *envelope) enter(class, tag int) error {
	h, err := d.b.expect(class, tag, true)
	if err != nil {
		return err
	}
	end := int64(-1)
	if h.length >= 0 {
		end = d.b.pos + h.length
	}
	d.outer = append(d.outer, end)
	return nil
}

func (d *envelope) small(class, tag int) ([]byte, error) {
	h, err := d.b.expect(class, tag, class != 0 || tag == asn1.TagSequence || tag == asn1.TagSet)
	if err != nil {
		return nil, err
	}
	raw, err := d.b.element(h)
	if err != nil {
		return nil, err
	}
	der, _, err := toDER(raw)
	return der, err
}

func (d *envelope) oid() (asn1.ObjectIdentifier, error) {
	der, err := d.small(0, asn1.TagOID)
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(der, &oid); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return oid, nil
}

// open reads ContentInfo, [0] EXPLICIT, EnvelopedData and its version.
func (d *envelope) open() error {
	if err := d.enter(0, asn1.TagSequence); err != nil { // ContentInfo
		return err
	}
	oid, err := d.oid()
	if err != nil {
		return err
	}
	if !oid.Equal(oidEnvelopedData) {
		return fmt.Errorf("%w: content type %v is not EnvelopedData", ErrUnsupported, oid)
	}
	if err := d.enter(2, 0); err != nil { // [0] EXPLICIT
		return err
	}
	if err := d.enter(0, asn1.TagSequence); err != nil { // EnvelopedData
		return err
	}
	_, err = d.small(0, asn1.TagInteger) // version
	return err
}

type recipient struct {
	issuer, serial []byte // issuerAndSerialNumber, DER of the Name and the INTEGER contents
	subjectKeyID   []byte
	alg            pkix.AlgorithmIdentifier
	encryptedKey   []byte
}

// recipients skips originatorInfo and reads the key transport recipient
// infos; the other kinds (key agreement, KEK, password) are passed over.
func (d *envelope) recipients() ([]recipient, error) {
	h, err := d.b.header()
	if err != nil {
		return nil, err
	}
	if h.is(2, 0) && h.constructed { // originatorInfo: certificates we have no use for
		if _, err := d.b.element(h); err != nil {
			return nil, err
		}
		if h, err = d.b.header(); err != nil {
			return nil, err
		}
	}
	if !h.is(0, asn1.TagSet) || !h.constructed {
		return nil, fmt.Errorf("%w: recipient infos missing", ErrMalformed)
	}
	raw, err := d.b.element(h)
	if err != nil {
		return nil, err
	}
	der, _, err := toDER(raw)
	if err != nil {
		return nil, err
	}
	var set asn1.RawValue
	if _, err := asn1.Unmarshal(der, &set); err != nil {
		return nil, fmt.Errorf("%w: recipient infos: %v", ErrMalformed, err)
	}
	var out []recipient
	for rest := set.Bytes; len(rest) > 0; {
		var ri asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &ri); err != nil {
			return nil, fmt.Errorf("%w: recipient info: %v", ErrMalformed, err)
		}
		if ri.Class != 0 || ri.Tag != asn1.TagSequence {
			continue // kari [1], kekri [2], pwri [3], ori [4]
		}
		var ktri struct {
			Version                int
			RID                    asn1.RawValue
			KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
			EncryptedKey           []byte
		}
		if _, err := asn1.Unmarshal(ri.FullBytes, &ktri); err != nil {
			return nil, fmt.Errorf("%w: key transport recipient info: %v", ErrMalformed, err)
		}
		r := recipient{alg: ktri.KeyEncryptionAlgorithm, encryptedKey: ktri.EncryptedKey}
		switch {
		case ktri.RID.Class == 0 && ktri.RID.Tag == asn1.TagSequence:
			var ias struct {
				Issuer asn1.RawValue
				Serial asn1.RawValue
			}
			if _, err := asn1.Unmarshal(ktri.RID.FullBytes, &ias); err != nil {
				return nil, fmt.Errorf("%w: issuerAndSerialNumber: %v", ErrMalformed, err)
			}
			r.issuer, r.serial = ias.Issuer.FullBytes, ias.Serial.Bytes
		case ktri.RID.Class == 2 && ktri.RID.Tag == 0:
			r.subjectKeyID = ktri.RID.Bytes
		default:
			return nil, fmt.Errorf("%w: recipient identifier", ErrMalformed)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no key transport recipient", ErrUnsupported)
	}
	return out, nil
}

type contentAlg struct {
	keyLen int
	iv     []byte
}

// contentAlgorithm reads EncryptedContentInfo's content type and algorithm.
func (d *envelope) contentAlgorithm() (contentAlg, error) {
	var a contentAlg
	if err := d.enter(0, asn1.TagSequence); err != nil { // EncryptedContentInfo
		return a, err
	}
	if _, err := d.oid(); err != nil { // content type
		return a, err
	}
	der, err := d.small(0, asn1.TagSequence)
	if err != nil {
		return a, err
	}
	var alg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(der, &alg); err != nil {
		return a, fmt.Errorf("%w: content algorithm: %v", ErrMalformed, err)
	}
	switch {
	case alg.Algorithm.Equal(oidAES256CBC):
		a.keyLen = 32
	case alg.Algorithm.Equal(oidAES192CBC):
		a.keyLen = 24
	case alg.Algorithm.Equal(oidAES128CBC):
		a.keyLen = 16
	default:
		return a, fmt.Errorf("%w: content encryption %v", ErrUnsupported, alg.Algorithm)
	}
	if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &a.iv); err != nil || len(rest) > 0 || len(a.iv) != aes.BlockSize {
		return a, fmt.Errorf("%w: bad IV", ErrMalformed)
	}
	return a, nil
}

// content copies [0] IMPLICIT encryptedContent, whole or in chunks, to w.
func (d *envelope) content(w io.Writer) error {
	h, err := d.b.header()
	if err != nil {
		return err
	}
	if !h.is(2, 0) {
		return fmt.Errorf("%w: no encrypted content (detached content is not supported)", ErrMalformed)
	}
	return d.octets(w, h, 0)
}

// octets copies the contents of an OCTET STRING (or of one with an
// implicit tag), primitive or constructed, definite or indefinite.
func (d *envelope) octets(w io.Writer, h berHeader, depth int) error {
	if !h.constructed {
		return d.copyN(w, h.length)
	}
	if depth > maxDepth {
		return fmt.Errorf("%w: nested too deep", ErrMalformed)
	}
	end := int64(-1)
	if h.length >= 0 {
		end = d.b.pos + h.length
	}
	for end < 0 || d.b.pos < end {
		c, err := d.b.header()
		if err != nil {
			return err
		}
		if c.eoc() && end < 0 {
			return nil
		}
		if !c.is(0, asn1.TagOctetString) {
			return fmt.Errorf("%w: a content chunk is not an OCTET STRING", ErrMalformed)
		}
		if err := d.octets(w, c, depth+1); err != nil {
			return err
		}
	}
	if d.b.pos != end {
		return fmt.Errorf("%w: content chunks overrun their element", ErrMalformed)
	}
	return nil
}

// copyN copies n bytes of content to w through one buffer for the whole
// message: a message in a thousand chunks makes no garbage per chunk.
func (d *envelope) copyN(w io.Writer, n int64) error {
	if d.buf == nil {
		d.buf = make([]byte, 32<<10)
	}
	for n > 0 {
		m, err := io.ReadFull(d.b.r, d.buf[:min(n, int64(len(d.buf)))])
		d.b.pos += int64(m)
		n -= int64(m)
		if m > 0 {
			if _, werr := w.Write(d.buf[:m]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return truncated(err)
		}
	}
	return nil
}

// close reads the ends of the enclosing elements, and unprotectedAttrs if
// any: a message cut after its content is still a cut message.
func (d *envelope) close() error {
	for i := len(d.outer) - 1; i >= 0; i-- {
		end := d.outer[i]
		for end < 0 || d.b.pos < end {
			h, err := d.b.header()
			if err != nil {
				return err
			}
			if h.eoc() && end < 0 {
				break
			}
			if i == 2 && h.is(2, 1) && h.constructed { // EnvelopedData's unprotectedAttrs
				if _, err := d.b.element(h); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("%w: unexpected element after the content", ErrMalformed)
		}
		if end >= 0 && d.b.pos != end {
			return fmt.Errorf("%w: element overruns its parent", ErrMalformed)
		}
	}
	return nil
}

// unwrapKey tries each key on the recipient infos it may open and returns
// the first content key of the right length.
func unwrapKey(recipients []recipient, keys []Key, keyLen int) ([]byte, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys configured", ErrNoKey)
	}
	var unsupported error
	for _, k := range keys {
		if k.Private == nil {
			continue
		}
		for _, r := range recipients {
			if k.Certificate != nil && !r.names(k.Certificate) {
				continue
			}
			opts, err := keyTransportOpts(r.alg)
			if err != nil {
				unsupported = err
				continue
			}
			cek, err := k.Private.Decrypt(rand.Reader, r.encryptedKey, opts)
			if err == nil && len(cek) == keyLen {
				return cek, nil
			}
		}
	}
	if unsupported != nil {
		return nil, unsupported
	}
	return nil, ErrNoKey
}

func (r recipient) names(cert *x509.Certificate) bool {
	if r.subjectKeyID != nil {
		return bytes.Equal(r.subjectKeyID, cert.SubjectKeyId)
	}
	return bytes.Equal(r.issuer, cert.RawIssuer) && new(big.Int).SetBytes(r.serial).Cmp(cert.SerialNumber) == 0
}

type oaepParams struct {
	HashFunc    pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MaskGenFunc pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	PSourceFunc pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:2"`
}

func keyTransportOpts(alg pkix.AlgorithmIdentifier) (crypto.DecrypterOpts, error) {
	switch {
	case alg.Algorithm.Equal(oidRSAEncryption):
		// PKCS #1 v1.5 key transport invites padding-oracle attacks (and
		// Go 1.26 deprecates it); neither KS nor SvarInn sends it.
		return nil, fmt.Errorf("%w: RSA PKCS #1 v1.5 key transport", ErrUnsupported)
	case alg.Algorithm.Equal(oidRSAESOAEP):
		var p oaepParams
		if len(alg.Parameters.FullBytes) > 0 && alg.Parameters.Tag != asn1.TagNull {
			if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
				return nil, fmt.Errorf("%w: OAEP parameters: %v", ErrMalformed, err)
			}
		}
		if p.PSourceFunc.Algorithm != nil {
			return nil, fmt.Errorf("%w: OAEP with a label", ErrUnsupported)
		}
		h, ok := hashFor(p.HashFunc.Algorithm)
		if !ok {
			return nil, fmt.Errorf("%w: OAEP hash %v", ErrUnsupported, p.HashFunc.Algorithm)
		}
		mgf := h
		if p.MaskGenFunc.Algorithm != nil {
			var mh pkix.AlgorithmIdentifier
			if !p.MaskGenFunc.Algorithm.Equal(oidMGF1) {
				return nil, fmt.Errorf("%w: OAEP mask %v", ErrUnsupported, p.MaskGenFunc.Algorithm)
			}
			if _, err := asn1.Unmarshal(p.MaskGenFunc.Parameters.FullBytes, &mh); err != nil {
				return nil, fmt.Errorf("%w: MGF1 parameters: %v", ErrMalformed, err)
			}
			if mgf, ok = hashFor(mh.Algorithm); !ok {
				return nil, fmt.Errorf("%w: MGF1 hash %v", ErrUnsupported, mh.Algorithm)
			}
		} else if p.HashFunc.Algorithm != nil {
			mgf = crypto.SHA1 // RFC 4055: the default mask is MGF1 with SHA-1
		}
		return &rsa.OAEPOptions{Hash: h, MGFHash: mgf}, nil
	}
	return nil, fmt.Errorf("%w: key transport %v", ErrUnsupported, alg.Algorithm)
}

// hashFor maps a digest OID to its hash; nil is SHA-1, the RFC 4055 default.
func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid == nil, oid.Equal(oidSHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

// cbcWriter decrypts CBC as ciphertext arrives, holding back the last
// block until finish removes the PKCS #7 padding.
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
	if w.limit > 0 && w.n+int64(len(p)) > w.limit {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, w.limit)
	}
	n, err := w.dst.Write(p)
	w.n += int64(n)
	return err
}

func (w *cbcWriter) finish() error {
	if len(w.pending) != aes.BlockSize {
		return fmt.Errorf("%w: ciphertext is not whole blocks", ErrMalformed)
	}
	last := make([]byte, aes.BlockSize)
	w.mode.CryptBlocks(last, w.pending)
	pad := int(last[aes.BlockSize-1])
	if pad == 0 || pad > aes.BlockSize {
		return fmt.Errorf("%w: bad padding", ErrMalformed)
	}
	for _, c := range last[aes.BlockSize-pad:] {
		if int(c) != pad {
			return fmt.Errorf("%w: bad padding", ErrMalformed)
		}
	}
	return w.emit(last[:aes.BlockSize-pad])
}
