package asice

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/grunnmur/grunnmur/internal/cms"
)

// Format is the kind of signature a container carries.
type Format int

const (
	// CAdES: META-INF/asicmanifest.xml signed by a detached CMS signature,
	// as KS' clients write it. Open verifies the signature.
	CAdES Format = iota + 1
	// XAdES: META-INF/signatures*.xml, XML Signatures as DSS and DigiDoc4j
	// write them. Open verifies each signature value over its canonical
	// SignedInfo (C14N 1.0, 1.1 or exclusive; RSA or ECDSA) and the signed
	// properties it references.
	XAdES
)

func (f Format) String() string {
	switch f {
	case CAdES:
		return "CAdES"
	case XAdES:
		return "XAdES"
	}
	return "unknown"
}

// Entry is one signed file of a container.
type Entry struct {
	Name     string
	MimeType string
	Size     int64
}

// Container is an opened ASiC-E whose files all matched their signed
// digests when it was opened.
type Container struct {
	// Files are the signed files in container order; the first is the
	// root document.
	Files  []Entry
	Format Format
	// Signers are the signing certificates. Whether to trust them (chain,
	// validity, the sender's organisation number) is the caller's choice:
	// Open checks only that their keys signed the manifest.
	Signers []*x509.Certificate
	// SignatureVerified is true once the signatures verified; Open returns
	// no Container otherwise. It is there for the caller's audit log.
	SignatureVerified bool

	zr     *zip.Reader
	files  map[string]*zip.File // every entry
	signed map[string]*zip.File // the signed files, which Open opens
	close  func() error
}

// Open returns a reader of the named file's content: one of Files.
func (c *Container) Open(name string) (io.ReadCloser, error) {
	f, ok := c.signed[name]
	if !ok {
		return nil, &FileError{Name: name, Err: ErrMissingFile}
	}
	return f.Open()
}

// Close releases what Unseal holds (its temporary file, for a container
// larger than Unsealer.MaxMemory); otherwise it does nothing.
func (c *Container) Close() error {
	if c.close == nil {
		return nil
	}
	err := c.close()
	c.close = nil
	return err
}

// maxMetaFile bounds a manifest or signature file read into memory.
const maxMetaFile = 4 << 20

// Open reads an ASiC-E container of size bytes from r and verifies it:
// `mimetype` first and stored with the ASiC-E media type; every file signed
// (ErrExtraFile otherwise) and present (ErrMissingFile); every digest
// (ErrDigest); for CAdES, the signature over each manifest (ErrSignature).
// Errors about one file are *FileError.
func Open(r io.ReaderAt, size int64) (*Container, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotASiCE, err)
	}
	c := &Container{zr: zr, files: map[string]*zip.File{}}
	if err := c.checkMimetype(); err != nil {
		return nil, err
	}
	var data []*zip.File
	var manifests, xades []*zip.File
	var odf *zip.File
	for _, f := range zr.File {
		if _, dup := c.files[f.Name]; dup {
			return nil, fmt.Errorf("%w: two entries named %q", ErrNotASiCE, f.Name)
		}
		c.files[f.Name] = f
		upper := strings.ToUpper(f.Name)
		base := strings.ToLower(path.Base(f.Name))
		switch {
		case f.Name == "mimetype", strings.HasSuffix(f.Name, "/"):
		case strings.HasPrefix(upper, "META-INF/"):
			switch {
			case strings.HasPrefix(base, "asicmanifest") && strings.HasSuffix(base, ".xml"):
				manifests = append(manifests, f)
			case strings.Contains(base, "signatures") && strings.HasSuffix(base, ".xml"):
				xades = append(xades, f)
			case base == "manifest.xml":
				odf = f
			}
		default:
			data = append(data, f)
		}
	}
	var refs []reference
	switch {
	case len(manifests) > 0:
		c.Format, c.SignatureVerified = CAdES, true
		if refs, err = c.verifyCAdES(manifests); err != nil {
			return nil, err
		}
	case len(xades) > 0:
		c.Format, c.SignatureVerified = XAdES, true
		if refs, err = c.readXAdES(xades, odf); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: no signature (META-INF/asicmanifest.xml or META-INF/signatures*.xml)", ErrMissingFile)
	}
	if err := c.verifyFiles(data, refs); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Container) checkMimetype() error {
	if len(c.zr.File) == 0 {
		return fmt.Errorf("%w: empty ZIP", ErrNotASiCE)
	}
	f := c.zr.File[0]
	if f.Name != "mimetype" || f.Method != zip.Store {
		return fmt.Errorf("%w: the first entry is not a stored mimetype", ErrNotASiCE)
	}
	b, err := readSmall(f, int64(len(mediaType)))
	if err != nil || strings.TrimSpace(string(b)) != mediaType {
		return fmt.Errorf("%w: mimetype is not %s", ErrNotASiCE, mediaType)
	}
	return nil
}

