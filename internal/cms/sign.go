package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"slices"
	"time"
)

var (
	oidContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA1WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidRSAPSS           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECPublicKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidECDSAWithSHA1    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidEd25519Signature = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// Signer makes CMS signatures: the signing certificate and its key, which
// must be an RSA or ECDSA key. Now stamps signingTime; nil means time.Now.
type Signer struct {
	Certificate *x509.Certificate
	Key         crypto.Signer
	Now         func() time.Time
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue // SET OF, built by hand
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	Certificates asn1.RawValue `asn1:"optional,tag:0"`
	CRLs         asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos  asn1.RawValue
}

// SignDetached reads content and returns a DER CMS SignedData without the
// content (detached): SHA-256, with the signed attributes contentType,
// signingTime, messageDigest and signingCertificateV2 (CAdES-BES), and the
// signing certificate included.
func SignDetached(content io.Reader, s Signer) ([]byte, error) {
	if s.Certificate == nil || s.Key == nil {
		return nil, fmt.Errorf("%w: a signer needs a certificate and a key", ErrUnsupported)
	}
	var sigAlg pkix.AlgorithmIdentifier
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}
	default:
		return nil, fmt.Errorf("%w: signing key %T", ErrUnsupported, s.Key.Public())
	}
	h := sha256.New()
	if _, err := io.Copy(h, content); err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	certHash := sha256.Sum256(s.Certificate.Raw)
	type essCertIDv2 struct{ CertHash []byte }
	attrs := []struct {
		oid asn1.ObjectIdentifier
		val any
	}{
		{oidContentType, oidData},
		{oidSigningTime, now().UTC().Truncate(time.Second)},
		{oidMessageDigest, h.Sum(nil)},
		{oidSigningCertV2, struct{ Certs []essCertIDv2 }{[]essCertIDv2{{certHash[:]}}}},
	}
	var encoded [][]byte
	for _, a := range attrs {
		v, err := asn1.Marshal(a.val)
		if err != nil {
			return nil, err
		}
		der, err := asn1.Marshal(attribute{Type: a.oid, Values: asn1.RawValue{FullBytes: appendTLV(nil, 0x31, v)}})
		if err != nil {
			return nil, err
		}
		encoded = append(encoded, der)
	}
	slices.SortFunc(encoded, bytes.Compare) // DER orders a SET OF by encoding
	set := appendTLV(nil, 0x31, bytes.Join(encoded, nil))
	digest := sha256.Sum256(set)
	sig, err := s.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	sid, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: s.Certificate.RawIssuer}, SerialNumber: s.Certificate.SerialNumber})
	if err != nil {
		return nil, err
	}
	sha256ID := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	si, err := asn1.Marshal(signerInfo{
		Version:            1,
		SID:                asn1.RawValue{FullBytes: sid},
		DigestAlgorithm:    sha256ID,
		SignedAttrs:        asn1.RawValue{FullBytes: append([]byte{0xa0}, set[1:]...)},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	})
	if err != nil {
		return nil, err
	}
	digestAlgs, _ := asn1.Marshal(sha256ID)
	sd := signedData{
		Version:          1,
		DigestAlgorithms: asn1.RawValue{FullBytes: appendTLV(nil, 0x31, digestAlgs)},
		Certificates:     asn1.RawValue{FullBytes: appendTLV(nil, 0xa0, s.Certificate.Raw)},
		SignerInfos:      asn1.RawValue{FullBytes: appendTLV(nil, 0x31, si)},
	}
	sd.EncapContentInfo.EContentType = oidData
	sdDER, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	oid, _ := asn1.Marshal(oidSignedData)
	return appendTLV(nil, 0x30, append(oid, appendTLV(nil, 0xa0, sdDER)...)), nil
}

// maxSignature bounds a SignedData read by VerifyDetached.
const maxSignature = 4 << 20

// VerifyDetached checks a detached CMS SignedData (DER or BER) over the
// content: every signer info must verify, with the signing certificate
// taken from the certificates in the message. It returns the signers'
// certificates, first signer first. Whether to trust them (chain, validity
// dates, revocation) is the caller's decision: VerifyDetached checks only
// that the holder of each certificate's key signed this content.
func VerifyDetached(signature []byte, content io.Reader) ([]*x509.Certificate, error) {
	certs, infos, err := parseSignedData(signature)
	if err != nil {
		return nil, err
	}
	// Hash the content once with every digest the signers use.
	hashes := map[crypto.Hash][]byte{}
	for _, si := range infos {
		h, ok := hashFor(si.DigestAlgorithm.Algorithm)
		if !ok || si.DigestAlgorithm.Algorithm == nil {
			return nil, fmt.Errorf("%w: digest %v", ErrUnsupported, si.DigestAlgorithm.Algorithm)
		}
		hashes[h] = nil
	}
	var writers []io.Writer
	states := map[crypto.Hash]interface{ Sum([]byte) []byte }{}
	for h := range hashes {
		s := h.New()
		states[h] = s
		writers = append(writers, s)
	}
	if _, err := io.Copy(io.MultiWriter(writers...), content); err != nil {
		return nil, err
	}
	for h, s := range states {
		hashes[h] = s.Sum(nil)
	}
	var signers []*x509.Certificate
	for _, si := range infos {
		cert, err := findSigner(si.SID, certs)
		if err != nil {
			return nil, err
		}
		h, _ := hashFor(si.DigestAlgorithm.Algorithm)
		if err := verifySignerInfo(si, cert, h, hashes[h]); err != nil {
			return nil, err
		}
		signers = append(signers, cert)
	}
	return signers, nil
}

