package asice_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/fiksio/asice"
)

// selfSigned makes a key and a certificate for the examples.
func selfSigned(cn string) (*x509.Certificate, *rsa.PrivateKey) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func Example_seal() {
	receiverCert, receiverKey := selfSigned("arkivet")
	signCert, signKey := selfSigned("Grunnmur kommune")
	signer := asice.Signer{Certificate: signCert, Key: signKey}

	// The sender streams the container, encrypting as it goes, into a pipe
	// whose other end is the HTTP body.
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(asice.Seal(pw, receiverCert, signer,
			asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: strings.NewReader("<arkivmelding/>")}))
	}()

	// The receiver decrypts and verifies.
	u := &asice.Unsealer{Keys: []crypto.Decrypter{receiverKey}}
	c, err := u.Unseal(pr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	rc, _ := c.Open(c.Files[0].Name)
	body, _ := io.ReadAll(rc)
	fmt.Println(c.Format, c.Signers[0].Subject.CommonName, c.Files[0].Name, string(body))
	// Output: CAdES Grunnmur kommune arkivmelding.xml <arkivmelding/>
}

func ExampleOpen() {
	signCert, signKey := selfSigned("Grunnmur kommune")
	var zip bytes.Buffer
	err := asice.Write(&zip, asice.Signer{Certificate: signCert, Key: signKey},
		asice.File{Name: "melding.txt", MimeType: "text/plain", Content: strings.NewReader("hei")})
	if err != nil {
		panic(err)
	}
	c, err := asice.Open(bytes.NewReader(zip.Bytes()), int64(zip.Len()))
	fmt.Println(c.Files, c.SignatureVerified, err)

	// What is not an ASiC-E says so.
	_, err = asice.Open(strings.NewReader("%PDF-1.7"), 8)
	fmt.Println(errors.Is(err, asice.ErrNotASiCE))
	// Output:
	// [{melding.txt text/plain 3}] true <nil>
	// true
}
