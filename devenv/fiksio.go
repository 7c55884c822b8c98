package devenv

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/secret"
)

// DefaultBrokerURL is the RabbitMQ a developer's machine runs (DESIGN.md),
// which `grunnmur dev` hands the Fiks IO fake unless told otherwise.
const DefaultBrokerURL = "amqp://guest:guest@127.0.0.1:5672/"

// The Fiks IO integration the sandbox registers. The account (KontoID) is
// new on every start instead: its queue lives on a broker that other
// sandboxes, tests and a killed earlier run may share.
const (
	FiksIOIntegrasjonID      = "5b0f3c1e-9a2d-4c7e-8f61-3d2a7b9c4e15"
	FiksIOIntegrasjonPassord = "grunnmur-dev-fiksio-passord"
)

// ErrNoBroker: the Fiks IO fake was not started because it has no
// RabbitMQ (none configured, or none reachable). Env.FiksIOUnavailable
// wraps it and says which.
var ErrNoBroker = errors.New("devenv: the Fiks IO fake needs a RabbitMQ")

// FiksIOClient are the fake Fiks IO's account and integration, and the
// files holding the account's keys.
type FiksIOClient struct {
	BaseURL            string `json:"baseUrl"`
	AMQPURL            string `json:"amqpUrl"`
	KontoID            string `json:"kontoId"`
	IntegrasjonID      string `json:"integrasjonId"`
	IntegrasjonPassord string `json:"integrasjonPassord"`
	// PrivateKeyFile decrypts what the account receives (PEM, PKCS #8);
	// the katalog serves its certificate.
	PrivateKeyFile string `json:"privateKeyFile"`
	// SigningKeyFile (PEM, PKCS #8) and SigningCertFile (PEM) sign the
	// containers the account sends.
	SigningKeyFile  string `json:"signingKeyFile"`
	SigningCertFile string `json:"signingCertFile"`
}

// startFiksIO starts the fake Fiks IO on the broker o.BrokerURL, its REST
// side to be served on lns[0] and its AMQP side on lns[1], with one account
// of the agency. Without a broker (and then without listeners when none is
// configured) it closes them and records why in e.FiksIOUnavailable: the
// other fakes do not need it.
func (e *Env) startFiksIO(ctx context.Context, o Options, lns []net.Listener) (http.Handler, error) {
	if o.BrokerURL == "" {
		e.FiksIOUnavailable = fmt.Errorf("%w: none configured", ErrNoBroker)
		return nil, nil
	}
	api, amqpLn := lns[0], lns[1]
	fail := func(err error) (http.Handler, error) {
		api.Close()
		amqpLn.Close()
		return nil, err
	}
	bu, err := url.Parse(o.BrokerURL)
	if err != nil || bu.Scheme != "amqp" || bu.Host == "" {
		return fail(fmt.Errorf("devenv: the broker URL must be amqp://host:port/"))
	}
	host := bu.Host
	if bu.Port() == "" {
		host = net.JoinHostPort(bu.Hostname(), "5672")
	}
	// A broker that is down is an ordinary state of a developer's machine:
	// say so and go on. Dial it first so that ctx bounds the wait.
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", host)
	if err != nil {
		e.FiksIOUnavailable = fmt.Errorf("%w: none reachable at %s (start it with `rabbitmq-server -detached`)", ErrNoBroker, host)
		return fail(nil)
	}
	conn.Close()

	fk := fiksiotest.New(fiksiotest.Config{
		BrokerURL: o.BrokerURL, Maskinporten: e.IDPorten, Listener: amqpLn, Now: o.Now, Logger: o.Logger,
	})
	if err := fk.Start(ctx); err != nil {
		api.Close()
		// Start closed amqpLn; the message names host, never the password.
		e.FiksIOUnavailable = fmt.Errorf("%w: the one at %s refused the fake: %w", ErrNoBroker, host, err)
		return nil, nil
	}
	c, err := e.fiksioAccount(ctx, o, fk, "http://"+api.Addr().String())
	if err != nil {
		fk.Close()
		api.Close()
		return nil, err
	}
	e.FiksIO = fk
	e.Credentials.FiksIO = c
	return withHealth(fk), nil
}

