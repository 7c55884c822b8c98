package asice

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/cms"
)

// Signer signs containers: a certificate and its key (RSA or ECDSA),
// separate from the key the receiver decrypts with, as KS asks. A
// business certificate (virksomhetssertifikat) or a key pair registered
// with Fiks IO. Now stamps the files and the signing time; nil means
// time.Now.
type Signer struct {
	Certificate *x509.Certificate
	Key         crypto.Signer
	Now         func() time.Time
}

func (s Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// File is one file to put in a container. The first file is the root
// document. MimeType empty means application/octet-stream.
type File struct {
	Name     string
	MimeType string
	Content  io.Reader
}

// Writer writes an ASiC-E container as a stream: `mimetype` first and
// stored, then each file as it is created, then META-INF/asicmanifest.xml
// with the files' SHA-256 digests and META-INF/signature.p7s, a detached
// CMS signature over the manifest. Only the digests are held.
type Writer struct {
	zw     *zip.Writer
	signer Signer
	sealed io.Closer // the encryption under a sealed container
	refs   []reference
	names  map[string]bool
	cur    hash.Hash
	err    error
	done   bool
}

// NewWriter starts a container on w and writes its `mimetype` entry.
// Close finishes it; it does not close w.
func NewWriter(w io.Writer, s Signer) (*Writer, error) {
	if s.Certificate == nil || s.Key == nil {
		return nil, fmt.Errorf("%w: the Signer needs a Certificate and a Key", ErrInvalid)
	}
	zw := zip.NewWriter(w)
	mt := []byte(mediaType)
	// Raw, so that the entry has its sizes up front and no data
	// descriptor: readers find the media type at a fixed offset.
	hdr := &zip.FileHeader{Name: "mimetype", Method: zip.Store, Modified: s.now(),
		CRC32: crc32.ChecksumIEEE(mt), CompressedSize64: uint64(len(mt)), UncompressedSize64: uint64(len(mt))}
	fw, err := zw.CreateRaw(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(mt); err != nil {
		return nil, err
	}
	return &Writer{zw: zw, signer: s, names: map[string]bool{}}, nil
}

// NewSealedWriter is NewWriter with the container encrypted as it is
// written, as CMS EnvelopedData to the recipient's certificate (RSA-OAEP
// SHA-256, AES-256-CBC): what Fiks IO carries. Close finishes the
// encryption too; it does not close dst.
func NewSealedWriter(dst io.Writer, recipient *x509.Certificate, s Signer) (*Writer, error) {
	if recipient == nil {
		return nil, fmt.Errorf("%w: no recipient certificate", ErrInvalid)
	}
	if s.Certificate == nil || s.Key == nil {
		return nil, fmt.Errorf("%w: the Signer needs a Certificate and a Key", ErrInvalid)
	}
	enc, err := cms.Encrypt(dst, recipient)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	w, err := NewWriter(enc, s)
	if err != nil {
		return nil, err
	}
	w.sealed = enc
	return w, nil
}

// checkName refuses what is not a plain relative path, what lives under
// META-INF/ (the signature's place), and `mimetype`.
func checkName(name string) error {
	switch {
	case !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("%w: a file name must be a relative path without . or .. elements", ErrInvalid)
	case name == "mimetype", strings.HasPrefix(strings.ToUpper(name), "META-INF/"):
		return fmt.Errorf("%w: the name is reserved by ASiC-E", ErrInvalid)
	}
	return nil
}

// Create adds a file and returns the writer its content goes to, until the
// next Create or Close.
func (w *Writer) Create(name, mimeType string) (io.Writer, error) {
	mimeType, err := w.add(name, mimeType)
	if err != nil {
		return nil, err
	}
	fw, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.signer.now()})
	if err != nil {
		w.err = err
		return nil, err
	}
	w.names[name] = true
	w.cur = sha256.New()
	w.refs = append(w.refs, reference{uri: name, mimeType: mimeType, hash: crypto.SHA256})
	return &fileWriter{w: w, dst: io.MultiWriter(fw, w.cur)}, nil
}

// add checks that a file named name may be added next and ends the file
// before it; it returns the media type to record.
func (w *Writer) add(name, mimeType string) (string, error) {
	if w.err != nil {
		return "", w.err
	}
	if w.done {
		return "", errors.New("asice: Create after Close")
	}
	if err := checkName(name); err != nil {
		return "", &FileError{Name: name, Err: err}
	}
	if w.names[name] {
		return "", &FileError{Name: name, Err: fmt.Errorf("%w: two files of one name", ErrInvalid)}
	}
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	w.finishFile()
	return mimeType, nil
}

// smallFile is the size up to which a file is held whole and written with
// its sizes and CRC-32 in the local header (no data descriptor): deflated
// at flate.BestSpeed, or stored when deflating does not gain an eighth
// (random data, or content already compressed such as PDF, JPEG or ZIP).
// Under storeBelow bytes an entry is stored without trying: deflate's
// fixed cost (building its Huffman codes) outweighs the few bytes it could
// save. ETSI TS 102 918 allows both methods for every entry but
// `mimetype`, which is always stored. Larger files stream, deflated.
const (
	smallFile  = 64 << 10
	storeBelow = 4 << 10
)

