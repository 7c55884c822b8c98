package archive

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Namespaces of the extract files.
const (
	nsArkivstruktur    = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
	nsEndringslogg     = "http://www.arkivverket.no/standarder/noark5/endringslogg"
	nsLoependeJournal  = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
	nsOffentligJournal = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
	nsXSI              = "http://www.w3.org/2001/XMLSchema-instance"
)

// screenedName replaces a screened party's name in the public journal.
const screenedName = "Unntatt offentlighet"

// Options configure a Writer. The zero value is ready to use.
type Options struct {
	// NewID makes the systemIDs the caller left empty; default uuid.NewString.
	NewID func() string
	// Progress, when set, is called every ProgressEvery cases (default 1000)
	// and once more at the end.
	Progress      func(Progress)
	ProgressEvery int
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now is the clock for elapsed times in Progress; default time.Now.
	Now func() time.Time
}

// Progress reports how far a write or verify has come.
type Progress struct {
	Cases     int           // cases (mapper) written or read
	Records   int           // registrations
	Documents int           // document files
	Bytes     int64         // bytes written or read so far
	Elapsed   time.Duration // since the start
	Done      bool          // the last report
}

// MBPerSecond is the throughput so far.
func (p Progress) MBPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Bytes) / 1e6 / p.Elapsed.Seconds()
}

// Summary describes a finished extract.
type Summary struct {
	Dir           string
	Cases         int // mapper
	Records       int // registreringer (all journalposter)
	Documents     int // document files in dokumenter/
	Changes       int // endringer
	Start, End    civil.Date
	Screened      bool              // the extract holds screened information
	Checksums     map[string]string // file name -> hex SHA-256, for the XML files
	Bytes         int64             // total bytes written, documents included
	DocumentBytes int64
}

// Writer streams a Noark 5 extract into a folder: call Add for each case,
// then Close. Memory stays flat however many cases are added: each case is
// written out as it arrives. The arkivstruktur.xml parts of each class and the
// journal bodies go to temporary files in the folder, joined on Close, because
// classes must be contiguous and the journal headers carry totals.
type Writer struct {
	dir  string
	ex   Extract
	opts Options
	now  func() time.Time
	log  *slog.Logger

	start   time.Time
	classes []*spool // in Extract order
	byClass map[string]*spool
	lj, oj  *spool
	el      *hashFile // endringslogg.xml, written straight through
	elx     xmlWriter

	copyBuf []byte
	docHash hash.Hash
	docs    []docFile // reused per case

	cases, records, documents, changes int
	docBytes                           int64
	minReg, maxReg                     civil.Date
	screened                           bool
	err                                error
	closed                             bool
}

// docFile is a copied document's reference, checksum and size.
type docFile struct {
	ref  string
	sum  string
	size int64
}

// spool is a temporary file with a buffered XML writer on top.
type spool struct {
	f *os.File
	b *bufio.Writer
	x xmlWriter
	n int // elements written
}

func newSpool(dir, pattern string, depth int) (*spool, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	s := &spool{f: f, b: bufio.NewWriterSize(f, 64<<10)}
	s.x = xmlWriter{w: s.b, depth: depth}
	return s, nil
}

func (s *spool) discard() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// rewind flushes the spool and returns a reader from its start.
func (s *spool) rewind() (io.Reader, error) {
	if err := s.b.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.f, nil
}

// hashFile is a file written through a buffer while its SHA-256 and size are
// computed.
type hashFile struct {
	f    *os.File
	h    hash.Hash
	n    int64
	b    *bufio.Writer
	name string
}

func createHashFile(path string) (*hashFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	hf := &hashFile{f: f, h: sha256.New(), name: path}
	hf.b = bufio.NewWriterSize(hf, 64<<10)
	return hf, nil
}

func (hf *hashFile) Write(p []byte) (int, error) {
	n, err := hf.f.Write(p)
	hf.h.Write(p[:n])
	hf.n += int64(n)
	return n, err
}

