package fiksio_test

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	grunnmurident "github.com/grunnmur/grunnmur/ident"
)

func TestKatalog(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	ctx := context.Background()
	alice, _ := e.account(nil)
	_, arkiv := e.account(func(a *fiksiotest.Account, _ *fiksio.Config) {
		a.OrgNr, a.Protokoller, a.Sikkerhetsniva, a.KontoNavn = "921693230", []string{"no.ks.fiks.arkiv.v1"}, 3, "Arkiv"
	})
	_, _ = e.account(func(a *fiksiotest.Account, _ *fiksio.Config) {
		a.OrgNr, a.Protokoller, a.Sikkerhetsniva, a.NotReceiver = "974760673", []string{"no.ks.fiks.arkiv.v1"}, 3, true
	})

	k, err := alice.Lookup(ctx, "921693230", "no.ks.fiks.arkiv.v1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if k.KontoID != arkiv.KontoID || k.KontoNavn != "Arkiv" || !k.GyldigMottaker || !k.GyldigAvsender {
		t.Errorf("Lookup = %+v", k)
	}
	for _, c := range []struct {
		orgnr string
		proto string
		niva  int
		want  error
	}{
		{"921693230", "no.ks.fiks.arkiv.v1", 4, fiksio.ErrUnknownAccount},
		{"921693230", "no.ks.fiks.plan.v2", 3, fiksio.ErrUnknownAccount},
		{"974760673", "no.ks.fiks.arkiv.v1", 3, fiksio.ErrUnknownAccount}, // may not receive
		{"921693231", "no.ks.fiks.arkiv.v1", 3, fiksio.ErrInvalid},        // bad check digit
		{"921693230", "", 3, fiksio.ErrInvalid},
		{"921693230", "no.ks.fiks.arkiv.v1", 5, fiksio.ErrInvalid},
	} {
		if _, err := alice.Lookup(ctx, ident(c.orgnr), c.proto, c.niva); !errors.Is(err, c.want) {
			t.Errorf("Lookup(%s, %q, %d) = %v, want %v", c.orgnr, c.proto, c.niva, err, c.want)
		}
	}

	// Answers are cached for KatalogTTL.
	before := e.fake.Requests(fiksiotest.OpLookup)
	for range 3 {
		if _, err := alice.Lookup(ctx, "921693230", "no.ks.fiks.arkiv.v1", 3); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.fake.Requests(fiksiotest.OpLookup) - before; n != 0 {
		t.Errorf("%d katalog requests for cached look-ups", n)
	}
	before = e.fake.Requests(fiksiotest.OpOffentligNokkel)
	for range 3 {
		cert, err := alice.PublicKey(ctx, arkiv.KontoID)
		if err != nil || !cert.Equal(testCert(t)) {
			t.Fatalf("PublicKey = %v, %v", cert, err)
		}
	}
	if n := e.fake.Requests(fiksiotest.OpOffentligNokkel) - before; n != 1 {
		t.Errorf("%d offentligNokkel requests for three PublicKey calls, want 1", n)
	}

	// An injected provider replaces the katalog, and its certificates are checked too.
	own, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) {
		c.PublicKeys = provider{arkiv.KontoID: certWith(t, c.Now().AddDate(-1, 0, 0), c.Now().AddDate(1, 0, 0), false)}
	})
	before = e.fake.Requests(fiksiotest.OpOffentligNokkel)
	if cert, err := own.PublicKey(ctx, arkiv.KontoID); err != nil || cert.SerialNumber.Int64() != 7 {
		t.Errorf("PublicKey through the provider = %v, %v", cert, err)
	}
	if _, err := own.PublicKey(ctx, uuid.New()); !errors.Is(err, fiksio.ErrCertificate) {
		t.Errorf("a provider without the key = %v, want ErrCertificate", err)
	}
	if n := e.fake.Requests(fiksiotest.OpOffentligNokkel) - before; n != 0 {
		t.Errorf("the katalog was asked %d times despite the provider", n)
	}
}

type ident = grunnmurident.Orgnr

type provider map[uuid.UUID]*x509.Certificate

func (p provider) PublicKey(_ context.Context, id uuid.UUID) (*x509.Certificate, error) {
	return p[id], nil
}
