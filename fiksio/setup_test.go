package fiksio_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/secret"
)

// env is one test's fake Fiks IO on the real broker; its accounts' queues
// are its own (fresh UUIDs), so tests and packages run in parallel.
type env struct {
	t    testing.TB
	mp   *idportentest.Server
	fake *fiksiotest.Server
	api  *httptest.Server
}

func setup(t testing.TB, mod func(*fiksiotest.Config)) *env {
	t.Helper()
	brokerURL := testenv.AMQPURL(t)
	mp := idportentest.New(idportentest.Config{})
	mpSrv := httptest.NewServer(mp)
	t.Cleanup(mpSrv.Close)
	mp.SetBaseURL(mpSrv.URL)
	cfg := fiksiotest.Config{BrokerURL: brokerURL, Maskinporten: mp}
	if mod != nil {
		mod(&cfg)
	}
	fk := fiksiotest.New(cfg)
	if err := fk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := fk.Close(); err != nil {
			t.Errorf("closing the fake: %v", err)
		}
	})
	api := httptest.NewServer(fk)
	t.Cleanup(api.Close)
	return &env{t: t, mp: mp, fake: fk, api: api}
}

var (
	certOnce sync.Once
	certKey  *rsa.PrivateKey
	certDER  []byte
)

// testCert is a receiver certificate valid 2020..2040.
func testCert(t testing.TB) *x509.Certificate {
	certOnce.Do(func() {
		certKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "fiksio test receiver"},
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
		certDER, _ = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &certKey.PublicKey, certKey)
	})
	c, err := x509.ParseCertificate(certDER)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// account adds an account with its own integration and returns a Client
// for it. mod may change the account and the client's Config.
func (e *env) account(mod func(*fiksiotest.Account, *fiksio.Config)) (*fiksio.Client, fiksiotest.Account) {
	e.t.Helper()
	a := fiksiotest.Account{IntegrasjonID: uuid.New(), IntegrasjonPassord: secret.New("passord " + uuid.NewString()),
		OrgNr: "974760673", Protokoller: []string{"no.ks.fiks.test"}, Sikkerhetsniva: 2, Certificate: testCert(e.t),
		KontoNavn: "test"}
	cfg := fiksio.Config{BaseURL: e.api.URL, AllowPlainAMQP: true, ReconnectMin: 50 * time.Millisecond, ReconnectMax: time.Second,
		Now: func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }}
	if mod != nil {
		mod(&a, &cfg)
	}
	a, err := e.fake.AddAccount(context.Background(), a)
	if err != nil {
		e.t.Fatal(err)
	}
	ts, err := e.mp.MaskinportenSource("fiksio-"+a.KontoID.String(), "974760673", nil, fiksio.Scope)
	if err != nil {
		e.t.Fatal(err)
	}
	if cfg.AMQPURL == "" {
		cfg.AMQPURL = e.fake.AMQPURL()
	}
	cfg.KontoID, cfg.IntegrasjonID, cfg.Maskinporten = a.KontoID.String(), a.IntegrasjonID.String(), ts
	if cfg.IntegrasjonPassord.IsZero() {
		cfg.IntegrasjonPassord = a.IntegrasjonPassord
	}
	c, err := fiksio.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, a
}

// receive runs c.Receive until the test ends (or stop is called) and
// reports its error then.
func receive(t testing.TB, c *fiksio.Client, h fiksio.Handler) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Receive(ctx, h) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Receive: %v", err)
		}
	})
	return stop
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
