package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// Config is the service's configuration; the zero value (with Addr or
// Listener) runs every external service as an in-process fake.
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
	// kommuneOrgnr is the municipality the example runs as (a synthetic
	// number with a valid check digit).
	clientID        = "skjenkebevilling"
	officerClientID = "skjenkebevilling-ansatt"
)

// fakeServer is one in-process fake on a loopback port.
type fakeServer struct {
	URL string
	srv *http.Server
}

func startFake(h http.Handler) (*fakeServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeServer{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *fakeServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f.srv.Shutdown(ctx)
}

// Fakes are the in-process fakes in use (nil fields: the real service is
// configured). Tests reach them through App.Fakes.
type Fakes struct {
	IDPorten    *idportentest.Server
	IDPortenURL string
	Vipps       *vippstest.Server
	VippsURL    string
	SvarUT      *svaruttest.Server
	SvarUTURL   string
	Registries  *registrytest.Registries
	RegistryURL string
	// Officer is the fake Ansattporten's case officer, on GRUNNMUR_OFFICERS
	// by default.
	Officer idportentest.User
}

func randomSecret() string {
	return rand.Text() + rand.Text()
}

// officerUser is the synthetic case officer the fakes know.
func officerUser() idportentest.User {
	pid, err := ident.Synthetic(time.Date(1979, 4, 12, 0, 0, 0, 0, time.UTC), 3)
	if err != nil {
		panic(err) // a fixed, valid date: cannot fail
	}
	return idportentest.User{PID: pid, Name: "Oda Saksbehandler (saksbehandler)"}
}

// loginConfig reads prefix's variables for ID-porten or Ansattporten, or
// registers a client at the fake and returns its configuration.
func loginConfig(getenv func(string) string, prefix, public, authPrefix string, fake func() (*idportentest.Server, string, error), provider idportentest.Provider, client string) (idporten.Config, error) {
	cfg, ok, err := idporten.ConfigFromEnv(prefix, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = public + authPrefix + "/callback"
	}
	if cfg.PostLogoutRedirectURI == "" {
		cfg.PostLogoutRedirectURI = public + authPrefix + "/logged-out"
	}
	if ok {
		return cfg, nil
	}
	idp, _, err := fake()
	if err != nil {
		return cfg, err
	}
	secret := randomSecret()
	idp.RegisterClient(idportentest.Client{
		ID: client, Secret: secret,
		RedirectURIs:           []string{cfg.RedirectURI},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURI},
		FrontchannelLogoutURI:  public + authPrefix + "/frontchannel-logout",
	})
	cfg.Issuer = idp.Issuer(provider)
	cfg.ClientID = client
	cfg.ClientSecret = idporten.Secret(secret)
	return cfg, nil
}

// externals holds the clients of the outside services, real or fake.
type externals struct {
	idporten, ansattporten idporten.Config
	maskinporten           *maskinporten.TokenSource
	vipps                  vipps.Config
	svarut                 svarut.Config
	brregURL               string
	officers               map[string]bool
	fakes                  *Fakes
	closers                []func()
}

func (x *externals) close() {
	for i := len(x.closers) - 1; i >= 0; i-- {
		x.closers[i]()
	}
}

