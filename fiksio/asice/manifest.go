package asice

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
)

const (
	mediaType      = "application/vnd.etsi.asic-e+zip"
	nsASiC         = "http://uri.etsi.org/2918/v1.2.1#"
	nsDSig         = "http://www.w3.org/2000/09/xmldsig#"
	nsODF          = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
	digestSHA256   = "http://www.w3.org/2001/04/xmlenc#sha256"
	manifestName   = "META-INF/asicmanifest.xml"
	signatureName  = "META-INF/signature.p7s"
	signatureMedia = "application/x-pkcs7-signature"
)

// digestAlgorithms maps the XML Signature digest URIs to hashes. The
// xmldsig#sha256 spelling is not in the standard, but commons-asic wrote it
// (KS' cades-valid.asice has it).
var digestAlgorithms = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2000/09/xmldsig#sha256":      crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// reference is one signed file: its name, media type and digest.
type reference struct {
	uri, mimeType string
	hash          crypto.Hash
	digest        []byte
}

type digestXML struct {
	DigestMethod struct {
		Algorithm string `xml:"Algorithm,attr"`
	} `xml:"http://www.w3.org/2000/09/xmldsig# DigestMethod"`
	DigestValue string `xml:"http://www.w3.org/2000/09/xmldsig# DigestValue"`
}

func (d digestXML) reference(uri, mimeType string) (reference, error) {
	r := reference{uri: uri, mimeType: mimeType}
	if uri == "" {
		return r, fmt.Errorf("%w: a reference without a URI", ErrManifest)
	}
	h, ok := digestAlgorithms[strings.TrimSpace(d.DigestMethod.Algorithm)]
	if !ok {
		return r, fmt.Errorf("%w: digest method %q", ErrUnsupported, d.DigestMethod.Algorithm)
	}
	v, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(d.DigestValue), ""))
	if err != nil || len(v) != h.Size() {
		return r, fmt.Errorf("%w: digest value of %q", ErrManifest, uri)
	}
	r.hash, r.digest = h, v
	return r, nil
}

// asicManifest is the CAdES manifest of ETSI TS 102 918.
type asicManifest struct {
	XMLName      xml.Name `xml:"http://uri.etsi.org/2918/v1.2.1# ASiCManifest"`
	SigReference struct {
		URI      string `xml:"URI,attr"`
		MimeType string `xml:"MimeType,attr"`
	} `xml:"http://uri.etsi.org/2918/v1.2.1# SigReference"`
	Refs []struct {
		URI      string `xml:"URI,attr"`
		MimeType string `xml:"MimeType,attr"`
		digestXML
	} `xml:"http://uri.etsi.org/2918/v1.2.1# DataObjectReference"`
}

// parseManifest reads an ASiCManifest: the signature file it belongs to,
// and the files it covers.
func parseManifest(b []byte) (sigRef string, refs []reference, err error) {
	var m asicManifest
	if err := xml.Unmarshal(b, &m); err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if m.SigReference.URI == "" {
		return "", nil, fmt.Errorf("%w: no SigReference", ErrManifest)
	}
	for _, x := range m.Refs {
		r, err := x.reference(x.URI, x.MimeType)
		if err != nil {
			return "", nil, err
		}
		refs = append(refs, r)
	}
	if len(refs) == 0 {
		return "", nil, fmt.Errorf("%w: no DataObjectReference", ErrManifest)
	}
	return m.SigReference.URI, refs, nil
}

// writeManifest encodes the ASiCManifest for the files, as commons-asic
// lays it out.
func writeManifest(refs []reference) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<ASiCManifest xmlns="` + nsASiC + `" xmlns:ns2="` + nsDSig + `">` + "\n")
	b.WriteString(`    <SigReference URI="` + signatureName + `" MimeType="` + signatureMedia + `"/>` + "\n")
	for _, r := range refs {
		b.WriteString(`    <DataObjectReference URI="` + attr(r.uri) + `" MimeType="` + attr(r.mimeType) + `">` + "\n")
		b.WriteString(`        <ns2:DigestMethod Algorithm="` + digestSHA256 + `"/>` + "\n")
		b.WriteString(`        <ns2:DigestValue>` + base64.StdEncoding.EncodeToString(r.digest) + `</ns2:DigestValue>` + "\n")
		b.WriteString("    </DataObjectReference>\n")
	}
	b.WriteString("</ASiCManifest>\n")
	return b.Bytes()
}

func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // escapes quotes, tabs and newlines too
	return b.String()
}

// odfManifest is META-INF/manifest.xml (OpenDocument), which XAdES
// containers carry for the files' media types.
type odfManifest struct {
	Entries []struct {
		Path      string `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 full-path,attr"`
		MediaType string `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 media-type,attr"`
	} `xml:"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0 file-entry"`
}

func parseODFManifest(b []byte) (map[string]string, error) {
	var m odfManifest
	if err := xml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: META-INF/manifest.xml: %v", ErrManifest, err)
	}
	types := map[string]string{}
	for _, e := range m.Entries {
		types[e.Path] = e.MediaType
	}
	return types, nil
}
