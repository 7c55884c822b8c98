package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// ErrConfig means a required setting is missing.
var ErrConfig = errors.New("site: bad configuration")

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
// all of them come from the sandbox. A service with a scope is needed only
// by a service that asks Maskinporten for it (Options.Scopes).
var groups = []struct{ prefix, key, scope string }{
	{"GRUNNMUR_IDPORTEN_", "GRUNNMUR_IDPORTEN_ISSUER", ""},
	{"GRUNNMUR_ANSATTPORTEN_", "GRUNNMUR_ANSATTPORTEN_ISSUER", ""},
	{"GRUNNMUR_MASKINPORTEN_", "GRUNNMUR_MASKINPORTEN_ISSUER", ""},
	{"GRUNNMUR_VIPPS_", "GRUNNMUR_VIPPS_BASE_URL", ""},
	{"GRUNNMUR_SVARUT_", "GRUNNMUR_SVARUT_BASE_URL", ""},
	{"GRUNNMUR_BRREG_", "GRUNNMUR_BRREG_BASE_URL", ""},
	{"GRUNNMUR_FOLKEREGISTERET_", "GRUNNMUR_FOLKEREGISTERET_BASE_URL", "folkeregister:"},
}

// Externals holds the clients' configurations of the outside services, real
// or fake, read through one getenv either way.
type Externals struct {
	IDPorten, Ansattporten idporten.Config
	// Maskinporten holds Options.Scopes, for the registries and SvarUT.
	Maskinporten *maskinporten.TokenSource
	Vipps        vipps.Config
	// VippsWebhookSecret is GRUNNMUR_VIPPS_WEBHOOK_SECRET: the secret of a
	// webhook the operator registered once. Zero means RegisterWebhook
	// registers one at every start.
	VippsWebhookSecret secret.Value
	// Webhook receives Vipps' webhooks at WebhookPath; set by
	// RegisterWebhook.
	Webhook *Webhook
	SvarUT  svarut.Config
	Brreg   brreg.Config
	// Folkeregisteret is for a person's postal address; the service's
	// Options.Scopes must then hold folkeregister:deling/offentligmedhjemmel.
	Folkeregisteret folkeregisteret.Config
	// Officers are the officers' fødselsnumre (digits): the allow-list.
	Officers map[string]bool
	// Fakes is the sandbox; its Env is nil when every service is real.
	Fakes *Fakes

	public string
	log    *slog.Logger
}

// Close stops the sandbox, if it runs.
func (x *Externals) Close() {
	if x.Fakes.Env != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		x.Fakes.Env.Close(ctx)
	}
}

// Options configure Setup.
type Options struct {
	// Public is the service's URL, for the redirect URIs.
	Public string
	// OfficerPrefix is where the officers' auth.Manager is mounted
	// ("/ansatt/auth"); the citizens' is at /auth.
	OfficerPrefix string
	// Scopes the service needs from Maskinporten.
	Scopes []string
	// LetterStep moves the fake SvarUT's letters along; 0 means 5 s.
	LetterStep time.Duration
	Logger     *slog.Logger
	// Now is the service's clock, nil meaning time.Now. The sandbox's fakes
	// and the Maskinporten client read it too: tokens, signatures and
	// payments are dated by the one clock the service checks them with.
	Now func() time.Time
}