func (hf *hashFile) finish() (string, error) {
	if err := hf.b.Flush(); err != nil {
		hf.f.Close()
		return "", err
	}
	if err := hf.f.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(hf.h.Sum(nil)), nil
}

// Create starts an extract in dir, which must be empty or not exist yet.
func Create(dir string, ex Extract, opts Options) (*Writer, error) {
	if err := checkExtract(&ex); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("archive: create %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrDirNotEmpty, dir)
	}
	if err := os.Mkdir(filepath.Join(dir, DirDokumenter), 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	w := &Writer{
		dir:     dir,
		ex:      ex,
		opts:    opts,
		now:     opts.Now,
		log:     opts.Logger,
		byClass: make(map[string]*spool),
		copyBuf: make([]byte, 256<<10),
		docHash: sha256.New(),
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.log = defaults.Logger(w.log)
	if w.opts.NewID == nil {
		w.opts.NewID = uuid.NewString
	}
	if w.opts.ProgressEvery <= 0 {
		w.opts.ProgressEvery = 1000
	}
	w.start = w.now()
	// The extract's own systemIDs are fixed here, so they stay the same in
	// every file.
	fill := func(id *string) {
		if *id == "" {
			*id = w.opts.NewID()
		}
	}
	fill(&w.ex.Archive.SystemID)
	fill(&w.ex.Part.SystemID)
	fill(&w.ex.Classification.SystemID)
	w.ex.Classification.Classes = append([]Klasse(nil), ex.Classification.Classes...)
	w.ex.Archive.Creators = append([]Arkivskaper(nil), ex.Archive.Creators...)
	for i := range w.ex.Classification.Classes {
		kl := &w.ex.Classification.Classes[i]
		fill(&kl.SystemID)
		sp, err := newSpool(dir, ".klasse-*.tmp", 4)
		if err != nil {
			w.abort()
			return nil, fmt.Errorf("archive: %w", err)
		}
		w.classes = append(w.classes, sp)
		w.byClass[kl.ID] = sp
	}
	if w.lj, err = newSpool(dir, ".loependeJournal-*.tmp", 1); err != nil {
		w.abort()
		return nil, fmt.Errorf("archive: %w", err)
	}
	if w.oj, err = newSpool(dir, ".offentligJournal-*.tmp", 1); err != nil {
		w.abort()
		return nil, fmt.Errorf("archive: %w", err)
	}
	if w.el, err = createHashFile(filepath.Join(dir, FileEndringslogg)); err != nil {
		w.abort()
		return nil, fmt.Errorf("archive: %w", err)
	}
	w.elx = xmlWriter{w: w.el.b}
	w.el.b.WriteString(xmlHeader)
	rootOpen(w.el.b, "endringslogg", nsEndringslogg, "endringslogg.xsd")
	w.elx.depth = 1
	return w, nil
}

const xmlHeader = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

func rootOpen(b *bufio.Writer, name, ns, xsd string) {
	b.WriteString("<" + name + ` xmlns="` + ns + `" xmlns:xsi="` + nsXSI + `" xsi:schemaLocation="` + ns + " " + xsd + "\">\n")
}

// abort removes the temporary files after a failure. The folder keeps what
// was written so far; it is not a valid extract.
func (w *Writer) abort() {
	for _, s := range w.classes {
		s.discard()
	}
	if w.lj != nil {
		w.lj.discard()
	}
	if w.oj != nil {
		w.oj.discard()
	}
	if w.el != nil {
		w.el.f.Close()
	}
	w.closed = true
}

func (w *Writer) fail(err error) error {
	w.err = err
	w.abort()
	return err
}

// Add writes one case: its folder in arkivstruktur.xml, its entries in both
// journals and the change log, and its documents into dokumenter/. A case
// that fails validation (a *FieldError) or has a document that cannot be read
// (ErrDocument: its Open or a read failed) is refused whole, nothing of it is
// kept, and the writer stays usable; any other error (a full disk, a
// cancelled context) ends the extract and every later call returns it.
func (w *Writer) Add(ctx context.Context, c *Saksmappe) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return w.fail(err)
	}
	if err := checkCase(c); err != nil {
		return err
	}
	body, ok := w.byClass[c.ClassID]
	if !ok {
		return fmt.Errorf("%w: saksmappe %s names class %q", ErrUnknownClass, c.Number(), c.ClassID)
	}
	if err := w.checkPeriod(c); err != nil {
		return err
	}
	caseID := w.idOr(c.SystemID)
	// Copy the documents first: dokumentobjekt carries their checksums.
	if err := w.copyDocuments(c); err != nil {
		return err
	}
	ids := make([]string, len(c.Records))
	for i := range c.Records {
		ids[i] = w.idOr(c.Records[i].SystemID)
	}
	w.writeMappe(&body.x, c, caseID, ids)
	body.n++
	klasse := w.classFor(c.ClassID)
	for i := range c.Records {
		w.writeJournal(&w.lj.x, c, i, ids[i], klasse, false)
		w.writeJournal(&w.oj.x, c, i, ids[i], klasse, true)
	}
	for i := range c.Changes {
		w.writeChange(&c.Changes[i])
	}
	w.count(c)
	if w.opts.Progress != nil && w.cases%w.opts.ProgressEvery == 0 {
		w.opts.Progress(w.progress(false))
	}
	return nil
}

