package asice_test

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
)

// vector reads a vendored KS test vector.
func vector(t testing.TB, name string) []byte { t.Helper(); return cmstest.Vector(t, name) }

// demo returns KS' published demo certificate and key: the receiver.
func demo(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	return cmstest.DemoKeys(t, filepath.Join("testdata", "fiks-io"))
}

func fixedNow() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }

// signer is a separate signing key and certificate, with fixed dates.
func signer(t testing.TB) asice.Signer {
	key := cmstest.RSAKey(t)
	return asice.Signer{Certificate: cmstest.SelfSigned(t, key, "Grunnmur kommune"), Key: key, Now: fixedNow}
}

func open(b []byte) (*asice.Container, error) { return asice.Open(bytes.NewReader(b), int64(len(b))) }

func readAll(t testing.TB, c *asice.Container, name string) []byte {
	t.Helper()
	rc, err := c.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenKSVectors(t *testing.T) {
	cases := []struct {
		file     string
		format   asice.Format
		verified bool
		files    []asice.Entry
		signer   string
	}{
		{"cades-valid.asice", asice.CAdES, true, []asice.Entry{
			{Name: "bii-envelope.xml", MimeType: "text/xml", Size: 2711},
			{Name: "bii-message.xml", MimeType: "application/xml", Size: 74}}, "DIREKTORATET FOR FORVALTNING OG IKT"},
		{"xades-external-dss.asice", asice.XAdES, true, []asice.Entry{
			{Name: "RELEASE-NOTES.txt", MimeType: "text/plain", Size: 6095}}, "SINIVEE,VEIKO,36706020210"},
		{"xades-external-digidoc4j.asice", asice.XAdES, true, []asice.Entry{
			{Name: "test.xml", MimeType: "text/xml", Size: 3875},
			{Name: "test.txt", MimeType: "text/plain", Size: 15}}, "ŽÕRINÜWŠKY,MÄRÜ-LÖÖZ,11404176865"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := open(vector(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != c.format || got.SignatureVerified != c.verified || len(got.Signers) == 0 {
				t.Fatalf("format %v verified %v signers %d", got.Format, got.SignatureVerified, len(got.Signers))
			}
			if c.signer != "" && got.Signers[0].Subject.CommonName != c.signer {
				t.Fatalf("signer %q", got.Signers[0].Subject.CommonName)
			}
			if len(got.Files) != len(c.files) {
				t.Fatalf("files %+v", got.Files)
			}
			for i, f := range c.files {
				if got.Files[i] != f {
					t.Fatalf("file %d: %+v, want %+v", i, got.Files[i], f)
				}
				if n := len(readAll(t, got, f.Name)); int64(n) != f.Size {
					t.Fatalf("%s: read %d bytes", f.Name, n)
				}
			}
		})
	}
}

func TestWriteOpenRoundTrip(t *testing.T) {
	s := signer(t)
	files := []asice.File{
		{Name: "arkivmelding.xml", MimeType: "application/xml", Content: strings.NewReader("<arkivmelding/>")},
		{Name: "vedlegg/søknad 🍺 \u202e.pdf", MimeType: "application/pdf", Content: strings.NewReader("%PDF-1.7 ...")},
		{Name: "tom.txt"},
	}
	var buf bytes.Buffer
	if err := asice.Write(&buf, s, files...); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// mimetype first, stored, its content at the fixed offset readers look at.
	if string(b[30:38]) != "mimetype" || string(b[38:38+31]) != "application/vnd.etsi.asic-e+zip" || b[8] != 0 {
		t.Fatalf("the container does not start with a stored mimetype: %q", b[:70])
	}
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if want := "mimetype arkivmelding.xml vedlegg/søknad 🍺 \u202e.pdf tom.txt META-INF/asicmanifest.xml META-INF/signature.p7s"; strings.Join(names, " ") != want {
		t.Fatalf("entries %q", names)
	}
	c, err := open(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Format != asice.CAdES || !c.SignatureVerified || len(c.Signers) != 1 || !c.Signers[0].Equal(s.Certificate) {
		t.Fatalf("container %+v", c)
	}
	want := []asice.Entry{{"arkivmelding.xml", "application/xml", 15}, {"vedlegg/søknad 🍺 \u202e.pdf", "application/pdf", 12}, {"tom.txt", "application/octet-stream", 0}}
	for i, e := range want {
		if c.Files[i] != e {
			t.Fatalf("file %d: %+v, want %+v", i, c.Files[i], e)
		}
	}
	if got := readAll(t, c, "arkivmelding.xml"); string(got) != "<arkivmelding/>" {
		t.Fatalf("content %q", got)
	}
	for _, name := range []string{"nope.xml", "mimetype", "META-INF/signature.p7s"} {
		if _, err := c.Open(name); !errors.Is(err, asice.ErrMissingFile) {
			t.Fatalf("Open(%q) of a file not signed: %v", name, err)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	s := signer(t)
	for _, name := range []string{"", "/abs.xml", "../up.xml", "a/../b", "mimetype", "META-INF/x.xml", "meta-inf/x.xml", "a\\b", "nul\x00.txt"} {
		err := asice.Write(io.Discard, s, asice.File{Name: name})
		var fe *asice.FileError
		if !errors.Is(err, asice.ErrInvalid) || !errors.As(err, &fe) || fe.Name != name {
			t.Fatalf("%q: %v", name, err)
		}
	}
	if err := asice.Write(io.Discard, s, asice.File{Name: "a"}, asice.File{Name: "a"}); !errors.Is(err, asice.ErrInvalid) {
		t.Fatalf("two of one name: %v", err)
	}
	if err := asice.Write(io.Discard, s); !errors.Is(err, asice.ErrInvalid) {
		t.Fatalf("no files: %v", err)
	}
	if err := asice.Write(io.Discard, asice.Signer{}, asice.File{Name: "a"}); !errors.Is(err, asice.ErrInvalid) {
		t.Fatalf("no signer: %v", err)
	}
	if err := asice.Seal(io.Discard, nil, s, asice.File{Name: "a"}); !errors.Is(err, asice.ErrInvalid) {
		t.Fatalf("no recipient: %v", err)
	}
}

type entry struct {
	name   string
	method uint16
	body   []byte
}

func entries(t testing.TB, b []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{f.Name, f.Method, body})
	}
	return out
}

func rezip(t testing.TB, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRejects(t *testing.T) {
	s := signer(t)
	var buf bytes.Buffer
	if err := asice.Write(&buf, s, asice.File{Name: "a.xml", Content: strings.NewReader("<a/>")}, asice.File{Name: "b.txt", Content: strings.NewReader("bee")}); err != nil {
		t.Fatal(err)
	}
	good := entries(t, buf.Bytes())
	edit := func(f func([]entry) []entry) []byte {
		es := append([]entry(nil), good...)
		return rezip(t, f(es))
	}
	set := func(name string, body []byte) func([]entry) []entry {
		return func(es []entry) []entry {
			for i := range es {
				if es[i].name == name {
					es[i].body = body
				}
			}
			return es
		}
	}
	manifest := good[3].body
	cases := []rejectCase{
		{"rezipped unchanged opens", edit(func(es []entry) []entry { return es }), nil, ""},
		{"not a ZIP", []byte("%PDF-1.7"), asice.ErrNotASiCE, ""},
		{"empty ZIP", rezip(t, nil), asice.ErrNotASiCE, ""},
		{"mimetype not first", edit(func(es []entry) []entry { es[0], es[1] = es[1], es[0]; return es }), asice.ErrNotASiCE, ""},
		{"mimetype deflated", edit(func(es []entry) []entry { es[0].method = zip.Deflate; return es }), asice.ErrNotASiCE, ""},
		{"mimetype of ASiC-S", edit(set("mimetype", []byte("application/vnd.etsi.asic-s+zip"))), asice.ErrNotASiCE, ""},
		{"two entries of one name", edit(func(es []entry) []entry { return append(es, es[1]) }), asice.ErrNotASiCE, ""},
		{"changed file", edit(set("b.txt", []byte("bea"))), asice.ErrDigest, "b.txt"},
		{"missing file", edit(func(es []entry) []entry { return append(es[:2], es[3:]...) }), asice.ErrMissingFile, "b.txt"},
		{"extra file", edit(func(es []entry) []entry { return append(es, entry{"c.txt", zip.Deflate, []byte("sneaked in")}) }), asice.ErrExtraFile, "c.txt"},
		{"changed manifest", edit(set("META-INF/asicmanifest.xml", bytes.Replace(manifest, []byte("octet-stream"), []byte("octet-strean"), 1))), asice.ErrSignature, "META-INF/signature.p7s"},
		{"garbled signature", edit(set("META-INF/signature.p7s", []byte("not CMS"))), asice.ErrSignature, "META-INF/signature.p7s"},
		{"no signature file", edit(func(es []entry) []entry { return es[:4] }), asice.ErrMissingFile, "META-INF/signature.p7s"},
		{"no manifest", edit(func(es []entry) []entry { return append(es[:3], es[4:]...) }), asice.ErrMissingFile, ""},
		{"manifest not XML", edit(set("META-INF/asicmanifest.xml", []byte("{}"))), asice.ErrManifest, "META-INF/asicmanifest.xml"},
		{"manifest with MD5", edit(set("META-INF/asicmanifest.xml", bytes.ReplaceAll(manifest, []byte("http://www.w3.org/2001/04/xmlenc#sha256"), []byte("http://www.w3.org/2001/04/xmldsig-more#md5")))), asice.ErrUnsupported, "META-INF/asicmanifest.xml"},
	}
	runRejects(t, cases)
}

// sameStream reports whether a and b yield the same bytes, holding 64 KiB of each.
func sameStream(a, b io.Reader) bool {
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(a, ba)
		nb, eb := io.ReadFull(b, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil || eb != nil {
			return ea == eb || (ea == io.ErrUnexpectedEOF && eb == io.ErrUnexpectedEOF)
		}
	}
}

// sealUnseal seals size bytes through an io.Pipe into Unseal, as a sender
// posting to Fiks IO and a receiver reading the message would.
func sealUnseal(t testing.TB, size int64, keys ...crypto.Decrypter) (*asice.Container, error) {
	t.Helper()
	cert, _ := demo(t)
	s := signer(t)
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(asice.Seal(pw, cert, s,
			asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: strings.NewReader("<arkivmelding/>")},
			asice.File{Name: "stor.bin", Content: cmstest.Pattern(size)}))
	}()
	u := &asice.Unsealer{Keys: keys, TempDir: t.TempDir()}
	c, err := u.Unseal(pr)
	pr.CloseWithError(errors.New("done"))
	return c, err
}

func TestSealUnseal50MB(t *testing.T) {
	size := int64(50 << 20)
	if testing.Short() {
		size = 3 << 20
	}
	_, key := demo(t)
	old, _ := rsa.GenerateKey(rand.Reader, 2048)
	c, err := sealUnseal(t, size, old, key) // key rotation: the old key is tried first
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.Files) != 2 || c.Files[1].Size != size || !c.SignatureVerified {
		t.Fatalf("container %+v", c.Files)
	}
	rc, err := c.Open("stor.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if !sameStream(rc, cmstest.Pattern(size)) {
		t.Fatalf("the %d MB file came back changed", size>>20)
	}
}

func TestUnsealRejects(t *testing.T) {
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, err := sealUnseal(t, 10, other); !errors.Is(err, asice.ErrNoKey) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := sealUnseal(t, 10); !errors.Is(err, asice.ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	_, key := demo(t)
	u := &asice.Unsealer{Keys: []crypto.Decrypter{key}, TempDir: t.TempDir()}
	if _, err := u.Unseal(strings.NewReader("PK\x03\x04 plain ZIP")); !errors.Is(err, asice.ErrDecrypt) {
		t.Fatalf("not CMS: %v", err)
	}
	u.MaxSize = 1000
	cert, _ := demo(t)
	var buf bytes.Buffer
	if err := asice.Seal(&buf, cert, signer(t), asice.File{Name: "x", Content: cmstest.Pattern(5000)}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Unseal(&buf); !errors.Is(err, asice.ErrTooLarge) {
		t.Fatalf("over MaxSize: %v", err)
	}
	if left, _ := os.ReadDir(u.TempDir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestOpenRejectsXAdES(t *testing.T) {
	good := entries(t, vector(t, "xades-external-digidoc4j.asice"))
	edit := func(name string, f func([]byte) []byte) []byte {
		es := append([]entry(nil), good...)
		for i := range es {
			if es[i].name == name {
				es[i].body = f(es[i].body)
			}
		}
		return rezip(t, es)
	}
	cases := []rejectCase{
		{"rezipped unchanged opens", edit("test.txt", func(b []byte) []byte { return b }), nil, ""},
		{"changed file", edit("test.txt", func(b []byte) []byte { return append(b, '!') }), asice.ErrDigest, "test.txt"},
		{"reference to a missing file", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`URI="test.txt"`), []byte(`URI="test2.txt"`), 1)
		}), asice.ErrSignature, "META-INF/signatures0.xml"},
		{"no certificate", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte("ds:X509Certificate>"), []byte("ds:X509Something>"))
		}), asice.ErrSignature, "META-INF/signatures0.xml"},
		{"changed signed property", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte("2014-11-17T14:11:47Z"), []byte("2014-11-17T14:11:48Z"), 1)
		}), asice.ErrSignature, "META-INF/signatures0.xml"},
		{"changed signature value", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			i := bytes.Index(b, []byte("SignatureValue")) + 40
			b = bytes.Clone(b)
			b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
			return b
		}), asice.ErrSignature, "META-INF/signatures0.xml"},
		{"a second, forged SignedInfo", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<ds:SignedInfo>"), []byte(`<ds:SignedInfo><ds:Reference URI="x.txt"/></ds:SignedInfo><ds:SignedInfo>`), 1)
		}), asice.ErrManifest, "META-INF/signatures0.xml"},
		{"unknown canonicalization", edit("META-INF/signatures0.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>`), []byte(`<ds:CanonicalizationMethod Algorithm="urn:x"/>`), 1)
		}), asice.ErrUnsupported, "META-INF/signatures0.xml"},
		{"not XML", edit("META-INF/signatures0.xml", func([]byte) []byte { return []byte("<ds:Signature") }), asice.ErrManifest, "META-INF/signatures0.xml"},
	}
	runRejects(t, cases)
}

// rejectCase is a container Open must refuse with err, naming file if set.
type rejectCase struct {
	name string
	in   []byte
	err  error
	file string
}

func runRejects(t *testing.T, cases []rejectCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(c.in)
			if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			var fe *asice.FileError
			if c.file != "" && (!errors.As(err, &fe) || fe.Name != c.file) {
				t.Fatalf("err %v does not name %q", err, c.file)
			}
		})
	}
}
