package svarut_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testheap"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// pdfLike generates n bytes that start like a PDF, without holding them:
// a 64 KiB pattern repeated.
type pdfLike struct {
	n, off  int64
	pattern []byte
}

func (p *pdfLike) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if p.pattern == nil {
		p.pattern = make([]byte, 64<<10)
		for i := range p.pattern {
			p.pattern[i] = byte('0' + (i*7+i/4096)%75)
		}
		copy(p.pattern, "%PDF-1.7\n")
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	n := 0
	for n < len(b) {
		at := int((p.off + int64(n)) % int64(len(p.pattern)))
		if p.off+int64(n) >= int64(len(p.pattern)) && at < 9 {
			// later repeats do not start with the header
			b[n] = '0'
			n++
			continue
		}
		n += copy(b[n:], p.pattern[at:])
	}
	p.off += int64(n)
	return n, nil
}

func (p *pdfLike) Close() error { return nil }

// TestSendStreams200MB sends a 200 MB document to the fake in the same
// process and samples HeapInuse while it runs: the client and the fake must
// both stream, so the peak growth stays far below the document's size.
func TestSendStreams200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 200 MB")
	}
	const size = 200 << 20
	e := setup(t, svaruttest.Config{})
	s := letter("stor-1")
	s.Documents = []svarut.Document{{Name: "stor.pdf", MimeType: "application/pdf", Ref: "stor", Size: size}}
	src := svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) { return &pdfLike{n: size}, nil })

	stop := testheap.Sample()
	start := time.Now()
	id, err := e.client.Send(context.Background(), s, src)
	elapsed := time.Since(start)
	growth := stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("200 MB send: peak HeapInuse growth %.1f MiB, %.0f MB/s",
		float64(growth)/(1<<20), float64(size)/1e6/elapsed.Seconds())
	if growth >= 32<<20 {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
	got, _ := e.fake.Shipment(id)
	if len(got.Files) != 1 || got.Files[0].Size != size || got.Files[0].Content != nil {
		t.Fatalf("fake received %+v", got.Files)
	}
}