// checkPeriod refuses a case with a registration created outside a sharp
// archival period.
func (w *Writer) checkPeriod(c *Saksmappe) error {
	if w.ex.SoftPeriod || w.ex.Part.Start.IsZero() {
		return nil
	}
	for i := range c.Records {
		d := civil.DateOf(c.Records[i].Created)
		if d.Before(w.ex.Part.Start) || d.After(w.ex.Part.End) {
			return fmt.Errorf("%w: saksmappe %s, journalpost %d created %s, period %s to %s",
				ErrOutsidePeriod, c.Number(), i+1, d, w.ex.Part.Start, w.ex.Part.End)
		}
	}
	return nil
}

// copyDocuments copies the case's documents into dokumenter/, keeping their
// references in w.docs. When a document cannot be read (ErrDocument), it
// removes the files of the case copied so far and returns the error; the
// extract goes on without the case. Any other error ends the extract.
func (w *Writer) copyDocuments(c *Saksmappe) error {
	w.docs = w.docs[:0]
	documents, docBytes := w.documents, w.docBytes
	for i := range c.Records {
		for j := range c.Records[i].Documents {
			df, err := w.copyDocument(&c.Records[i].Documents[j])
			if err == nil {
				w.docs = append(w.docs, df)
				continue
			}
			err = fmt.Errorf("archive: saksmappe %s, journalpost %d, dokument %d: %w", c.Number(), i+1, j+1, err)
			if !errors.Is(err, ErrDocument) {
				return w.fail(err)
			}
			// The case's source failed, not the extract: leave it out.
			for _, df := range w.docs {
				if rerr := os.Remove(filepath.Join(w.dir, filepath.FromSlash(df.ref))); rerr != nil {
					return w.fail(fmt.Errorf("archive: %w", rerr))
				}
			}
			w.docs, w.documents, w.docBytes = w.docs[:0], documents, docBytes
			return err
		}
	}
	return nil
}

// count adds a written case to the totals, the period and the screening flag.
func (w *Writer) count(c *Saksmappe) {
	w.cases++
	w.records += len(c.Records)
	w.changes += len(c.Changes)
	for i := range c.Records {
		r := &c.Records[i]
		d := civil.DateOf(r.Created)
		if w.minReg.IsZero() || d.Before(w.minReg) {
			w.minReg = d
		}
		if w.maxReg.IsZero() || d.After(w.maxReg) {
			w.maxReg = d
		}
		if r.Screening != nil {
			w.screened = true
		}
		for _, p := range r.Parties {
			if p.Screened {
				w.screened = true
			}
		}
	}
	if c.Screening != nil {
		w.screened = true
	}
}

