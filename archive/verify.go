package archive

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The tests Verify runs, in report order, with Arkade 5's ids.
var testNames = []struct{ id, name string }{
	{"N5.01", "Structure files exist"},
	{"N5.02", "Checksums of the structure files (ADDML)"},
	{"N5.03", "XML well-formed (XSD validation: run xmllint)"},
	{"N5.04", "Number of archives"},
	{"N5.05", "Number of archive parts"},
	{"N5.06", "Status of archive parts"},
	{"N5.07", "Number of classification systems"},
	{"N5.08", "Number of classes"},
	{"N5.09", "Classes without subclasses, folders or registrations"},
	{"N5.10", "Number of folders (against ADDML)"},
	{"N5.11", "Number of folders per year"},
	{"N5.14", "Folders without registrations or subfolders"},
	{"N5.15", "Number of each case folder status"},
	{"N5.16", "Number of registrations (against ADDML)"},
	{"N5.17", "Number of each journal post type"},
	{"N5.21", "Registrations without document descriptions"},
	{"N5.22", "Number of each journal status"},
	{"N5.23", "Number of document descriptions"},
	{"N5.26", "Number of document objects"},
	{"N5.27", "First and last registration creation dates"},
	{"N5.28", "Number of document files (against ADDML)"},
	{"N5.29", "Number of each document format"},
	{"N5.30", "Document file checksums"},
	{"N5.32", "Referenced document files exist"},
	{"N5.33", "Document files without a reference"},
	{"N5.34", "Document files referenced more than once"},
	{"N5.47", "Unique systemIDs"},
	{"N5.48", "References to archive units resolve"},
	{"N5.59", "Number of journal posts (structure and journals)"},
	{"N5.60", "Archive start and end dates"},
	{"N5.61", "Number of changes logged (against ADDML)"},
	{"N5.62", "Change-log references"},
	{"N5.63", "Elements have content"},
	{"N5.64", "Empty document files"},
}

// Verifier runs the extract checks. The zero value is ready to use.
type Verifier struct {
	// Progress, when set, is called every ProgressEvery folders (default
	// 1000) read from arkivstruktur.xml, and once at the end.
	Progress      func(Progress)
	ProgressEvery int
	Logger        *slog.Logger // nil: no logging
	Now           func() time.Time

	runSize int // records per in-memory sort run; tests make it small to exercise spilling
}

// Verify checks the extract in dir with a zero Verifier.
func Verify(dir string) (*Report, error) {
	return (&Verifier{}).Verify(context.Background(), dir)
}

// Verify runs the Arkade 5 checks a Go program can run on the extract in dir.
// Findings go into the report; the error is only for a folder that cannot be
// read at all or a cancelled context. It streams every file: memory grows
// with the number of systemIDs and document references (16 bytes each),
// never with the size of the XML or the documents.
func (vf *Verifier) Verify(ctx context.Context, dir string) (*Report, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: verify: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("archive: verify: %s is not a folder", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: verify: %w", err)
	}
	defer root.Close()
	v := newVerifier(ctx, vf, dir, root)
	v.run()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return v.finish(), nil
}

type verifier struct {
	ctx   context.Context
	cfg   *Verifier
	now   func() time.Time
	start time.Time
	dir   string
	root  *os.Root
	rep   *Report
	tests map[string]*TestResult

	addml *addmlInfo

	// arkivstruktur.xml state
	stack     []frame
	rootDone  bool
	text      []byte
	counts    map[string]int
	perYear   map[string]int
	statuses  map[string]map[string]int // element -> value -> count
	ids       *keySorter                // systemIDs
	refs      *keySorter                // references to check against ids
	fileRefs  *keySorter                // hashes of referenced document paths
	doc       docObject
	regMin    time.Time
	regMax    time.Time
	regDates  int
	noDocDesc int
	partStart Date // earliest arkivperiodeStartDato
	partEnd   Date // latest arkivperiodeSluttDato
	bytes     int64
	hasher    hash.Hash
	buf       []byte
}

// sortRun is how many 24-byte records a keySorter keeps in memory before it
// spills a sorted run to a temporary file: 192 kB.
const sortRun = 8 << 10

type frame struct {
	name    string
	prefix  string
	line    int
	child   bool // has a child element
	text    bool // has non-space text
	content int  // klasse, mappe or registrering children (or dokumentbeskrivelse)
}

// refElements are the arkivstruktur elements that hold a systemID of another
// unit of the same extract.
var refElements = []string{
	"referanseArkivdel", "referanseTilKlasse", "referanseTilMappe", "referanseTilRegistrering",
	"referanseSekundaerKlassifikasjon", "referanseAvskrivesAvJournalpost",
	"referanseTilMoeteregistrering", "referanseFraMoeteregistrering",
	"referanseForrigeMoete", "referanseNesteMoete",
}

type docObject struct {
	line                 int
	file, sum, algo, siz string
}