// bufPool holds the buffers of small files and their deflated forms.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBuf returns b to bufPool unless a large manifest grew it.
func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 4*smallFile {
		bufPool.Put(b)
	}
}

// flatePool holds BestSpeed compressors: a compressor is some hundreds of
// kilobytes, too much to make per entry.
var flatePool sync.Pool

// deflate puts b deflated at BestSpeed in z.
func deflate(z *bytes.Buffer, b []byte) error {
	z.Reset()
	fw, _ := flatePool.Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(z, flate.BestSpeed)
	} else {
		fw.Reset(z)
	}
	defer flatePool.Put(fw)
	if _, err := fw.Write(b); err != nil {
		return err
	}
	return fw.Close()
}

// createSmall adds a file whose whole content is b.
func (w *Writer) createSmall(name, mimeType string, b []byte) error {
	mimeType, err := w.add(name, mimeType)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if err := w.writeRaw(name, b); err != nil {
		w.err = err
		return err
	}
	w.names[name] = true
	w.refs = append(w.refs, reference{uri: name, mimeType: mimeType, hash: crypto.SHA256, digest: sum[:]})
	return nil
}

// writeRaw writes an entry of content b, deflated or stored, its sizes and
// CRC-32 in the local header.
func (w *Writer) writeRaw(name string, b []byte) error {
	hdr := &zip.FileHeader{Name: name, Method: zip.Store, Modified: w.signer.now(),
		CRC32: crc32.ChecksumIEEE(b), UncompressedSize64: uint64(len(b))}
	body := b
	if len(b) >= storeBelow {
		z := bufPool.Get().(*bytes.Buffer)
		defer putBuf(z)
		if err := deflate(z, b); err != nil {
			return err
		}
		if z.Len() <= len(b)-len(b)/8 {
			hdr.Method, body = zip.Deflate, z.Bytes()
		}
	}
	hdr.CompressedSize64 = uint64(len(body))
	ew, err := w.zw.CreateRaw(hdr)
	if err != nil {
		return err
	}
	_, err = ew.Write(body)
	return err
}

type fileWriter struct {
	w   *Writer
	dst io.Writer
}

func (f *fileWriter) Write(p []byte) (int, error) {
	if f.w.err != nil {
		return 0, f.w.err
	}
	n, err := f.dst.Write(p)
	if err != nil {
		f.w.err = err
	}
	return n, err
}

func (w *Writer) finishFile() {
	if w.cur != nil {
		w.refs[len(w.refs)-1].digest = w.cur.Sum(nil)
		w.cur = nil
	}
}

// Close writes the manifest and its signature, ends the ZIP and, for a
// sealed container, the encryption.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	w.done = true
	if w.err != nil {
		return w.err
	}
	w.finishFile()
	if len(w.refs) == 0 {
		w.err = fmt.Errorf("%w: a container needs at least one file", ErrInvalid)
		return w.err
	}
	w.err = w.finish()
	return w.err
}

func (w *Writer) finish() error {
	manifest := writeManifest(w.refs)
	sig, err := cms.SignDetached(bytes.NewReader(manifest), cms.Signer{Certificate: w.signer.Certificate, Key: w.signer.Key, Now: w.signer.Now})
	if err != nil {
		return fmt.Errorf("%w: sign the manifest: %w", ErrInvalid, err)
	}
	if err := w.writeRaw(manifestName, manifest); err != nil {
		return err
	}
	if err := w.writeRaw(signatureName, sig); err != nil {
		return err
	}
	if err := w.zw.Close(); err != nil {
		return err
	}
	if w.sealed != nil {
		return w.sealed.Close()
	}
	return nil
}

// Write writes a signed container of the files to dst.
func Write(dst io.Writer, s Signer, files ...File) error {
	w, err := NewWriter(dst, s)
	if err != nil {
		return err
	}
	return writeFiles(w, files)
}

// Seal writes a signed container of the files to dst, encrypted to the
// recipient's certificate as it is written: the payload of a Fiks IO
// message, in constant memory whatever the files' sizes. To post it
// without a temporary file, give Seal the writing end of an io.Pipe.
func Seal(dst io.Writer, recipient *x509.Certificate, s Signer, files ...File) error {
	w, err := NewSealedWriter(dst, recipient, s)
	if err != nil {
		return err
	}
	return writeFiles(w, files)
}

// writeFiles writes each file whole when it is at most smallFile bytes
// (createSmall), streamed otherwise.
func writeFiles(w *Writer, files []File) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	for _, f := range files {
		buf.Reset()
		if f.Content != nil {
			if _, err := buf.ReadFrom(io.LimitReader(f.Content, smallFile+1)); err != nil {
				return err
			}
		}
		if buf.Len() <= smallFile {
			if err := w.createSmall(f.Name, f.MimeType, buf.Bytes()); err != nil {
				return err
			}
			continue
		}
		fw, err := w.Create(f.Name, f.MimeType)
		if err != nil {
			return err
		}
		if _, err := fw.Write(buf.Bytes()); err != nil {
			return err
		}
		if _, err := io.Copy(fw, f.Content); err != nil {
			return err
		}
	}
	return w.Close()
}
