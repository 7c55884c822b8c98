package archive

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// The verifier is split by check family, one file each:
//
//	verify.go               the Verifier, the report's bookkeeping, the order of the passes
//	verify_scan.go          the shared streaming scan of one XML file (N5.03, N5.63),
//	                        read and hashed ahead on a goroutine of its own
//	verify_addml.go         reading arkivuttrekk.xml
//	verify_structure.go     arkivstruktur.xml: counts and statuses (N5.04–N5.29)
//	verify_documents.go     document files: N5.28, N5.30, N5.32–N5.34, N5.64
//	                        (docfile_linux.go: the workers' fast path for a plain file)
//	verify_ids.go           systemIDs and references across files: N5.47, N5.48, N5.62
//	verify_journals.go      the two journals: N5.59, N5.60
//	verify_endringslogg.go  the change log: N5.61
//	verify_checksums.go     ADDML checksums and the official schemas: N5.02
//
// Each scan of a file keeps its element stack in its own xmlScan; what the
// checks collect across files lives in verifier. The change log and the
// journals are scanned, and dokumenter/ walked, beside arkivstruktur.xml,
// one after another on one goroutine, each by a fork of the verifier with
// its own results and references, joined in the sequential order (run,
// join). Of the rest, the structure scan alone writes structure,
// doc, docs, ids, fileRefs and refs; buf is the copy buffer of the checksum
// pass; bytes is shared by every scan and document worker.

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

// structureTests are the tests that need arkivstruktur.xml.
var structureTests = []string{"N5.04", "N5.05", "N5.06", "N5.07", "N5.08", "N5.09",
	"N5.10", "N5.11", "N5.14", "N5.15", "N5.16", "N5.17", "N5.21", "N5.22", "N5.23", "N5.26", "N5.27",
	"N5.29", "N5.30", "N5.32", "N5.33", "N5.34", "N5.47", "N5.48", "N5.59", "N5.60", "N5.62"}

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

// verifier is one run of the checks.
type verifier struct {
	ctx   context.Context
	cfg   *Verifier
	now   func() time.Time
	start time.Time
	dir   string
	root  *os.Root
	rep   *Report
	tests map[string]*TestResult
	bytes *atomic.Int64 // read so far, every file, by every scan and worker
	buf   []byte

	addml *addmlInfo // nil when arkivuttrekk.xml could not be read

	structure structureInfo // what arkivstruktur.xml holds
	ids       *keySorter    // systemIDs of the units
	refs      *keySorter    // references to check against ids
	changes   *keySorter    // the change log's references, when they are checked
	fileRefs  *keySorter    // keys of referenced document paths
	doc       docObject     // the dokumentobjekt being read
	docs      docPipeline   // the document files being hashed
}

// sortRun is how many 24-byte records a keySorter keeps in memory before it
// spills a sorted run to a temporary file: 192 kB.
const sortRun = 8 << 10

