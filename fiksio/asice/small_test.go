package asice_test

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/cms"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
)

// TestWriteEntryMethods: a file of at most 64 KiB is written whole, its
// sizes and CRC-32 in the local header (no data descriptor, as strict
// streaming readers such as Java's ZipInputStream want for stored
// entries): deflated when that pays, stored when not or when under 4 KiB.
// A larger file streams, deflated. Every one opens with its digest verified.
func TestWriteEntryMethods(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	text := []byte(strings.Repeat("<saksnummer>2026/1234</saksnummer>\n", 600)) // 21 KB
	files := []struct {
		name    string
		content []byte
		method  uint16
		streams bool
	}{
		{"tekst.xml", text, zip.Deflate, false},
		{"tom.txt", nil, zip.Store, false},
		{"kort.xml", text[:4<<10-1], zip.Store, false},
		{"fire-kilo.xml", text[:4<<10], zip.Deflate, false},
		{"tilfeldig.bin", random(10 << 10), zip.Store, false},
		{"grense.bin", random(64 << 10), zip.Store, false},
		{"over-grensen.bin", random(64<<10 + 1), zip.Deflate, true},
	}
	var in []asice.File
	for _, f := range files {
		in = append(in, asice.File{Name: f.name, Content: bytes.NewReader(f.content)})
	}
	var buf bytes.Buffer
	if err := asice.Write(&buf, signer(t), in...); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	for _, f := range files {
		e := byName[f.name]
		if e == nil {
			t.Fatalf("%s missing", f.name)
		}
		if e.Method != f.method || (e.Flags&0x8 != 0) != f.streams {
			t.Errorf("%s: method %d flags %#x, want method %d, data descriptor %v", f.name, e.Method, e.Flags, f.method, f.streams)
		}
	}
	for _, name := range []string{"META-INF/asicmanifest.xml", "META-INF/signature.p7s"} {
		if e := byName[name]; e == nil || e.Flags&0x8 != 0 {
			t.Errorf("%s: %+v, want sizes in the local header", name, e)
		}
	}
	c, err := open(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if got := readAll(t, c, f.name); !bytes.Equal(got, f.content) {
			t.Errorf("%s came back changed", f.name)
		}
	}
}

// TestUnsealMemoryOrFile: a decrypted container of at most MaxMemory
// bytes stays in memory, one byte more goes to a temporary file that Close
// removes, and a negative MaxMemory always uses a file.
func TestUnsealMemoryOrFile(t *testing.T) {
	cert, key := demo(t)
	var sealed bytes.Buffer
	if err := asice.Seal(&sealed, cert, signer(t),
		asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: strings.NewReader("<arkivmelding/>")},
		asice.File{Name: "vedlegg.bin", Content: cmstest.Pattern(200_000)}); err != nil {
		t.Fatal(err)
	}
	size, err := cms.Decrypt(io.Discard, bytes.NewReader(sealed.Bytes()), 0, cms.Key{Private: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		maxMemory int64
		files     int
	}{
		{"exactly MaxMemory", size, 0},
		{"a byte over", size - 1, 1},
		{"default", 0, 0},
		{"always a file", -1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &asice.Unsealer{Keys: []crypto.Decrypter{key}, TempDir: t.TempDir(), MaxMemory: tc.maxMemory}
			c, err := u.Unseal(bytes.NewReader(sealed.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(u.TempDir); len(left) != tc.files {
				t.Errorf("%d temporary files while open, want %d", len(left), tc.files)
			}
			rc, err := c.Open("vedlegg.bin")
			if err != nil {
				t.Fatal(err)
			}
			if !sameStream(rc, cmstest.Pattern(200_000)) {
				t.Error("vedlegg.bin came back changed")
			}
			rc.Close()
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(u.TempDir); len(left) != 0 {
				t.Errorf("temporary files left after Close: %v", left)
			}
		})
	}
}

// TestUnsealRejectsFromFile: a container that fails verification after
// going to a temporary file leaves no file behind.
func TestUnsealRejectsFromFile(t *testing.T) {
	cert, key := demo(t)
	var sealed bytes.Buffer
	enc, err := cms.Encrypt(&sealed, cert)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(enc, cmstest.Pattern(100_000)) // encrypted, but no ZIP
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	for _, maxMemory := range []int64{-1, 1 << 10, 0} {
		u := &asice.Unsealer{Keys: []crypto.Decrypter{key}, TempDir: t.TempDir(), MaxMemory: maxMemory}
		if _, err := u.Unseal(bytes.NewReader(sealed.Bytes())); !errors.Is(err, asice.ErrNotASiCE) {
			t.Fatalf("MaxMemory %d: %v, want ErrNotASiCE", maxMemory, err)
		}
		if left, _ := os.ReadDir(u.TempDir); len(left) != 0 {
			t.Fatalf("MaxMemory %d: temporary files left: %v", maxMemory, left)
		}
	}
}
