package grunnmur_test

import (
	"github.com/google/uuid"

	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"go/types"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// errRecorded ends every request of TestDefaultEnvironmentIsTest: the host
// is all the test needs.
var errRecorded = errors.New("defaultenv: request recorded and refused")

// hostRecorder is a RoundTripper that writes down the host of each request
// and fails it, cancelling the call so that no retry waits.
type hostRecorder struct {
	mu     sync.Mutex
	hosts  []string
	cancel context.CancelFunc
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	h.cancel()
	return nil, errRecorded
}

type defaultEnvCase struct {
	pkg        string // relative to the module root, as in pending
	production string // the provider's production host
	// oneEnvironment, when the provider has no test environment, says why
	// reaching its one host is harmless.
	oneEnvironment string
	call           func(ctx context.Context, hc *http.Client) error
}

// TestDefaultEnvironmentIsTest: a client whose BaseURL (Issuer for the
// OpenID providers) is empty talks to the provider's test environment, never
// to production (RULES §6). Production is reached only by setting it. Each
// entry builds the client with nothing but what New requires, makes one
// call, and the transport records where it went. Every client package must
// have an entry.
func TestDefaultEnvironmentIsTest(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fnr := ident.MustParseFodselsnummer("03851598730")
	orgnr, err := ident.ParseOrgnr("974760673")
	if err != nil {
		t.Fatal(err)
	}
	cases := []defaultEnvCase{
		{pkg: "auth/idporten", production: "idporten.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := idporten.New(idporten.Config{ClientID: "client", ClientSecret: secret.New("secret"),
				RedirectURI: "https://service.example/auth/callback", HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.Metadata(ctx)
			return err
		}},
		{pkg: "auth/maskinporten", production: "maskinporten.no", call: func(ctx context.Context, hc *http.Client) error {
			ts, err := maskinporten.New(maskinporten.Config{ClientID: "client", Key: key, KeyID: "kid",
				Scopes: []string{"ks:fiks"}, MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = ts.Token(ctx)
			return err
		}},
		{pkg: "payment/vipps", production: "api.vipps.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := vipps.New(vipps.Config{ClientID: "client", ClientSecret: secret.New("secret"),
				SubscriptionKey: secret.New("key"), MSN: "123456", MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.GetPayment(ctx, "grunnmur-ref-1")
			return err
		}},
		{pkg: "svarut", production: "svarut.ks.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := svarut.New(svarut.Config{KontoID: "3f9b8a7e-0000-4000-8000-000000000001",
				IntegrasjonID: "3f9b8a7e-0000-4000-8000-000000000002", IntegrasjonPassord: secret.New("password"), MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.ShipmentTypes(ctx)
			return err
		}},
		{pkg: "fiksio", production: "api.fiks.ks.no", call: func(ctx context.Context, hc *http.Client) error {
			// The token comes from Maskinporten's test environment, through the
			// same recording transport, before the katalog call.
			ts, err := maskinporten.New(maskinporten.Config{ClientID: "client", Key: key, KeyID: "kid",
				Scopes: []string{"ks:fiks"}, MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			c, err := fiksio.New(fiksio.Config{KontoID: "3f9b8a7e-0000-4000-8000-000000000001",
				IntegrasjonID: "3f9b8a7e-0000-4000-8000-000000000002", IntegrasjonPassord: secret.New("password"),
				Maskinporten: ts, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.Konto(ctx, uuid.MustParse("3f9b8a7e-0000-4000-8000-000000000003"))
			return err
		}},
		{pkg: "registry/brreg", production: "data.brreg.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := brreg.New(brreg.Config{HTTPClient: hc, MaxAttempts: 1})
			if err != nil {
				return err
			}
			_, err = c.Enhet(ctx, orgnr)
			return err
		}},
		{pkg: "registry/folkeregisteret", production: "folkeregisteret.api.skatteetaten.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := folkeregisteret.New(folkeregisteret.Config{Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: hc, MaxAttempts: 1})
			if err != nil {
				return err
			}
			_, err = c.Person(ctx, fnr)
			return err
		}},
		{pkg: "registry/krr", production: "krr.digdir.no", call: func(ctx context.Context, hc *http.Client) error {
			c, err := krr.New(krr.Config{HTTPClient: hc, MaxAttempts: 1})
			if err != nil {
				return err
			}
			_, err = c.Person(ctx, fnr)
			return err
		}},
		{pkg: "registry/adresse", production: "ws.geonorge.no",
			oneEnvironment: "Kartverket's address API has one environment, with open, read-only data",
			call: func(ctx context.Context, hc *http.Client) error {
				c, err := adresse.New(adresse.Config{HTTPClient: hc, MaxAttempts: 1})
				if err != nil {
					return err
				}
				_, err = c.Search(ctx, adresse.Query{Sok: "Rådhusplassen 1"})
				return err
			}},
	}
	v := violations{}
	for p := range clientPackages(loadAPI(t)) {
		i := slices.IndexFunc(cases, func(c defaultEnvCase) bool { return c.pkg == p.rel })
		switch {
		case i < 0:
			v.add(p.rel, "default environment", "has a client but no entry in TestDefaultEnvironmentIsTest's table")
		case cases[i].oneEnvironment != "" && constValue(p, "TestBaseURL") != constValue(p, "ProductionBaseURL"):
			v.add(p.rel, "default environment", "has a test environment of its own now: drop oneEnvironment from its entry")
		}
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		rec := &hostRecorder{cancel: cancel}
		err := c.call(ctx, &http.Client{Transport: rec})
		cancel()
		switch {
		case len(rec.hosts) == 0:
			v.add(c.pkg, "default environment", "made no request with an empty BaseURL/Issuer (error: %v); the default must be usable", err)
		case slices.Contains(rec.hosts, c.production) && c.oneEnvironment == "":
			v.add(c.pkg, "default environment", "an empty BaseURL/Issuer reached production (%s): empty must mean the test environment", c.production)
		}
	}
	v.check(t, "default-env")
}

// constValue is the value of the package's constant name, or "".
func constValue(p *apiPkg, name string) string {
	c, ok := p.types.Scope().Lookup(name).(*types.Const)
	if !ok {
		return ""
	}
	return c.Val().ExactString()
}