// fiksioAccount registers the agency's account in fk, with a fresh
// encryption key pair and a fresh signing key pair written to the key
// folder, and returns its credentials.
func (e *Env) fiksioAccount(ctx context.Context, o Options, fk *fiksiotest.Server, base string) (FiksIOClient, error) {
	encKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return FiksIOClient{}, fmt.Errorf("devenv: %w", err)
	}
	signKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return FiksIOClient{}, fmt.Errorf("devenv: %w", err)
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	encCert, err := selfSigned(encKey, "grunnmur dev Fiks IO", now)
	if err != nil {
		return FiksIOClient{}, err
	}
	signCert, err := selfSigned(signKey, "grunnmur dev Fiks IO signing", now)
	if err != nil {
		return FiksIOClient{}, err
	}
	a, err := fk.AddAccount(ctx, fiksiotest.Account{
		KontoNavn: "grunnmur dev", FiksOrgNavn: "grunnmur dev", FiksOrgID: uuid.New(),
		OrgNr: AgencyOrgnr, Certificate: encCert,
		IntegrasjonID: uuid.MustParse(FiksIOIntegrasjonID), IntegrasjonPassord: secret.New(FiksIOIntegrasjonPassord),
	})
	if err != nil {
		return FiksIOClient{}, fmt.Errorf("devenv: %w", err)
	}
	c := FiksIOClient{BaseURL: base, AMQPURL: fk.AMQPURL(), KontoID: a.KontoID.String(),
		IntegrasjonID: FiksIOIntegrasjonID, IntegrasjonPassord: FiksIOIntegrasjonPassord}
	if c.PrivateKeyFile, err = e.writeKey(o.Dir, "fiksio-key.pem", encKey); err != nil {
		return FiksIOClient{}, err
	}
	if c.SigningKeyFile, err = e.writeKey(o.Dir, "fiksio-signing-key.pem", signKey); err != nil {
		return FiksIOClient{}, err
	}
	c.SigningCertFile = filepath.Join(filepath.Dir(c.SigningKeyFile), "fiksio-signing-cert.pem")
	if err := os.WriteFile(c.SigningCertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: signCert.Raw}), 0o600); err != nil {
		return FiksIOClient{}, fmt.Errorf("devenv: %w", err)
	}
	e.fiksioKey, e.fiksioSigner = encKey, asice.Signer{Certificate: signCert, Key: signKey}
	return c, nil
}

// selfSigned makes a certificate for key valid from an hour before now
// for a year: what a Fiks IO account without a business certificate
// registers.
func selfSigned(key *rsa.PrivateKey, cn string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("devenv: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"grunnmur dev"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("devenv: %w", err)
	}
	return x509.ParseCertificate(der)
}

// fiksioVars are the GRUNNMUR_FIKSIO_* variables, when the fake runs.
func (e *Env) fiksioVars(m map[string]string) {
	if e.FiksIO == nil {
		return
	}
	c := e.Credentials.FiksIO
	for k, v := range map[string]string{
		"BASE_URL": c.BaseURL, "AMQP_URL": c.AMQPURL, "KONTO_ID": c.KontoID,
		"INTEGRASJON_ID": c.IntegrasjonID, "INTEGRASJON_PASSORD": c.IntegrasjonPassord,
		"PRIVATE_KEY_FILE": c.PrivateKeyFile, "SIGNING_KEY_FILE": c.SigningKeyFile, "SIGNING_CERT_FILE": c.SigningCertFile,
	} {
		m["GRUNNMUR_FIKSIO_"+k] = v
	}
}

// FiksIOConfig returns a fiksio.Config for the sandbox's account, with a
// Maskinporten token source for scope ks:fiks, the account's key and its
// signer: a client that can send to itself and read what it gets.
func (e *Env) FiksIOConfig(hc *http.Client) (fiksio.Config, error) {
	if e.FiksIO == nil {
		return fiksio.Config{}, e.FiksIOUnavailable
	}
	ts, err := e.MaskinportenSource(hc, fiksio.Scope)
	if err != nil {
		return fiksio.Config{}, err
	}
	c := e.Credentials.FiksIO
	return fiksio.Config{
		BaseURL: c.BaseURL, AMQPURL: c.AMQPURL, AllowPlainAMQP: true,
		KontoID: c.KontoID, IntegrasjonID: c.IntegrasjonID, IntegrasjonPassord: secret.New(c.IntegrasjonPassord),
		Maskinporten: ts, HTTPClient: hc, Now: e.now,
		Keys: []crypto.Decrypter{e.fiksioKey}, Signer: e.fiksioSigner,
	}, nil
}
