package asice

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// XAdES signatures are XML Signatures: the signature value covers the
// canonical form (C14N) of ds:SignedInfo, whose references cover the files
// and, by "#id", the signed properties inside the same document. This file
// reads a XAdES signature file with etree, canonicalizes what is signed,
// and verifies it. Everything signed is taken from the one parse, so that
// what is verified is what is used (no signature wrapping).

const (
	c14n10  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	c14n11  = "http://www.w3.org/2006/12/xml-c14n11"
	excC14n = "http://www.w3.org/2001/10/xml-exc-c14n#"
)

var signatureMethods = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":          crypto.SHA1,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":   crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":   crypto.SHA384,
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":   crypto.SHA512,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": crypto.SHA512,
}

// xadesSignature is one verified ds:Signature: its file references and
// the certificate whose key made it.
type xadesSignature struct {
	refs   []reference
	signer *x509.Certificate
}

// child returns the one child of e in namespace ns named tag; none or
// several is an error.
func child(e *etree.Element, ns, tag string) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			if found != nil {
				return nil, fmt.Errorf("%w: two %s in %s", ErrManifest, tag, e.Tag)
			}
			found = c
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: no %s in %s", ErrManifest, tag, e.Tag)
	}
	return found, nil
}

func children(e *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func algorithm(e *etree.Element, tag string) (string, error) {
	c, err := child(e, nsDSig, tag)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(c.SelectAttrValue("Algorithm", "")), nil
}

func base64Text(e *etree.Element) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(e.Text()), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrManifest, e.Tag, err)
	}
	return b, nil
}

