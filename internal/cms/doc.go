// Package cms reads and writes the parts of CMS (RFC 5652) that KS' services
// use: EnvelopedData to carry a payload to one receiver (Fiks IO, SvarInn),
// and detached SignedData to sign an ASiC-E manifest (CAdES). It is shared by
// svarut and fiksio/asice, so that the one parser of this outside input is
// written, fuzzed and fixed once.
//
// Encryption and decryption stream: memory stays at one chunk whatever the
// size of the payload.
//
//	w, err := cms.Encrypt(dst, receiverCert) // RSA-OAEP SHA-256, AES-256-CBC
//	if err != nil { ... }
//	io.Copy(w, payload)
//	err = w.Close()
//
//	// The receiver tries each of its keys: the new one, then the old one.
//	n, err := cms.Decrypt(out, src, maxSize, cms.Key{Private: newKey}, cms.Key{Private: oldKey})
//	switch {
//	case errors.Is(err, cms.ErrNoKey): // encrypted to someone else
//	case errors.Is(err, cms.ErrMalformed), errors.Is(err, cms.ErrUnsupported):
//	}
//
//	sig, err := cms.SignDetached(bytes.NewReader(manifest), cms.Signer{Certificate: c, Key: k})
//	signers, err := cms.VerifyDetached(sig, bytes.NewReader(manifest)) // ErrSignature if not
//
// smallstep/pkcs7 and OpenSSL are the independent references in the tests.
package cms
