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
	x.public, x.log = o.Public, defaults.Logger(o.Logger)
	if o.LetterStep == 0 {
		o.LetterStep = 5 * time.Second
	}
	if o.OfficerPrefix == "" {
		o.OfficerPrefix = "/ansatt/auth"
	}
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	src := &source{getenv: getenv}
	if src.sandboxNeeded(o.Scopes) {
		if err := x.startSandbox(src, o); err != nil {
			return nil, err
		}
	}
	if x.IDPorten, err = loginConfig(src.get, "GRUNNMUR_IDPORTEN", x.public, "/auth"); err != nil {
		return nil, fmt.Errorf("site: ID-porten: %w", err)
	}
	if x.Ansattporten, err = loginConfig(src.get, "GRUNNMUR_ANSATTPORTEN", x.public, o.OfficerPrefix); err != nil {
		return nil, fmt.Errorf("site: Ansattporten: %w", err)
	}
	if x.Officers, err = src.officers(); err != nil {
		return nil, err
	}
	if x.Maskinporten, err = maskinportenSource(src.get, o); err != nil {
		return nil, err
	}
	if err := x.readClients(src.get, x.log); err != nil {
		return nil, err
	}
	return x, nil
}

// source is where Setup reads a variable: the environment for a service
// whose key variable is set (see groups), the sandbox for the others.
type source struct {
	getenv func(string) string
	// sandbox is the running sandbox; nil when every service is real.
	sandbox *devenv.Env
}

// real reports whether the variable name belongs to a real service: one
// whose group's key variable is set, or that is in no group.
func (s *source) real(name string) bool {
	for _, g := range groups {
		if strings.HasPrefix(name, g.prefix) {
			return s.getenv(g.key) != ""
		}
	}
	return true
}

// get reads the variable name from the environment or, when its service is
// the fake one, from the sandbox.
func (s *source) get(name string) string {
	if s.real(name) || s.sandbox == nil {
		return s.getenv(name)
	}
	return s.sandbox.Getenv(name)
}

// sandboxNeeded reports whether a service that the scopes call for (every
// service without a scope in groups) has no key variable set.
func (s *source) sandboxNeeded(scopes []string) bool {
	for _, g := range groups {
		needed := g.scope == "" || slices.ContainsFunc(scopes, func(sc string) bool { return strings.HasPrefix(sc, g.scope) })
		if needed && !s.real(g.key) {
			return true
		}
	}
	return false
}

// startSandbox starts devenv on free loopback ports, makes it src's
// sandbox, fills x.Fakes from it and registers the officers' redirect URIs,
// under o.OfficerPrefix, with the sandbox's Ansattporten client.
func (x *Externals) startSandbox(src *source, o Options) error {
	e, err := devenv.Start(context.Background(), devenv.Options{Addr: "127.0.0.1:0", AppURLs: []string{x.public},
		LetterStep: o.LetterStep, Logger: x.log.With("component", "devenv"), Now: o.Now})
	if err != nil {
		return err
	}
	src.sandbox, x.Fakes.Env = e, e
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
	// The officers' login lives under OfficerPrefix, beside the citizens'
	// /auth/: the sandbox's Ansattporten client gets those redirect URIs
	// too.
	e.IDPorten.RegisterClient(idportentest.Client{
		ID: e.Credentials.Ansattporten.ClientID, Secret: e.Credentials.Ansattporten.ClientSecret,
		RedirectURIs:           []string{x.public + o.OfficerPrefix + "/callback"},
		PostLogoutRedirectURIs: []string{x.public + o.OfficerPrefix + "/logged-out"},
		FrontchannelLogoutURI:  x.public + o.OfficerPrefix + "/frontchannel-logout",
	})
	return nil
}

// officers reads GRUNNMUR_OFFICERS, an allow-list of fødselsnumre, into a
// set of their digits; with the fake Ansattporten and no list, the
// sandbox's officer.
func (s *source) officers() (map[string]bool, error) {
	list := s.getenv("GRUNNMUR_OFFICERS")
	if list == "" && !s.real("GRUNNMUR_ANSATTPORTEN_ISSUER") {
		list = s.sandbox.Getenv("GRUNNMUR_OFFICERS")
	}
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		pid, err := ident.ParseFodselsnummer(f)
		if err != nil {
			return nil, fmt.Errorf("GRUNNMUR_OFFICERS: %w", err)
		}
		out[pid.Reveal()] = true
	}
	return out, nil
}

// maskinportenSource reads the Maskinporten client's configuration and
// returns its token source for o.Scopes, on o.Now's clock: for
// Enhetsregisteret's authorised roles, Folkeregisteret and SvarUT.
func maskinportenSource(env func(string) string, o Options) (*maskinporten.TokenSource, error) {
	cfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN_", env)
	if errors.Is(err, config.ErrUnset) {
		return nil, fmt.Errorf("%w: no Maskinporten", ErrConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("site: Maskinporten: %w", err)
	}
	cfg.Scopes, cfg.Now = o.Scopes, o.Now
	cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	ts, err := maskinporten.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("site: Maskinporten: %w", err)
	}
	return ts, nil
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
