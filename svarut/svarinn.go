package svarut

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/cms"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/job"
)

// Incoming is a shipment waiting in SvarInn (the spec's Forsendelse).
type Incoming struct {
	ID            string         `json:"id"`
	Title         string         `json:"tittel"`
	Date          time.Time      `json:"dato"`
	Sender        IncomingParty  `json:"avsender"`
	Recipient     IncomingParty  `json:"mottaker"`
	SecurityLevel string         `json:"sikkerhetsniva"` // BETYDELIG or HOYESTE
	Confidential  bool           `json:"taushetsbelagtPost"`
	Files         []IncomingFile `json:"filer"`
	Type          string         `json:"type,omitempty"`
	ExternalRef   string         `json:"eksternRef,omitempty"`
	InReplyTo     string         `json:"svarPaForsendelse,omitempty"`
	DownloadURL   string         `json:"nedlastingslenke"`
	SendingSystem string         `json:"avgivendeSystem,omitempty"`
	// Raw is the whole metadata object as SvarInn sent it, for the members
	// not decoded here (metadataFraAvleverendeSystem, svarSendesTil, ...).
	Raw json.RawMessage `json:"-"`
}

// IncomingParty is a sender or recipient (Avsender, Mottaker).
type IncomingParty struct {
	Orgnr   string `json:"organisasjonsnummer,omitempty"`
	Address struct {
		Name       string `json:"navn"`
		Line1      string `json:"adresselinje1,omitempty"`
		Line2      string `json:"adresselinje2,omitempty"`
		Line3      string `json:"adresselinje3,omitempty"`
		PostalCode string `json:"postnummer,omitempty"`
		PostTown   string `json:"poststed,omitempty"`
		Country    string `json:"land,omitempty"`
	} `json:"postadresse"`
}

// IncomingFile is a file's metadata (Fil).
type IncomingFile struct {
	Name     string     `json:"filnavn"`
	MimeType string     `json:"mimeType"`
	SHA256   string     `json:"hash"` // hex
	Size     int64      `json:"storrelse"`
	Type     string     `json:"type,omitempty"`
	Extra    []KeyValue `json:"ekstraMetadata,omitempty"`
}

// parseIncoming reads SvarInn's list of new shipments.
func parseIncoming(data []byte) ([]Incoming, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, fmt.Errorf("%w: svarinn list: %v", ErrBadResponse, err)
	}
	out := make([]Incoming, 0, len(raws))
	for i, raw := range raws {
		var in Incoming
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, fmt.Errorf("%w: svarinn list[%d]: %v", ErrBadResponse, i, err)
		}
		if err := checkID(in.ID); err != nil {
			return nil, fmt.Errorf("%w: svarinn list[%d]: id is not a UUID", ErrBadResponse, i)
		}
		in.Raw = raw
		out = append(out, in)
	}
	return out, nil
}

// maxPollBody bounds a poll answer: 200 shipments' metadata is far smaller.
const maxPollBody = 64 << 20

// PollIncoming returns up to 200 new shipments for the receiving system the
// credentials belong to (hentNyeForsendelser).
func (c *Client) PollIncoming(ctx context.Context) ([]Incoming, error) {
	req, err := c.newRequest(ctx, http.MethodGet, c.url("/tjenester/svarinn/v2/forsendelser", nil), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError("svarinn poll", err)
	}
	defer resp.Body.Close()
	if err := checkResponse(resp); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPollBody+1))
	if err != nil {
		return nil, fmt.Errorf("svarut: svarinn poll: %w", err)
	}
	if len(data) > maxPollBody {
		// Cutting it would only turn into a misleading JSON error.
		return nil, fmt.Errorf("svarut: svarinn poll: answer over %d bytes: %w", maxPollBody, ErrTooLarge)
	}
	return parseIncoming(data)
}

// DownloadIncoming returns the encrypted ZIP of an incoming shipment. The
// caller closes it.
func (c *Client) DownloadIncoming(ctx context.Context, id string) (io.ReadCloser, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, http.MethodGet, c.url("/tjenester/svarinn/v2/forsendelser/"+id, nil), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError("svarinn download", err)
	}
	if err := checkResponse(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp.Body, nil
}