func (w *Writer) progress(done bool) Progress {
	return Progress{
		Cases: w.cases, Records: w.records, Documents: w.documents,
		Bytes: w.bytesSoFar(), Elapsed: w.now().Sub(w.start), Done: done,
	}
}

// bytesSoFar estimates the bytes written: documents, the change log and the
// buffered spools.
func (w *Writer) bytesSoFar() int64 {
	n := w.docBytes + w.el.n + int64(w.el.b.Buffered())
	for _, s := range append(w.classes[:len(w.classes):len(w.classes)], w.lj, w.oj) {
		if st, err := s.f.Stat(); err == nil {
			n += st.Size()
		}
		n += int64(s.b.Buffered())
	}
	return n
}

func (w *Writer) classFor(id string) *Klasse {
	for i := range w.ex.Classification.Classes {
		if w.ex.Classification.Classes[i].ID == id {
			return &w.ex.Classification.Classes[i]
		}
	}
	return nil
}

func (w *Writer) copyDocument(d *Dokument) (docFile, error) {
	ext := d.Ext
	if ext == "" {
		ext = ".pdf"
	}
	w.documents++
	ref := DirDokumenter + "/" + fmt.Sprintf("%07d", w.documents) + strings.ToLower(ext)
	rc, err := d.Open()
	if err != nil {
		return docFile{}, fmt.Errorf("%w: %w", ErrDocument, err)
	}
	defer rc.Close()
	path := filepath.Join(w.dir, filepath.FromSlash(ref))
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return docFile{}, err
	}
	w.docHash.Reset()
	src := &sourceReader{r: rc}
	n, err := io.CopyBuffer(io.MultiWriter(dst, w.docHash), src, w.copyBuf)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if src.err != nil {
		if rerr := os.Remove(path); rerr != nil {
			return docFile{}, rerr
		}
		return docFile{}, fmt.Errorf("%w: %w", ErrDocument, src.err)
	}
	if err != nil {
		return docFile{}, err
	}
	w.docBytes += n
	return docFile{ref: ref, sum: hex.EncodeToString(w.docHash.Sum(nil)), size: n}, nil
}

// sourceReader keeps a document's read error apart from the extract's
// write errors: only the first refuses just the case.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orTime(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// writeMappe writes the saksmappe in the schema's order: the mappe fields,
// its registrations, then the saksmappe extension fields.
func (w *Writer) writeMappe(x *xmlWriter, c *Saksmappe, caseID string, ids []string) {
	x.openTyped("mappe", "saksmappe")
	x.elem("systemID", caseID)
	x.elem("mappeID", c.Number())
	x.elem("tittel", c.Title)
	x.opt("offentligTittel", c.PublicTitle)
	x.opt("beskrivelse", c.Description)
	x.dateTime("opprettetDato", c.Created)
	x.elem("opprettetAv", c.CreatedBy)
	x.dateTime("avsluttetDato", c.Finished)
	x.elem("avsluttetAv", c.FinishedBy)
	for _, p := range c.Parties {
		x.open("part")
		x.opt("partID", p.ID)
		x.elem("partNavn", p.Name)
		x.elem("partRolle", p.Role)
		x.close("part")
	}
	writeScreening(x, c.Screening)
	docs := w.docs
	for i := range c.Records {
		r := &c.Records[i]
		n := len(r.Documents)
		w.writeRegistrering(x, c, r, ids[i], i, docs[:n])
		docs = docs[n:]
	}
	x.int("saksaar", c.Year)
	x.int("sakssekvensnummer", c.Sequence)
	x.date("saksdato", c.Date)
	x.elem("administrativEnhet", c.AdministrativeUnit)
	x.elem("saksansvarlig", c.Officer)
	x.elem("saksstatus", c.Status)
	x.close("mappe")
}

func writeScreening(x *xmlWriter, s *Skjerming) {
	if s == nil {
		return
	}
	x.open("skjerming")
	x.elem("tilgangsrestriksjon", s.Restriction)
	x.elem("skjermingshjemmel", s.Authority)
	for _, m := range s.Metadata {
		x.elem("skjermingMetadata", m)
	}
	x.close("skjerming")
}