// Setup reads the GRUNNMUR_* variables (names in DESIGN.md;
// GRUNNMUR_VIPPS_WEBHOOK_SECRET in skjenkebevilling's README). When a service's key
// variable is unset, the sandbox (devenv) runs in this process and its
// variables stand in: the code that reads the configuration is the same for
// the fake and the real service.
func Setup(getenv func(string) string, o Options) (_ *Externals, err error) {
	x := &Externals{Fakes: &Fakes{}}
	public, log := o.Public, defaults.Logger(o.Logger)
	x.public, x.log = public, log
	if o.LetterStep == 0 {
		o.LetterStep = 5 * time.Second
	}
	if o.OfficerPrefix == "" {
		o.OfficerPrefix = "/ansatt/auth"
	}
	var env0 *devenv.Env
	defer func() {
		if err != nil {
			x.Close()
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
	needed := func(scope string) bool {
		return scope == "" || slices.ContainsFunc(o.Scopes, func(s string) bool { return strings.HasPrefix(s, scope) })
	}
	for _, g := range groups {
		if needed(g.scope) && !real(g.key) {
			env0, err = devenv.Start(context.Background(), devenv.Options{Addr: "127.0.0.1:0", AppURLs: []string{public},
				LetterStep: o.LetterStep, Logger: log.With("component", "devenv"), Now: o.Now})
			if err != nil {
				return nil, err
			}
			x.Fakes.Env = env0
			break
		}
	}
	env := func(name string) string {
		if real(name) || env0 == nil {
			return getenv(name)
		}
		return env0.Getenv(name)
	}
	if env0 != nil {
		e := env0
		if s, ok := e.Service("ID-porten"); ok {
			x.Fakes.IDPortenURL = s.URL
		}
		if s, ok := e.Service("Vipps"); ok {
			x.Fakes.VippsURL = s.URL
		}
		for _, u := range e.Users {
			if u.Role == "officer" {
				x.Fakes.Officer = u
			}
		}
		// The officers' login lives under OfficerPrefix, beside the
		// citizens' /auth/: the sandbox's Ansattporten client gets those
		// redirect URIs too.
		e.IDPorten.RegisterClient(idportentest.Client{
			ID: e.Credentials.Ansattporten.ClientID, Secret: e.Credentials.Ansattporten.ClientSecret,
			RedirectURIs:           []string{public + o.OfficerPrefix + "/callback"},
			PostLogoutRedirectURIs: []string{public + o.OfficerPrefix + "/logged-out"},
			FrontchannelLogoutURI:  public + o.OfficerPrefix + "/frontchannel-logout",
		})
	}

	if x.IDPorten, err = loginConfig(env, "GRUNNMUR_IDPORTEN", public, "/auth"); err != nil {
		return nil, fmt.Errorf("site: ID-porten: %w", err)
	}
	if x.Ansattporten, err = loginConfig(env, "GRUNNMUR_ANSATTPORTEN", public, o.OfficerPrefix); err != nil {
		return nil, fmt.Errorf("site: Ansattporten: %w", err)
	}

	// Officers: an allow-list of fødselsnumre; with the fake Ansattporten and
	// no list, the sandbox's officer.
	officers := getenv("GRUNNMUR_OFFICERS")
	if officers == "" && !real("GRUNNMUR_ANSATTPORTEN_ISSUER") {
		officers = env0.Getenv("GRUNNMUR_OFFICERS")
	}
	x.Officers = map[string]bool{}
	for _, s := range strings.FieldsFunc(officers, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		pid, err := ident.ParseFodselsnummer(s)
		if err != nil {
			return nil, fmt.Errorf("GRUNNMUR_OFFICERS: %w", err)
		}
		x.Officers[pid.Reveal()] = true
	}

	// Maskinporten, for Enhetsregisteret's authorised roles and SvarUT.
	mpCfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN_", env)
	if errors.Is(err, config.ErrUnset) {
		return nil, fmt.Errorf("%w: no Maskinporten", ErrConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("site: Maskinporten: %w", err)
	}
	mpCfg.Scopes, mpCfg.Now = o.Scopes, o.Now
	mpCfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	if x.Maskinporten, err = maskinporten.New(mpCfg); err != nil {
		return nil, fmt.Errorf("site: Maskinporten: %w", err)
	}

	if err := x.readClients(env, log); err != nil {
		return nil, err
	}
	return x, nil
}

// readClients reads the clients' configurations through each package's
// ConfigFromEnv. A service whose variables are all unset keeps its zero
// Config: the sandbox stands in for the ones a service uses, and the rest are
// not called.
func (x *Externals) readClients(env func(string) string, log *slog.Logger) error {
	unsetOK := func(what string, err error) error {
		if err != nil && !errors.Is(err, config.ErrUnset) {
			return fmt.Errorf("site: %s: %w", what, err)
		}
		return nil
	}
	var err error
	x.Brreg, err = brreg.ConfigFromEnv("GRUNNMUR_BRREG_", env)
	if err := unsetOK("Enhetsregisteret", err); err != nil {
		return err
	}
	x.Folkeregisteret, err = folkeregisteret.ConfigFromEnv("GRUNNMUR_FOLKEREGISTERET_", env)
	if err := unsetOK("Folkeregisteret", err); err != nil {
		return err
	}
	x.Vipps, err = vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", env)
	if err := unsetOK("Vipps", err); err != nil {
		return err
	}
	x.Vipps.HTTPClient, x.Vipps.Logger = &http.Client{Timeout: 15 * time.Second}, log
	if x.VippsWebhookSecret, err = secret.FromEnv(env, "GRUNNMUR_VIPPS_WEBHOOK_SECRET"); err != nil {
		return fmt.Errorf("site: Vipps: %w", err)
	}
	x.SvarUT, err = svarut.ConfigFromEnv("GRUNNMUR_SVARUT_", env)
	if err := unsetOK("SvarUT", err); err != nil {
		return err
	}
	x.SvarUT.HTTPClient, x.SvarUT.Logger = x.Maskinporten.Client(&http.Client{Timeout: 20 * time.Minute}), log
	return nil
}

// loginConfig reads prefix's variables for ID-porten or Ansattporten; the
// redirect paths default to authPrefix's under the public URL.
func loginConfig(getenv func(string) string, prefix, public, authPrefix string) (idporten.Config, error) {
	cfg, err := idporten.ConfigFromEnv(prefix+"_", getenv)
	if errors.Is(err, config.ErrUnset) {
		return cfg, fmt.Errorf("%w: no %s_* variable is set", ErrConfig, prefix)
	}
	if err != nil {
		return cfg, err
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = public + authPrefix + "/callback"
	}
	if cfg.PostLogoutRedirectURI == "" {
		cfg.PostLogoutRedirectURI = public + authPrefix + "/logged-out"
	}
	return cfg, nil
}

// BrregClient is a client of Enhetsregisteret, with the authorised roles
// behind Maskinporten.
func (x *Externals) BrregClient(now func() time.Time, log *slog.Logger) (*brreg.Client, error) {
	c := x.Brreg
	c.AuthorizedHTTPClient = x.Maskinporten.Client(&http.Client{Timeout: 15 * time.Second})
	c.HTTPClient, c.Now, c.Logger = &http.Client{Timeout: 15 * time.Second}, now, log
	return brreg.New(c)
}

// FolkeregisteretClient is a client of Folkeregisteret (offentlig med
// hjemmel) behind Maskinporten.
func (x *Externals) FolkeregisteretClient(now func() time.Time, log *slog.Logger) (*folkeregisteret.Client, error) {
	c := x.Folkeregisteret
	c.Rettighetspakke = folkeregisteret.OffentligMedHjemmel
	c.HTTPClient, c.Now, c.Logger = x.Maskinporten.Client(&http.Client{Timeout: 15 * time.Second}), now, log
	return folkeregisteret.New(c)
}

// VippsClient is the Vipps ePayment client, a payment.Provider.
func (x *Externals) VippsClient(now func() time.Time, log *slog.Logger) (*vipps.Client, error) {
	c := x.Vipps
	c.Now, c.Logger = now, log
	p, err := vipps.New(c)
	if err != nil {
		return nil, fmt.Errorf("site: Vipps: %w", err)
	}
	return p, nil
}