// AcknowledgeIncoming marks the shipment MOTTATT: SvarInn will not offer it again.
func (c *Client) AcknowledgeIncoming(ctx context.Context, id string) error {
	return c.patchIncoming(ctx, id, map[string]any{"status": "MOTTATT"})
}

// FailIncoming marks the shipment FEILET. A permanent failure makes SvarUT
// send it another way (print, say); a temporary one leaves it in SvarInn to
// be fetched again.
func (c *Client) FailIncoming(ctx context.Context, id, message string, permanent bool) error {
	return c.patchIncoming(ctx, id, map[string]any{
		"status": "FEILET", "feil": map[string]any{"feilmelding": message, "permanent": permanent},
	})
}

func (c *Client) patchIncoming(ctx context.Context, id string, body any) error {
	if err := checkID(id); err != nil {
		return err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("svarut: %w", err)
	}
	req, err := c.newRequest(ctx, http.MethodPatch, c.url("/tjenester/svarinn/v2/forsendelser/"+id+"/status", nil), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, nil)
}

// Handler receives one file of an incoming shipment as a stream. Its SHA-256
// and size were checked before the call. An error leaves the shipment
// FEILET (temporary) in SvarInn, to be received again later.
type Handler func(ctx context.Context, in *Incoming, f IncomingFile, content io.Reader) error

// Receiver polls SvarInn, downloads and decrypts each shipment, checks every
// file's SHA-256 against the metadata, hands the files to its Handler, and
// acknowledges: MOTTATT, or FEILET with the permanent flag. It is a
// background job: Run polls every interval, RunOnce polls once.
type Receiver struct {
	Client *Client
	// Certificate and Key are the receiving system's: SvarInn encrypts to
	// the certificate's public key (RSA-OAEP key wrap, AES-256-CBC).
	Certificate *x509.Certificate
	Key         crypto.PrivateKey
	// Handler receives each file; required.
	Handler Handler
	// MaxSize bounds the encrypted download, the decrypted ZIP and each
	// file; 0 means 512 MiB. A larger shipment is reported FEILET
	// (permanent). The download, the decryption (DecryptTo) and the ZIP all
	// stream through temporary files, so memory stays flat whatever the
	// size.
	MaxSize int64
	// TempDir holds the temporary files; empty means os.TempDir().
	TempDir string
	// Logger receives a line per shipment and per pass; nil discards.
	Logger *slog.Logger
}

func (r *Receiver) logger() *slog.Logger { return defaults.Logger(r.Logger) }

func (r *Receiver) maxSize() int64 {
	if r.MaxSize > 0 {
		return r.MaxSize
	}
	return 512 << 20
}

func (r *Receiver) check() error {
	if r.Client == nil || r.Certificate == nil || r.Key == nil || r.Handler == nil {
		return fmt.Errorf("%w: Receiver needs Client, Certificate, Key and Handler", ErrConfig)
	}
	return nil
}