// verifyXAdES parses a XAdES signature file and verifies each ds:Signature
// in it: the signature value over the canonical SignedInfo with the key of
// a certificate in its KeyInfo, and the digests of the references inside
// the document. The references to files are returned for the caller to
// check against the container.
func verifyXAdES(b []byte) ([]xadesSignature, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("%w: empty document", ErrManifest)
	}
	sigs := children(root, nsDSig, "Signature")
	if root.Tag == "Signature" && root.NamespaceURI() == nsDSig {
		sigs = []*etree.Element{root}
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: no ds:Signature", ErrManifest)
	}
	ids := map[string]*etree.Element{}
	dupIDs := map[string]bool{}
	var index func(e *etree.Element)
	index = func(e *etree.Element) {
		for _, a := range e.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") {
				if _, dup := ids[a.Value]; dup {
					dupIDs[a.Value] = true
				}
				ids[a.Value] = e
			}
		}
		for _, c := range e.ChildElements() {
			index(c)
		}
	}
	index(root)
	var out []xadesSignature
	for _, sig := range sigs {
		s, err := verifyOne(sig, ids, dupIDs)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func verifyOne(sig *etree.Element, ids map[string]*etree.Element, dupIDs map[string]bool) (xadesSignature, error) {
	var s xadesSignature
	si, err := child(sig, nsDSig, "SignedInfo")
	if err != nil {
		return s, err
	}
	if s.signer, err = verifySignedInfo(sig, si); err != nil {
		return s, err
	}
	for _, ref := range children(si, nsDSig, "Reference") {
		uri := ref.SelectAttrValue("URI", "")
		dv, err := child(ref, nsDSig, "DigestValue")
		if err != nil {
			return s, err
		}
		dm, err := algorithm(ref, "DigestMethod")
		if err != nil {
			return s, err
		}
		r, err := digestXML{DigestMethod: struct {
			Algorithm string `xml:"Algorithm,attr"`
		}{dm}, DigestValue: dv.Text()}.reference(uri, "")
		if err != nil {
			return s, err
		}
		if !strings.HasPrefix(uri, "#") {
			if t := children(ref, nsDSig, "Transforms"); len(t) > 0 {
				return s, fmt.Errorf("%w: transforms on the file reference %q", ErrUnsupported, uri)
			}
			s.refs = append(s.refs, r)
			continue
		}
		if err := checkSameDocument(ref, r, ids, dupIDs); err != nil {
			return s, err
		}
	}
	if len(s.refs) == 0 {
		return s, fmt.Errorf("%w: the XAdES signature covers no file", ErrManifest)
	}
	return s, nil
}

// verifySignedInfo checks the signature value over the canonical
// SignedInfo and returns the certificate in KeyInfo whose key made it.
func verifySignedInfo(sig, si *etree.Element) (*x509.Certificate, error) {
	c14nAlg, err := algorithm(si, "CanonicalizationMethod")
	if err != nil {
		return nil, err
	}
	sigAlg, err := algorithm(si, "SignatureMethod")
	if err != nil {
		return nil, err
	}
	h, ok := signatureMethods[sigAlg]
	if !ok {
		return nil, fmt.Errorf("%w: signature method %q", ErrUnsupported, sigAlg)
	}
	sv, err := child(sig, nsDSig, "SignatureValue")
	if err != nil {
		return nil, err
	}
	value, err := base64Text(sv)
	if err != nil {
		return nil, err
	}
	canonical, err := canonicalize(si, c14nAlg, nil)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(canonical)
	digest := d.Sum(nil)
	ki, err := child(sig, nsDSig, "KeyInfo")
	if err != nil {
		return nil, err
	}
	for _, xd := range children(ki, nsDSig, "X509Data") {
		for _, xc := range children(xd, nsDSig, "X509Certificate") {
			der, err := base64Text(xc)
			if err != nil {
				return nil, err
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("%w: X509Certificate: %v", ErrManifest, err)
			}
			if verifyValue(cert, h, digest, value, sigAlg) {
				return cert, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: no certificate in KeyInfo verifies the XAdES signature value", ErrSignature)
}

// checkSameDocument checks the digest of a reference to an element of the
// signature file itself (the signed properties), after its one transform.
func checkSameDocument(ref *etree.Element, r reference, ids map[string]*etree.Element, dupIDs map[string]bool) error {
	id := r.uri[1:]
	target, ok := ids[id]
	if !ok || dupIDs[id] {
		return fmt.Errorf("%w: the signed element %q is missing or not unique", ErrSignature, r.uri)
	}
	alg := c14n10 // XML Signature's default for a same-document reference
	var prefixes []string
	if ts := children(ref, nsDSig, "Transforms"); len(ts) > 0 {
		list := children(ts[0], nsDSig, "Transform")
		if len(ts) != 1 || len(list) != 1 {
			return fmt.Errorf("%w: a chain of transforms on %q", ErrUnsupported, r.uri)
		}
		alg = strings.TrimSpace(list[0].SelectAttrValue("Algorithm", ""))
		for _, in := range list[0].ChildElements() {
			if in.Tag == "InclusiveNamespaces" {
				prefixes = strings.Fields(in.SelectAttrValue("PrefixList", ""))
			}
		}
	}
	c, err := canonicalize(target, alg, prefixes)
	if err != nil {
		return err
	}
	d := r.hash.New()
	d.Write(c)
	if !bytes.Equal(d.Sum(nil), r.digest) {
		return fmt.Errorf("%w: the digest of %q", ErrSignature, r.uri)
	}
	return nil
}

func verifyValue(cert *x509.Certificate, h crypto.Hash, digest, value []byte, alg string) bool {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return strings.Contains(alg, "#rsa-") && rsa.VerifyPKCS1v15(pub, h, digest, value) == nil
	case *ecdsa.PublicKey:
		// XML Signature's ECDSA value is r and s side by side, not ASN.1.
		if !strings.Contains(alg, "#ecdsa-") || len(value)%2 != 0 {
			return false
		}
		r := new(big.Int).SetBytes(value[:len(value)/2])
		sv := new(big.Int).SetBytes(value[len(value)/2:])
		return ecdsa.Verify(pub, digest, r, sv)
	}
	return false
}

// canonicalize writes the canonical form of the subtree at e (comments
// left out): inclusive C14N 1.0 or 1.1, or exclusive C14N with the
// InclusiveNamespaces prefixes.
func canonicalize(e *etree.Element, alg string, inclusive []string) ([]byte, error) {
	exclusive := false
	switch alg {
	case c14n10, c14n11:
	case excC14n:
		exclusive = true
	default:
		return nil, fmt.Errorf("%w: canonicalization %q", ErrUnsupported, alg)
	}
	// The namespaces in scope at e, from its ancestors.
	var chain []*etree.Element
	for p := e.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	inScope := map[string]string{}
	for _, p := range slices.Backward(chain) {
		declare(inScope, p)
	}
	var b bytes.Buffer
	c := &canonicalizer{b: &b, exclusive: exclusive, inclusive: inclusive}
	c.element(e, inScope, map[string]string{"": ""})
	return b.Bytes(), nil
}

// declare adds e's namespace declarations to scope.
func declare(scope map[string]string, e *etree.Element) {
	for _, a := range e.Attr {
		switch {
		case a.Space == "" && a.Key == "xmlns":
			scope[""] = a.Value
		case a.Space == "xmlns":
			scope[a.Key] = a.Value
		}
	}
}

type canonicalizer struct {
	b         *bytes.Buffer
	exclusive bool
	inclusive []string
}

func (c *canonicalizer) element(e *etree.Element, parentScope, rendered map[string]string) {
	scope := maps(parentScope)
	declare(scope, e)
	var attrs []etree.Attr
	for _, a := range e.Attr {
		if a.Space != "xmlns" && (a.Space != "" || a.Key != "xmlns") {
			attrs = append(attrs, a)
		}
	}
	prefixes := c.namespaces(e, attrs, scope, rendered)
	next := maps(rendered)
	name := e.Tag
	if e.Space != "" {
		name = e.Space + ":" + e.Tag
	}
	c.b.WriteString("<" + name)
	for _, p := range prefixes {
		if p == "" {
			c.b.WriteString(` xmlns="`)
		} else {
			c.b.WriteString(" xmlns:" + p + `="`)
		}
		escapeAttr(c.b, scope[p])
		c.b.WriteByte('"')
		next[p] = scope[p]
	}
	for _, a := range sortAttrs(attrs, scope) {
		c.b.WriteByte(' ')
		if a.Space != "" {
			c.b.WriteString(a.Space + ":")
		}
		c.b.WriteString(a.Key + `="`)
		escapeAttr(c.b, a.Value)
		c.b.WriteByte('"')
	}
	c.b.WriteByte('>')
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			c.element(t, scope, next)
		case *etree.CharData:
			escapeText(c.b, t.Data)
		case *etree.ProcInst:
			c.b.WriteString("<?" + t.Target)
			if t.Inst != "" {
				c.b.WriteString(" " + t.Inst)
			}
			c.b.WriteString("?>")
		}
	}
	c.b.WriteString("</" + name + ">")
}

// namespaces returns the prefixes whose declarations e shows, sorted:
// inclusive C14N shows every one in scope not shown by an output
// ancestor; exclusive only those e or its attributes use, and the
// InclusiveNamespaces.
func (c *canonicalizer) namespaces(e *etree.Element, attrs []etree.Attr, scope, rendered map[string]string) []string {
	utilized := map[string]bool{e.Space: true}
	for _, a := range attrs {
		if a.Space != "" {
			utilized[a.Space] = true
		}
	}
	var prefixes []string
	for p := range scope {
		if p == "xml" {
			continue
		}
		show := !c.exclusive || utilized[p] || slices.Contains(c.inclusive, p) || (p == "" && slices.Contains(c.inclusive, "#default"))
		if !show {
			continue
		}
		if r, ok := rendered[p]; (ok && r == scope[p]) || (!ok && p == "" && scope[p] == "") {
			continue
		}
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	return prefixes
}

// sortAttrs orders attributes by namespace URI, then local name.
func sortAttrs(attrs []etree.Attr, scope map[string]string) []etree.Attr {
	uri := func(a etree.Attr) string {
		switch a.Space {
		case "":
			return ""
		case "xml":
			return "http://www.w3.org/XML/1998/namespace"
		}
		return scope[a.Space]
	}
	slices.SortFunc(attrs, func(x, y etree.Attr) int {
		if k := strings.Compare(uri(x), uri(y)); k != 0 {
			return k
		}
		return strings.Compare(x.Key, y.Key)
	})
	return attrs
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func escapeText(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
}

func escapeAttr(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
}
