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
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// ErrConfig means a setting is missing or malformed: a production service
// with an outside service unset, an unknown GRUNNMUR_ENV, or a development
// service with a service unset and no sandbox to stand in for it. A
// *MissingError matches it too.
var ErrConfig = errors.New("site: bad configuration")

// The values of GRUNNMUR_ENV. Unset means Development.
const (
	// Development starts the sandbox (Options.Sandbox) for every outside
	// service whose variables are unset.
	Development = "development"
	// Production refuses to start while any outside service the service
	// needs is unset, and never starts a fake.
	Production = "production"
)

// MissingError names every variable that a production service still needs,
// sorted. It matches ErrConfig.
type MissingError struct {
	// Env is GRUNNMUR_ENV's value ("production"), or "development" when
	// no sandbox is linked.
	Env string
	// Names are the unset variables; "A or B" when either will do.
	Names []string
}

func (e *MissingError) Error() string {
	msg := fmt.Sprintf("site: GRUNNMUR_ENV=%s: set %s", e.Env, strings.Join(e.Names, ", "))
	if e.Env == Development {
		msg += " (or link the sandbox: Options.Sandbox = devenv.Sandbox, in a file built without -tags production)"
	}
	return msg
}

// Is makes a *MissingError match ErrConfig.
func (e *MissingError) Is(target error) bool { return target == ErrConfig }

// Sandbox is the development sandbox that stands in for the outside
// services left unset: package devenv's Env is one, started by
// devenv.Sandbox. site itself links no fake, so that a production binary
// does not either.
type Sandbox interface {
	// Getenv gives the GRUNNMUR_* variables that point a client at the
	// sandbox's fakes, in the shape of os.Getenv.
	Getenv(name string) string
	// Lines are the start-up lines that list the fakes, one per fake,
	// and the test users; none holds a fødselsnummer.
	Lines() []string
	// Officer is the test user who logs in as a case officer.
	Officer() (name string, pid ident.Fodselsnummer)
	// Close stops the fakes, waiting for requests in flight until ctx ends.
	Close(ctx context.Context) error
}

// SandboxOptions are what Setup tells Options.Sandbox.
type SandboxOptions struct {
	// Public is the service's URL: the fake logins send people back to
	// its /auth/ and to OfficerPrefix.
	Public string
	// OfficerPrefix is where the officers' login is mounted
	// ("/ansatt/auth").
	OfficerPrefix string
	// LetterStep moves the fake SvarUT's letters along.
	LetterStep time.Duration
	// BrokerURL is the RabbitMQ the sandbox's Fiks IO (and its archive
	// system) runs on: GRUNNMUR_DEV_AMQP_URL. Empty: no Fiks IO.
	BrokerURL string
	Logger    *slog.Logger
	// Now is the service's clock, which the fakes date tokens and
	// payments by.
	Now func() time.Time
}

// StartSandbox starts the sandbox; devenv.Sandbox is one.
type StartSandbox func(SandboxOptions) (Sandbox, error)

// Fakes is the in-process sandbox when any service is left unset. Tests and
// the start-up lines reach it here.
type Fakes struct {
	// Sandbox is nil when every service is real. A test reaches the fakes
	// themselves with a type assertion: Sandbox.(*devenv.Env).
	Sandbox     Sandbox
	IDPortenURL string
	VippsURL    string
	// Officer is the sandbox's case officer (on GRUNNMUR_OFFICERS when
	// Ansattporten is the fake and no list is given).
	Officer TestUser
}

// TestUser is a synthetic person of the sandbox.
type TestUser struct {
	Name string
	PID  ident.Fodselsnummer
}

// group is one outside service: key's presence means "the real one"; the
// rest of its variables then come from the environment, otherwise all of
// them come from the sandbox. need are the variables a real one must have
// ("A|B" when either will do). A service with a scope is needed only by a
// service that asks Maskinporten for it (Options.Scopes); "*" means any
// scope, and "officers" an officers' login (Options.OfficerPrefix).
type group struct {
	prefix, key, scope string
	need               []string
}

