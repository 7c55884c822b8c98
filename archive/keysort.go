package archive

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"io"
	"iter"
	"os"
	"slices"
)

// record is a 16-byte key (a systemID or a path hash) with where it came
// from, 24 bytes in all.
type record struct {
	key  [16]byte
	line uint32
	kind uint8 // for references: the index into refElements, or refChange
	_    [3]byte
}

const recordSize = 24

func compareRecords(a, b record) int {
	// The keys' byte order, as two big-endian numbers.
	if c := cmp.Compare(binary.BigEndian.Uint64(a.key[:8]), binary.BigEndian.Uint64(b.key[:8])); c != 0 {
		return c
	}
	if c := cmp.Compare(binary.BigEndian.Uint64(a.key[8:]), binary.BigEndian.Uint64(b.key[8:])); c != 0 {
		return c
	}
	if c := int(a.line) - int(b.line); c != 0 {
		return c
	}
	return int(a.kind) - int(b.kind)
}

// keySorter collects records and yields them sorted. It keeps at most
// runSize records in memory and spills sorted runs to a temporary file, so the
// verifier's memory stays flat however many systemIDs an extract has.
type keySorter struct {
	dir     string // for the temporary file; "" means os.TempDir
	runSize int
	buf     []record
	spill   *os.File
	w       *bufio.Writer
	runs    []int64 // record counts of the runs in spill, in order
	n       int
	err     error
}

func newKeySorter(dir string, runSize int) *keySorter {
	return &keySorter{dir: dir, runSize: runSize}
}

func (s *keySorter) add(r record) {
	if s.buf == nil {
		s.buf = make([]record, 0, min(s.runSize, 1024))
	}
	s.buf = append(s.buf, r)
	s.n++
	if len(s.buf) >= s.runSize {
		s.flushRun()
	}
}

func (s *keySorter) flushRun() {
	if s.err != nil || len(s.buf) == 0 {
		return
	}
	if s.spill == nil {
		f, err := os.CreateTemp(s.dir, "grunnmur-verify-*.keys")
		if err != nil {
			s.err = err
			return
		}
		os.Remove(f.Name()) // unlinked: gone when closed, even after a crash
		s.spill = f
		s.w = bufio.NewWriterSize(f, 64<<10)
	}
	slices.SortFunc(s.buf, compareRecords)
	var b [recordSize]byte
	for _, r := range s.buf {
		copy(b[:16], r.key[:])
		binary.LittleEndian.PutUint32(b[16:], r.line)
		b[20] = r.kind
		s.w.Write(b[:])
	}
	s.runs = append(s.runs, int64(len(s.buf)))
	s.buf = s.buf[:0]
}

func (s *keySorter) close() {
	if s.spill != nil {
		s.spill.Close()
	}
}

// all yields every record in key order; a read error stops it and is kept
// in s.err. It may be used more than once.
func (s *keySorter) all() iter.Seq[record] {
	return func(yield func(record) bool) {
		if s.spill == nil {
			slices.SortFunc(s.buf, compareRecords)
			for _, r := range s.buf {
				if !yield(r) {
					return
				}
			}
			return
		}
		s.flushRun()
		if s.err != nil {
			return
		}
		if err := s.w.Flush(); err != nil {
			s.err = err
			return
		}
		h := &runHeap{}
		var off int64
		for _, n := range s.runs {
			rr := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.spill, off*recordSize, n*recordSize), 2<<10)}
			off += n
			if rr.next() {
				h.rs = append(h.rs, rr)
			} else if rr.err != nil {
				s.err = rr.err
				return
			}
		}
		heap.Init(h)
		for h.Len() > 0 {
			rr := h.rs[0]
			if !yield(rr.cur) {
				return
			}
			if rr.next() {
				heap.Fix(h, 0)
			} else {
				if rr.err != nil {
					s.err = rr.err
					return
				}
				heap.Pop(h)
			}
		}
	}
}

type runReader struct {
	r   *bufio.Reader
	cur record
	err error
}

func (rr *runReader) next() bool {
	var b [recordSize]byte
	if _, err := io.ReadFull(rr.r, b[:]); err != nil {
		if err != io.EOF {
			rr.err = err
		}
		return false
	}
	copy(rr.cur.key[:], b[:16])
	rr.cur.line = binary.LittleEndian.Uint32(b[16:])
	rr.cur.kind = b[20]
	return true
}

type runHeap struct{ rs []*runReader }

func (h *runHeap) Len() int           { return len(h.rs) }
func (h *runHeap) Less(i, j int) bool { return compareRecords(h.rs[i].cur, h.rs[j].cur) < 0 }
func (h *runHeap) Swap(i, j int)      { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *runHeap) Push(x any)         { h.rs = append(h.rs, x.(*runReader)) }
func (h *runHeap) Pop() any {
	x := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return x
}
