package asice

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func seed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "fiks-io", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzReadASiCE feeds outside input to Open: a typed error or a container
// whose every file is signed, never a panic.
func FuzzReadASiCE(f *testing.F) {
	for _, name := range []string{"cades-valid.asice", "xades-external-dss.asice", "xades-external-digidoc4j.asice"} {
		f.Add(seed(f, name))
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			for _, s := range []error{ErrNotASiCE, ErrMissingFile, ErrExtraFile, ErrDigest, ErrSignature, ErrManifest, ErrUnsupported} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("untyped error %v", err)
		}
		if len(c.Files) == 0 || len(c.Signers) == 0 {
			t.Fatalf("opened with %d files and %d signers", len(c.Files), len(c.Signers))
		}
	})
}

// FuzzManifest feeds outside input to the manifest parsers: ASiCManifest,
// XAdES signatures (parsed, canonicalized and verified) and the
// OpenDocument manifest.
func FuzzManifest(f *testing.F) {
	var refs []reference
	for _, n := range []string{"a.xml", "b \"&<>.txt"} {
		refs = append(refs, reference{uri: n, mimeType: "text/xml", digest: make([]byte, 32)})
	}
	f.Add(writeManifest(refs))
	f.Add(signatureFile(f, "xades-external-dss.asice", "META-INF/signatures0.xml"))
	f.Add(signatureFile(f, "xades-external-digidoc4j.asice", "META-INF/signatures0.xml"))
	f.Add([]byte(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature><ds:SignedInfo><ds:Reference URI="t.txt"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue></ds:Reference></ds:SignedInfo></ds:Signature></asic:XAdESSignatures>`))
	f.Add([]byte(`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/></manifest:manifest>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		typed := func(err error) {
			if err != nil && !errors.Is(err, ErrManifest) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("untyped error %v", err)
			}
		}
		sig, refs, err := parseManifest(data)
		typed(err)
		if err == nil && sig == "" || err == nil && len(refs) == 0 {
			t.Fatal("a manifest without a signature or a file")
		}
		if err == nil && allSHA256(refs) {
			// What we write, we read back the same.
			for i := range refs {
				refs[i].hash = 0
			}
			_, again, err := parseManifest(writeManifest(refs))
			if err != nil || len(again) != len(refs) {
				t.Fatalf("rewritten manifest: %v", err)
			}
			for i := range refs {
				if again[i].uri != refs[i].uri || again[i].mimeType != refs[i].mimeType || !bytes.Equal(again[i].digest, refs[i].digest) {
					t.Fatalf("reference %d: %+v, want %+v", i, again[i], refs[i])
				}
			}
		}
		sigs, err := verifyXAdES(data)
		if err != nil && !errors.Is(err, ErrManifest) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrSignature) {
			t.Fatalf("untyped error %v", err)
		}
		for _, s := range sigs {
			if len(s.refs) == 0 || s.signer == nil {
				t.Fatal("a XAdES signature without a file or a signer")
			}
		}
		_, err = parseODFManifest(data)
		typed(err)
	})
}

func allSHA256(refs []reference) bool {
	for _, r := range refs {
		if len(r.digest) != 32 {
			return false
		}
	}
	return true
}