func recordNumber(r *Journalpost, i int) int {
	if r.Number > 0 {
		return r.Number
	}
	return i + 1
}

func registrationID(c *Saksmappe, r *Journalpost, i int) string {
	if r.ID != "" {
		return r.ID
	}
	return c.Number() + "-" + strconv.Itoa(recordNumber(r, i))
}

func (w *Writer) writeRegistrering(x *xmlWriter, c *Saksmappe, r *Journalpost, id string, i int, docs []docFile) {
	x.openTyped("registrering", "journalpost")
	x.elem("systemID", id)
	x.dateTime("opprettetDato", r.Created)
	x.elem("opprettetAv", r.CreatedBy)
	x.dateTime("arkivertDato", orTime(r.Archived, r.Created))
	x.elem("arkivertAv", or(r.ArchivedBy, r.CreatedBy))
	writeScreening(x, r.Screening)
	for j := range r.Documents {
		d := &r.Documents[j]
		x.open("dokumentbeskrivelse")
		x.elem("systemID", w.idOr(d.SystemID))
		x.elem("dokumenttype", d.Type)
		x.elem("dokumentstatus", or(d.Status, "Dokumentet er ferdigstilt"))
		x.elem("tittel", d.Title)
		x.dateTime("opprettetDato", d.Created)
		x.elem("opprettetAv", d.CreatedBy)
		x.elem("tilknyttetRegistreringSom", or(d.Role, "Hoveddokument"))
		num := d.Number
		if num == 0 {
			num = j + 1
		}
		x.int("dokumentnummer", num)
		x.dateTime("tilknyttetDato", orTime(d.Attached, d.Created))
		x.elem("tilknyttetAv", or(d.AttachedBy, d.CreatedBy))
		x.open("dokumentobjekt")
		x.elem("systemID", w.idOr(d.ObjectID))
		x.int("versjonsnummer", 1)
		x.elem("variantformat", "Arkivformat")
		x.elem("format", or(d.Format, "fmt/95"))
		x.dateTime("opprettetDato", d.Created)
		x.elem("opprettetAv", d.CreatedBy)
		x.elem("referanseDokumentfil", docs[j].ref)
		x.elem("sjekksum", docs[j].sum)
		x.elem("sjekksumAlgoritme", "SHA256")
		x.int64("filstoerrelse", docs[j].size)
		x.close("dokumentobjekt")
		x.close("dokumentbeskrivelse")
	}
	x.elem("registreringsID", registrationID(c, r, i))
	x.elem("tittel", r.Title)
	x.opt("offentligTittel", r.PublicTitle)
	for _, p := range r.Parties {
		x.open("korrespondansepart")
		x.elem("korrespondanseparttype", p.Type)
		x.elem("korrespondansepartNavn", p.Name)
		x.opt("postadresse", p.Address)
		x.opt("postnummer", p.PostalCode)
		x.opt("poststed", p.PostTown)
		x.opt("epostadresse", p.Email)
		x.close("korrespondansepart")
	}
	x.int("journalaar", r.Year)
	x.int("journalsekvensnummer", r.Sequence)
	x.int("journalpostnummer", recordNumber(r, i))
	x.elem("journalposttype", r.Type)
	x.elem("journalstatus", r.Status)
	x.date("journaldato", r.Date)
	x.optDate("dokumentetsDato", r.DocumentDate)
	x.optDateTime("mottattDato", r.Received)
	x.optDateTime("sendtDato", r.Sent)
	x.close("registrering")
}

// publicTitle is the title the public may see.
func publicTitle(title, public string, s *Skjerming) string {
	if public != "" {
		return public
	}
	if s != nil {
		return "" // checkCase refuses this
	}
	return title
}

