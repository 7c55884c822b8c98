package archive

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"hash"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// The checks of the document files: their checksums and sizes (N5.30),
// references to missing files (N5.32), files no reference names (N5.33),
// files named twice (N5.34), empty files (N5.64), and their number against
// ADDML (N5.28).

// docObject is what one dokumentobjekt says about its file.
type docObject struct {
	line                 int
	file, sum, algo, siz string
}

// docObjectField keeps one child of the dokumentobjekt being read.
func (v *verifier) docObjectField(s *xmlScan, f *frame) {
	switch f.name {
	case "referanseDokumentfil":
		v.doc.file = s.leafText()
	case "sjekksum":
		v.doc.sum = s.leafText()
	case "sjekksumAlgoritme":
		v.doc.algo = s.leafText()
	case "filstoerrelse":
		v.doc.siz = s.leafText()
	}
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

// checkDocument is N5.32 and N5.30 for one dokumentobjekt: its file exists,
// and its SHA-256 and size are the ones given. The file is hashed by the
// document workers while the scan reads on; the results are reported in the
// order of the dokumentobjekt elements (see docPipeline).
func (v *verifier) checkDocument(d docObject) {
	job := &docJob{d: d}
	if d.file != "" {
		job.path = normRef(d.file)
		if job.path != "" {
			v.fileRefs.add(record{key: pathKey(job.path), line: uint32(d.line)})
		}
	}
	v.docs.submit(v, job)
}

// report reports what the workers found of one document file.
func (v *verifier) reportDocument(j *docJob) {
	d := j.d
	loc := FileArkivstruktur + ":" + strconv.Itoa(d.line)
	p := j.path
	switch {
	case d.file == "":
		return // N5.63 reported the empty element, or the schema's job
	case p == "":
		v.add("N5.32", Error, loc, "referanseDokumentfil %q points outside the extract", clip(d.file))
		return
	case j.missing:
		v.add("N5.32", Error, loc, "%s does not exist", p)
		return
	case !j.sha256():
		v.add("N5.30", Warning, loc, "%s: checksum algorithm %q is not SHA-256; not checked", p, clip(d.algo))
		return
	case j.err != nil:
		v.add("N5.30", Error, p, "cannot read: %v", j.err)
		return
	}
	got := hex.EncodeToString(j.sum[:])
	if !strings.EqualFold(got, d.sum) {
		v.add("N5.30", Error, p, "SHA-256 is %s, arkivstruktur.xml says %s", got, clip(d.sum))
	}
	if d.siz != "" {
		if want, err := strconv.ParseInt(d.siz, 10, 64); err != nil || want != j.n {
			v.add("N5.30", Error, p, "size is %d bytes, filstoerrelse says %s", j.n, clip(d.siz))
		}
	}
}

// docJob is one document file to open and hash.
type docJob struct {
	d    docObject
	path string // normRef(d.file); "" when there is nothing to open
	done chan struct{}

	// The worker's findings.
	missing bool
	err     error
	sum     [sha256.Size]byte
	n       int64
}

func (j *docJob) sha256() bool {
	return strings.ToUpper(strings.ReplaceAll(j.d.algo, "-", "")) == "SHA256"
}

// docPipeline hashes document files on worker goroutines while the scan of
// arkivstruktur.xml reads on, and hands the results back to the scan in the
// order the files were submitted, so that the report is the same as a
// sequential check would give. At most docsInFlight jobs are pending: memory
// does not grow with the extract.
type docPipeline struct {
	jobs    chan *docJob
	dir     *os.Root  // dokumenter/, or nil
	dirFile *os.File  // the same, for hashPlainFile
	pending []*docJob // submitted, not yet reported, oldest first
	head    int
	wg      sync.WaitGroup
}

const docsInFlight = 256

// submit queues a job, reporting the oldest one first when the queue is full.
func (p *docPipeline) submit(v *verifier, j *docJob) {
	if p.jobs == nil {
		p.jobs = make(chan *docJob, docsInFlight)
		p.dir, _ = v.root.OpenRoot(DirDokumenter)
		p.dirFile, _ = v.root.Open(DirDokumenter)
		workers := min(max(runtime.GOMAXPROCS(0), 2), 8)
		p.wg.Add(workers)
		for range workers {
			go p.work(v)
		}
	}
	if len(p.pending)-p.head >= docsInFlight {
		p.reportOldest(v)
	}
	j.done = make(chan struct{})
	p.pending = append(p.pending, j)
	if j.path == "" {
		close(j.done)
		return
	}
	p.jobs <- j
}

func (p *docPipeline) reportOldest(v *verifier) {
	j := p.pending[p.head]
	p.pending[p.head] = nil
	p.head++
	if p.head == len(p.pending) || p.head >= docsInFlight {
		p.pending = append(p.pending[:0], p.pending[p.head:]...)
		p.head = 0
	}
	<-j.done
	v.reportDocument(j)
}

// drain reports every pending job and stops the workers.
func (p *docPipeline) drain(v *verifier) {
	for p.head < len(p.pending) {
		p.reportOldest(v)
	}
	if p.jobs != nil {
		close(p.jobs)
		p.wg.Wait()
		p.jobs = nil
		if p.dir != nil {
			p.dir.Close()
			p.dir = nil
		}
		if p.dirFile != nil {
			p.dirFile.Close()
			p.dirFile = nil
		}
	}
}

func (p *docPipeline) work(v *verifier) {
	defer p.wg.Done()
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for j := range p.jobs {
		j.hash(v, p.dir, p.dirFile, h, buf)
		close(j.done)
	}
}

// hash opens and hashes the job's file. A file directly in dokumenter/ is
// opened through dir (or dirFile), which spares walking that folder for
// every file; what dir cannot open (a link out of dokumenter/) is tried in
// the whole extract.
func (j *docJob) hash(v *verifier, dir *os.Root, dirFile *os.File, h hash.Hash, buf []byte) {
	var f *os.File
	err := os.ErrNotExist
	if name, ok := strings.CutPrefix(j.path, DirDokumenter+"/"); ok && dir != nil && !strings.Contains(name, "/") {
		if j.sha256() {
			h.Reset()
			if n, ok := hashPlainFile(dirFile, name, h, buf); ok {
				j.n = n
				h.Sum(j.sum[:0])
				v.bytes.Add(n)
				return
			}
		}
		f, err = dir.Open(name)
	}
	if err != nil {
		f, err = v.root.Open(j.path)
	}
	if err != nil {
		j.missing = true
		return
	}
	defer f.Close()
	if !j.sha256() {
		return
	}
	h.Reset()
	j.n, j.err = io.CopyBuffer(h, &countReader{r: f, v: v}, buf)
	h.Sum(j.sum[:0])
}

// findDuplicateRefs is N5.34: files referenced more than once.
func (v *verifier) findDuplicateRefs() {
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

// checkDocumentFolder takes the walk of dokumenter/ (walkDocuments on a
// fork) and checks N5.28 (count against ADDML) and N5.33 (unreferenced
// files), once arkivstruktur.xml has given the references.
func (v *verifier) checkDocumentFolder(walk *besideScan) {
	v.join(walk, map[string]string{})
	files := walk.files
	defer files.close()
	if v.tests["N5.33"].Status != NotRun {
		v.findUnreferenced(files)
	}
	v.countDocumentFiles(files.n)
}

// walkDocuments walks dokumenter/, keeping the files' keys and reporting
// empty files (N5.64).
func (v *verifier) walkDocuments() *keySorter {
	files := newKeySorter("", cmp.Or(v.cfg.runSize, sortRun))
	err := v.walkBatched(DirDokumenter, true, func(p string, d fs.DirEntry) {
		files.add(record{key: pathKey(p)})
		if info, err := d.Info(); err == nil && info.Size() == 0 {
			v.add("N5.64", Error, p, "empty file")
		}
	})
	if err != nil && v.ctx.Err() == nil {
		v.add("N5.28", Error, DirDokumenter, "cannot walk: %v", err)
	}
	return files
}

// findUnreferenced is N5.33: the files whose key no reference has, found by
// merging the two sorted streams, then named by a second walk.
func (v *verifier) findUnreferenced(files *keySorter) {
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
	if len(unreferenced) == 0 {
		return
	}
	v.walkBatched(DirDokumenter, true, func(p string, d fs.DirEntry) {
		if unreferenced[pathKey(p)] {
			v.add("N5.33", Error, p, "no dokumentobjekt refers to this file")
		}
	})
	for range extra {
		v.add("N5.33", Error, DirDokumenter, "no dokumentobjekt refers to this file")
	}
}

// countDocumentFiles is N5.28: the number of files against ADDML's
// antallDokumentfiler.
func (v *verifier) countDocumentFiles(n int) {
	v.add("N5.28", Info, DirDokumenter, "%d document files", n)
	switch {
	case v.addml == nil:
		v.notRun("arkivuttrekk.xml could not be read", "N5.28")
	case v.addml.documentFiles < 0:
		v.add("N5.28", Error, FileArkivuttrekk, "antallDokumentfiler is missing or not a number")
	case v.addml.documentFiles != n:
		v.add("N5.28", Error, DirDokumenter, "%d document files, arkivuttrekk.xml says %d", n, v.addml.documentFiles)
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
