package asice_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
	"github.com/grunnmur/grunnmur/internal/testheap"
)

// TestOpenSSLReadsSealedContainer: OpenSSL, an independent CMS
// implementation, decrypts a container we seal and verifies its signature
// over the manifest.
func TestOpenSSLReadsSealedContainer(t *testing.T) {
	bin := cmstest.OpenSSL(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string { return cmstest.WriteFile(t, dir, name, b) }
	cert, _ := demo(t)
	var sealed bytes.Buffer
	if err := asice.Seal(&sealed, cert, signer(t),
		asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: strings.NewReader("<arkivmelding/>")},
		asice.File{Name: "vedlegg.bin", Content: cmstest.Pattern(300_000)}); err != nil {
		t.Fatal(err)
	}
	zipBytes := cmstest.Run(t, bin, "cms", "-decrypt", "-binary", "-inform", "DER",
		"-in", write("payload.cms", sealed.Bytes()),
		"-inkey", write("key.pem", vector(t, "TEST-ONLY-fiks_demo_private.pem")),
		"-recip", write("cert.pem", vector(t, "TEST-ONLY-fiks_demo_public.pem")))
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		t.Fatalf("openssl's plaintext is not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
	}
	cmstest.Run(t, bin, "cms", "-verify", "-binary", "-inform", "DER", "-noverify", "-out", os.DevNull,
		"-in", write("signature.p7s", files["META-INF/signature.p7s"]),
		"-content", write("asicmanifest.xml", files["META-INF/asicmanifest.xml"]))
	// The manifest OpenSSL verified names the files by their SHA-256.
	sum := cmstest.Run(t, bin, "dgst", "-sha256", "-binary", write("vedlegg.bin", files["vedlegg.bin"]))
	if !bytes.Contains(files["META-INF/asicmanifest.xml"], []byte(b64(sum))) {
		t.Fatalf("the manifest lacks vedlegg.bin's digest:\n%s", files["META-INF/asicmanifest.xml"])
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		// The manifest is well-formed XML by an independent parser too.
		cmstest.Run(t, xmllint, "--noout", "--nonet", filepath.Join(dir, "asicmanifest.xml"))
	}
}

// TestSealUnseal200MBMemory: sealing and unsealing a 200 MB file grows the
// peak heap by less than 32 MiB; the container passes through a pipe and a
// temporary file, never memory.
func TestSealUnseal200MBMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("seals and unseals 200 MB")
	}
	size := int64(200 << 20)
	if raceEnabled {
		size = 24 << 20 // the race detector makes deflate and AES many times slower
	}
	_, key := demo(t)
	stop := testheap.Sample()
	c, err := sealUnseal(t, size, key)
	growth := stop()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Files[1].Size != size {
		t.Fatalf("files %+v", c.Files)
	}
	t.Logf("%d MB seal+unseal: peak HeapInuse growth %.2f MiB", size>>20, float64(growth)/(1<<20))
	if growth >= 32<<20 {
		t.Fatalf("peak heap growth %d bytes, want < 32 MiB", growth)
	}
}
