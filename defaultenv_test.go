package grunnmur_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
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
	call       func(ctx context.Context, hc *http.Client) error
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
		{"auth/idporten", "idporten.no", func(ctx context.Context, hc *http.Client) error {
			c, err := idporten.New(idporten.Config{ClientID: "client", ClientSecret: secret.New("secret"),
				RedirectURI: "https://service.example/auth/callback", HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.Metadata(ctx)
			return err
		}},
		{"auth/maskinporten", "maskinporten.no", func(ctx context.Context, hc *http.Client) error {
			ts, err := maskinporten.New(maskinporten.Config{ClientID: "client", Key: key, KeyID: "kid",
				Scopes: []string{"ks:fiks"}, MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = ts.Token(ctx)
			return err
		}},
		{"payment/vipps", "api.vipps.no", func(ctx context.Context, hc *http.Client) error {
			c, err := vipps.New(vipps.Config{ClientID: "client", ClientSecret: vipps.NewSecret("secret"),
				SubscriptionKey: vipps.NewSecret("key"), MSN: "123456", MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.GetPayment(ctx, "grunnmur-ref-1")
			return err
		}},
		{"svarut", "svarut.ks.no", func(ctx context.Context, hc *http.Client) error {
			c, err := svarut.New(svarut.Config{KontoID: "3f9b8a7e-0000-4000-8000-000000000001",
				IntegrasjonID: "3f9b8a7e-0000-4000-8000-000000000002", IntegrasjonPassord: secret.New("password"), MaxAttempts: 1, HTTPClient: hc})
			if err != nil {
				return err
			}
			_, err = c.ShipmentTypes(ctx)
			return err
		}},
		{"registry/brreg", "data.brreg.no", func(ctx context.Context, hc *http.Client) error {
			c := &brreg.Client{HTTPClient: hc, MaxAttempts: 1}
			_, err := c.Enhet(ctx, orgnr)
			return err
		}},
		{"registry/folkeregisteret", "folkeregisteret.api.skatteetaten.no", func(ctx context.Context, hc *http.Client) error {
			c := &folkeregisteret.Client{Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: hc, MaxAttempts: 1}
			_, err := c.Person(ctx, fnr)
			return err
		}},
		{"registry/krr", "krr.digdir.no", func(ctx context.Context, hc *http.Client) error {
			c := &krr.Client{HTTPClient: hc, MaxAttempts: 1}
			_, err := c.Person(ctx, fnr)
			return err
		}},
		{"registry/adresse", "ws.geonorge.no", func(ctx context.Context, hc *http.Client) error {
			c := &adresse.Client{HTTPClient: hc, MaxAttempts: 1}
			_, err := c.Sok(ctx, adresse.Query{Sok: "Rådhusplassen 1"})
			return err
		}},
	}
	v := violations{}
	for p := range clientPackages(loadAPI(t)) {
		if !slices.ContainsFunc(cases, func(c defaultEnvCase) bool { return c.pkg == p.rel }) {
			v.add(p.rel, "default environment", "has a client but no entry in TestDefaultEnvironmentIsTest's table")
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
		case slices.Contains(rec.hosts, c.production):
			v.add(c.pkg, "default environment", "an empty BaseURL/Issuer reached production (%s): empty must mean the test environment", c.production)
		}
	}
	v.check(t, "default-env")
}