// readSmall reads a whole entry of at most limit bytes.
func readSmall(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, &FileError{Name: f.Name, Err: fmt.Errorf("%w: %v", ErrManifest, err)}
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, &FileError{Name: f.Name, Err: fmt.Errorf("%w: %v", ErrManifest, err)}
	}
	if int64(len(b)) > limit {
		return nil, &FileError{Name: f.Name, Err: fmt.Errorf("%w: over %d bytes", ErrManifest, limit)}
	}
	return b, nil
}

// lookup finds the entry a manifest URI names: as written, or
// percent-decoded.
func (c *Container) lookup(uri string) (*zip.File, string) {
	if f, ok := c.files[uri]; ok {
		return f, uri
	}
	if u, err := url.PathUnescape(uri); err == nil {
		if f, ok := c.files[u]; ok {
			return f, u
		}
		uri = u
	}
	return nil, uri
}

func (c *Container) verifyCAdES(manifests []*zip.File) ([]reference, error) {
	var all []reference
	for _, m := range manifests {
		b, err := readSmall(m, maxMetaFile)
		if err != nil {
			return nil, err
		}
		sigRef, refs, err := parseManifest(b)
		if err != nil {
			return nil, &FileError{Name: m.Name, Err: err}
		}
		sf, name := c.lookup(sigRef)
		if sf == nil {
			return nil, &FileError{Name: name, Err: ErrMissingFile}
		}
		sig, err := readSmall(sf, maxMetaFile)
		if err != nil {
			return nil, err
		}
		signers, err := cms.VerifyDetached(sig, bytes.NewReader(b))
		switch {
		case errors.Is(err, cms.ErrUnsupported):
			return nil, &FileError{Name: sf.Name, Err: fmt.Errorf("%w: %w", ErrUnsupported, err)}
		case err != nil:
			return nil, &FileError{Name: sf.Name, Err: fmt.Errorf("%w: %w", ErrSignature, err)}
		}
		c.Signers = append(c.Signers, signers...)
		all = append(all, refs...)
	}
	return all, nil
}

func (c *Container) readXAdES(sigFiles []*zip.File, odf *zip.File) ([]reference, error) {
	types := map[string]string{}
	if odf != nil {
		b, err := readSmall(odf, maxMetaFile)
		if err != nil {
			return nil, err
		}
		if types, err = parseODFManifest(b); err != nil {
			return nil, &FileError{Name: odf.Name, Err: err}
		}
	}
	var all []reference
	for _, sf := range sigFiles {
		b, err := readSmall(sf, maxMetaFile)
		if err != nil {
			return nil, err
		}
		sigs, err := verifyXAdES(b)
		if err != nil {
			return nil, &FileError{Name: sf.Name, Err: err}
		}
		for _, sig := range sigs {
			for _, r := range sig.refs {
				r.mimeType = types[r.uri]
				all = append(all, r)
			}
			c.Signers = append(c.Signers, sig.signer)
		}
	}
	return all, nil
}

// verifyFiles checks that refs and the data files match one to one and
// that every digest holds, streaming each file once.
func (c *Container) verifyFiles(data []*zip.File, refs []reference) error {
	byName := map[string][]reference{}
	for _, r := range refs {
		f, name := c.lookup(r.uri)
		switch {
		case f == nil, name == "mimetype", strings.HasSuffix(name, "/"):
			return &FileError{Name: name, Err: ErrMissingFile}
		case strings.HasPrefix(strings.ToUpper(name), "META-INF/"):
			// Some XAdES signers sign META-INF/manifest.xml too: checked,
			// but not one of the container's files.
			if err := checkDigests(f, []reference{r}); err != nil {
				return err
			}
			continue
		}
		byName[f.Name] = append(byName[f.Name], r)
	}
	c.signed = map[string]*zip.File{}
	for _, f := range data {
		rs := byName[f.Name]
		if len(rs) == 0 {
			return &FileError{Name: f.Name, Err: ErrExtraFile}
		}
		if err := checkDigests(f, rs); err != nil {
			return err
		}
		mt := rs[0].mimeType
		if mt == "" {
			mt = "application/octet-stream"
		}
		c.signed[f.Name] = f
		c.Files = append(c.Files, Entry{Name: f.Name, MimeType: mt, Size: int64(f.UncompressedSize64)})
	}
	return nil
}

