package formstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/internal/badkey"
)

// TestFileStore runs the conformance suite for forms.Files. newStore must
// return an empty store for each subtest whose MaxSize is maxSize (at least
// 1 MiB).
func TestFileStore(t *testing.T, maxSize int64, newStore func(t *testing.T) forms.Files) {
	if maxSize < 1<<20 {
		t.Fatalf("formstest: maxSize %d is below 1 MiB", maxSize)
	}
	x := &fileSuite{ctx: context.Background(), maxSize: maxSize, newStore: newStore}
	t.Run("RoundTrip", x.roundTrip)
	t.Run("EmptyFile", x.emptyFile)
	t.Run("NotFound", x.notFound)
	t.Run("BadBytesNotFound", x.badBytesNotFound)
	t.Run("NameText", x.nameText)
	t.Run("Size", x.size)
	t.Run("FailingReader", x.failingReader)
	t.Run("ListByOwner", x.listByOwner)
	t.Run("Delete", x.delete)
	t.Run("ConcurrentPut", x.concurrentPut)
}

type fileSuite struct {
	ctx      context.Context
	maxSize  int64
	newStore func(t *testing.T) forms.Files
}

func (x *fileSuite) read(t *testing.T, s forms.Files, id string) (forms.FileInfo, []byte) {
	t.Helper()
	info, rc, err := s.Open(x.ctx, id)
	if err != nil {
		t.Fatalf("Open(%s): %v", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	return info, b
}

func (x *fileSuite) count(t *testing.T, s forms.Files, owner string) int {
	t.Helper()
	fs, err := s.List(x.ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	return len(fs)
}

func (x *fileSuite) roundTrip(t *testing.T) {
	ctx, newStore, read := x.ctx, x.newStore, x.read
	s := newStore(t)
	// Every byte value, NULs and invalid UTF-8 included, and a name
	// with the characters text formats escape.
	var data []byte
	for i := range 3 * 256 {
		data = append(data, byte(i))
	}
	data = append(data, "\x00\\x00\t\n\r\\.æøå"...)
	name := "Firmaattest\t\"Bakgården\" AS\\2026\n.pdf"
	before := time.Now().Add(-time.Second)
	id, err := s.Put(ctx, "person:abc", name, "application/pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Second)
	if id == "" {
		t.Fatal("empty id")
	}
	info, got := read(t, s, id)
	if !bytes.Equal(got, data) {
		t.Errorf("bytes differ: got %d bytes, want %d", len(got), len(data))
	}
	want := forms.FileInfo{ID: id, Owner: "person:abc", Name: name, ContentType: "application/pdf",
		Size: int64(len(data)), SHA256: sha256.Sum256(data), Created: info.Created}
	if info != want {
		t.Errorf("info %+v\nwant %+v", info, want) // without the names
	}
	if info.Name != name {
		t.Errorf("Name %q, want %q", info.Name, name)
	}
	if info.Created.Before(before) || info.Created.After(after) || info.Created.Location() != time.UTC {
		t.Errorf("Created %v, want UTC between %v and %v", info.Created, before, after)
	}
	// A second read gives the same bytes: Open does not hand out a
	// consumed reader.
	if _, again := read(t, s, id); !bytes.Equal(again, data) {
		t.Error("the second Open differs")
	}
	list, err := s.List(ctx, "person:abc")
	if err != nil || len(list) != 1 || list[0] != info {
		t.Errorf("List: %v %+v", err, list)
	}
}

func (x *fileSuite) emptyFile(t *testing.T) {
	ctx, newStore, read := x.ctx, x.newStore, x.read
	s := newStore(t)
	id, err := s.Put(ctx, "org:974760673", "tom.txt", "text/plain", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	info, got := read(t, s, id)
	if len(got) != 0 || info.Size != 0 || info.SHA256 != sha256.Sum256(nil) {
		t.Errorf("empty file: %+v, %d bytes", info, len(got))
	}
}

func (x *fileSuite) notFound(t *testing.T) {
	ctx, newStore := x.ctx, x.newStore
	s := newStore(t)
	for _, id := range []string{"", "nope", "refused", strings.Repeat("x", 300), "'; DROP TABLE x; --"} {
		if _, rc, err := s.Open(ctx, id); !errors.Is(err, forms.ErrFileNotFound) || rc != nil {
			t.Errorf("Open(%q): %v, reader %v", id, err, rc)
		}
	}
	if fs, err := s.List(ctx, "person:nobody"); err != nil || len(fs) != 0 {
		t.Errorf("List of nobody: %v %v", fs, err)
	}
}

// An id or owner that is not UTF-8 or holds a NUL (/vedlegg/%ff) names
// no file: ErrFileNotFound, or nothing listed.
func (x *fileSuite) badBytesNotFound(t *testing.T) {
	ctx, newStore, count := x.ctx, x.newStore, x.count
	s := newStore(t)
	id, err := s.Put(ctx, "person:abc", "a.pdf", "application/pdf", strings.NewReader("%PDF-"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range badkey.Keys() {
		if _, rc, err := s.Open(ctx, k); !errors.Is(err, forms.ErrFileNotFound) || rc != nil {
			t.Errorf("Open(%q): %v", k, err)
		}
		if err := s.Delete(ctx, "person:abc", k); !errors.Is(err, forms.ErrFileNotFound) {
			t.Errorf("Delete(%q): %v", k, err)
		}
		if err := s.Delete(ctx, k, id); !errors.Is(err, forms.ErrFileNotFound) {
			t.Errorf("Delete by owner %q: %v", k, err)
		}
		if fs, err := s.List(ctx, k); err != nil || len(fs) != 0 {
			t.Errorf("List(%q): %v %v", k, fs, err)
		}
	}
	if n := count(t, s, "person:abc"); n != 1 {
		t.Fatalf("%d files after bad keys, want 1", n)
	}
}

// A name, owner or type that is not UTF-8 or holds a NUL is refused
// with ErrInvalidText, never a driver error, and nothing is stored; any
// other text in a name is kept exactly.
func (x *fileSuite) nameText(t *testing.T) {
	ctx, newStore, read, count := x.ctx, x.newStore, x.read, x.count
	s := newStore(t)
	for _, name := range badkey.Texts() {
		id, err := s.Put(ctx, "person:abc", name, "application/pdf", strings.NewReader("%PDF-"))
		if err != nil {
			t.Fatalf("Put(%q): %v", name, err)
		}
		if info, _ := read(t, s, id); info.Name != name {
			t.Errorf("name %q came back as %q", name, info.Name)
		}
	}
	for _, v := range badkey.Keys() {
		for _, args := range [][3]string{{"person:abc", v, "application/pdf"}, {v, "a.pdf", "application/pdf"}, {"person:abc", "a.pdf", v}} {
			if id, err := s.Put(ctx, args[0], args[1], args[2], strings.NewReader("%PDF-")); !errors.Is(err, forms.ErrInvalidText) || id != "" {
				t.Errorf("Put(%q, %q, %q): %q %v, want ErrInvalidText", args[0], args[1], args[2], id, err)
			}
		}
	}
	if n := count(t, s, "person:abc"); n != len(badkey.Texts()) {
		t.Errorf("%d files, want %d", n, len(badkey.Texts()))
	}
}

func (x *fileSuite) size(t *testing.T) {
	ctx, maxSize, newStore, count := x.ctx, x.maxSize, x.newStore, x.count
	s := newStore(t)
	// Exactly the limit is stored.
	id, err := s.Put(ctx, "person:abc", "max.bin", "application/octet-stream", &pattern{n: maxSize})
	if err != nil {
		t.Fatalf("a file of exactly MaxSize: %v", err)
	}
	if info, _, err := s.Open(ctx, id); err != nil || info.Size != maxSize {
		t.Errorf("MaxSize file: %+v %v", info, err)
	}
	// One byte over is refused, as is a reader that never ends; both
	// are read no further than needed.
	for _, r := range []*pattern{{n: maxSize + 1}, {n: -1}} {
		_, err := s.Put(ctx, "person:abc", "big.bin", "application/octet-stream", r)
		if !errors.Is(err, forms.ErrFileTooLarge) {
			t.Errorf("%d bytes: %v, want ErrFileTooLarge", r.n, err)
		}
		if r.read > maxSize+1<<20 {
			t.Errorf("read %d bytes of an oversized file (limit %d)", r.read, maxSize)
		}
	}
	if n := count(t, s, "person:abc"); n != 1 {
		t.Errorf("%d files after refused puts, want 1", n)
	}
}

func (x *fileSuite) failingReader(t *testing.T) {
	ctx, newStore, count := x.ctx, x.newStore, x.count
	s := newStore(t)
	boom := errors.New("connection reset by peer")
	r := io.MultiReader(&pattern{n: 300 << 10}, iotest.ErrReader(boom))
	if _, err := s.Put(ctx, "person:abc", "half.pdf", "application/pdf", r); !errors.Is(err, boom) {
		t.Errorf("Put of a failing reader: %v, want the reader's error", err)
	}
	if n := count(t, s, "person:abc"); n != 0 {
		t.Errorf("%d files stored from a failing reader", n)
	}
	// A cancelled context stores nothing either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cctx, "person:abc", "a.pdf", "application/pdf", strings.NewReader("%PDF-")); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if n := count(t, s, "person:abc"); n != 0 {
		t.Errorf("%d files stored with a cancelled context", n)
	}
}

func (x *fileSuite) listByOwner(t *testing.T) {
	ctx, newStore := x.ctx, x.newStore
	s := newStore(t)
	var ids []string
	for i := range 3 {
		id, err := s.Put(ctx, "person:a", fmt.Sprintf("a%d.pdf", i), "application/pdf", strings.NewReader(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		time.Sleep(2 * time.Millisecond) // distinct Created times
	}
	if _, err := s.Put(ctx, "person:b", "b.pdf", "application/pdf", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
	fs, err := s.List(ctx, "person:a")
	if err != nil || len(fs) != 3 {
		t.Fatalf("List: %v, %d files", err, len(fs))
	}
	for i, f := range fs {
		if f.ID != ids[i] || f.Owner != "person:a" || f.Name != fmt.Sprintf("a%d.pdf", i) {
			t.Errorf("file %d: %+v, want id %s (oldest first)", i, f, ids[i])
		}
	}
}

func (x *fileSuite) delete(t *testing.T) {
	ctx, newStore := x.ctx, x.newStore
	s := newStore(t)
	keep, err := s.Put(ctx, "person:a", "keep.pdf", "application/pdf", strings.NewReader("keep"))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.Put(ctx, "person:a", "gone.pdf", "application/pdf", strings.NewReader("gone"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "person:b", gone); !errors.Is(err, forms.ErrFileNotFound) {
		t.Fatalf("another owner's delete: %v", err)
	}
	if _, rc, err := s.Open(ctx, gone); err != nil {
		t.Fatalf("another owner's delete removed the file: %v", err)
	} else {
		rc.Close()
	}
	if err := s.Delete(ctx, "person:a", gone); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, gone); !errors.Is(err, forms.ErrFileNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
	if err := s.Delete(ctx, "person:a", gone); !errors.Is(err, forms.ErrFileNotFound) {
		t.Fatalf("a second Delete: %v", err)
	}
	if fs, err := s.List(ctx, "person:a"); err != nil || len(fs) != 1 || fs[0].ID != keep {
		t.Fatalf("List after Delete: %v %+v", err, fs)
	}
}

func (x *fileSuite) concurrentPut(t *testing.T) {
	ctx, newStore, read, count := x.ctx, x.newStore, x.read, x.count
	s := newStore(t)
	const n = 32
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := bytes.Repeat([]byte{byte(i)}, 1000+i*997)
			id, err := s.Put(ctx, fmt.Sprintf("person:%d", i%4), fmt.Sprintf("f%d", i), "application/pdf", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = id
			// Reads run alongside the other goroutines' writes.
			if info, rc, err := s.Open(ctx, id); err != nil {
				t.Error(err)
			} else {
				rc.Close()
				if info.Size != int64(len(body)) {
					t.Errorf("file %d: size %d", i, info.Size)
				}
			}
			if _, err := s.List(ctx, fmt.Sprintf("person:%d", i%4)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, id := range ids {
		if id == "" {
			continue
		}
		if seen[id] {
			t.Errorf("id %s handed out twice", id)
		}
		seen[id] = true
		info, got := read(t, s, id)
		if want := bytes.Repeat([]byte{byte(i)}, 1000+i*997); !bytes.Equal(got, want) || info.Name != fmt.Sprintf("f%d", i) {
			t.Errorf("file %d: %d bytes, name %q", i, len(got), info.Name)
		}
	}
	total := 0
	for o := range 4 {
		total += count(t, s, fmt.Sprintf("person:%d", o))
	}
	if total != n {
		t.Errorf("%d files listed, want %d", total, n)
	}
}

// pattern yields n bytes of a repeating pattern (forever when n < 0) and
// counts what was read.
type pattern struct {
	n, read int64
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.n >= 0 && p.read >= p.n {
		return 0, io.EOF
	}
	if p.n >= 0 && int64(len(b)) > p.n-p.read {
		b = b[:p.n-p.read]
	}
	for i := range b {
		b[i] = byte((p.read + int64(i)) % 251)
	}
	p.read += int64(len(b))
	return len(b), nil
}