var groups = []group{
	{"GRUNNMUR_IDPORTEN_", "GRUNNMUR_IDPORTEN_ISSUER", "", []string{"ISSUER", "CLIENT_ID", "CLIENT_SECRET|CLIENT_KEY_FILE"}},
	{"GRUNNMUR_ANSATTPORTEN_", "GRUNNMUR_ANSATTPORTEN_ISSUER", "officers", []string{"ISSUER", "CLIENT_ID", "CLIENT_SECRET|CLIENT_KEY_FILE"}},
	{"GRUNNMUR_MASKINPORTEN_", "GRUNNMUR_MASKINPORTEN_ISSUER", "*", []string{"ISSUER", "CLIENT_ID", "KEY_FILE"}},
	{"GRUNNMUR_VIPPS_", "GRUNNMUR_VIPPS_BASE_URL", "", []string{"BASE_URL", "CLIENT_ID", "CLIENT_SECRET", "SUBSCRIPTION_KEY", "MSN"}},
	{"GRUNNMUR_SVARUT_", "GRUNNMUR_SVARUT_BASE_URL", "ks:fiks", []string{"BASE_URL", "KONTO_ID", "INTEGRASJON_ID", "INTEGRASJON_PASSORD"}},
	{"GRUNNMUR_BRREG_", "GRUNNMUR_BRREG_BASE_URL", "brreg:", []string{"BASE_URL"}},
	{"GRUNNMUR_FOLKEREGISTERET_", "GRUNNMUR_FOLKEREGISTERET_BASE_URL", "folkeregister:", []string{"BASE_URL"}},
	{"GRUNNMUR_KRR_", "GRUNNMUR_KRR_BASE_URL", "krr:", []string{"BASE_URL"}},
	{"GRUNNMUR_ALTINN_NOTIFICATIONS_", "GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL", notify.AltinnScope, []string{"BASE_URL"}},
	// Fiks IO and the archive's account on it are optional (Journaling):
	// never required, the sandbox's when unset.
	{"GRUNNMUR_FIKSIO_", "GRUNNMUR_FIKSIO_KONTO_ID", "optional", nil},
	{"GRUNNMUR_FIKSARKIV_", "GRUNNMUR_FIKSARKIV_KONTO_ID", "optional", nil},
}

// needed reports whether the service that o describes uses g.
func (g group) needed(o Options) bool {
	switch g.scope {
	case "":
		return true
	case "officers":
		return o.OfficerPrefix != ""
	case "*":
		return len(o.Scopes) > 0
	case "optional":
		return false
	}
	return slices.ContainsFunc(o.Scopes, func(sc string) bool { return strings.HasPrefix(sc, g.scope) })
}

// Externals holds the clients' configurations of the outside services, real
// or fake, read through one getenv either way.
type Externals struct {
	IDPorten, Ansattporten idporten.Config
	// Maskinporten holds Options.Scopes, for the registries and SvarUT;
	// nil when there are none and Maskinporten is unset.
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
	// KRR is for a person's contact details and reservation (the scope
	// krr:global/kontaktinformasjon.read).
	KRR krr.Config
	// Notifications is Altinn Notifications (the scope notify.AltinnScope),
	// its Maskinporten source not yet set.
	Notifications notify.AltinnConfig
	// SMTP is GRUNNMUR_SMTP_URL's server, nil when it is unset: e-mail then
	// goes through Altinn Notifications.
	SMTP *notify.SMTPConfig
	// NATS is the NATS JetStream the service publishes its events to
	// (GRUNNMUR_NATS_URL, see NATSConfigFromEnv); nil when it is unset:
	// the events are then relayed in process.
	NATS *NATSConfig
	// Officers are the officers' fødselsnumre (digits): the allow-list.
	Officers map[string]bool
	// Env is GRUNNMUR_ENV: Development or Production.
	Env string
	// Fakes is the sandbox; its Sandbox is nil when every service is real.
	Fakes *Fakes

	public string
	log    *slog.Logger
	// getenv reads a variable as Setup does: the sandbox's for a service
	// left unset.
	getenv func(string) string
}

// Close stops the sandbox, if it runs.
func (x *Externals) Close() {
	if x.Fakes.Sandbox != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		x.Fakes.Sandbox.Close(ctx)
	}
}

