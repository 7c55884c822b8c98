package site_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/internal/testclock"
	"github.com/grunnmur/grunnmur/site"
)

// starts counts the sandboxes started, and starts them with devenv.
type starts struct{ n int }

func (s *starts) start(o site.SandboxOptions) (site.Sandbox, error) {
	s.n++
	return devenv.Sandbox(o)
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// everyVariable is what a production service with Folkeregisteret must set,
// as Setup names it when nothing is.
var everyVariable = []string{
	"GRUNNMUR_ANSATTPORTEN_CLIENT_ID",
	"GRUNNMUR_ANSATTPORTEN_CLIENT_SECRET or GRUNNMUR_ANSATTPORTEN_CLIENT_KEY_FILE",
	"GRUNNMUR_ANSATTPORTEN_ISSUER",
	"GRUNNMUR_BRREG_BASE_URL",
	"GRUNNMUR_FOLKEREGISTERET_BASE_URL",
	"GRUNNMUR_IDPORTEN_CLIENT_ID",
	"GRUNNMUR_IDPORTEN_CLIENT_SECRET or GRUNNMUR_IDPORTEN_CLIENT_KEY_FILE",
	"GRUNNMUR_IDPORTEN_ISSUER",
	"GRUNNMUR_MASKINPORTEN_CLIENT_ID",
	"GRUNNMUR_MASKINPORTEN_ISSUER",
	"GRUNNMUR_MASKINPORTEN_KEY_FILE",
	"GRUNNMUR_OFFICERS",
	"GRUNNMUR_SVARUT_BASE_URL",
	"GRUNNMUR_SVARUT_INTEGRASJON_ID",
	"GRUNNMUR_SVARUT_INTEGRASJON_PASSORD",
	"GRUNNMUR_SVARUT_KONTO_ID",
	"GRUNNMUR_VIPPS_BASE_URL",
	"GRUNNMUR_VIPPS_CLIENT_ID",
	"GRUNNMUR_VIPPS_CLIENT_SECRET",
	"GRUNNMUR_VIPPS_MSN",
	"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY",
}

const scopeFolkereg = "folkeregister:deling/offentligmedhjemmel"

// TestProductionNamesEveryMissingVariable: with GRUNNMUR_ENV=production and
// nothing else set, Setup starts no fake and its error names every variable
// at once; only the services the scopes and the officers' login call for
// are asked for.
func TestProductionNamesEveryMissingVariable(t *testing.T) {
	var s starts
	only := func(prefixes ...string) []string {
		return slices.DeleteFunc(slices.Clone(everyVariable), func(n string) bool {
			return !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(n, p) })
		})
	}
	for _, c := range []struct {
		scopes   []string
		officers string
		want     []string
	}{
		{[]string{"ks:fiks", "brreg:data:enhetsregisteret:roller", scopeFolkereg}, "/ansatt/auth", everyVariable},
		{[]string{"ks:fiks"}, "/ansatt/auth", only("GRUNNMUR_IDPORTEN_", "GRUNNMUR_VIPPS_", "GRUNNMUR_ANSATTPORTEN_", "GRUNNMUR_OFFICERS", "GRUNNMUR_MASKINPORTEN_", "GRUNNMUR_SVARUT_")},
		{nil, "", only("GRUNNMUR_IDPORTEN_", "GRUNNMUR_VIPPS_")},
	} {
		x, err := site.Setup(envOf(map[string]string{"GRUNNMUR_ENV": "production"}), site.Options{Public: "https://a.example", Scopes: c.scopes,
			OfficerPrefix: c.officers, Sandbox: s.start})
		if x != nil || !errors.Is(err, site.ErrConfig) {
			t.Fatalf("%v: %v", c.scopes, err)
		}
		var m *site.MissingError
		if !errors.As(err, &m) || m.Env != site.Production || !slices.Equal(m.Names, c.want) {
			t.Fatalf("%v: names %q,\nwant %q", c.scopes, m.Names, c.want)
		}
		for _, n := range c.want {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("the error does not name %s: %v", n, err)
			}
		}
	}
	if s.n != 0 {
		t.Errorf("production started %d sandboxes", s.n)
	}
}