// writeJournal writes one journalregistrering. The public journal never gets
// the screened title or a screened party's name.
func (w *Writer) writeJournal(x *xmlWriter, c *Saksmappe, i int, id string, k *Klasse, public bool) {
	r := &c.Records[i]
	x.open("journalregistrering")
	x.open("klasse")
	x.elem("klasseID", k.ID)
	x.elem("tittel", k.Title)
	x.close("klasse")
	x.open("saksmappe")
	x.elem("mappeID", c.Number())
	x.int("saksaar", c.Year)
	x.int("sakssekvensnummer", c.Sequence)
	if public {
		x.elem("offentligTittel", publicTitle(c.Title, c.PublicTitle, c.Screening))
	} else {
		x.elem("tittel", c.Title)
		x.elem("offentligTittel", publicTitle(c.Title, c.PublicTitle, c.Screening))
		if c.Screening != nil {
			x.elem("skjermingMetadata", strings.Join(c.Screening.Metadata, ", "))
		}
	}
	x.elem("administrativEnhet", c.AdministrativeUnit)
	x.elem("saksansvarlig", c.Officer)
	if public && c.Screening != nil {
		x.elem("tilgangsrestriksjon", c.Screening.Restriction)
		x.elem("skjermingshjemmel", c.Screening.Authority)
	}
	x.close("saksmappe")
	x.open("journalpost")
	x.elem("systemID", id)
	x.elem("registreringsID", registrationID(c, r, i))
	x.int("journalaar", r.Year)
	x.int("journalsekvensnummer", r.Sequence)
	x.int("journalpostnummer", recordNumber(r, i))
	if !public {
		x.elem("tittel", r.Title)
	}
	x.elem("offentligTittel", publicTitle(r.Title, r.PublicTitle, r.Screening))
	if r.Screening != nil {
		x.elem("skjermingMetadata", strings.Join(r.Screening.Metadata, ", "))
	}
	x.date("journaldato", r.Date)
	x.optDate("dokumentetsDato", r.DocumentDate)
	x.elem("administrativEnhet", c.AdministrativeUnit)
	x.elem("saksbehandler", c.Officer)
	if r.Screening != nil {
		x.elem("tilgangsrestriksjon", r.Screening.Restriction)
		x.elem("skjermingshjemmel", r.Screening.Authority)
	}
	for _, p := range r.Parties {
		x.open("korrespondansepart")
		x.elem("korrespondanseparttype", p.Type)
		switch {
		case public && p.Screened:
			x.elem("korrespondansepartNavn", screenedName)
		default:
			x.elem("korrespondansepartNavn", p.Name)
			if p.Screened {
				x.elem("skjermingMetadata", "korrespondansepartNavn")
			}
		}
		x.close("korrespondansepart")
	}
	x.close("journalpost")
	x.close("journalregistrering")
}

func (w *Writer) writeChange(e *Endring) {
	x := &w.elx
	x.open("endring")
	x.elem("referanseArkivenhet", e.Ref)
	x.elem("referanseMetadata", e.Field)
	x.dateTime("endretDato", e.Changed)
	x.elem("endretAv", e.ChangedBy)
	x.elem("tidligereVerdi", e.Previous)
	x.elem("nyVerdi", e.New)
	x.close("endring")
}

// Close finishes the extract: it joins arkivstruktur.xml and the journals,
// copies the schemas, and writes arkivuttrekk.xml last, with the checksums
// and counts of everything before it.
func (w *Writer) Close() (*Summary, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.closed {
		return nil, ErrClosed
	}
	if w.records == 0 {
		return nil, w.fail(fmt.Errorf("%w: no journal entries (loependeJournal.xml needs one)", ErrEmpty))
	}
	if w.changes == 0 {
		return nil, w.fail(fmt.Errorf("%w: no change-log entries (endringslogg.xml needs one)", ErrEmpty))
	}
	sum := w.summary()
	if err := w.finishXML(sum); err != nil {
		return nil, w.fail(err)
	}
	if err := w.writeSchemas(sum); err != nil {
		return nil, w.fail(err)
	}
	addml, err := w.addml(sum)
	if err != nil {
		return nil, w.fail(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, FileArkivuttrekk), addml, 0o644); err != nil {
		return nil, w.fail(fmt.Errorf("archive: %w", err))
	}
	sum.Bytes += int64(len(addml)) + w.docBytes
	w.abort() // removes the spools
	if w.opts.Progress != nil {
		p := w.progress(true)
		p.Bytes = sum.Bytes
		w.opts.Progress(p)
	}
	w.log.Debug("archive: extract written", "dir", w.dir, "cases", sum.Cases, "records", sum.Records, "documents", sum.Documents)
	return sum, nil
}

