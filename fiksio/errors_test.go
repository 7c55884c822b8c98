package fiksio_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/secret"
)

// Each error the brief names is its own sentinel, and the others do not match.
func TestErrors(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	ctx := context.Background()
	alice, _ := e.account(nil)
	full, _ := e.account(func(a *fiksiotest.Account, _ *fiksio.Config) { a.MaxMessages = 1 })
	wrongPw, _ := e.account(func(a *fiksiotest.Account, c *fiksio.Config) {
		c.IntegrasjonPassord = secret.New("not the password")
	})
	sentinels := []error{fiksio.ErrUnauthorized, fiksio.ErrUnknownAccount, fiksio.ErrQueueFull, fiksio.ErrCertificate, fiksio.ErrServer}
	check := func(t *testing.T, err, want error) {
		t.Helper()
		for _, s := range sentinels {
			if errors.Is(err, s) != (s == want) {
				t.Errorf("errors.Is(%v, %v) = %v", err, s, errors.Is(err, s))
			}
		}
	}
	msg := func(to uuid.UUID) fiksio.Message {
		return fiksio.Message{Mottaker: to, Type: "no.ks.fiks.test.melding"}
	}

	t.Run("401", func(t *testing.T) {
		_, err := wrongPw.Send(ctx, msg(alice.KontoID()))
		check(t, err, fiksio.ErrUnauthorized)
		var fe *fiksio.Error
		if !errors.As(err, &fe) || fe.Status != http.StatusUnauthorized || fe.Op != "send" {
			t.Errorf("err = %#v", err)
		}
		if strings.Contains(fmt.Sprintf("%v %+v", err, err), "not the password") {
			t.Error("the password leaked into the error")
		}
	})
	t.Run("401 on the broker", func(t *testing.T) {
		err := wrongPw.Receive(ctx, func(context.Context, *fiksio.Received) fiksio.Result { return fiksio.Processed() })
		check(t, err, fiksio.ErrUnauthorized)
		if l := e.fake.Logins(); len(l) == 0 || l[len(l)-1].OK || l[len(l)-1].Reason != "wrong integration password" {
			t.Errorf("logins = %+v", l)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		_, err := alice.Send(ctx, msg(uuid.New()))
		check(t, err, fiksio.ErrUnknownAccount)
		_, err = alice.Lookup(ctx, "974760673", "no.ks.fiks.ukjent", 2)
		check(t, err, fiksio.ErrUnknownAccount)
		_, err = alice.PublicKey(ctx, uuid.New())
		check(t, err, fiksio.ErrUnknownAccount)
	})
	t.Run("full queue", func(t *testing.T) {
		// A quorum queue applies its limit once it is reached, so the
		// queue of one message may take a second before refusing.
		var err error
		sent := 0
		for ; sent < 5 && err == nil; sent++ {
			_, err = alice.Send(ctx, msg(full.KontoID()))
		}
		t.Logf("refused after %d sends", sent-1)
		check(t, err, fiksio.ErrQueueFull)
		var fe *fiksio.Error
		if !errors.As(err, &fe) || !fe.Temporary() {
			t.Errorf("a full queue is not temporary: %#v", err)
		}
	})
	t.Run("certificate", func(t *testing.T) {
		expired, _ := e.account(func(a *fiksiotest.Account, _ *fiksio.Config) {
			a.Certificate = certWith(t, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), false)
		})
		ec, _ := e.account(func(a *fiksiotest.Account, _ *fiksio.Config) {
			a.Certificate = certWith(t, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), true)
		})
		for _, id := range []uuid.UUID{expired.KontoID(), ec.KontoID()} {
			_, err := alice.PublicKey(ctx, id)
			check(t, err, fiksio.ErrCertificate)
			var ce *fiksio.CertificateError
			if !errors.As(err, &ce) || ce.KontoID != id.String() {
				t.Errorf("err = %#v", err)
			}
		}
		if _, err := alice.PublicKey(ctx, alice.KontoID()); err != nil {
			t.Errorf("a good certificate: %v", err)
		}
	})
	t.Run("5xx", func(t *testing.T) {
		e.fake.Inject(fake.Fault{Match: fiksiotest.OpSend, Status: http.StatusServiceUnavailable})
		_, err := alice.Send(ctx, msg(alice.KontoID()))
		check(t, err, fiksio.ErrServer)
		var fe *fiksio.Error
		if !errors.As(err, &fe) || !fe.Temporary() || fe.Status != 503 {
			t.Errorf("err = %#v", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, m := range []fiksio.Message{
			{Type: "no.ks.fiks.test"},
			{Mottaker: alice.KontoID(), Type: "bad type"},
			{Mottaker: alice.KontoID(), Type: "no.ks.fiks.test", TTL: 500 * time.Millisecond},
			{Mottaker: alice.KontoID(), Type: "no.ks.fiks.test", Headers: map[string]string{"": "x"}},
		} {
			if _, err := alice.Send(ctx, m); !errors.Is(err, fiksio.ErrInvalid) {
				t.Errorf("Send(%+v) = %v, want ErrInvalid", m, err)
			}
		}
	})
}

func certWith(t *testing.T, from, to time.Time, ec bool) *x509.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "x"}, NotBefore: from, NotAfter: to}
	var der []byte
	var err error
	if ec {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	} else {
		der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, testCert(t).PublicKey, certKey)
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The broker listener with TLS: the client checks the server name.
func TestTLSServerName(t *testing.T) {
	t.Parallel()
	e := setup(t, func(c *fiksiotest.Config) { c.TLS = true })
	ctx := context.Background()
	alice, _ := e.account(nil)
	good, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.TLSConfig = e.fake.ClientTLSConfig() })
	got := make(chan struct{}, 1)
	receive(t, good, func(context.Context, *fiksio.Received) fiksio.Result { got <- struct{}{}; return fiksio.Processed() })
	if _, err := alice.Send(ctx, fiksio.Message{Mottaker: good.KontoID(), Type: "no.ks.fiks.test.tls"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("nothing received over TLS")
	}
	// The certificate names localhost only: dialling 127.0.0.1 must fail.
	byIP, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) {
		c.TLSConfig = e.fake.ClientTLSConfig()
		c.AMQPURL = strings.Replace(e.fake.AMQPURL(), "localhost", "127.0.0.1", 1)
	})
	err := byIP.Receive(ctx, func(context.Context, *fiksio.Received) fiksio.Result { return fiksio.Processed() })
	if !errors.Is(err, fiksio.ErrConfig) {
		t.Errorf("Receive with the wrong server name = %v, want ErrConfig", err)
	}
	// And plain amqp:// is refused unless asked for.
	_, err = fiksio.New(fiksio.Config{AMQPURL: "amqp://io.fiks.test.ks.no:5672", KontoID: uuid.NewString(), IntegrasjonID: uuid.NewString(),
		IntegrasjonPassord: secret.New("x"), Maskinporten: nil})
	if !errors.Is(err, fiksio.ErrConfig) || !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("New with amqp:// = %v", err)
	}
}