// setupExternals reads the GRUNNMUR_* variables; every service left unset
// runs as a fake on a loopback port in this process.
func setupExternals(getenv func(string) string, public string, log *slog.Logger) (_ *externals, err error) {
	x := &externals{fakes: &Fakes{}}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	var idpFake *idportentest.Server
	idp := func() (*idportentest.Server, string, error) {
		if idpFake != nil {
			return idpFake, x.fakes.IDPortenURL, nil
		}
		var users []idportentest.User
		for _, p := range registrytest.Persons() {
			if p.Status == "bosatt" {
				users = append(users, idportentest.User{PID: p.FNR, Name: p.Navn()})
			}
		}
		x.fakes.Officer = officerUser()
		users = append(users, x.fakes.Officer)
		idpFake = idportentest.New(idportentest.Config{Interactive: true, Users: users, Logger: log.With("fake", "idporten")})
		s, err := startFake(idpFake)
		if err != nil {
			return nil, "", err
		}
		x.closers = append(x.closers, s.Close)
		idpFake.SetBaseURL(s.URL)
		x.fakes.IDPorten, x.fakes.IDPortenURL = idpFake, s.URL
		return idpFake, s.URL, nil
	}

	if x.idporten, err = loginConfig(getenv, "GRUNNMUR_IDPORTEN", public, "/auth", idp, idportentest.IDPorten, clientID); err != nil {
		return nil, fmt.Errorf("skjenkebevilling: ID-porten: %w", err)
	}
	if x.ansattporten, err = loginConfig(getenv, "GRUNNMUR_ANSATTPORTEN", public, "/ansatt/auth", idp, idportentest.Ansattporten, officerClientID); err != nil {
		return nil, fmt.Errorf("skjenkebevilling: Ansattporten: %w", err)
	}

	// Officers: an allow-list of fødselsnumre; with the fake Ansattporten and
	// no list, its synthetic officer.
	x.officers = map[string]bool{}
	for _, s := range strings.FieldsFunc(getenv("GRUNNMUR_OFFICERS"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		pid, err := ident.ParseFodselsnummer(s)
		if err != nil {
			return nil, fmt.Errorf("GRUNNMUR_OFFICERS: %w", err)
		}
		x.officers[pid.Reveal()] = true
	}
	if len(x.officers) == 0 && x.fakes.IDPorten != nil && getenv("GRUNNMUR_ANSATTPORTEN_ISSUER") == "" {
		x.officers[x.fakes.Officer.PID.Reveal()] = true
	}

	// Maskinporten, for Enhetsregisteret's authorised roles and SvarUT.
	mpCfg, ok, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN", getenv)
	if err != nil {
		return nil, fmt.Errorf("skjenkebevilling: Maskinporten: %w", err)
	}
	if ok {
		mpCfg.Scopes = []string{scopeBrregRoller, scopeFiks}
		if x.maskinporten, err = maskinporten.New(mpCfg); err != nil {
			return nil, fmt.Errorf("skjenkebevilling: Maskinporten: %w", err)
		}
	} else {
		f, _, err := idp()
		if err != nil {
			return nil, err
		}
		if x.maskinporten, err = f.MaskinportenSource("skjenkebevilling-mp", registrytest.OrgnrWithCheckDigit("92100000"), nil, scopeBrregRoller, scopeFiks); err != nil {
			return nil, fmt.Errorf("skjenkebevilling: Maskinporten fake: %w", err)
		}
	}

	// Enhetsregisteret.
	x.brregURL = getenv("GRUNNMUR_BRREG_BASE_URL")
	if x.brregURL == "" {
		f, _, err := idp()
		if err != nil {
			return nil, err
		}
		regs := registrytest.NewRegistries()
		regs.Brreg.Authorize = func(r *http.Request) int {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				return http.StatusUnauthorized
			}
			if _, err := f.VerifyMaskinportenToken(tok, scopeBrregRoller); err != nil {
				return http.StatusForbidden
			}
			return 0
		}
		s, err := startFake(regs)
		if err != nil {
			return nil, err
		}
		x.closers = append(x.closers, s.Close)
		x.brregURL = s.URL
		x.fakes.Registries, x.fakes.RegistryURL = regs, s.URL
	}

	// Vipps.
	if base := getenv("GRUNNMUR_VIPPS_BASE_URL"); base != "" {
		x.vipps = vipps.Config{
			BaseURL:         base,
			ClientID:        getenv("GRUNNMUR_VIPPS_CLIENT_ID"),
			ClientSecret:    vipps.NewSecret(getenv("GRUNNMUR_VIPPS_CLIENT_SECRET")),
			SubscriptionKey: vipps.NewSecret(getenv("GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")),
			MSN:             getenv("GRUNNMUR_VIPPS_MSN"),
			HTTPClient:      &http.Client{Timeout: 15 * time.Second},
			Logger:          log,
		}
	} else {
		fake := vippstest.New(vippstest.Options{Logger: log.With("fake", "vipps")})
		s, err := startFake(fake)
		if err != nil {
			return nil, err
		}
		x.closers = append(x.closers, s.Close, fake.Close)
		x.vipps = fake.ClientConfig(s.URL)
		x.fakes.Vipps, x.fakes.VippsURL = fake, s.URL
	}

	// SvarUT.
	if base := getenv("GRUNNMUR_SVARUT_BASE_URL"); base != "" {
		x.svarut = svarut.Config{
			BaseURL:            base,
			KontoID:            getenv("GRUNNMUR_SVARUT_KONTO_ID"),
			IntegrasjonID:      getenv("GRUNNMUR_SVARUT_INTEGRASJON_ID"),
			IntegrasjonPassord: svarut.Secret(getenv("GRUNNMUR_SVARUT_INTEGRASJON_PASSORD")),
			HTTPClient:         x.maskinporten.Client(&http.Client{Timeout: 20 * time.Minute}),
			Logger:             log,
		}
	} else {
		f, _, err := idp()
		if err != nil {
			return nil, err
		}
		konto := "6f0ee5f0-5ee8-4b21-9a31-0c9e1e7c2a11"
		fake := svaruttest.New(svaruttest.Options{
			KontoID: konto, IntegrasjonID: "skjenk-integrasjon", IntegrasjonPassord: "skjenk-passord",
			CheckToken: func(tok string) bool {
				_, err := f.VerifyMaskinportenToken(tok, scopeFiks)
				return err == nil
			},
			AutoAdvance: 5 * time.Second,
		})
		s, err := startFake(fake)
		if err != nil {
			return nil, err
		}
		x.closers = append(x.closers, s.Close)
		x.svarut = svarut.Config{
			BaseURL: s.URL, KontoID: konto, IntegrasjonID: "skjenk-integrasjon", IntegrasjonPassord: "skjenk-passord",
			HTTPClient: x.maskinporten.Client(nil), Logger: log,
		}
		x.fakes.SvarUT, x.fakes.SvarUTURL = fake, s.URL
	}
	return x, nil
}

var errConfig = errors.New("skjenkebevilling: bad configuration")

func getenvOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}
