// Package asice writes and reads ASiC-E containers (ETSI TS 102 918), the
// signed ZIP that KS Fiks IO carries between municipal systems, and seals
// them: encrypted as CMS EnvelopedData to the receiver's certificate.
//
// A container we write is CAdES, as KS' clients write it: `mimetype` first
// and stored, the files, META-INF/asicmanifest.xml with each file's SHA-256,
// and META-INF/signature.p7s, a detached CMS signature over the manifest
// made with a signing key separate from the encryption key. Everything
// streams: the sender's memory stays flat whatever the files' sizes.
//
//	signer := asice.Signer{Certificate: signCert, Key: signKey}
//	pr, pw := io.Pipe()
//	go func() {
//		pw.CloseWithError(asice.Seal(pw, receiverCert, signer,
//			asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: xmlReader},
//			asice.File{Name: "vedtak.pdf", MimeType: "application/pdf", Content: pdfFile}))
//	}()
//	// post pr as the message's data part
//
// The receiver decrypts into memory, or into a temporary file beyond
// Unsealer.MaxMemory (4 MiB by default), trying each of its keys,
// and verifies every digest and the signature before handing back a
// Container:
//
//	u := &asice.Unsealer{Keys: []crypto.Decrypter{newKey, oldKey}}
//	c, err := u.Unseal(body)
//	if err != nil { ... } // ErrNoKey, ErrDigest, ErrSignature, *FileError ...
//	defer c.Close()
//	rc, err := c.Open(c.Files[0].Name)
//
// Readers also accept XAdES containers (DSS, DigiDoc4j): each XML
// Signature is verified over its canonical SignedInfo (C14N 1.0, 1.1 or
// exclusive), with its signed properties and file digests. Whether to trust
// a signer's certificate (chain, validity, organisation number) is the
// caller's decision: Container.Signers gives them.
package asice
