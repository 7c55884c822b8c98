package registry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

// recorder answers every request with 404 and remembers the URLs asked.
type recorder struct {
	mu   sync.Mutex
	urls []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// registryClient is what the test needs of each client package.
type registryClient struct {
	name          string
	test, prod    string
	newBad        func(base string, ttl time.Duration, attempts int) error
	lookup        func(ctx context.Context, hc *http.Client) error // one look-up with a zero Config
	errConfig     error
	configFromEnv func(prefix string, getenv func(string) string) (string, error)
	prefix        string
}

func clients() []registryClient {
	fnr := registrytest.Persons()[0].FNR
	return []registryClient{
		{
			name: "brreg", test: brreg.TestBaseURL, prod: brreg.ProductionBaseURL, errConfig: brreg.ErrConfig, prefix: "GRUNNMUR_BRREG_",
			newBad: func(base string, ttl time.Duration, n int) error {
				_, err := brreg.New(brreg.Config{BaseURL: base, TTL: ttl, MaxAttempts: n})
				return err
			},
			lookup: func(ctx context.Context, hc *http.Client) error {
				c, err := brreg.New(brreg.Config{HTTPClient: hc})
				if err != nil {
					return err
				}
				_, err = c.Enhet(ctx, ident.Orgnr(registrytest.DigdirOrgnr))
				return err
			},
			configFromEnv: func(p string, getenv func(string) string) (string, error) {
				cfg, err := brreg.ConfigFromEnv(p, getenv)
				return cfg.BaseURL, err
			},
		},
		{
			name: "folkeregisteret", test: folkeregisteret.TestBaseURL, prod: folkeregisteret.ProductionBaseURL, errConfig: folkeregisteret.ErrConfig, prefix: "GRUNNMUR_FOLKEREGISTERET_",
			newBad: func(base string, ttl time.Duration, n int) error {
				_, err := folkeregisteret.New(folkeregisteret.Config{Rettighetspakke: folkeregisteret.OffentligMedHjemmel, BaseURL: base, TTL: ttl, MaxAttempts: n})
				return err
			},
			lookup: func(ctx context.Context, hc *http.Client) error {
				c, err := folkeregisteret.New(folkeregisteret.Config{Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: hc})
				if err != nil {
					return err
				}
				_, err = c.Person(ctx, fnr)
				return err
			},
			configFromEnv: func(p string, getenv func(string) string) (string, error) {
				cfg, err := folkeregisteret.ConfigFromEnv(p, getenv)
				return cfg.BaseURL, err
			},
		},
		{
			name: "krr", test: krr.TestBaseURL, prod: krr.ProductionBaseURL, errConfig: krr.ErrConfig, prefix: "GRUNNMUR_KRR_",
			newBad: func(base string, ttl time.Duration, n int) error {
				_, err := krr.New(krr.Config{BaseURL: base, TTL: ttl, MaxAttempts: n})
				return err
			},
			lookup: func(ctx context.Context, hc *http.Client) error {
				c, err := krr.New(krr.Config{HTTPClient: hc})
				if err != nil {
					return err
				}
				_, err = c.Person(ctx, fnr)
				return err
			},
			configFromEnv: func(p string, getenv func(string) string) (string, error) {
				cfg, err := krr.ConfigFromEnv(p, getenv)
				return cfg.BaseURL, err
			},
		},
		{
			name: "adresse", test: adresse.TestBaseURL, prod: adresse.ProductionBaseURL, errConfig: adresse.ErrConfig, prefix: "GRUNNMUR_ADRESSE_",
			newBad: func(base string, ttl time.Duration, n int) error {
				_, err := adresse.New(adresse.Config{BaseURL: base, TTL: ttl, MaxAttempts: n})
				return err
			},
			lookup: func(ctx context.Context, hc *http.Client) error {
				c, err := adresse.New(adresse.Config{HTTPClient: hc})
				if err != nil {
					return err
				}
				_, err = c.Search(ctx, adresse.Query{Sok: "storgata"})
				return err
			},
			configFromEnv: func(p string, getenv func(string) string) (string, error) {
				cfg, err := adresse.ConfigFromEnv(p, getenv)
				return cfg.BaseURL, err
			},
		},
	}
}

// An empty BaseURL reaches the test environment; production only when it is
// asked for. Kartverket's open address API has one host for both.
func TestEmptyBaseURLMeansTestEnvironment(t *testing.T) {
	for _, c := range clients() {
		t.Run(c.name, func(t *testing.T) {
			if c.test == c.prod && c.name != "adresse" {
				t.Errorf("TestBaseURL is ProductionBaseURL (%s)", c.test)
			}
			rec := &recorder{}
			_ = c.lookup(context.Background(), &http.Client{Transport: rec})
			if len(rec.urls) == 0 || !strings.HasPrefix(rec.urls[0], c.test+"/") {
				t.Errorf("a zero Config asked %v, want %s", rec.urls, c.test)
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range clients() {
		t.Run(c.name, func(t *testing.T) {
			for _, bad := range []struct {
				base     string
				ttl      time.Duration
				attempts int
			}{
				{"ftp://example.no", 0, 0},
				{"example.no", 0, 0},
				{"https://", 0, 0},
				{"https://example.no/?x=1", 0, 0},
				{"https://user:pw@example.no", 0, 0},
				{"", -time.Second, 0},
				{"", 0, -1},
			} {
				err := c.newBad(bad.base, bad.ttl, bad.attempts)
				if !errors.Is(err, c.errConfig) {
					t.Errorf("%+v: %v", bad, err)
				}
				if err != nil && strings.Contains(err.Error(), "pw@") {
					t.Errorf("error shows the password: %v", err)
				}
			}
			if err := c.newBad(c.prod, time.Minute, 2); err != nil {
				t.Errorf("production: %v", err)
			}
		})
	}
	if _, err := folkeregisteret.New(folkeregisteret.Config{}); !errors.Is(err, folkeregisteret.ErrNoRettighetspakke) || !errors.Is(err, folkeregisteret.ErrConfig) {
		t.Errorf("no rettighetspakke: %v", err)
	}
	if _, err := folkeregisteret.New(folkeregisteret.Config{Rettighetspakke: folkeregisteret.OffentligMedHjemmel, BulkSize: folkeregisteret.MaxBulk + 1}); !errors.Is(err, folkeregisteret.ErrConfig) {
		t.Errorf("bulk size: %v", err)
	}
	if _, err := krr.New(krr.Config{BatchSize: -1}); !errors.Is(err, krr.ErrConfig) {
		t.Errorf("batch size: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	for _, c := range clients() {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			getenv := func(k string) string { return env[k] }
			if _, err := c.configFromEnv(c.prefix, getenv); !errors.Is(err, config.ErrUnset) {
				t.Errorf("nothing set: %v", err)
			}
			env[c.prefix+"BASE_URL"] = c.prod
			if base, err := c.configFromEnv(c.prefix, getenv); err != nil || base != c.prod {
				t.Errorf("set: %q %v", base, err)
			}
			env[c.prefix+"BASE_URL"] = "not a url"
			if _, err := c.configFromEnv(c.prefix, getenv); err == nil || errors.Is(err, config.ErrUnset) || !strings.Contains(err.Error(), c.prefix+"BASE_URL") {
				t.Errorf("malformed: %v", err)
			}
		})
	}
}
