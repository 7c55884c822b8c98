package svarut_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/smallstep/pkcs7"

	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
	"github.com/grunnmur/grunnmur/internal/testheap"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

func TestDecryptToStreamsKSVectors(t *testing.T) {
	k := loadKeys(t)
	fakeCT, err := svaruttest.Encrypt(bytes.Repeat([]byte("svaruttest "), 10000), k.cert)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		ct   []byte
		want string
	}{
		"small.pdf.crypt (BER, chunked)":      {vector(t, "small.pdf.crypt"), smallPDFSHA},
		"dokumenter.zip.crypt (BER, chunked)": {vector(t, "dokumenter.zip.crypt"), dokumenterSHA},
		"svaruttest (BER, chunked)":           {fakeCT, sha(bytes.Repeat([]byte("svaruttest "), 10000))},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			// A reader that returns one byte at a time exercises every boundary.
			n, err := svarut.DecryptTo(&out, cmstest.OneByte(bytes.NewReader(c.ct)), k.cert, k.key, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(out.Len()) || sha(out.Bytes()) != c.want {
				t.Fatalf("sha256 %s (%d bytes), want %s", sha(out.Bytes()), n, c.want)
			}
			// The same as smallstep/pkcs7 gives.
			p7, err := pkcs7.Parse(c.ct)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := p7.Decrypt(k.cert, k.key)
			if err != nil || !bytes.Equal(ref, out.Bytes()) {
				t.Fatalf("pkcs7 disagrees: %v", err)
			}
			var cut bytes.Buffer
			if n, err := svarut.DecryptTo(&cut, bytes.NewReader(c.ct), k.cert, k.key, 100); !errors.Is(err, svarut.ErrTooLarge) ||
				n != int64(cut.Len()) || n > 100 {
				t.Fatalf("limit: %d, %v", n, err)
			}
			for _, cut := range []int{0, 10, len(c.ct) / 2, len(c.ct) - 3} {
				if _, err := svarut.DecryptTo(io.Discard, bytes.NewReader(c.ct[:cut]), k.cert, k.key, 1<<30); !errors.Is(err, svarut.ErrDecrypt) {
					t.Fatalf("truncated at %d: %v", cut, err)
				}
			}
		})
	}
}

// TestSvarInnReceiveMemory receives a 64 MB shipment and samples the heap:
// the download, the decryption and the ZIP all go through temporary files.
func TestSvarInnReceiveMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("receives 64 MB")
	}
	size := 64 << 20
	if raceEnabled {
		size = 16 << 20 // the race detector makes inflate and hashing ~20 times slower
	}
	e, r := receiverEnv(t)
	content := make([]byte, size)
	if _, err := io.ReadFull(&pdfLike{n: int64(size)}, content); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.AddIncoming(svaruttest.Incoming{Title: "Stor", Files: []svaruttest.IncomingFile{
		{Name: "stor.pdf", MimeType: "application/pdf", Content: content}}}); err != nil {
		t.Fatal(err)
	}
	want := sha(content)
	content = nil
	stop := testheap.Sample()
	var got string
	r.Handler = func(_ context.Context, _ *svarut.Incoming, _ svarut.IncomingFile, rd io.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, rd); err != nil {
			return err
		}
		got = hex.EncodeToString(h.Sum(nil))
		return nil
	}
	err := r.RunOnce(context.Background())
	growth := stop()
	if err != nil || got != want {
		t.Fatalf("RunOnce = %v; sha match %v", err, got == want)
	}
	t.Logf("%d MB SvarInn receive: peak HeapInuse growth %.1f MiB", size>>20, float64(growth)/(1<<20))
	if growth >= 32<<20 {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
}
