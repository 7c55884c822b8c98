package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/svarut"
)

// Config is the service's configuration; with only PublicURL set, every
// external service runs as an in-process fake.
type Config struct {
	// PublicURL is where citizens reach the service, e.g.
	// https://skjenk.kommune.no; "" means http:// and the listener's address.
	PublicURL string
	// DatabaseURL selects PostgreSQL; "" keeps everything in memory.
	DatabaseURL string
	// Getenv reads the GRUNNMUR_* variables; nil means os.Getenv.
	Getenv func(string) string
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Scopes the service asks Maskinporten for.
const (
	scopeBrregRoller = "brreg:data:enhetsregisteret:roller"
	scopeFiks        = "ks:fiks"
)

// Fakes is the in-process sandbox (package devenv) when any service is left
// unset: every fake on a free loopback port, cross-connected, with test
// users. Tests and the start-up lines reach it here; nil when every service
// is real.
type Fakes struct {
	Env         *devenv.Env
	IDPortenURL string
	VippsURL    string
	// Officer is the sandbox's case officer (on GRUNNMUR_OFFICERS when
	// Ansattporten is the fake and no list is given).
	Officer devenv.User
}

// groups name, for each service, the variable whose presence means "the real
// one": the rest of its variables then come from the environment, otherwise
// all of them come from the sandbox.
var groups = []struct{ prefix, key string }{
	{"GRUNNMUR_IDPORTEN_", "GRUNNMUR_IDPORTEN_ISSUER"},
	{"GRUNNMUR_ANSATTPORTEN_", "GRUNNMUR_ANSATTPORTEN_ISSUER"},
	{"GRUNNMUR_MASKINPORTEN_", "GRUNNMUR_MASKINPORTEN_ISSUER"},
	{"GRUNNMUR_VIPPS_", "GRUNNMUR_VIPPS_BASE_URL"},
	{"GRUNNMUR_SVARUT_", "GRUNNMUR_SVARUT_BASE_URL"},
	{"GRUNNMUR_BRREG_", "GRUNNMUR_BRREG_BASE_URL"},
}

// externals holds the clients' configurations of the outside services, real
// or fake, read through one getenv either way.
type externals struct {
	idporten, ansattporten idporten.Config
	maskinporten           *maskinporten.TokenSource
	vipps                  vipps.Config
	svarut                 svarut.Config
	brregURL               string
	officers               map[string]bool
	fakes                  *Fakes
	env                    *devenv.Env
}

func (x *externals) close() {
	if x.env != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		x.env.Close(ctx)
	}
}