func checkDigests(f *zip.File, rs []reference) error {
	hashes := map[crypto.Hash]io.Writer{}
	var ws []io.Writer
	for _, r := range rs {
		if _, ok := hashes[r.hash]; !ok {
			h := r.hash.New()
			hashes[r.hash] = h
			ws = append(ws, h)
		}
	}
	rc, err := f.Open()
	if err != nil {
		return &FileError{Name: f.Name, Err: fmt.Errorf("%w: %v", ErrDigest, err)}
	}
	defer rc.Close()
	n, err := io.Copy(io.MultiWriter(ws...), rc)
	if err != nil { // zip's own CRC-32 or size check, or a cut file
		return &FileError{Name: f.Name, Err: fmt.Errorf("%w: %v", ErrDigest, err)}
	}
	if uint64(n) != f.UncompressedSize64 {
		return &FileError{Name: f.Name, Err: fmt.Errorf("%w: size", ErrDigest)}
	}
	for _, r := range rs {
		sum := hashes[r.hash].(interface{ Sum([]byte) []byte }).Sum(nil)
		if !bytes.Equal(sum, r.digest) {
			return &FileError{Name: f.Name, Err: ErrDigest}
		}
	}
	return nil
}

// Unsealer opens encrypted containers: the payload of a Fiks IO message.
type Unsealer struct {
	// Keys are the receiver's private keys (RSA, PKCS #8 in KS' clients),
	// tried in turn: during a key rotation, give the new and the old.
	Keys []crypto.Decrypter
	// TempDir holds decrypted containers larger than MaxMemory; empty
	// means os.TempDir().
	TempDir string
	// MaxMemory is the largest decrypted container held in memory; a
	// larger one goes to a temporary file as it is decrypted. 0 means
	// DefaultMaxMemory; negative means always a file.
	MaxMemory int64
	// MaxSize bounds the decrypted container; 0 means 5 GiB, Fiks IO's
	// largest payload.
	MaxSize int64
}

// DefaultMaxMemory is the Unsealer's MaxMemory when none is set: most
// messages are letters and forms well below it, and a temporary file per
// message costs more than their decryption.
const DefaultMaxMemory = 4 << 20

// Unseal decrypts src as it is read, into memory up to MaxMemory bytes and
// into a temporary file beyond, then opens and verifies the container, as
// Open does. Memory stays bounded whatever the size. Close the Container
// to remove the file.
func (u *Unsealer) Unseal(src io.Reader) (*Container, error) {
	if len(u.Keys) == 0 {
		return nil, fmt.Errorf("%w: no keys configured", ErrNoKey)
	}
	limit := u.MaxSize
	if limit <= 0 {
		limit = 5 << 30
	}
	mem := u.MaxMemory
	if mem == 0 {
		mem = DefaultMaxMemory
	}
	s := &spill{max: max(mem, 0), dir: u.TempDir}
	keys := make([]cms.Key, len(u.Keys))
	for i, k := range u.Keys {
		keys[i] = cms.Key{Private: k}
	}
	n, err := cms.Decrypt(s, src, limit, keys...)
	switch {
	case errors.Is(err, cms.ErrNoKey):
		err = fmt.Errorf("%w: %w", ErrNoKey, err)
	case errors.Is(err, cms.ErrTooLarge):
		err = fmt.Errorf("%w: %w", ErrTooLarge, err)
	case errors.Is(err, cms.ErrMalformed), errors.Is(err, cms.ErrUnsupported):
		err = fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	if err != nil {
		s.remove()
		return nil, err
	}
	var ra io.ReaderAt = bytes.NewReader(s.buf)
	if s.f != nil {
		ra = s.f
	}
	c, err := Open(ra, n)
	if err != nil {
		s.remove()
		return nil, err
	}
	if s.f != nil {
		c.close = s.remove
	}
	return c, nil
}

// spill holds what is written in memory up to max bytes, and moves it
// all to a temporary file in dir when more comes.
type spill struct {
	buf []byte
	max int64
	dir string
	f   *os.File
}

func (s *spill) Write(p []byte) (int, error) {
	if s.f == nil && int64(len(s.buf))+int64(len(p)) <= s.max {
		s.buf = append(s.buf, p...)
		return len(p), nil
	}
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, "asice-*")
		if err != nil {
			return 0, err
		}
		s.f = f
		if _, err := f.Write(s.buf); err != nil {
			return 0, err
		}
		s.buf = nil
	}
	return s.f.Write(p)
}

// remove deletes the temporary file, if there is one.
func (s *spill) remove() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	s.f = nil
	return err
}
