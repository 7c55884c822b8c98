package svarut_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestConfigFromEnv reads the four variables, the password also from a
// file, and tells "not set" from "set wrongly".
func TestConfigFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "passord")
	if err := os.WriteFile(file, []byte("fra-fil\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		"X_BASE_URL": svarut.ProductionBaseURL, "X_KONTO_ID": testKonto,
		"X_INTEGRASJON_ID": testIntegID, "X_INTEGRASJON_PASSORD": testPassword,
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name    string
		env     map[string]string
		wantErr error
		check   func(svarut.Config) bool
	}{
		{"all", full, nil, func(c svarut.Config) bool {
			return c.BaseURL == svarut.ProductionBaseURL && c.KontoID == testKonto && c.IntegrasjonID == testIntegID &&
				c.IntegrasjonPassord.Reveal() == testPassword
		}},
		{"no base URL", with("X_BASE_URL", ""), nil, func(c svarut.Config) bool { return c.BaseURL == "" }},
		{"password from a file", func() map[string]string {
			m := with("X_INTEGRASJON_PASSORD", "")
			m["X_INTEGRASJON_PASSORD_FILE"] = file
			return m
		}(), nil, func(c svarut.Config) bool { return c.IntegrasjonPassord.Reveal() == "fra-fil" }},
		{"none set", map[string]string{}, config.ErrUnset, nil},
		{"bad URL", with("X_BASE_URL", "svarut.ks.no"), svarut.ErrConfig, nil},
		{"bad konto", with("X_KONTO_ID", "konto"), svarut.ErrConfig, nil},
		{"no password", with("X_INTEGRASJON_PASSORD", ""), svarut.ErrConfig, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := svarut.ConfigFromEnv("X_", func(k string) string { return c.env[k] })
			switch {
			case c.check != nil:
				if err != nil || !c.check(cfg) {
					t.Fatalf("cfg %+v, err %v", cfg, err)
				}
			case err == nil:
				t.Fatalf("no error for %v", c.env)
			case c.wantErr != nil && !errors.Is(err, c.wantErr):
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			case c.wantErr != config.ErrUnset && errors.Is(err, config.ErrUnset):
				t.Fatalf("a set variable reported as unset: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), testPassword) {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// TestNewChecksConfig: every bad field fails in New, named, wrapping
// ErrConfig.
func TestNewChecksConfig(t *testing.T) {
	good := func() svarut.Config {
		return svarut.Config{KontoID: testKonto, IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New(testPassword)}
	}
	for _, c := range []struct {
		field string
		mod   func(*svarut.Config)
	}{
		{"BaseURL", func(c *svarut.Config) { c.BaseURL = "ftp://svarut.ks.no" }},
		{"BaseURL", func(c *svarut.Config) { c.BaseURL = "https://" }},
		{"KontoID", func(c *svarut.Config) { c.KontoID = "konto" }},
		{"IntegrasjonID", func(c *svarut.Config) { c.IntegrasjonID = "" }},
		{"IntegrasjonID", func(c *svarut.Config) { c.IntegrasjonID = "integrasjon" }},
		{"IntegrasjonPassord", func(c *svarut.Config) { c.IntegrasjonPassord = secret.Value{} }},
		{"MaxAttempts", func(c *svarut.Config) { c.MaxAttempts = -1 }},
	} {
		cfg := good()
		c.mod(&cfg)
		if _, err := svarut.New(cfg); !errors.Is(err, svarut.ErrConfig) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v", c.field, err)
		}
	}
	// A receiving-only client needs no account.
	cfg := good()
	cfg.KontoID = ""
	if _, err := svarut.New(cfg); err != nil {
		t.Fatalf("without KontoID: %v", err)
	}
}

// hosts records the host of each request and fails it.
type hosts []string

func (h *hosts) RoundTrip(r *http.Request) (*http.Response, error) {
	*h = append(*h, r.URL.Scheme+"://"+r.URL.Host)
	return nil, fmt.Errorf("no network in this test")
}

// TestEmptyBaseURLIsTestEnvironment: a Client without a BaseURL calls KS's
// test host; production is reached only by naming it.
func TestEmptyBaseURLIsTestEnvironment(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"", svarut.TestBaseURL},
		{svarut.ProductionBaseURL, svarut.ProductionBaseURL},
		{svarut.TestBaseURL + "/", svarut.TestBaseURL},
	} {
		var seen hosts
		client, err := svarut.New(svarut.Config{BaseURL: c.base, IntegrasjonID: testIntegID,
			IntegrasjonPassord: secret.New(testPassword), HTTPClient: &http.Client{Transport: &seen}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.ShipmentTypes(context.Background())
		var se *svarut.Error
		if !errors.As(err, &se) || se.Status != 0 || !se.Temporary() {
			t.Fatalf("err = %v, want a transport *Error", err)
		}
		if len(seen) != 1 || seen[0] != c.want {
			t.Fatalf("BaseURL %q called %v, want %s", c.base, seen, c.want)
		}
	}
	if svarut.TestBaseURL != "https://test.svarut.ks.no" || svarut.ProductionBaseURL != "https://svarut.ks.no" {
		t.Fatal("the hosts are KS's (see the spec's SOURCE.txt)")
	}
}