// summary is the Summary of the cases written, before the files are joined.
func (w *Writer) summary() *Summary {
	sum := &Summary{
		Dir: w.dir, Cases: w.cases, Records: w.records, Documents: w.documents,
		Changes: w.changes, Screened: w.screened, DocumentBytes: w.docBytes,
		Checksums: make(map[string]string),
	}
	sum.Start, sum.End = w.ex.Part.Start, w.ex.Part.End
	if sum.Start.IsZero() {
		sum.Start, sum.End = w.minReg, w.maxReg
	}
	return sum
}

// finishXML writes arkivstruktur.xml and the journals from their spools and
// ends endringslogg.xml, keeping each file's checksum in sum.
func (w *Writer) finishXML(sum *Summary) error {
	steps := []struct {
		name string
		fn   func(*bufio.Writer) error
	}{
		{FileArkivstruktur, func(b *bufio.Writer) error { return w.finishArkivstruktur(b, sum) }},
		{FileLoependeJournal, func(b *bufio.Writer) error {
			return w.finishJournal(b, w.lj, "loependeJournal", nsLoependeJournal, sum)
		}},
		{FileOffentligJournal, func(b *bufio.Writer) error {
			return w.finishJournal(b, w.oj, "offentligJournal", nsOffentligJournal, sum)
		}},
	}
	for _, st := range steps {
		hf, err := createHashFile(filepath.Join(w.dir, st.name))
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if err := st.fn(hf.b); err != nil {
			hf.f.Close()
			return fmt.Errorf("archive: %s: %w", st.name, err)
		}
		s, err := hf.finish()
		if err != nil {
			return fmt.Errorf("archive: %s: %w", st.name, err)
		}
		sum.Checksums[st.name] = s
		sum.Bytes += hf.n
	}
	w.el.b.WriteString("</endringslogg>\n")
	s, err := w.el.finish()
	if err != nil {
		return fmt.Errorf("archive: %s: %w", FileEndringslogg, err)
	}
	sum.Checksums[FileEndringslogg] = s
	sum.Bytes += w.el.n
	return nil
}

// writeSchemas copies the official schemas into the extract.
func (w *Writer) writeSchemas(sum *Summary) error {
	for _, name := range schemaFiles {
		b, _ := Schema(name)
		if err := os.WriteFile(filepath.Join(w.dir, name), b, 0o644); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		sum.Bytes += int64(len(b))
	}
	return nil
}