// RunOnce polls once and receives every shipment offered. It returns the
// errors of the shipments not acknowledged, joined; how many were goes to
// the Logger.
func (r *Receiver) RunOnce(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	list, err := r.Client.PollIncoming(ctx)
	if err != nil {
		return err
	}
	n := 0
	var errs []error
	for i := range list {
		if err := r.Receive(ctx, &list[i]); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if len(list) > 0 {
		r.logger().InfoContext(ctx, "svarut: svarinn: pass", "offered", len(list), "received", n)
	}
	return errors.Join(errs...)
}

// Run calls RunOnce at once and then every interval until ctx ends, when it
// returns nil. A failed pass is logged; a non-positive every, or a Receiver
// without its Client, Certificate, Key or Handler, is an error returned at
// once.
func (r *Receiver) Run(ctx context.Context, every time.Duration) error {
	if err := r.check(); err != nil && every > 0 {
		return err
	}
	return job.Run(ctx, every, r.RunOnce, r.logger(), "svarut: svarinn", ErrConfig)
}

// failure is an error with the FEILET report SvarInn gets for it.
type failure struct {
	err       error
	permanent bool
}

// Receive downloads, decrypts and checks one shipment, hands its files to
// the Handler, and reports the outcome to SvarInn. A failed download is not reported
// (the shipment stays as it was); a shipment that cannot be decrypted, or
// whose files do not match their SHA-256, is reported FEILET permanent; a
// handler error is reported FEILET temporary.
func (r *Receiver) Receive(ctx context.Context, in *Incoming) error {
	if err := r.check(); err != nil {
		return err
	}
	f, err := r.receive(ctx, in, r.Handler)
	if f == nil && err == nil {
		if err := r.Client.AcknowledgeIncoming(ctx, in.ID); err != nil {
			return fmt.Errorf("svarut: acknowledge %s: %w", in.ID, err)
		}
		r.logger().InfoContext(ctx, "svarut: svarinn: received", "id", in.ID, "files", len(in.Files))
		return nil
	}
	if f == nil {
		return err // not reported: download failed, try again later
	}
	msg := truncate(f.err.Error(), 1000)
	r.logger().WarnContext(ctx, "svarut: svarinn: failed", "id", in.ID, "permanent", f.permanent, "error", msg)
	if rerr := r.Client.FailIncoming(ctx, in.ID, msg, f.permanent); rerr != nil {
		return errors.Join(f.err, fmt.Errorf("svarut: report FEILET for %s: %w", in.ID, rerr))
	}
	return f.err
}

func (r *Receiver) receive(ctx context.Context, in *Incoming, h Handler) (*failure, error) {
	body, err := r.Client.DownloadIncoming(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	// Spool the ciphertext to disk first: the download is bounded and
	// completes (or fails) before anything is decided.
	cipherFile, n, err := r.spool(body)
	body.Close()
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return &failure{err: err, permanent: true}, nil
		}
		return nil, fmt.Errorf("svarut: svarinn download %s: %w", in.ID, err)
	}
	defer removeTemp(cipherFile)
	plainFile, pn, err := r.decrypt(cipherFile, n)
	if err != nil {
		var perr *os.PathError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("svarut: svarinn: %w", err) // our disk, not the shipment
		}
		return &failure{err: err, permanent: true}, nil
	}
	defer removeTemp(plainFile)

	open, ferr := r.files(in, plainFile, pn)
	if ferr != nil {
		return &failure{err: ferr, permanent: true}, nil
	}
	// Every hash matched: hand the files over.
	for i, f := range in.Files {
		rc, err := open(i, f.Size)
		if err != nil {
			return &failure{err: err, permanent: true}, nil
		}
		err = h(ctx, in, f, rc)
		rc.Close()
		if err != nil {
			return &failure{err: fmt.Errorf("svarut: handler for %s: %w", f.Name, err), permanent: false}, nil
		}
	}
	return nil, nil
}

