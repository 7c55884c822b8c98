package asice

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"
)

func signatureFile(t testing.TB, vector, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fiks-io", vector))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(rc)
	return out
}

func TestVerifyXAdESVectors(t *testing.T) {
	for _, v := range []string{"xades-external-dss.asice", "xades-external-digidoc4j.asice"} {
		sigs, err := verifyXAdES(signatureFile(t, v, "META-INF/signatures0.xml"))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		t.Logf("%s: %d signatures, signer %s, %d files", v, len(sigs), sigs[0].signer.Subject, len(sigs[0].refs))
	}
}

// TestCanonicalize checks the three canonical forms on one document:
// namespaces from the ancestors (all of them, or only those used), sorted
// attributes, expanded empty elements and escaping.
func TestCanonicalize(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<r xmlns="urn:d" xmlns:a="urn:a" xmlns:z="urn:z"><a:e z:k="1" b="x&#9;&quot;" a="&lt;"><f/>t&amp;&#13;&gt;</a:e></r>`); err != nil {
		t.Fatal(err)
	}
	e := doc.Root().ChildElements()[0]
	cases := map[string]string{
		c14n10:  `<a:e xmlns="urn:d" xmlns:a="urn:a" xmlns:z="urn:z" a="&lt;" b="x&#x9;&quot;" z:k="1"><f></f>t&amp;&#xD;&gt;</a:e>`,
		c14n11:  `<a:e xmlns="urn:d" xmlns:a="urn:a" xmlns:z="urn:z" a="&lt;" b="x&#x9;&quot;" z:k="1"><f></f>t&amp;&#xD;&gt;</a:e>`,
		excC14n: `<a:e xmlns:a="urn:a" xmlns:z="urn:z" a="&lt;" b="x&#x9;&quot;" z:k="1"><f xmlns="urn:d"></f>t&amp;&#xD;&gt;</a:e>`,
	}
	for alg, want := range cases {
		got, err := canonicalize(e, alg, nil)
		if err != nil || string(got) != want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", alg, got, err, want)
		}
	}
	if _, err := canonicalize(e, "urn:other", nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown algorithm: %v", err)
	}
}