// Options configure Setup.
type Options struct {
	// Public is the service's URL, for the redirect URIs.
	Public string
	// OfficerPrefix is where the officers' auth.Manager is mounted
	// ("/ansatt/auth"); the citizens' is at /auth. Empty means the service
	// has no officers' login: Ansattporten and GRUNNMUR_OFFICERS are then
	// neither read nor required.
	OfficerPrefix string
	// Scopes the service needs from Maskinporten. They also say which
	// services it uses besides ID-porten and Vipps: Maskinporten when there
	// is any, SvarUT for ks:fiks, Enhetsregisteret for brreg:*,
	// Folkeregisteret for folkeregister:*, KRR for krr:*, Altinn
	// Notifications for notify.AltinnScope (ServiceConfig.Notify adds the
	// last two). Only those are required in production.
	Scopes []string
	// Invoices says that the service takes payment by invoice: in
	// production GRUNNMUR_INVOICE_ACCOUNT, the account the invoices name, is
	// then required with the rest (ServiceConfig.Invoices sets it).
	Invoices bool
	// Sandbox starts the fakes for the services left unset in
	// development: devenv.Sandbox, assigned in a file built without
	// -tags production, so that a production binary links no fake. Nil
	// makes an unset service an error in development too.
	Sandbox StartSandbox
	// LetterStep moves the fake SvarUT's letters along; 0 means 5 s.
	LetterStep time.Duration
	Logger     *slog.Logger
	// Now is the service's clock, nil meaning time.Now. The sandbox's fakes
	// and the Maskinporten client read it too: tokens, signatures and
	// payments are dated by the one clock the service checks them with.
	Now func() time.Time
}