// files checks every file of in against its size and SHA-256 in the
// decrypted content, and returns an opener for each. The content is a ZIP;
// a shipment of one file may also come as the bare file.
func (r *Receiver) files(in *Incoming, f *os.File, size int64) (func(i int, limit int64) (io.ReadCloser, error), error) {
	zr, zerr := zip.NewReader(f, size)
	var open func(int, int64) (io.ReadCloser, error)
	switch {
	case zerr == nil:
		byName := map[string]*zip.File{}
		for _, zf := range zr.File {
			byName[zf.Name] = zf
		}
		open = func(i int, limit int64) (io.ReadCloser, error) {
			zf, ok := byName[in.Files[i].Name]
			if !ok {
				return nil, fmt.Errorf("%w: %s is not in the ZIP", ErrBadShipment, in.Files[i].Name)
			}
			rc, err := zf.Open()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBadShipment, in.Files[i].Name, err)
			}
			return readCloser{io.LimitReader(rc, limit), rc}, nil
		}
	case len(in.Files) == 1:
		open = func(_ int, limit int64) (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(f, 0, min(size, limit))), nil
		}
	default:
		return nil, fmt.Errorf("%w: the decrypted content is not a ZIP", ErrBadShipment)
	}
	if len(in.Files) == 0 {
		return nil, fmt.Errorf("%w: no files in the metadata", ErrBadShipment)
	}
	for i, mf := range in.Files {
		want, err := hex.DecodeString(strings.TrimSpace(mf.SHA256))
		if err != nil || len(want) != sha256.Size {
			return nil, fmt.Errorf("%w: %s: the metadata's hash is not a SHA-256", ErrBadShipment, mf.Name)
		}
		if mf.Size < 0 || mf.Size > r.maxSize() {
			return nil, fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, mf.Name, mf.Size, r.maxSize())
		}
		// Read one byte past the declared size to notice a longer file.
		rc, err := open(i, mf.Size+1)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadShipment, mf.Name, err)
		}
		if n != mf.Size {
			return nil, fmt.Errorf("%w: %s is %d bytes, the metadata says %d", ErrHashMismatch, mf.Name, n, mf.Size)
		}
		if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
			return nil, fmt.Errorf("%w: %s", ErrHashMismatch, mf.Name)
		}
	}
	return open, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// spool copies src to a new temporary file, failing with ErrTooLarge past
// MaxSize, and returns the file (at offset 0) and its length.
func (r *Receiver) spool(src io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(r.TempDir, "svarinn-*")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(src, r.maxSize()+1))
	if err == nil && n > r.maxSize() {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.maxSize())
	}
	if err != nil {
		removeTemp(f)
		return nil, 0, err
	}
	return f, n, nil
}

func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// decrypt decrypts the spooled ciphertext into a new temporary file as a
// stream.
func (r *Receiver) decrypt(cipherFile *os.File, n int64) (*os.File, int64, error) {
	plain, err := os.CreateTemp(r.TempDir, "svarinn-*")
	if err != nil {
		return nil, 0, err
	}
	pn, err := DecryptTo(plain, io.NewSectionReader(cipherFile, 0, n), r.Certificate, r.Key, r.maxSize())
	if err != nil {
		removeTemp(plain)
		return nil, 0, err
	}
	return plain, pn, nil
}

// DecryptTo decrypts SvarInn's CMS EnvelopedData from src into dst as a
// stream (BER with chunked content, as SvarInn sends it, or DER), holding
// only the recipient infos in memory. It writes at most limit bytes (more
// gives ErrTooLarge) and returns how many it wrote. Errors wrap ErrDecrypt.
// The plaintext is only trustworthy once DecryptTo returns nil: the padding
// is checked at the end.
func DecryptTo(dst io.Writer, src io.Reader, cert *x509.Certificate, key crypto.PrivateKey, limit int64) (int64, error) {
	dec, ok := key.(crypto.Decrypter)
	if !ok || cert == nil {
		return 0, fmt.Errorf("%w: the receiver needs a certificate and a key that can decrypt", ErrDecrypt)
	}
	if limit <= 0 {
		return 0, fmt.Errorf("%w: a limit of %d bytes", ErrTooLarge, limit)
	}
	n, err := cms.Decrypt(dst, src, limit, cms.Key{Certificate: cert, Private: dec})
	switch {
	case errors.Is(err, cms.ErrTooLarge):
		err = fmt.Errorf("%w: %w", ErrTooLarge, err)
	case errors.Is(err, cms.ErrMalformed), errors.Is(err, cms.ErrUnsupported), errors.Is(err, cms.ErrNoKey):
		err = fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return n, err
}

// Decrypt opens SvarInn's CMS EnvelopedData in memory, given the receiving
// system's certificate and key. Errors wrap ErrDecrypt.
func Decrypt(ciphertext []byte, cert *x509.Certificate, key crypto.PrivateKey) ([]byte, error) {
	var out bytes.Buffer
	if _, err := DecryptTo(&out, bytes.NewReader(ciphertext), cert, key, 0x7fffffff); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