// parseSignedData reads a detached SignedData: its certificates and its
// signer infos.
func parseSignedData(signature []byte) ([]*x509.Certificate, []signerInfo, error) {
	if len(signature) > maxSignature {
		return nil, nil, fmt.Errorf("%w: signature of %d bytes", ErrMalformed, len(signature))
	}
	der, _, err := toDER(signature)
	if err != nil {
		return nil, nil, err
	}
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, nil, fmt.Errorf("%w: ContentInfo: %v", ErrMalformed, err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, nil, fmt.Errorf("%w: content type %v is not SignedData", ErrUnsupported, ci.ContentType)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, nil, fmt.Errorf("%w: SignedData: %v", ErrMalformed, err)
	}
	if len(sd.EncapContentInfo.EContent.Bytes) > 0 {
		return nil, nil, fmt.Errorf("%w: the SignedData is not detached", ErrUnsupported)
	}
	var certs []*x509.Certificate
	for rest := sd.Certificates.Bytes; len(rest) > 0; {
		var raw asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
			return nil, nil, fmt.Errorf("%w: certificates: %v", ErrMalformed, err)
		}
		if raw.Class != 0 || raw.Tag != asn1.TagSequence {
			continue // attribute certificates and others
		}
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: certificate: %v", ErrMalformed, err)
		}
		certs = append(certs, c)
	}
	var infos []signerInfo
	for rest := sd.SignerInfos.Bytes; len(rest) > 0; {
		var si signerInfo
		if rest, err = asn1.Unmarshal(rest, &si); err != nil {
			return nil, nil, fmt.Errorf("%w: signer info: %v", ErrMalformed, err)
		}
		infos = append(infos, si)
	}
	if len(infos) == 0 {
		return nil, nil, fmt.Errorf("%w: no signer", ErrSignature)
	}
	return certs, infos, nil
}

func findSigner(sid asn1.RawValue, certs []*x509.Certificate) (*x509.Certificate, error) {
	for _, c := range certs {
		switch {
		case sid.Class == 0 && sid.Tag == asn1.TagSequence:
			var ias struct {
				Issuer asn1.RawValue
				Serial *big.Int
			}
			if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
				return nil, fmt.Errorf("%w: signer identifier: %v", ErrMalformed, err)
			}
			if bytes.Equal(ias.Issuer.FullBytes, c.RawIssuer) && ias.Serial.Cmp(c.SerialNumber) == 0 {
				return c, nil
			}
		case sid.Class == 2 && sid.Tag == 0:
			if bytes.Equal(sid.Bytes, c.SubjectKeyId) {
				return c, nil
			}
		default:
			return nil, fmt.Errorf("%w: signer identifier", ErrMalformed)
		}
	}
	return nil, fmt.Errorf("%w: the signing certificate is not in the message", ErrSignature)
}

func verifySignerInfo(si signerInfo, cert *x509.Certificate, h crypto.Hash, contentDigest []byte) error {
	signed := contentDigest
	if len(si.SignedAttrs.FullBytes) > 0 {
		var digest []byte
		for rest := si.SignedAttrs.Bytes; len(rest) > 0; {
			var a attribute
			var err error
			if rest, err = asn1.Unmarshal(rest, &a); err != nil {
				return fmt.Errorf("%w: signed attribute: %v", ErrMalformed, err)
			}
			if a.Type.Equal(oidMessageDigest) {
				if _, err := asn1.Unmarshal(a.Values.Bytes, &digest); err != nil {
					return fmt.Errorf("%w: messageDigest: %v", ErrMalformed, err)
				}
			}
		}
		if !bytes.Equal(digest, contentDigest) {
			return fmt.Errorf("%w: the content does not match the signed digest", ErrSignature)
		}
		// The signature covers the attributes with their SET OF tag.
		set := append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
		d := h.New()
		d.Write(set)
		signed = d.Sum(nil)
	}
	var err error
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		alg := si.SignatureAlgorithm.Algorithm
		switch {
		case alg.Equal(oidRSAPSS):
			err = rsa.VerifyPSS(pub, h, signed, si.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		case alg.Equal(oidRSAEncryption), alg.Equal(oidSHA1WithRSA), alg.Equal(oidSHA256WithRSA),
			alg.Equal(oidSHA384WithRSA), alg.Equal(oidSHA512WithRSA):
			err = rsa.VerifyPKCS1v15(pub, h, signed, si.Signature)
		default:
			return fmt.Errorf("%w: signature algorithm %v", ErrUnsupported, alg)
		}
	case *ecdsa.PublicKey:
		alg := si.SignatureAlgorithm.Algorithm
		if !alg.Equal(oidECPublicKey) && !alg.Equal(oidECDSAWithSHA1) && !alg.Equal(oidECDSAWithSHA256) &&
			!alg.Equal(oidECDSAWithSHA384) && !alg.Equal(oidECDSAWithSHA512) {
			return fmt.Errorf("%w: signature algorithm %v", ErrUnsupported, alg)
		}
		if !ecdsa.VerifyASN1(pub, signed, si.Signature) {
			err = ErrSignature
		}
	case ed25519.PublicKey:
		return fmt.Errorf("%w: Ed25519 (%v)", ErrUnsupported, oidEd25519Signature)
	default:
		return fmt.Errorf("%w: signing key %T", ErrUnsupported, cert.PublicKey)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return nil
}