// Units whose systemID must be unique.
var unitElements = map[string]bool{
	"arkiv": true, "arkivdel": true, "klassifikasjonssystem": true, "klasse": true,
	"mappe": true, "registrering": true, "dokumentbeskrivelse": true, "dokumentobjekt": true,
}

func newVerifier(ctx context.Context, cfg *Verifier, dir string, root *os.Root) *verifier {
	v := &verifier{
		ctx: ctx, cfg: cfg, dir: dir, root: root,
		rep:      &Report{Dir: dir, Tool: "grunnmur archive verify", Standard: "Noark 5 v5.0"},
		tests:    make(map[string]*TestResult),
		counts:   make(map[string]int),
		perYear:  make(map[string]int),
		statuses: make(map[string]map[string]int),
		hasher:   sha256.New(),
	}
	run := cmp.Or(cfg.runSize, sortRun)
	v.ids, v.refs, v.fileRefs = newKeySorter("", run), newKeySorter("", run), newKeySorter("", run)
	v.now = cfg.Now
	if v.now == nil {
		v.now = time.Now
	}
	v.start = v.now()
	for _, t := range testNames {
		tr := &TestResult{ID: t.id, Name: t.name, Status: Passed, Results: []Result{}}
		v.rep.Tests = append(v.rep.Tests, tr)
		v.tests[t.id] = tr
	}
	return v
}

