package cms_test

import (
	"bytes"
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

	"github.com/grunnmur/grunnmur/internal/cms"
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

func Example() {
	cert, key := selfSigned("mottaker")

	// The sender streams the payload into the EnvelopedData.
	var sealed bytes.Buffer
	w, err := cms.Encrypt(&sealed, cert)
	if err != nil {
		panic(err)
	}
	io.Copy(w, strings.NewReader("arkivmelding.xml ..."))
	if err := w.Close(); err != nil {
		panic(err)
	}

	// The receiver tries a rotated-out key first, then the current one.
	old, _ := rsa.GenerateKey(rand.Reader, 2048)
	var out bytes.Buffer
	_, err = cms.Decrypt(&out, &sealed, 5<<30, cms.Key{Private: old}, cms.Key{Private: key})
	fmt.Println(out.String(), err)

	_, err = cms.Decrypt(io.Discard, strings.NewReader("not CMS"), 0, cms.Key{Private: key})
	fmt.Println(errors.Is(err, cms.ErrMalformed))
	// Output:
	// arkivmelding.xml ... <nil>
	// true
}

func ExampleSignDetached() {
	cert, key := selfSigned("Kommune AS")

	manifest := []byte("<ASiCManifest/>")
	sig, err := cms.SignDetached(bytes.NewReader(manifest), cms.Signer{Certificate: cert, Key: key})
	if err != nil {
		panic(err)
	}
	signers, err := cms.VerifyDetached(sig, bytes.NewReader(manifest))
	fmt.Println(signers[0].Subject.CommonName, err)
	_, err = cms.VerifyDetached(sig, strings.NewReader("<ASiCManifest>changed</ASiCManifest>"))
	fmt.Println(errors.Is(err, cms.ErrSignature))
	// Output:
	// Kommune AS <nil>
	// true
}