// setupExternals reads the GRUNNMUR_* variables. When a service's key
// variable is unset, the sandbox (devenv) runs in this process and its
// variables stand in: the code that reads the configuration is the same for
// the fake and the real service.
func setupExternals(getenv func(string) string, public string, log *slog.Logger) (_ *externals, err error) {
	x := &externals{fakes: &Fakes{}}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	real := func(name string) bool {
		for _, g := range groups {
			if strings.HasPrefix(name, g.prefix) {
				return getenv(g.key) != ""
			}
		}
		return true
	}
	for _, g := range groups {
		if !real(g.key) {
			x.env, err = devenv.Start(context.Background(), devenv.Options{Addr: "127.0.0.1:0", AppURLs: []string{public},
				LetterStep: 5 * time.Second, Logger: log.With("component", "devenv")})
			if err != nil {
				return nil, err
			}
			break
		}
	}
	env := func(name string) string {
		if real(name) || x.env == nil {
			return getenv(name)
		}
		return x.env.Getenv(name)
	}
	if x.env != nil {
		e := x.env
		x.fakes.Env = e
		if s, ok := e.Service("ID-porten"); ok {
			x.fakes.IDPortenURL = s.URL
		}
		if s, ok := e.Service("Vipps"); ok {
			x.fakes.VippsURL = s.URL
		}
		for _, u := range e.Users {
			if u.Role == "officer" {
				x.fakes.Officer = u
			}
		}
		// The officers' login lives under /ansatt/auth/, beside the
		// citizens' /auth/: the sandbox's Ansattporten client gets those
		// redirect URIs too.
		e.IDPorten.RegisterClient(idportentest.Client{
			ID: e.Credentials.Ansattporten.ClientID, Secret: e.Credentials.Ansattporten.ClientSecret,
			RedirectURIs:           []string{public + "/ansatt/auth/callback"},
			PostLogoutRedirectURIs: []string{public + "/ansatt/auth/logged-out"},
			FrontchannelLogoutURI:  public + "/ansatt/auth/frontchannel-logout",
		})
	}

	if x.idporten, err = loginConfig(env, "GRUNNMUR_IDPORTEN", public, "/auth"); err != nil {
		return nil, fmt.Errorf("skjenkebevilling: ID-porten: %w", err)
	}
	if x.ansattporten, err = loginConfig(env, "GRUNNMUR_ANSATTPORTEN", public, "/ansatt/auth"); err != nil {
		return nil, fmt.Errorf("skjenkebevilling: Ansattporten: %w", err)
	}

	// Officers: an allow-list of fødselsnumre; with the fake Ansattporten and
	// no list, the sandbox's officer.
	officers := getenv("GRUNNMUR_OFFICERS")
	if officers == "" && !real("GRUNNMUR_ANSATTPORTEN_ISSUER") {
		officers = x.env.Getenv("GRUNNMUR_OFFICERS")
	}
	x.officers = map[string]bool{}
	for _, s := range strings.FieldsFunc(officers, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		pid, err := ident.ParseFodselsnummer(s)
		if err != nil {
			return nil, fmt.Errorf("GRUNNMUR_OFFICERS: %w", err)
		}
		x.officers[pid.Reveal()] = true
	}

	// Maskinporten, for Enhetsregisteret's authorised roles and SvarUT.
	mpCfg, ok, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN", env)
	if err != nil {
		return nil, fmt.Errorf("skjenkebevilling: Maskinporten: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: no Maskinporten", errConfig)
	}
	mpCfg.Scopes = []string{scopeBrregRoller, scopeFiks}
	mpCfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	if x.maskinporten, err = maskinporten.New(mpCfg); err != nil {
		return nil, fmt.Errorf("skjenkebevilling: Maskinporten: %w", err)
	}

	x.brregURL = env("GRUNNMUR_BRREG_BASE_URL")
	x.vipps = vipps.Config{
		BaseURL:         env("GRUNNMUR_VIPPS_BASE_URL"),
		ClientID:        env("GRUNNMUR_VIPPS_CLIENT_ID"),
		ClientSecret:    vipps.NewSecret(env("GRUNNMUR_VIPPS_CLIENT_SECRET")),
		SubscriptionKey: vipps.NewSecret(env("GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")),
		MSN:             env("GRUNNMUR_VIPPS_MSN"),
		HTTPClient:      &http.Client{Timeout: 15 * time.Second},
		Logger:          log,
	}
	x.svarut = svarut.Config{
		BaseURL:            env("GRUNNMUR_SVARUT_BASE_URL"),
		KontoID:            env("GRUNNMUR_SVARUT_KONTO_ID"),
		IntegrasjonID:      env("GRUNNMUR_SVARUT_INTEGRASJON_ID"),
		IntegrasjonPassord: svarut.Secret(env("GRUNNMUR_SVARUT_INTEGRASJON_PASSORD")),
		HTTPClient:         x.maskinporten.Client(&http.Client{Timeout: 20 * time.Minute}),
		Logger:             log,
	}
	return x, nil
}

func randomSecret() string {
	return rand.Text() + rand.Text()
}

// loginConfig reads prefix's variables for ID-porten or Ansattporten; the
// redirect paths default to authPrefix's under the public URL.
func loginConfig(getenv func(string) string, prefix, public, authPrefix string) (idporten.Config, error) {
	cfg, ok, err := idporten.ConfigFromEnv(prefix, getenv)
	if err != nil {
		return cfg, err
	}
	if !ok {
		return cfg, fmt.Errorf("%w: %s_ISSUER is unset", errConfig, prefix)
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = public + authPrefix + "/callback"
	}
	if cfg.PostLogoutRedirectURI == "" {
		cfg.PostLogoutRedirectURI = public + authPrefix + "/logged-out"
	}
	return cfg, nil
}

var errConfig = errors.New("skjenkebevilling: bad configuration")

func getenvOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}
