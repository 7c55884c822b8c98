package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/grunnmur/grunnmur/civil"
)

// The shared streaming scan of one XML file: well-formedness (N5.03), the
// element stack, the text of the current leaf and empty elements (N5.63).

// maxText caps the text kept of one element: no value the checks read is
// that long.
const maxText = 64 << 10

// xmlScan is the state of one file's scan. Each file gets its own, so that
// no scan shares an element stack with another.
type xmlScan struct {
	v        *verifier
	file     string
	d        *xmlScanner
	stack    []frame
	rootDone bool
	text     []byte // of the current leaf, up to maxText
}

// frame is an open element.
type frame struct {
	name    string
	prefix  string
	line    int
	child   bool // has a child element
	text    bool // has non-space text
	content int  // klasse, mappe or registrering children (or dokumentbeskrivelse)
}

func (v *verifier) newScan(file string, d *xmlScanner) *xmlScan {
	return &xmlScan{v: v, file: file, d: d}
}

// scanFile streams one XML file through fn while hashing it. It reports
// well-formedness errors under N5.03 and returns false when the file could not
// be read to the end.
func (v *verifier) scanFile(name string, fn func(*xmlScan) error, sums map[string]string) bool {
	f, err := v.root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	ahead := newReadAhead(f, h, v.bytes)
	defer ahead.close()
	d := newXMLScanner(ahead)
	err = fn(v.newScan(name, d))
	if err == nil {
		// Hash what the decoder left unread (trailing whitespace).
		_, err = io.Copy(io.Discard, ahead)
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

// readAhead reads a file on a goroutine of its own, hashing each chunk,
// while the scan takes the bytes through Read: the scan of the largest file,
// arkivstruktur.xml, is then not also its hashing. It holds aheadChunks
// chunks of aheadChunk bytes, whatever the file's size.
type readAhead struct {
	full chan []byte // chunks read and hashed, in order
	free chan []byte // chunks to read into
	stop chan struct{}
	done chan struct{}
	buf  []byte        // the chunk Read takes from, whole, to give back
	cur  []byte        // what Read has not taken of it
	err  error         // io.EOF or the read error, set before full is closed
	n    *atomic.Int64 // the bytes Read gave, for the report
}

const (
	aheadChunk  = 256 << 10
	aheadChunks = 4
)

func newReadAhead(r io.Reader, h hash.Hash, n *atomic.Int64) *readAhead {
	a := &readAhead{
		full: make(chan []byte, aheadChunks), free: make(chan []byte, aheadChunks),
		stop: make(chan struct{}), done: make(chan struct{}), n: n,
	}
	for range aheadChunks {
		a.free <- make([]byte, aheadChunk)
	}
	go a.read(r, h)
	return a
}

func (a *readAhead) read(r io.Reader, h hash.Hash) {
	defer close(a.done)
	defer close(a.full)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(r, b)
		if n > 0 {
			h.Write(b[:n])
			select {
			case a.full <- b[:n]:
			case <-a.stop:
				return
			}
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			a.err = err
			return
		}
	}
}

// Read gives the chunks' bytes in order, then a.err. Like a read of the
// file itself, it fills p unless the file ends first, so that the scan, and
// the count of bytes read, are the same as without read-ahead.
func (a *readAhead) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(a.cur) == 0 {
			if a.buf != nil {
				a.free <- a.buf[:cap(a.buf)] // never blocks: free holds every chunk
				a.buf = nil
			}
			b, ok := <-a.full
			if !ok {
				a.n.Add(int64(n))
				if n > 0 {
					return n, nil
				}
				return 0, a.err
			}
			a.buf, a.cur = b, b
		}
		k := copy(p[n:], a.cur)
		a.cur = a.cur[k:]
		n += k
	}
	a.n.Add(int64(n))
	return n, nil
}

// close stops the reading goroutine and waits for it.
func (a *readAhead) close() {
	close(a.stop)
	<-a.done
}