// Setup is the configuration of every outside service in one call. It reads
// GRUNNMUR_ENV and the GRUNNMUR_* variables of ID-porten, Ansattporten
// (with GRUNNMUR_OFFICERS), Maskinporten, Vipps (with
// GRUNNMUR_VIPPS_WEBHOOK_SECRET), SvarUT, Enhetsregisteret and, when
// o.Scopes asks for it, Folkeregisteret, each through its package's
// ConfigFromEnv.
//
// In development (GRUNNMUR_ENV unset or "development") a service whose key
// variable (its ISSUER or BASE_URL) is unset is served by the sandbox that
// o.Sandbox starts in this process, and the sandbox's variables stand in:
// the code that reads the configuration is the same for the fake and the
// real service. With GRUNNMUR_ENV=production no fake starts; while any
// variable a needed service must have is unset, Setup returns a
// *MissingError naming every one of them. Any other GRUNNMUR_ENV is
// ErrConfig.
func Setup(getenv func(string) string, o Options) (_ *Externals, err error) {
	x := &Externals{Fakes: &Fakes{}}
	x.public, x.log = o.Public, defaults.Logger(o.Logger)
	if o.LetterStep == 0 {
		o.LetterStep = 5 * time.Second
	}
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	src := &source{getenv: getenv}
	x.getenv = src.get
	if x.Env, err = mode(getenv); err != nil {
		return nil, err
	}
	if err := x.startSandbox(src, o); err != nil {
		return nil, err
	}
	if x.IDPorten, err = loginConfig(src.get, "GRUNNMUR_IDPORTEN", x.public, "/auth"); err != nil {
		return nil, fmt.Errorf("site: ID-porten: %w", err)
	}
	if err := x.readOfficers(src, o); err != nil {
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

// readOfficers reads Ansattporten's configuration and GRUNNMUR_OFFICERS,
// when the service has an officers' login.
func (x *Externals) readOfficers(src *source, o Options) (err error) {
	x.Officers = map[string]bool{}
	if o.OfficerPrefix == "" {
		return nil
	}
	if x.Ansattporten, err = loginConfig(src.get, "GRUNNMUR_ANSATTPORTEN", x.public, o.OfficerPrefix); err != nil {
		return fmt.Errorf("site: Ansattporten: %w", err)
	}
	x.Officers, err = src.officers()
	return err
}

// mode reads GRUNNMUR_ENV: Development when unset.
func mode(getenv func(string) string) (string, error) {
	switch env := getenv("GRUNNMUR_ENV"); env {
	case "", Development:
		return Development, nil
	case Production:
		return Production, nil
	default:
		return "", fmt.Errorf("%w: GRUNNMUR_ENV=%q: want %q or %q", ErrConfig, env, Development, Production)
	}
}

// source is where Setup reads a variable: the environment for a service
// whose key variable is set (see groups), the sandbox for the others.
type source struct {
	getenv func(string) string
	// sandbox is the running sandbox; nil when every service is real.
	sandbox Sandbox
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

// missing lists the variables that the services the scopes call for must
// have and do not: all of a service's when its key variable is unset, and
// in production also the ones a set service lacks.
func (s *source) missing(o Options, production bool) []string {
	var out []string
	for _, g := range groups {
		if !g.needed(o) || (!production && s.real(g.key)) {
			continue
		}
		for _, n := range g.need {
			alts := strings.Split(n, "|")
			if !slices.ContainsFunc(alts, func(a string) bool { return s.getenv(g.prefix+a) != "" }) {
				for i := range alts {
					alts[i] = g.prefix + alts[i]
				}
				out = append(out, strings.Join(alts, " or "))
			}
		}
	}
	if production && o.OfficerPrefix != "" && s.getenv("GRUNNMUR_OFFICERS") == "" {
		out = append(out, "GRUNNMUR_OFFICERS")
	}
	if production && o.Invoices && s.getenv("GRUNNMUR_INVOICE_ACCOUNT") == "" {
		out = append(out, "GRUNNMUR_INVOICE_ACCOUNT")
	}
	slices.Sort(out)
	return out
}

// startSandbox starts o.Sandbox, in development when a service the scopes
// call for is unset, makes it src's sandbox and fills x.Fakes from it. In
// production, or without o.Sandbox, an unset service is a *MissingError.
func (x *Externals) startSandbox(src *source, o Options) error {
	prod := x.Env == Production
	missing := src.missing(o, prod)
	switch {
	case len(missing) == 0:
		return nil
	case prod || o.Sandbox == nil:
		return &MissingError{Env: x.Env, Names: missing}
	}
	sb, err := o.Sandbox(SandboxOptions{Public: x.public, OfficerPrefix: o.OfficerPrefix, BrokerURL: src.getenv("GRUNNMUR_DEV_AMQP_URL"),
		LetterStep: o.LetterStep, Logger: x.log.With("component", "devenv"), Now: o.Now})
	if err != nil {
		return fmt.Errorf("site: the sandbox: %w", err)
	}
	src.sandbox, x.Fakes.Sandbox = sb, sb
	x.Fakes.IDPortenURL = sb.Getenv("GRUNNMUR_IDPORTEN_ISSUER")
	x.Fakes.VippsURL = sb.Getenv("GRUNNMUR_VIPPS_BASE_URL")
	x.Fakes.Officer.Name, x.Fakes.Officer.PID = sb.Officer()
	return nil
}

// officers reads GRUNNMUR_OFFICERS, an allow-list of fødselsnumre, into a
// set of their digits; with the fake Ansattporten and no list, the
// sandbox's officer.
func (s *source) officers() (map[string]bool, error) {
	list := s.getenv("GRUNNMUR_OFFICERS")
	if list == "" && !s.real("GRUNNMUR_ANSATTPORTEN_ISSUER") && s.sandbox != nil {
		list = s.sandbox.Getenv("GRUNNMUR_OFFICERS")
	}
	return AllowList(func(string) string { return list }, "GRUNNMUR_OFFICERS")
}

// maskinportenSource reads the Maskinporten client's configuration and
// returns its token source for o.Scopes, on o.Now's clock: for
// Enhetsregisteret's authorised roles, Folkeregisteret and SvarUT.
func maskinportenSource(env func(string) string, o Options) (*maskinporten.TokenSource, error) {
	cfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN_", env)
	if errors.Is(err, config.ErrUnset) && len(o.Scopes) == 0 {
		return nil, nil // no service behind Maskinporten
	}
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
	x.KRR, err = krr.ConfigFromEnv("GRUNNMUR_KRR_", env)
	if err := unsetOK("KRR", err); err != nil {
		return err
	}
	x.Notifications, err = notify.AltinnConfigFromEnv("GRUNNMUR_ALTINN_NOTIFICATIONS_", env)
	if err := unsetOK("Altinn Notifications", err); err != nil {
		return err
	}
	smtp, err := notify.SMTPConfigFromEnv("GRUNNMUR_SMTP_", env)
	if err := unsetOK("SMTP", err); err != nil {
		return err
	}
	if err == nil {
		x.SMTP = &smtp
	}
	nc, err := NATSConfigFromEnv("GRUNNMUR_NATS_", env)
	if err := unsetOK("NATS", err); err != nil {
		return err
	}
	if err == nil {
		x.NATS = &nc
	}
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