func (w *Writer) finishArkivstruktur(b *bufio.Writer, sum *Summary) error {
	b.WriteString(xmlHeader)
	rootOpen(b, "arkiv", nsArkivstruktur, "arkivstruktur.xsd")
	x := &xmlWriter{w: b, depth: 1}
	a := &w.ex.Archive
	x.elem("systemID", a.SystemID)
	x.elem("tittel", a.Title)
	x.opt("beskrivelse", a.Description)
	x.elem("arkivstatus", or(a.Status, "Avsluttet"))
	x.dateTime("opprettetDato", a.Created)
	x.elem("opprettetAv", a.CreatedBy)
	x.dateTime("avsluttetDato", a.Finished)
	x.elem("avsluttetAv", a.FinishedBy)
	for _, cr := range a.Creators {
		x.open("arkivskaper")
		x.elem("arkivskaperID", cr.ID)
		x.elem("arkivskaperNavn", cr.Name)
		x.close("arkivskaper")
	}
	p := &w.ex.Part
	x.open("arkivdel")
	x.elem("systemID", p.SystemID)
	x.elem("tittel", p.Title)
	x.opt("beskrivelse", p.Description)
	x.elem("arkivdelstatus", or(p.Status, "Avsluttet periode"))
	x.dateTime("opprettetDato", p.Created)
	x.elem("opprettetAv", p.CreatedBy)
	x.dateTime("avsluttetDato", p.Finished)
	x.elem("avsluttetAv", p.FinishedBy)
	x.date("arkivperiodeStartDato", sum.Start)
	x.date("arkivperiodeSluttDato", sum.End)
	k := &w.ex.Classification
	x.open("klassifikasjonssystem")
	x.elem("systemID", k.SystemID)
	x.opt("klassifikasjonstype", k.Type)
	x.elem("tittel", k.Title)
	x.dateTime("opprettetDato", k.Created)
	x.elem("opprettetAv", k.CreatedBy)
	for i := range k.Classes {
		kl := &k.Classes[i]
		x.open("klasse")
		x.elem("systemID", kl.SystemID)
		x.elem("klasseID", kl.ID)
		x.elem("tittel", kl.Title)
		x.dateTime("opprettetDato", kl.Created)
		x.elem("opprettetAv", kl.CreatedBy)
		r, err := w.classes[i].rewind()
		if err != nil {
			return err
		}
		if _, err := b.ReadFrom(r); err != nil {
			return err
		}
		x.close("klasse")
	}
	x.close("klassifikasjonssystem")
	x.close("arkivdel")
	b.WriteString("</arkiv>\n")
	return nil
}

func (w *Writer) finishJournal(b *bufio.Writer, body *spool, root, ns string, sum *Summary) error {
	b.WriteString(xmlHeader)
	rootOpen(b, root, ns, root+".xsd")
	x := &xmlWriter{w: b, depth: 1}
	x.open("journalhode")
	x.date("journalStartDato", sum.Start)
	x.date("journalSluttDato", sum.End)
	x.int("antallJournalposter", w.records)
	for _, cr := range w.ex.Archive.Creators {
		x.open("arkivskaper")
		x.elem("arkivskaperID", cr.ID)
		x.elem("arkivskaperNavn", cr.Name)
		x.close("arkivskaper")
	}
	x.close("journalhode")
	r, err := body.rewind()
	if err != nil {
		return err
	}
	if _, err := b.ReadFrom(r); err != nil {
		return err
	}
	b.WriteString("</" + root + ">\n")
	return nil
}

// Write is the one-call form: it writes every case from cases into dir.
//
// A case that Add refuses whole, or that the sequence yields as a
// *CaseError (one the caller could not map), is left out and the rest are
// written: Write then returns the Summary of an extract that is complete
// and valid without them, together with an *IncompleteError naming them.
// If no case is left, the error also wraps ErrEmpty and there is no
// extract. Any other error the sequence yields stops the extract.
func Write(ctx context.Context, dir string, ex Extract, opts Options, cases iter.Seq2[*Saksmappe, error]) (*Summary, error) {
	w, err := Create(dir, ex, opts)
	if err != nil {
		return nil, err
	}
	var left []*CaseError
	for c, err := range cases {
		var ce *CaseError
		switch {
		case err == nil:
			if err = w.Add(ctx, c); err != nil && w.err == nil {
				if !errors.As(err, &ce) {
					ce = &CaseError{ID: c.SystemID, Number: c.Number(), Err: err}
				}
				left = append(left, ce)
				continue
			}
		case errors.As(err, &ce):
			left = append(left, ce)
			continue
		}
		if err != nil {
			if w.err == nil {
				w.fail(err)
			}
			return nil, err
		}
	}
	sum, err := w.Close()
	if len(left) == 0 {
		return sum, err
	}
	inc := &IncompleteError{Cases: left}
	if err != nil {
		return nil, fmt.Errorf("%w; %w", err, inc)
	}
	return sum, inc
}

func (w *Writer) idOr(id string) string {
	if id == "" {
		return w.opts.NewID()
	}
	return id
}