func newVerifier(ctx context.Context, cfg *Verifier, dir string, root *os.Root) *verifier {
	v := &verifier{
		ctx: ctx, cfg: cfg, dir: dir, root: root,
		rep:       &Report{Dir: dir, Tool: "grunnmur archive verify", Standard: "Noark 5 v5.0"},
		tests:     make(map[string]*TestResult),
		structure: newStructureInfo(),
		bytes:     new(atomic.Int64),
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

// add records one result of test id.
func (v *verifier) add(id string, sev Severity, loc, format string, args ...any) {
	msg := format
	if t := v.tests[id]; len(args) > 0 && (t == nil || len(t.Results) < maxResults) {
		msg = fmt.Sprintf(format, args...) // not for a result left out
	}
	v.addResult(id, Result{Severity: sev, Location: loc, Message: msg})
}

// addResult records one result of test id.
func (v *verifier) addResult(id string, r Result) {
	sev := r.Severity
	t := v.tests[id]
	if t == nil {
		panic("archive: unknown test " + id) // a typo in this package, never input
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
	t.Results = append(t.Results, r)
}

// notRun marks the tests that found nothing yet as not run, for reason.
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
	if v.changes != nil {
		v.changes.close()
	}
	for _, t := range v.rep.Tests {
		v.rep.Errors += t.Errors
		v.rep.Warnings += t.Warnings
	}
	v.rep.Duration = v.now().Sub(v.start)
	v.rep.Bytes = v.bytes.Load()
	if v.cfg.Logger != nil {
		v.cfg.Logger.Debug("archive: extract verified", "dir", v.dir, "errors", v.rep.Errors,
			"warnings", v.rep.Warnings, "bytes", v.rep.Bytes, "duration", v.rep.Duration)
	}
	if v.cfg.Progress != nil {
		p := v.progress()
		p.Elapsed, p.Done = v.rep.Duration, true
		v.cfg.Progress(p)
	}
	return v.rep
}

func (v *verifier) progress() Progress {
	c := v.structure.counts
	return Progress{Cases: c["mappe"], Records: c["registrering"], Documents: c["dokumentobjekt"],
		Bytes: v.bytes.Load(), Elapsed: v.now().Sub(v.start)}
}

// run runs the passes. The change log and the journals are scanned, and
// dokumenter/ walked, beside arkivstruktur.xml, one after the other on one
// goroutine, each by a fork of v; their results join v's in the order of
// the sequential passes: the structure first, since the change log's and the
// journals' checks compare against it.
func (v *verifier) run() {
	required := v.checkStructureFiles()
	v.readADDML()
	v.checkListedFiles(required)
	sums := map[string]string{}

	changes := v.scanBeside(nil, FileEndringslogg, func(c *verifier, s *xmlScan, j *journalInfo) error {
		return c.scanEndringslogg(s, j, true)
	})
	lj := v.scanBeside(changes, FileLoependeJournal, (*verifier).scanJournal)
	oj := v.scanBeside(lj, FileOffentligJournal, (*verifier).scanJournal)
	folder := v.beside(oj, func(b *besideScan) { b.files = b.fork.walkDocuments() })

	structureOK := v.scanFile(FileArkivstruktur, v.scanArkivstruktur, sums)
	if structureOK {
		v.afterArkivstruktur()
	} else {
		v.notRun("arkivstruktur.xml could not be read", structureTests...)
	}
	v.verifyEndringslogg(changes, sums, structureOK)
	if structureOK {
		v.checkIDs()
	}
	v.verifyJournals(lj, oj, sums, structureOK)
	v.checkSums(sums) // the XML files' sums came from the scans
	v.checkDocumentFolder(folder)
	v.notRun("nothing to check", "N5.02")
}

// besideScan is a pass beside the scan of arkivstruktur.xml, on a fork of
// the verifier: the scan of one file, or the walk of dokumenter/.
type besideScan struct {
	fork  *verifier
	info  journalInfo
	ok    bool
	sum   map[string]string
	files *keySorter // of the walk: the keys of the document files
	done  chan struct{}
}

// beside starts task on a fork of v on a goroutine of its own, after the
// pass before (if not nil): the passes beside arkivstruktur.xml run one
// after the other, so that with two cores arkivstruktur.xml, the largest
// file with the most checks, has one to itself.
func (v *verifier) beside(before *besideScan, task func(*besideScan)) *besideScan {
	b := &besideScan{fork: v.fork(), sum: map[string]string{}, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		if before != nil {
			<-before.done
		}
		task(b)
	}()
	return b
}

// scanBeside scans file with fn beside arkivstruktur.xml, after before.
func (v *verifier) scanBeside(before *besideScan, file string, fn func(*verifier, *xmlScan, *journalInfo) error) *besideScan {
	return v.beside(before, func(b *besideScan) {
		b.ok = b.fork.scanFile(file, func(s *xmlScan) error { return fn(b.fork, s, &b.info) }, b.sum)
	})
}

// join waits for the scan and adds its results to v's, leaving out the
// tests in skip. It returns whether the file was read to its end.
func (v *verifier) join(b *besideScan, sums map[string]string, skip ...string) bool {
	<-b.done
	for _, ct := range b.fork.rep.Tests {
		if slices.Contains(skip, ct.ID) {
			continue
		}
		errs, warns := ct.Errors, ct.Warnings
		for _, r := range ct.Results {
			v.addResult(ct.ID, r)
			switch r.Severity {
			case Error:
				errs--
			case Warning:
				warns--
			}
		}
		// The fork kept maxResults results before it left any out, so v
		// leaves out those too: only their counts remain.
		t := v.tests[ct.ID]
		t.Errors += errs
		t.Warnings += warns
		t.Omitted += ct.Omitted
		if errs > 0 {
			t.Status = Failed
		}
	}
	maps.Copy(sums, b.sum)
	return b.ok
}

// fork returns a verifier for a scan beside v's: it shares the
// configuration, the folder, arkivuttrekk.xml and the byte count, and keeps
// its own results and references.
func (v *verifier) fork() *verifier {
	c := newVerifier(v.ctx, v.cfg, v.dir, v.root)
	c.start, c.bytes, c.addml = v.start, v.bytes, v.addml
	return c
}

// checkStructureFiles is N5.01: the structure files and the document folder
// exist. It returns the names of the required files.
func (v *verifier) checkStructureFiles() []string {
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
	return required
}

// checkListedFiles is N5.01 for the other files arkivuttrekk.xml lists.
func (v *verifier) checkListedFiles(required []string) {
	if v.addml == nil {
		return
	}
	for _, f := range v.addml.files {
		if _, err := v.root.Stat(f.name); err != nil && !slices.Contains(required, f.name) {
			v.add("N5.01", Error, f.name, "listed in arkivuttrekk.xml but missing")
		}
	}
}