// sandboxEnv starts a sandbox to stand in for real services: its variables,
// set in the environment as an operator would set them.
func sandboxEnv(t *testing.T) map[string]string {
	t.Helper()
	e, err := devenv.Start(context.Background(), devenv.Options{Addr: "127.0.0.1:0", AppURLs: []string{"https://a.example"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	m := map[string]string{}
	for _, kv := range e.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// TestProductionWithEverythingSet: every variable set, production starts no
// fake and reads each service from the environment; one variable missing
// is named alone.
func TestProductionWithEverythingSet(t *testing.T) {
	env := sandboxEnv(t)
	env["GRUNNMUR_ENV"] = "production"
	var s starts
	o := site.Options{Public: "https://a.example", Scopes: []string{"ks:fiks", "brreg:data:enhetsregisteret:roller", scopeFolkereg},
		OfficerPrefix: "/ansatt/auth", Sandbox: s.start}
	x, err := site.Setup(envOf(env), o)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if s.n != 0 || x.Fakes.Sandbox != nil || x.Env != site.Production {
		t.Errorf("%d sandboxes started, env %q", s.n, x.Env)
	}
	if x.IDPorten.Issuer != env["GRUNNMUR_IDPORTEN_ISSUER"] || x.Vipps.BaseURL != env["GRUNNMUR_VIPPS_BASE_URL"] ||
		x.SvarUT.BaseURL != env["GRUNNMUR_SVARUT_BASE_URL"] || x.Folkeregisteret.BaseURL != env["GRUNNMUR_FOLKEREGISTERET_BASE_URL"] ||
		x.IDPorten.RedirectURI != "https://a.example/auth/callback" || len(x.Officers) != 1 {
		t.Errorf("ID-porten %+v, Vipps %s, SvarUT %s, %d officers", x.IDPorten, x.Vipps.BaseURL, x.SvarUT.BaseURL, len(x.Officers))
	}
	if _, err := x.Maskinporten.Token(context.Background()); err != nil {
		t.Errorf("Maskinporten: %v", err)
	}

	delete(env, "GRUNNMUR_VIPPS_MSN")
	_, err = site.Setup(envOf(env), o)
	var m *site.MissingError
	if !errors.As(err, &m) || !slices.Equal(m.Names, []string{"GRUNNMUR_VIPPS_MSN"}) {
		t.Errorf("without the MSN: %v", err)
	}
}

// TestDevelopmentMixes: in development the services that are set are the
// real ones, and one sandbox stands in for the rest.
func TestDevelopmentMixes(t *testing.T) {
	real := sandboxEnv(t)
	for _, envName := range []string{"", "development"} {
		env := map[string]string{"GRUNNMUR_ENV": envName}
		for k, v := range real {
			if strings.HasPrefix(k, "GRUNNMUR_VIPPS_") || strings.HasPrefix(k, "GRUNNMUR_SVARUT_") {
				env[k] = v
			}
		}
		var s starts
		x, err := site.Setup(envOf(env), site.Options{Public: "http://127.0.0.1:1", Scopes: []string{"ks:fiks"}, OfficerPrefix: "/ansatt/auth", Sandbox: s.start})
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		fake := x.Fakes.Sandbox
		if s.n != 1 || fake == nil || x.Env != site.Development {
			t.Fatalf("GRUNNMUR_ENV=%q: %d sandboxes, env %q", envName, s.n, x.Env)
		}
		if x.Vipps.BaseURL != real["GRUNNMUR_VIPPS_BASE_URL"] || x.SvarUT.BaseURL != real["GRUNNMUR_SVARUT_BASE_URL"] {
			t.Errorf("the services set are not the real ones: Vipps %s, SvarUT %s", x.Vipps.BaseURL, x.SvarUT.BaseURL)
		}
		if iss := fake.Getenv("GRUNNMUR_IDPORTEN_ISSUER"); x.IDPorten.Issuer != iss || iss == real["GRUNNMUR_IDPORTEN_ISSUER"] ||
			x.Fakes.IDPortenURL != iss || x.Fakes.Officer.Name == "" || !x.Officers[x.Fakes.Officer.PID.Reveal()] {
			t.Errorf("ID-porten %s, the sandbox's %s, officer %q", x.IDPorten.Issuer, iss, x.Fakes.Officer.Name)
		}
	}
}

// TestBadEnv: a GRUNNMUR_ENV that is neither is refused before anything
// starts.
func TestBadEnv(t *testing.T) {
	var s starts
	for _, bad := range []string{"prod", "Production", "staging", " development"} {
		_, err := site.Setup(envOf(map[string]string{"GRUNNMUR_ENV": bad}), site.Options{Public: "https://a.example", Sandbox: s.start})
		var m *site.MissingError
		if !errors.Is(err, site.ErrConfig) || errors.As(err, &m) || !strings.Contains(err.Error(), "GRUNNMUR_ENV") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if s.n != 0 {
		t.Errorf("%d sandboxes started", s.n)
	}
}

// TestDevelopmentWithoutSandbox: a binary built without the sandbox says
// what is unset and how to get the fakes.
func TestDevelopmentWithoutSandbox(t *testing.T) {
	_, err := site.Setup(envOf(map[string]string{}), site.Options{Public: "https://a.example"})
	var m *site.MissingError
	if !errors.Is(err, site.ErrConfig) || !errors.As(err, &m) || m.Env != site.Development || !slices.Contains(m.Names, "GRUNNMUR_VIPPS_MSN") ||
		!strings.Contains(err.Error(), "devenv.Sandbox") || !strings.Contains(err.Error(), "-tags production") {
		t.Errorf("%v", err)
	}
}

// TestSetupSharesTheClock: with the service's clock pinned months away from
// the machine's, the sandbox's Maskinporten issues a token dated by that
// clock, and the service's Maskinporten client (dating its grant by the same
// clock) gets one at all.
func TestSetupSharesTheClock(t *testing.T) {
	at := testclock.Oslo(t, "2026-03-29T01:30:00+01:00")
	x, err := site.Setup(func(string) string { return "" }, site.Options{Public: "http://127.0.0.1:1", Scopes: []string{"ks:fiks"},
		Now: testclock.Advancing(at), Sandbox: devenv.Sandbox})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	tok, err := x.Maskinporten.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mt, err := x.Fakes.Sandbox.(*devenv.Env).IDPorten.VerifyMaskinportenToken(tok.AccessToken.Reveal(), "ks:fiks")
	if err != nil {
		t.Fatal(err)
	}
	for name, exp := range map[string]time.Time{"the fake's": mt.Expiry, "the client's": tok.Expiry} {
		if exp.Before(at) || exp.After(at.Add(24*time.Hour)) {
			t.Errorf("%s token expiry %v, for a clock at %v", name, exp, at)
		}
	}
}
