package archive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

// TestReadAhead: the read-ahead gives the bytes of its source in order,
// filling each Read as a file would, hashes them all, counts what it gave,
// passes a read error on after the bytes before it, and stops when closed
// early.
func TestReadAhead(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*aheadChunk/16+1000)
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:3000])) },
		"empty":    func() io.Reader { return bytes.NewReader(nil) },
	} {
		var n atomic.Int64
		h := sha256.New()
		a := newReadAhead(src(), h, &n)
		var got []byte
		p := make([]byte, 100_000)
		for {
			k, err := a.Read(p)
			got = append(got, p[:k]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := bytes.NewReader(data).Len() - len(got) + k; k != min(len(p), want) && name == "whole" {
				t.Errorf("%s: a read gave %d bytes of %d", name, k, min(len(p), want))
			}
		}
		a.close()
		want := data
		switch name {
		case "one byte":
			want = data[:3000]
		case "empty":
			want = nil
		}
		if !bytes.Equal(got, want) || n.Load() != int64(len(want)) {
			t.Errorf("%s: got %d bytes (counted %d), want %d", name, len(got), n.Load(), len(want))
		}
		if sum := sha256.Sum256(want); !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Errorf("%s: wrong hash", name)
		}
	}

	bad := errors.New("disk on fire")
	a := newReadAhead(io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(bad)), sha256.New(), new(atomic.Int64))
	b, err := io.ReadAll(a)
	a.close()
	if !errors.Is(err, bad) || !bytes.Equal(b, data[:5000]) {
		t.Errorf("after a read error: %d bytes, %v", len(b), err)
	}

	// Closed before the end, with the reading goroutine waiting to hand on a chunk.
	a = newReadAhead(bytes.NewReader(data), sha256.New(), new(atomic.Int64))
	a.Read(make([]byte, 10))
	a.close()
}