// walk reads the file to its end. start sees each start element before it is
// pushed (s.stack is then its ancestors) and may refuse the file; end sees
// each element below the root after it is popped, with its parent; f stays
// valid until the next start element.
func (s *xmlScan) walk(start func(xml.StartElement) error, end func(f, parent *frame)) error {
	s.stack, s.rootDone = s.stack[:0], false
	for n := 0; ; n++ {
		kind, err := s.next()
		if err == io.EOF {
			if len(s.stack) > 0 {
				return errors.New("unexpected end of file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch kind {
		case tokStart:
			if err := start(xml.StartElement{Name: s.d.elem.name, Attr: s.d.attr}); err != nil {
				return err
			}
			s.push(s.d.elem)
		case tokText:
			s.charData(s.d.tok, s.d.ink)
		case tokEnd:
			if f, parent := s.pop(); parent != nil {
				end(f, parent)
			}
		}
		if n%256 == 0 {
			if err := s.v.ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// next reads the next token: the scanner skips encoding/xml's namespace
// bookkeeping, which the checks do not need, so next checks the nesting
// itself.
func (s *xmlScan) next() (tokKind, error) {
	kind, err := s.d.Next()
	if err != nil {
		return 0, err
	}
	switch kind {
	case tokStart:
		if len(s.stack) == 0 && s.rootDone {
			return 0, errors.New("a second root element")
		}
	case tokEnd:
		n := len(s.stack)
		name := s.d.elem.name
		if n == 0 {
			return 0, fmt.Errorf("unexpected end element </%s>", name.Local)
		}
		if top := s.stack[n-1]; !s.d.matched && (top.name != name.Local || top.prefix != name.Space) {
			return 0, fmt.Errorf("element <%s> closed by </%s>", top.name, name.Local)
		}
		if n == 1 {
			s.rootDone = true
		}
	}
	return kind, nil
}

func (s *xmlScan) push(e *elemName) {
	if n := len(s.stack); n > 0 {
		s.stack[n-1].child = true
	}
	s.stack = append(s.stack, frame{name: e.name.Local, prefix: e.name.Space, line: s.d.line})
	s.text = s.text[:0]
}

// charData takes the text b of the current element; ink says whether it has
// a character other than white space.
func (s *xmlScan) charData(b []byte, ink bool) {
	if len(s.stack) == 0 {
		return
	}
	if ink {
		s.stack[len(s.stack)-1].text = true
	}
	if room := maxText - len(s.text); room > 0 {
		s.text = append(s.text, b[:min(len(b), room)]...)
	}
}

// pop closes the top element and returns it (valid until the next push)
// with its parent (nil for the root). It reports an empty leaf under N5.63.
func (s *xmlScan) pop() (*frame, *frame) {
	f := &s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	if !f.child && !f.text {
		s.v.add("N5.63", Error, s.loc(f.line), "<%s> is empty", f.name)
	}
	var parent *frame
	if n := len(s.stack); n > 0 {
		parent = &s.stack[n-1]
	}
	return f, parent
}

// depth is the number of open elements.
func (s *xmlScan) depth() int { return len(s.stack) }

// parent is the innermost open element, or nil.
func (s *xmlScan) parent() *frame {
	if n := len(s.stack); n > 0 {
		return &s.stack[n-1]
	}
	return nil
}

func (s *xmlScan) line() int {
	line, _ := s.d.InputPos()
	return line
}

// leafText is the trimmed text of the element just closed.
func (s *xmlScan) leafText() string { return string(bytes.TrimSpace(s.text)) }

// loc is "file:line".
func (s *xmlScan) loc(line int) string { return s.file + ":" + strconv.Itoa(line) }

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

// countReader counts the bytes read into the report.
type countReader struct {
	r io.Reader
	v *verifier
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.v.bytes.Add(int64(n))
	return n, err
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

// clip shortens a value quoted in a result.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// parseXSDate reads an xs:date as the extracts write it, "2006-01-02". Unlike
// civil.ParseDate it refuses the empty string: an element that should hold a
// date holds none.
func parseXSDate(s string) (civil.Date, error) {
	if s == "" {
		return civil.Date{}, errors.New("no date")
	}
	return civil.ParseDate(s)
}

// shownDate is a date in a result's message: "none" for the zero Date.
func shownDate(d civil.Date) string {
	if d.IsZero() {
		return "none"
	}
	return d.String()
}