func (v *verifier) add(id string, sev Severity, loc, format string, args ...any) {
	t := v.tests[id]
	if t == nil {
		panic("archive: unknown test " + id)
	}
	switch sev {
	case Error:
		t.Errors++
		t.Status = Failed
	case Warning:
		t.Warnings++
	}
	if len(t.Results) >= maxResults {
		t.Omitted++
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	t.Results = append(t.Results, Result{Severity: sev, Location: loc, Message: msg})
}

func (v *verifier) notRun(reason string, ids ...string) {
	for _, id := range ids {
		t := v.tests[id]
		if t.Status == Passed && len(t.Results) == 0 {
			t.Status = NotRun
			t.Results = append(t.Results, Result{Severity: Info, Message: reason})
		}
	}
}

func (v *verifier) finish() *Report {
	v.ids.close()
	v.refs.close()
	v.fileRefs.close()
	for _, t := range v.rep.Tests {
		v.rep.Errors += t.Errors
		v.rep.Warnings += t.Warnings
	}
	v.rep.Duration = v.now().Sub(v.start)
	v.rep.Bytes = v.bytes
	if v.cfg.Logger != nil {
		v.cfg.Logger.Debug("archive: extract verified", "dir", v.dir, "errors", v.rep.Errors,
			"warnings", v.rep.Warnings, "bytes", v.bytes, "duration", v.rep.Duration)
	}
	if v.cfg.Progress != nil {
		v.cfg.Progress(Progress{Cases: v.counts["mappe"], Records: v.counts["registrering"],
			Documents: v.counts["dokumentobjekt"], Bytes: v.bytes, Elapsed: v.rep.Duration, Done: true})
	}
	return v.rep
}

func (v *verifier) run() {
	// N5.01: the structure files.
	required := []string{FileArkivuttrekk, FileArkivstruktur, FileEndringslogg, FileLoependeJournal, FileOffentligJournal}
	required = append(required, schemaFiles...)
	for _, name := range required {
		if _, err := v.root.Stat(name); err != nil {
			v.add("N5.01", Error, name, "missing")
		}
	}
	if st, err := v.root.Stat(DirDokumenter); err != nil || !st.IsDir() {
		v.add("N5.01", Warning, DirDokumenter, "no dokumenter folder")
	}

	v.readADDML()
	if v.addml != nil {
		for _, f := range v.addml.files {
			if _, err := v.root.Stat(f.name); err != nil && !slices.Contains(required, f.name) {
				v.add("N5.01", Error, f.name, "listed in arkivuttrekk.xml but missing")
			}
		}
	}
	sums := map[string]string{}

	arkivstrukturOK := v.scanFile(FileArkivstruktur, v.scanArkivstruktur, sums)
	if !arkivstrukturOK {
		v.notRun("arkivstruktur.xml could not be read", "N5.04", "N5.05", "N5.06", "N5.07", "N5.08", "N5.09",
			"N5.10", "N5.11", "N5.14", "N5.15", "N5.16", "N5.17", "N5.21", "N5.22", "N5.23", "N5.26", "N5.27",
			"N5.29", "N5.30", "N5.32", "N5.33", "N5.34", "N5.47", "N5.48", "N5.59", "N5.60", "N5.62")
	} else {
		v.afterArkivstruktur()
	}
	var changes journalInfo
	if v.scanFile(FileEndringslogg, func(d *xmlScanner) error { return v.scanEndringslogg(d, &changes, arkivstrukturOK) }, sums) {
		v.compareCount("N5.61", FileEndringslogg, "endring", changes.entries)
		v.add("N5.61", Info, FileEndringslogg, "%d changes logged", changes.entries)
	} else {
		v.notRun("endringslogg.xml could not be read", "N5.61", "N5.62")
	}
	if arkivstrukturOK {
		v.checkIDs()
	}
	var lj, oj journalInfo
	ljOK := v.scanFile(FileLoependeJournal, func(d *xmlScanner) error { return v.scanJournal(d, &lj) }, sums)
	ojOK := v.scanFile(FileOffentligJournal, func(d *xmlScanner) error { return v.scanJournal(d, &oj) }, sums)
	if ljOK {
		v.compareCount("N5.59", FileLoependeJournal, "journalregistrering", lj.entries)
	}
	if ojOK {
		v.compareCount("N5.59", FileOffentligJournal, "journalregistrering", oj.entries)
	}
	if ljOK && ojOK && arkivstrukturOK {
		v.journalChecks(&lj, &oj)
	} else {
		v.notRun("a journal or arkivstruktur.xml could not be read", "N5.59", "N5.60")
	}

	// N5.02: checksums against ADDML; the XML files' sums came from the scans.
	v.checkSums(sums)
	v.checkDocumentFolder()
	v.notRun("nothing to check", "N5.02")
}

// scanFile streams one XML file through fn while hashing it. It reports
// well-formedness errors under N5.03 and returns false when the file could not
// be read to the end.
func (v *verifier) scanFile(name string, fn func(*xmlScanner) error, sums map[string]string) bool {
	f, err := v.root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	cr := &countReader{r: f, v: v}
	tee := io.TeeReader(cr, h)
	d := newXMLScanner(tee)
	err = fn(d)
	if err == nil {
		// Hash what the decoder left unread (trailing whitespace).
		_, err = io.CopyBuffer(io.Discard, tee, v.buffer())
	}
	if err != nil {
		if v.ctx.Err() != nil {
			return false
		}
		line, _ := d.InputPos()
		v.add("N5.03", Error, name+":"+strconv.Itoa(line), "not well-formed XML: %s", errText(err))
		return false
	}
	sums[name] = hex.EncodeToString(h.Sum(nil))
	v.add("N5.03", Info, name, "well-formed; XSD validation is not run here (xmllint --schema does it)")
	return true
}

// buffer returns the copy buffer, made on first use.
func (v *verifier) buffer() []byte {
	if v.buf == nil {
		v.buf = make([]byte, 256<<10)
	}
	return v.buf
}

func errText(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

type countReader struct {
	r io.Reader
	v *verifier
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.v.bytes += int64(n)
	return n, err
}

// next returns the next raw token: RawToken skips encoding/xml's namespace
// bookkeeping, which the checks do not need, so next checks the nesting
// itself.
func (v *verifier) next(d *xmlScanner) (xml.Token, error) {
	tok, err := d.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(v.stack) == 0 && v.rootDone {
			return nil, errors.New("a second root element")
		}
	case xml.EndElement:
		n := len(v.stack)
		if n == 0 {
			return nil, fmt.Errorf("unexpected end element </%s>", t.Name.Local)
		}
		if top := v.stack[n-1]; top.name != t.Name.Local || top.prefix != t.Name.Space {
			return nil, fmt.Errorf("element <%s> closed by </%s>", top.name, t.Name.Local)
		}
		if n == 1 {
			v.rootDone = true
		}
	}
	return tok, nil
}

func xsiType(se xml.StartElement) string {
	for _, a := range se.Attr {
		if a.Name.Local == "type" && (a.Name.Space == nsXSI || a.Name.Space == "xsi") {
			if i := strings.IndexByte(a.Value, ':'); i >= 0 {
				return a.Value[i+1:]
			}
			return a.Value
		}
	}
	return ""
}

const maxText = 64 << 10 // longer texts are kept only in part: no value we check is that long

// element is the shared start/end bookkeeping of the scans: the element
// stack, the text of the current leaf, and N5.63's empty elements.
func (v *verifier) startElement(d *xmlScanner, name xml.Name) {
	if n := len(v.stack); n > 0 {
		v.stack[n-1].child = true
	}
	line, _ := d.InputPos()
	v.stack = append(v.stack, frame{name: name.Local, prefix: name.Space, line: line})
	v.text = v.text[:0]
}

func (v *verifier) charData(b []byte) {
	if len(v.stack) == 0 {
		return
	}
	top := &v.stack[len(v.stack)-1]
	if !top.text && len(bytes.TrimSpace(b)) > 0 {
		top.text = true
	}
	if room := maxText - len(v.text); room > 0 {
		v.text = append(v.text, b[:min(len(b), room)]...)
	}
}

// endElement pops the stack; it reports an empty leaf under N5.63.
func (v *verifier) endElement(file string) (frame, *frame) {
	f := v.stack[len(v.stack)-1]
	v.stack = v.stack[:len(v.stack)-1]
	if !f.child && !f.text {
		v.add("N5.63", Error, file+":"+strconv.Itoa(f.line), "<%s> is empty", f.name)
	}
	var parent *frame
	if n := len(v.stack); n > 0 {
		parent = &v.stack[n-1]
	}
	return f, parent
}

func (v *verifier) leafText() string { return string(bytes.TrimSpace(v.text)) }

func (v *verifier) scanArkivstruktur(d *xmlScanner) error {
	const file = FileArkivstruktur
	every := v.cfg.ProgressEvery
	if every <= 0 {
		every = 1000
	}
	v.stack, v.rootDone = v.stack[:0], false
	for {
		tok, err := v.next(d)
		if err == io.EOF {
			if len(v.stack) > 0 {
				return errors.New("unexpected end of file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(v.stack) == 0 && name != "arkiv" {
				return fmt.Errorf("root element is <%s>, not <arkiv>", name)
			}
			if n := len(v.stack); n > 0 {
				switch name {
				case "klasse", "mappe", "registrering", "dokumentbeskrivelse":
					v.stack[n-1].content++
				}
			}
			v.startElement(d, t.Name)
			switch name {
			case "arkiv", "arkivdel", "klassifikasjonssystem", "klasse", "dokumentbeskrivelse":
				v.counts[name]++
			case "mappe":
				v.counts[name]++
				if typ := xsiType(t); typ != "" {
					v.counts["mappe:"+typ]++
				}
				if v.cfg.Progress != nil && v.counts["mappe"]%every == 0 {
					v.cfg.Progress(Progress{Cases: v.counts["mappe"], Records: v.counts["registrering"],
						Documents: v.counts["dokumentobjekt"], Bytes: v.bytes, Elapsed: v.now().Sub(v.start)})
				}
			case "registrering":
				v.counts[name]++
				if xsiType(t) == "journalpost" {
					v.counts["journalpost"]++
				}
			case "dokumentobjekt":
				v.counts[name]++
				line, _ := d.InputPos()
				v.doc = docObject{line: line}
			}
		case xml.CharData:
			v.charData(t)
		case xml.EndElement:
			f, parent := v.endElement(file)
			if parent == nil {
				continue
			}
			v.arkivstrukturEnd(f, parent)
		}
		if err := v.ctx.Err(); err != nil {
			return err
		}
	}
}

func (v *verifier) arkivstrukturEnd(f frame, parent *frame) {
	const file = FileArkivstruktur
	loc := func() string { return file + ":" + strconv.Itoa(f.line) }
	switch f.name {
	case "systemID":
		if unitElements[parent.name] {
			v.ids.add(record{key: v.idKey("N5.47", loc(), v.leafText()), line: uint32(f.line)})
		}
		return
	case "opprettetDato":
		if parent.name == "registrering" {
			t, ok := parseDateTime(v.leafText())
			if !ok {
				v.add("N5.27", Warning, loc(), "opprettetDato %q is not an xs:dateTime", clip(v.leafText()))
				return
			}
			if v.regDates == 0 || t.Before(v.regMin) {
				v.regMin = t
			}
			if v.regDates == 0 || t.After(v.regMax) {
				v.regMax = t
			}
			v.regDates++
		}
		return
	case "arkivperiodeStartDato", "arkivperiodeSluttDato":
		if parent.name == "arkivdel" {
			d, err := ParseDate(v.leafText())
			if err != nil {
				v.add("N5.60", Error, loc(), "%s %q is not a date", f.name, clip(v.leafText()))
			} else if f.name == "arkivperiodeStartDato" && (v.partStart.IsZero() || d.Before(v.partStart)) {
				v.partStart = d
			} else if f.name == "arkivperiodeSluttDato" && (v.partEnd.IsZero() || d.After(v.partEnd)) {
				v.partEnd = d
			}
		}
		return
	case "saksaar":
		if parent.name == "mappe" {
			v.perYear[v.leafText()]++
		}
		return
	case "saksstatus", "journalposttype", "journalstatus", "arkivdelstatus", "format":
		owner := map[string]string{"saksstatus": "mappe", "journalposttype": "registrering", "journalstatus": "registrering",
			"arkivdelstatus": "arkivdel", "format": "dokumentobjekt"}[f.name]
		if parent.name == owner {
			m := v.statuses[f.name]
			if m == nil {
				m = make(map[string]int)
				v.statuses[f.name] = m
			}
			if len(m) < 1000 { // distinct values are few in real extracts; cap a hostile one
				m[clip(v.leafText())]++
			}
		}
		if f.name != "format" {
			return
		}
	case "klasse":
		if f.content == 0 {
			v.add("N5.09", Warning, loc(), "class without subclasses, folders or registrations")
		}
		return
	case "mappe":
		if f.content == 0 {
			v.add("N5.14", Warning, loc(), "folder without registrations or subfolders")
		}
		return
	case "registrering":
		if f.content == 0 {
			v.noDocDesc++
		}
		return
	case "dokumentobjekt":
		v.checkDocument(v.doc)
		return
	}
	if parent.name == "dokumentobjekt" {
		switch f.name {
		case "referanseDokumentfil":
			v.doc.file = v.leafText()
		case "sjekksum":
			v.doc.sum = v.leafText()
		case "sjekksumAlgoritme":
			v.doc.algo = v.leafText()
		case "filstoerrelse":
			v.doc.siz = v.leafText()
		}
		return
	}
	if strings.HasPrefix(f.name, "referanse") {
		if k := slices.Index(refElements, f.name); k >= 0 {
			v.refs.add(record{key: v.idKey("N5.48", loc(), v.leafText()), line: uint32(f.line), kind: uint8(k)})
		}
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// idKey packs a UUID into 16 bytes. Anything else is reported and hashed, so
// that uniqueness can still be checked.
func (v *verifier) idKey(test, loc, s string) [16]byte {
	var k [16]byte
	if isUUID(s) {
		hex.Decode(k[:4], []byte(s[0:8]))
		hex.Decode(k[4:6], []byte(s[9:13]))
		hex.Decode(k[6:8], []byte(s[14:18]))
		hex.Decode(k[8:10], []byte(s[19:23]))
		hex.Decode(k[10:], []byte(s[24:36]))
		return k
	}
	v.add(test, Error, loc, "%q is not a UUID", clip(s))
	sum := sha256.Sum256([]byte(s))
	copy(k[:], sum[:16])
	return k
}

func formatID(k [16]byte) string {
	h := hex.EncodeToString(k[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// pathKey is the 16-byte key of a document reference.
func pathKey(p string) [16]byte {
	sum := sha256.Sum256([]byte(p))
	var k [16]byte
	copy(k[:], sum[:16])
	return k
}

// normRef cleans a referanseDokumentfil: forward slashes, no "./". It
// returns "" for a path that leaves the extract.
func normRef(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\\", "/")
	if s == "" {
		return ""
	}
	c := path.Clean(s)
	if !fs.ValidPath(c) || c == "." {
		return ""
	}
	return c
}

func (v *verifier) checkDocument(d docObject) {
	loc := FileArkivstruktur + ":" + strconv.Itoa(d.line)
	if d.file == "" {
		return // N5.63 reported the empty element, or the schema's job
	}
	p := normRef(d.file)
	if p == "" {
		v.add("N5.32", Error, loc, "referanseDokumentfil %q points outside the extract", clip(d.file))
		return
	}
	v.fileRefs.add(record{key: pathKey(p), line: uint32(d.line)})
	f, err := v.root.Open(p)
	if err != nil {
		v.add("N5.32", Error, loc, "%s does not exist", p)
		return
	}
	defer f.Close()
	algo := strings.ToUpper(strings.ReplaceAll(d.algo, "-", ""))
	if algo != "SHA256" {
		v.add("N5.30", Warning, loc, "%s: checksum algorithm %q is not SHA-256; not checked", p, clip(d.algo))
		return
	}
	v.hasher.Reset()
	n, err := io.CopyBuffer(v.hasher, &countReader{r: f, v: v}, v.buffer())
	if err != nil {
		v.add("N5.30", Error, p, "cannot read: %v", err)
		return
	}
	got := hex.EncodeToString(v.hasher.Sum(nil))
	if !strings.EqualFold(got, d.sum) {
		v.add("N5.30", Error, p, "SHA-256 is %s, arkivstruktur.xml says %s", got, clip(d.sum))
	}
	if d.siz != "" {
		if want, err := strconv.ParseInt(d.siz, 10, 64); err != nil || want != n {
			v.add("N5.30", Error, p, "size is %d bytes, filstoerrelse says %s", n, clip(d.siz))
		}
	}
}

func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// afterArkivstruktur runs the checks that need the whole structure.
func (v *verifier) afterArkivstruktur() {
	c := v.counts
	one := func(id, what string) {
		n := c[what]
		v.add(id, Info, FileArkivstruktur, "%d %s", n, what)
	}
	one("N5.04", "arkiv")
	one("N5.05", "arkivdel")
	one("N5.07", "klassifikasjonssystem")
	one("N5.08", "klasse")
	one("N5.23", "dokumentbeskrivelse")
	one("N5.26", "dokumentobjekt")
	if c["arkiv"] == 0 {
		v.add("N5.04", Error, FileArkivstruktur, "no arkiv")
	}
	v.listCounts("N5.06", "arkivdelstatus")
	v.listCounts("N5.15", "saksstatus")
	v.listCounts("N5.17", "journalposttype")
	v.listCounts("N5.22", "journalstatus")
	v.listCounts("N5.29", "format")
	years := make([]string, 0, len(v.perYear))
	for y := range v.perYear {
		years = append(years, y)
	}
	sort.Strings(years)
	for _, y := range years {
		v.add("N5.11", Info, FileArkivstruktur, "%s: %d folders", y, v.perYear[y])
	}
	v.add("N5.10", Info, FileArkivstruktur, "%d folders (%d saksmappe)", c["mappe"], c["mappe:saksmappe"])
	v.compareCount("N5.10", FileArkivstruktur, "mappe", c["mappe"])
	v.add("N5.16", Info, FileArkivstruktur, "%d registrations (%d journalpost)", c["registrering"], c["journalpost"])
	v.compareCount("N5.16", FileArkivstruktur, "registrering", c["registrering"])
	v.add("N5.21", Info, FileArkivstruktur, "%d registrations without document descriptions", v.noDocDesc)
	if v.regDates > 0 {
		v.add("N5.27", Info, FileArkivstruktur, "first registration created %s, last %s",
			v.regMin.Format(time.DateOnly), v.regMax.Format(time.DateOnly))
	}

	// N5.34: files referenced twice.
	dups := map[[16]byte]int{}
	var prev record
	first := true
	for r := range v.fileRefs.all() {
		if !first && r.key == prev.key && len(dups) < maxResults {
			dups[r.key]++
		}
		prev, first = r, false
	}
	if v.fileRefs.err != nil {
		v.add("N5.34", Error, "", "cannot sort the references: %v", v.fileRefs.err)
	}
	if len(dups) > 0 {
		v.nameDuplicates(dups)
	}
}

// refChange marks a reference from endringslogg.xml.
const refChange = 255

// checkIDs runs N5.47 (unique systemIDs), N5.48 and N5.62 (references
// resolve) as one merge over the sorted systemIDs and references.
func (v *verifier) checkIDs() {
	refs, stop := iter.Pull(v.refs.all())
	defer stop()
	ref, ok := refs()
	missing := func(r record) {
		if r.kind == refChange {
			v.add("N5.62", Error, FileEndringslogg+":"+strconv.Itoa(int(r.line)),
				"referanseArkivenhet %s refers to no unit in arkivstruktur.xml", formatID(r.key))
			return
		}
		v.add("N5.48", Error, FileArkivstruktur+":"+strconv.Itoa(int(r.line)),
			"%s %s refers to no unit in the extract", refElements[r.kind], formatID(r.key))
	}
	var prev record
	n, dup := 0, false
	for r := range v.ids.all() {
		if n > 0 && r.key == prev.key {
			if !dup {
				v.add("N5.47", Error, FileArkivstruktur+":"+strconv.Itoa(int(r.line)), "systemID %s occurs more than once", formatID(r.key))
			}
			dup = true
		} else {
			dup = false
		}
		for ok && bytes.Compare(ref.key[:], r.key[:]) < 0 {
			missing(ref)
			ref, ok = refs()
		}
		for ok && ref.key == r.key {
			ref, ok = refs()
		}
		prev = r
		n++
	}
	for ok {
		missing(ref)
		ref, ok = refs()
	}
	for _, err := range []error{v.ids.err, v.refs.err} {
		if err != nil {
			v.add("N5.47", Error, "", "cannot sort the systemIDs: %v", err)
		}
	}
	v.add("N5.47", Info, FileArkivstruktur, "%d systemIDs", n)
	v.add("N5.48", Info, FileArkivstruktur, "%d references checked", v.refs.n)
}

// nameDuplicates finds the names of document files referenced more than
// once, with a second pass over arkivstruktur.xml (run only when there are
// such files).
func (v *verifier) nameDuplicates(dups map[[16]byte]int) {
	f, err := v.root.Open(FileArkivstruktur)
	if err != nil {
		return
	}
	defer f.Close()
	d := newXMLScanner(f)
	in := false
	var text []byte
	reported := map[[16]byte]bool{}
	for {
		tok, err := d.RawToken()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "referanseDokumentfil"
			text = text[:0]
		case xml.CharData:
			if in && len(text) < maxText {
				text = append(text, t...)
			}
		case xml.EndElement:
			if in {
				p := normRef(string(text))
				k := pathKey(p)
				if n, ok := dups[k]; ok && !reported[k] {
					reported[k] = true
					v.add("N5.34", Error, p, "referenced %d times", n+1)
				}
			}
			in = false
		}
	}
}

func (v *verifier) listCounts(id, element string) {
	m := v.statuses[element]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.add(id, Info, FileArkivstruktur, "%s %q: %d", element, k, m[k])
	}
	if len(keys) == 0 {
		v.add(id, Info, FileArkivstruktur, "no %s", element)
	}
}

// compareCount checks a count against the ADDML numberOfOccurrences.
func (v *verifier) compareCount(id, file, element string, got int) {
	if v.addml == nil {
		return
	}
	obj := v.addml.byFile(file)
	if obj == nil {
		return
	}
	want, ok := obj.occurrences[element]
	if !ok {
		return
	}
	if want != got {
		v.add(id, Error, file, "%d %s, arkivuttrekk.xml says %d", got, element, want)
	}
}

// checkDocumentFolder walks dokumenter/: N5.28 (count against ADDML), N5.33
// (unreferenced files) and N5.64 (empty files).
func (v *verifier) checkDocumentFolder() {
	files := newKeySorter("", cmp.Or(v.cfg.runSize, sortRun))
	defer files.close()
	walk := func(fn func(p string, d fs.DirEntry)) error {
		return v.walkBatched(DirDokumenter, true, fn)
	}
	err := walk(func(p string, d fs.DirEntry) {
		files.add(record{key: pathKey(p)})
		if info, err := d.Info(); err == nil && info.Size() == 0 {
			v.add("N5.64", Error, p, "empty file")
		}
	})
	if err != nil && v.ctx.Err() == nil {
		v.add("N5.28", Error, DirDokumenter, "cannot walk: %v", err)
	}
	if v.tests["N5.33"].Status != NotRun {
		// Files whose key no reference has: a merge of two sorted streams.
		refs, stop := iter.Pull(v.fileRefs.all())
		ref, ok := refs()
		unreferenced := map[[16]byte]bool{}
		extra := 0
		for f := range files.all() {
			for ok && bytes.Compare(ref.key[:], f.key[:]) < 0 {
				ref, ok = refs()
			}
			if !ok || ref.key != f.key {
				if len(unreferenced) < maxResults {
					unreferenced[f.key] = true
				} else {
					extra++
				}
			}
		}
		stop()
		if len(unreferenced) > 0 {
			walk(func(p string, d fs.DirEntry) {
				if unreferenced[pathKey(p)] {
					v.add("N5.33", Error, p, "no dokumentobjekt refers to this file")
				}
			})
			for range extra {
				v.add("N5.33", Error, DirDokumenter, "no dokumentobjekt refers to this file")
			}
		}
	}
	v.add("N5.28", Info, DirDokumenter, "%d document files", files.n)
	if v.addml != nil {
		if v.addml.documentFiles < 0 {
			v.add("N5.28", Error, FileArkivuttrekk, "antallDokumentfiler is missing or not a number")
		} else if v.addml.documentFiles != files.n {
			v.add("N5.28", Error, DirDokumenter, "%d document files, arkivuttrekk.xml says %d", files.n, v.addml.documentFiles)
		}
	} else {
		v.notRun("arkivuttrekk.xml could not be read", "N5.28")
	}
}

// walkBatched calls fn for every file under dir. Unlike fs.WalkDir it reads
// each folder in batches, unsorted: a folder of a million documents must not
// be held in memory.
func (v *verifier) walkBatched(dir string, top bool, fn func(p string, d fs.DirEntry)) error {
	f, err := v.root.Open(dir)
	if err != nil {
		if top {
			return nil // N5.01 warns about a missing dokumenter folder
		}
		v.add("N5.33", Error, dir, "cannot read: %v", err)
		return nil
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(512)
		for _, e := range entries {
			p := dir + "/" + e.Name()
			if e.IsDir() {
				if err := v.walkBatched(p, false, fn); err != nil {
					return err
				}
				continue
			}
			fn(p, e)
		}
		if err == io.EOF || (err == nil && len(entries) == 0) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := v.ctx.Err(); err != nil {
			return err
		}
	}
}

// checkSums compares every file arkivuttrekk.xml lists with its checksum,
// and the shipped schemas with the official ones.
func (v *verifier) checkSums(sums map[string]string) {
	if v.addml == nil {
		return
	}
	for _, f := range v.addml.files {
		if f.checksum == "" {
			continue
		}
		algo := strings.ToUpper(strings.ReplaceAll(f.algorithm, "-", ""))
		if algo != "" && algo != "SHA256" {
			v.add("N5.02", Warning, f.name, "checksum algorithm %q not supported; not checked", clip(f.algorithm))
			continue
		}
		got, ok := sums[f.name]
		if !ok {
			var err error
			got, err = v.fileSHA256(f.name)
			if err != nil {
				continue // N5.01 reported it
			}
		}
		if !strings.EqualFold(got, f.checksum) {
			v.add("N5.02", Error, f.name, "SHA-256 is %s, arkivuttrekk.xml says %s", got, clip(f.checksum))
		} else {
			v.add("N5.02", Info, f.name, "checksum matches")
		}
	}
	for _, name := range schemaFiles {
		got, err := v.fileSHA256(name)
		if err != nil {
			continue
		}
		if want := officialSHA256(name); got != want {
			v.add("N5.02", Error, name, "differs from the official Noark 5 v5.0 schema (SHA-256 %s, official %s)", got, want)
		}
	}
}

func (v *verifier) fileSHA256(name string) (string, error) {
	f, err := v.root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, &countReader{r: f, v: v}, v.buffer()); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// journalInfo is what the journal and change-log scans collect.
type journalInfo struct {
	start, end Date
	count      int // antallJournalposter
	hasHead    bool
	entries    int // journalregistrering or endring elements
}

func (v *verifier) scanJournal(d *xmlScanner, j *journalInfo) error {
	file := ""
	v.stack, v.rootDone = v.stack[:0], false
	for {
		tok, err := v.next(d)
		if err == io.EOF {
			if len(v.stack) > 0 {
				return errors.New("unexpected end of file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(v.stack) == 0 {
				file = t.Name.Local + ".xml"
				if t.Name.Local != "loependeJournal" && t.Name.Local != "offentligJournal" {
					return fmt.Errorf("root element is <%s>, not a journal", t.Name.Local)
				}
			}
			if len(v.stack) == 1 && t.Name.Local == "journalregistrering" {
				j.entries++
			}
			v.startElement(d, t.Name)
		case xml.CharData:
			v.charData(t)
		case xml.EndElement:
			f, parent := v.endElement(file)
			if parent == nil || parent.name != "journalhode" {
				continue
			}
			loc := file + ":" + strconv.Itoa(f.line)
			switch f.name {
			case "journalStartDato", "journalSluttDato":
				dt, err := ParseDate(v.leafText())
				if err != nil {
					v.add("N5.60", Error, loc, "%s %q is not a date", f.name, clip(v.leafText()))
				} else if f.name == "journalStartDato" {
					j.start = dt
				} else {
					j.end = dt
				}
			case "antallJournalposter":
				n, err := strconv.Atoi(v.leafText())
				if err != nil {
					v.add("N5.59", Error, loc, "antallJournalposter %q is not a number", clip(v.leafText()))
				}
				j.count = n
				j.hasHead = true
			}
		}
		if err := v.ctx.Err(); err != nil {
			return err
		}
	}
}

func (v *verifier) scanEndringslogg(d *xmlScanner, j *journalInfo, checkRefs bool) error {
	const file = FileEndringslogg
	v.stack, v.rootDone = v.stack[:0], false
	for {
		tok, err := v.next(d)
		if err == io.EOF {
			if len(v.stack) > 0 {
				return errors.New("unexpected end of file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(v.stack) == 0 && t.Name.Local != "endringslogg" {
				return fmt.Errorf("root element is <%s>, not <endringslogg>", t.Name.Local)
			}
			if len(v.stack) == 1 && t.Name.Local == "endring" {
				j.entries++
			}
			v.startElement(d, t.Name)
		case xml.CharData:
			v.charData(t)
		case xml.EndElement:
			f, parent := v.endElement(file)
			if parent != nil && parent.name == "endring" && f.name == "referanseArkivenhet" && checkRefs {
				loc := file + ":" + strconv.Itoa(f.line)
				v.refs.add(record{key: v.idKey("N5.62", loc, v.leafText()), line: uint32(f.line), kind: refChange})
			}
		}
		if err := v.ctx.Err(); err != nil {
			return err
		}
	}
}

// journalChecks are N5.59 (journal post counts) and N5.60 (dates).
func (v *verifier) journalChecks(lj, oj *journalInfo) {
	sharp := v.addml == nil || v.addml.sharp
	jp := v.counts["journalpost"]
	v.add("N5.59", Info, FileArkivstruktur, "%d journal posts", jp)
	for _, j := range []struct {
		file string
		info *journalInfo
	}{{FileLoependeJournal, lj}, {FileOffentligJournal, oj}} {
		if !j.info.hasHead {
			v.add("N5.59", Error, j.file, "no antallJournalposter in journalhode")
			continue
		}
		v.add("N5.59", Info, j.file, "antallJournalposter %d", j.info.count)
		if j.info.count != j.info.entries {
			v.add("N5.59", Error, j.file, "antallJournalposter says %d, the journal holds %d", j.info.count, j.info.entries)
		}
		if sharp && j.info.count != jp {
			v.add("N5.59", Error, j.file, "antallJournalposter says %d, arkivstruktur.xml holds %d journal posts", j.info.count, jp)
		}
	}
	if lj.count != oj.count {
		v.add("N5.59", Error, "", "the running journal has %d journal posts, the public one %d", lj.count, oj.count)
	}

	if lj.start != oj.start || lj.end != oj.end {
		v.add("N5.60", Error, "", "the journals' periods differ: loependeJournal %s to %s, offentligJournal %s to %s",
			lj.start, lj.end, oj.start, oj.end)
	}
	v.add("N5.60", Info, FileLoependeJournal, "journal period %s to %s", lj.start, lj.end)
	if v.regDates > 0 {
		first, last := DateOf(v.regMin), DateOf(v.regMax)
		v.add("N5.60", Info, FileArkivstruktur, "registrations created %s to %s", first, last)
		sev := Error
		if !sharp {
			sev = Warning
		}
		if first.Before(lj.start) || last.After(lj.end) {
			v.add("N5.60", sev, FileArkivstruktur, "registrations created %s to %s fall outside the journal period %s to %s",
				first, last, lj.start, lj.end)
		}
	}
	if !v.partStart.IsZero() && !v.partEnd.IsZero() {
		v.add("N5.60", Info, FileArkivstruktur, "archival period %s to %s", v.partStart, v.partEnd)
		if sharp && (v.partStart != lj.start || v.partEnd != lj.end) {
			v.add("N5.60", Error, FileArkivstruktur, "archival period %s to %s differs from the journal period %s to %s",
				v.partStart, v.partEnd, lj.start, lj.end)
		}
	}
	if lj.end.Before(lj.start) {
		v.add("N5.60", Error, FileLoependeJournal, "journalSluttDato %s is before journalStartDato %s", lj.end, lj.start)
	}
}
