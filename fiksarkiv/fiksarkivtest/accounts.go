package fiksarkivtest

import (
	"context"
	"crypto"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/cms/cmstest"
	"github.com/grunnmur/grunnmur/secret"
)

// Accounts starts, for one test, a Fiks IO fake (fiksiotest) on the RabbitMQ
// broker at brokerURL, with an ID-porten fake issuing its Maskinporten
// tokens, and returns clients for two of its accounts that speak Fiks Arkiv:
// fagsystem, for the service that journals, and arkiv, for an Archive to
// serve. Each account has fresh keys and certificates; now is the clients'
// clock. Everything stops when the test ends.
func Accounts(t testing.TB, brokerURL string, now func() time.Time) (fagsystem, arkiv *fiksio.Client) {
	t.Helper()
	mp := idportentest.New(idportentest.Config{})
	mpSrv := httptest.NewServer(mp)
	t.Cleanup(mpSrv.Close)
	mp.SetBaseURL(mpSrv.URL)
	fk := fiksiotest.New(fiksiotest.Config{BrokerURL: brokerURL, Maskinporten: mp})
	if err := fk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fk.Close() })
	api := httptest.NewServer(fk)
	t.Cleanup(api.Close)
	account := func(name string) *fiksio.Client {
		key := cmstest.RSAKey(t)
		a, err := fk.AddAccount(context.Background(), fiksiotest.Account{IntegrasjonID: uuid.New(),
			IntegrasjonPassord: secret.New("passord " + uuid.NewString()), OrgNr: "974760673",
			Protokoller: []string{fiksarkiv.Protocol}, Sikkerhetsniva: 2, Certificate: cmstest.SelfSigned(t, key, name), KontoNavn: name})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := mp.MaskinportenSource("fiksarkivtest-"+a.KontoID.String(), "974760673", nil, fiksio.Scope)
		if err != nil {
			t.Fatal(err)
		}
		signKey := cmstest.RSAKey(t)
		c, err := fiksio.New(fiksio.Config{BaseURL: api.URL, AMQPURL: fk.AMQPURL(), AllowPlainAMQP: true,
			KontoID: a.KontoID.String(), IntegrasjonID: a.IntegrasjonID.String(), IntegrasjonPassord: a.IntegrasjonPassord,
			Maskinporten: ts, Keys: []crypto.Decrypter{key}, Workers: 4, ReconnectMin: 50 * time.Millisecond,
			Signer: asice.Signer{Certificate: cmstest.SelfSigned(t, signKey, name+" signs"), Key: signKey, Now: now}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return account("fagsystem"), account("arkiv")
}
