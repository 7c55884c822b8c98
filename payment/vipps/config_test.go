package vipps_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/secret"
)

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("key-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		"GRUNNMUR_VIPPS_BASE_URL": "https://api.vipps.no", "GRUNNMUR_VIPPS_CLIENT_ID": "id-1",
		"GRUNNMUR_VIPPS_CLIENT_SECRET": "client-secret-1", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "sub-key-1",
		"GRUNNMUR_VIPPS_MSN": "123456",
	}
	with := func(changes map[string]string) func(string) string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return func(k string) string { return env[k] }
	}

	cfg, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", with(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != vipps.ProductionBaseURL || cfg.ClientID != "id-1" || cfg.ClientSecret.Reveal() != "client-secret-1" ||
		cfg.SubscriptionKey.Reveal() != "sub-key-1" || cfg.MSN != "123456" {
		t.Fatalf("read %+v", cfg)
	}
	if _, err := vipps.New(cfg); err != nil {
		t.Fatalf("New of what ConfigFromEnv read: %v", err)
	}

	cfg, err = vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", with(map[string]string{
		"GRUNNMUR_VIPPS_BASE_URL": "", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY_FILE": keyFile,
	}))
	if err != nil || cfg.BaseURL != "" || cfg.SubscriptionKey.Reveal() != "key-from-file" {
		t.Fatalf("key from a file, no base URL: %+v %v", cfg, err)
	}

	if _, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", func(string) string { return "" }); !errors.Is(err, config.ErrUnset) || errors.Is(err, vipps.ErrConfig) {
		t.Errorf("nothing set: %v, want config.ErrUnset", err)
	}
	for name, changes := range map[string]map[string]string{
		"no secret":       {"GRUNNMUR_VIPPS_CLIENT_SECRET": ""},
		"bad MSN":         {"GRUNNMUR_VIPPS_MSN": "12"},
		"bad URL":         {"GRUNNMUR_VIPPS_BASE_URL": "api.vipps.no"},
		"secret twice":    {"GRUNNMUR_VIPPS_CLIENT_SECRET_FILE": keyFile},
		"only the MSN":    {"GRUNNMUR_VIPPS_BASE_URL": "", "GRUNNMUR_VIPPS_CLIENT_ID": "", "GRUNNMUR_VIPPS_CLIENT_SECRET": "", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": ""},
		"unreadable file": {"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY": "", "GRUNNMUR_VIPPS_SUBSCRIPTION_KEY_FILE": filepath.Join(dir, "missing")},
	} {
		_, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", with(changes))
		if !errors.Is(err, vipps.ErrConfig) || errors.Is(err, config.ErrUnset) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
			continue
		}
		for _, s := range []string{"client-secret-1", "sub-key-1"} {
			if strings.Contains(fmt.Sprintf("%v %+v", err, err), s) {
				t.Errorf("%s: the error shows a secret: %v", name, err)
			}
		}
	}
}

// An empty BaseURL is the test environment; production only when asked for.
func TestDefaultEnvironmentIsTest(t *testing.T) {
	if vipps.TestBaseURL != "https://apitest.vipps.no" || vipps.ProductionBaseURL != "https://api.vipps.no" {
		t.Fatalf("hosts %s %s", vipps.TestBaseURL, vipps.ProductionBaseURL)
	}
	var got []string
	for _, base := range []string{"", vipps.ProductionBaseURL} {
		c, err := vipps.New(vipps.Config{BaseURL: base, ClientID: "id", ClientSecret: secretOf("s"), SubscriptionKey: secretOf("k"), MSN: "1234", HTTPClient: recordHost(&got), MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Webhooks(t.Context()) // fails at the recording transport; only the host matters
	}
	if len(got) != 2 || got[0] != "apitest.vipps.no" || got[1] != "api.vipps.no" {
		t.Fatalf("hosts asked: %v", got)
	}
}

func secretOf(s string) secret.Value { return secret.New(s) }

// recordHost is an HTTP client whose transport notes the host of each
// request and answers none.
func recordHost(hosts *[]string) *http.Client {
	return &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		*hosts = append(*hosts, r.URL.Host)
		return nil, errors.New("no network in this test")
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
