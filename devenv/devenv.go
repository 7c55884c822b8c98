package devenv

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/payment/vippstest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
	"github.com/grunnmur/grunnmur/svarut/svaruttest"
)

// DefaultAddr is where the first fake listens; the others take the next
// ports, in the order of Services.
const DefaultAddr = "127.0.0.1:9000"

// DefaultAppURL is the agency service the fake logins send people back to:
// the skjenkebevilling example's address.
const DefaultAppURL = "http://127.0.0.1:8080"

// The fixed credentials the sandbox registers in its fakes. They are fakes'
// credentials, good for nothing else, so they are printed and may be
// committed to a developer's .env.
const (
	IDPortenClientID         = "grunnmur-dev"
	IDPortenClientSecret     = "grunnmur-dev-secret"
	AnsattportenClientID     = "grunnmur-dev-ansattporten"
	AnsattportenClientSecret = "grunnmur-dev-ansattporten-secret"
	MaskinportenClientID     = "grunnmur-dev-maskinporten"
	MaskinportenKeyID        = "grunnmur-dev-maskinporten-key"
	SvarUTKontoID            = "3f2c8a4e-5b1d-4e0f-9a7c-2d6b8e1f4a90"
	SvarUTIntegrasjonID      = "8c1e5f2a-7d3b-4a69-b0e4-5f9d2c7a1b36"
	SvarUTIntegrasjonPassord = "grunnmur-dev-integrasjon-passord"
	// AgencyOrgnr is the agency the Maskinporten client belongs to: the
	// organisation number archivetest and the examples use for the
	// municipality.
	AgencyOrgnr = "974760673"
)

// MaskinportenScopes are the scopes the sandbox's Maskinporten client may
// get, and that the fake APIs ask for.
var MaskinportenScopes = []string{
	svarut.Scope, // ks:fiks
	"brreg:data:enhetsregisteret:roller",
	"folkeregister:deling/offentligmedhjemmel",
	"krr:global/kontaktinformasjon.read",
	"krr:global/digitalpost.read",
	notify.AltinnScope, // altinn:serviceowner/notifications.create
}

// Options configure Start. The zero value serves every fake from
// 127.0.0.1:9000 up, for an agency service at http://127.0.0.1:8080.
type Options struct {
	// Addr is where the first fake listens, host:port; the others take the
	// following ports. Port 0 gives every fake a free port of its own (for
	// tests). Default DefaultAddr.
	Addr string
	// AppURLs are the agency services (scheme, host and port) that the fake
	// ID-porten and Ansattporten send people back to: each gets the
	// redirect paths /auth/callback and /auth/logged-out, and the first also
	// /auth/frontchannel-logout. Default DefaultAppURL and its localhost twin.
	AppURLs []string
	// NonInteractive makes logins go through at once as the next user
	// (idportentest LoginAs) instead of showing the test-user picker.
	NonInteractive bool
	// Dir is where the Maskinporten client's private key is written, for
	// GRUNNMUR_MASKINPORTEN_KEY_FILE. Empty means a temporary folder that
	// Close removes.
	Dir string
	// LetterStep, when positive, moves each letter sent to the fake SvarUT
	// one status along its route (MOTTATT, AKSEPTERT, VARSLET, LEST, ...)
	// whenever that long has passed, so a service sees its letters progress.
	// Zero means they move only on command (Env.SvarUT.Advance, Complete).
	LetterStep time.Duration
	// BrokerURL is the RabbitMQ the fake Fiks IO runs on, with credentials
	// that may declare queues (DefaultBrokerURL on a developer's machine).
	// Empty, or a broker that cannot be reached, leaves Fiks IO out
	// (Env.FiksIOUnavailable says which); the other fakes start all the same.
	BrokerURL string
	// Logger receives a line per fake started and stopped; nil discards.
	Logger *slog.Logger
	// Now is the fakes' clock; nil means time.Now.
	Now func() time.Time
}

// Service is one running fake.
type Service struct {
	Name string `json:"name"` // "ID-porten", "Vipps", ...
	// URL is the base URL a client is configured with: the issuer for the
	// login services, the API base for the others.
	URL string `json:"url"`
	// Check is a URL that answers 200 to a plain GET when the fake is up
	// (a discovery document, or a public read).
	Check string `json:"check"`
	// Env is the variable that points an agency service at URL.
	Env string `json:"env"`
}

// User is a synthetic test person who can log in at the fake ID-porten
// (and Ansattporten). The registries know the same people.
type User struct {
	Name string              `json:"name"`
	PID  ident.Fodselsnummer `json:"-"`
	// Role is "citizen" or "officer" (the one in GRUNNMUR_OFFICERS).
	Role string `json:"role"`
	// Note says what the person is good for in a test.
	Note string `json:"note,omitempty"`
}

// OIDCClient is a client registered at the fake ID-porten or Ansattporten.
type OIDCClient struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// MaskinportenClient is the sandbox's Maskinporten client.
type MaskinportenClient struct {
	Issuer   string   `json:"issuer"`
	ClientID string   `json:"clientId"`
	KeyID    string   `json:"kid"`
	KeyFile  string   `json:"keyFile"` // PEM, PKCS #8
	Orgnr    string   `json:"orgnr"`
	Scopes   []string `json:"scopes"`
}

// VippsClient are the fake Vipps' merchant credentials.
type VippsClient struct {
	BaseURL         string `json:"baseUrl"`
	ClientID        string `json:"clientId"`
	ClientSecret    string `json:"clientSecret"`
	SubscriptionKey string `json:"subscriptionKey"`
	MSN             string `json:"msn"`
}

// SvarUTClient are the fake SvarUT's account and integration.
type SvarUTClient struct {
	BaseURL            string `json:"baseUrl"`
	KontoID            string `json:"kontoId"`
	IntegrasjonID      string `json:"integrasjonId"`
	IntegrasjonPassord string `json:"integrasjonPassord"`
}

// Credentials are what the sandbox registered in its fakes.
type Credentials struct {
	IDPorten     OIDCClient         `json:"idporten"`
	Ansattporten OIDCClient         `json:"ansattporten"`
	Maskinporten MaskinportenClient `json:"maskinporten"`
	Vipps        VippsClient        `json:"vipps"`
	SvarUT       SvarUTClient       `json:"svarut"`
	// FiksIO is empty when the Fiks IO fake does not run.
	FiksIO FiksIOClient `json:"fiksio,omitzero"`
	// FiksArkivKontoID is the fake archive system's Fiks IO account
	// (GRUNNMUR_FIKSARKIV_KONTO_ID); empty when Fiks IO does not run.
	FiksArkivKontoID string `json:"fiksarkivKontoId,omitempty"`
}

// Env is the running sandbox: every fake on its own port, configured and
// connected. The fakes are exported so that a test or an example can drive
// them (approve a payment, advance a letter, log in as someone).
type Env struct {
	// IDPorten serves ID-porten at its root, Ansattporten under
	// /ansattporten and Maskinporten under /maskinporten/.
	IDPorten        *idportentest.Server
	Vipps           *vippstest.Server
	SvarUT          *svaruttest.Server
	Brreg           *registrytest.Brreg
	Folkeregisteret *registrytest.Folkeregisteret
	KRR             *registrytest.KRR
	Adresse         *registrytest.Adresse
	// Notifications is Altinn Notifications, with Altinn's token exchange.
	Notifications *notifytest.Altinn
	// FiksIO is Fiks IO on Options.BrokerURL; nil when it has none, and
	// FiksIOUnavailable (wrapping ErrNoBroker) says why.
	FiksIO            *fiksiotest.Server
	FiksIOUnavailable error
	// Archive is the municipality's archive system (as Public 360 through
	// Fiks Arkiv) on its own Fiks IO account; nil without Fiks IO.
	Archive *fiksarkivtest.Archive

	// Services lists the fakes in port order.
	Services    []Service
	Credentials Credentials
	Users       []User

	key          crypto.Signer
	fiksioKey    *rsa.PrivateKey
	fiksioSigner asice.Signer
	stopArchive  func()
	now          func() time.Time // Options.Now
	servers      []*http.Server
	done         []chan struct{}
	tmpDir       string
	log          *slog.Logger
	once         sync.Once
	cerr         error
}

// The services, in port order.
const (
	nameIDPorten        = "ID-porten"
	nameAnsattporten    = "Ansattporten"
	nameMaskinporten    = "Maskinporten"
	nameVipps           = "Vipps"
	nameSvarUT          = "SvarUT"
	nameBrreg           = "Enhetsregisteret"
	nameFolkeregisteret = "Folkeregisteret"
	nameKRR             = "KRR"
	nameAdresse         = "Kartverket adresser"
	nameNotifications   = "Altinn Notifications"
	nameFiksIO          = "Fiks IO"
)

// Start starts every fake: ID-porten with Ansattporten and Maskinporten (one
// server), Vipps, SvarUT/SvarInn, Enhetsregisteret, Folkeregisteret, KRR,
// Kartverket's address API, Altinn Notifications and Fiks IO (REST, then
// AMQP), each on its own port from o.Addr up. Fiks IO needs o.BrokerURL's
// RabbitMQ; without it its two ports stay free and the rest starts. The APIs behind Maskinporten (SvarUT, Folkeregisteret, KRR,
// Enhetsregisteret's authorised roles, Altinn's token exchange) accept only tokens from the fake Maskinporten with their
// scope. The fakes run until Close; ctx bounds the start only.
//
// A port already taken is an error naming it; nothing is left running.
func Start(ctx context.Context, o Options) (*Env, error) {
	n := fakeCount
	if o.BrokerURL == "" {
		n -= 2 // Fiks IO's two ports stay free
	}
	lns, err := listen(ctx, o.Addr, n)
	if err != nil {
		return nil, err
	}
	base := make([]string, len(lns))
	for i, ln := range lns {
		base[i] = "http://" + ln.Addr().String()
	}
	e := &Env{log: defaults.Logger(o.Logger), now: o.Now}
	keyFile, err := e.startLogins(o, base[0])
	if err != nil {
		for _, l := range lns {
			l.Close()
		}
		if e.tmpDir != "" {
			os.RemoveAll(e.tmpDir)
		}
		return nil, err
	}
	e.startAPIs(o, base)
	e.Credentials = e.credentials(base, keyFile)
	fiksioHandler, err := e.startFiksIO(ctx, o, lns[8:])
	if err != nil {
		for _, l := range lns[:8] {
			l.Close()
		}
		if e.tmpDir != "" {
			os.RemoveAll(e.tmpDir)
		}
		return nil, err
	}
	e.Services = services(base, e.FiksIO != nil)
	handlers := e.handlers()
	if e.FiksIO != nil {
		handlers = append(handlers, fiksioHandler)
	} else {
		e.log.Info("devenv: fake not started", "fake", nameFiksIO, "reason", e.FiksIOUnavailable)
	}
	e.serve(lns, base, handlers)
	if e.FiksIO != nil {
		if err := e.startArchive(o, e.FiksIO, base[8]); err != nil {
			e.log.Warn("devenv: fake not started", "fake", "Fiks Arkiv", "reason", err)
		}
	}
	return e, nil
}

// fakeCount is how many servers Start runs, on consecutive ports: the login
// services (one server), Vipps, SvarUT, Enhetsregisteret, Folkeregisteret,
// KRR, Kartverket's addresses, Altinn Notifications, and Fiks IO's REST
// and AMQP sides.
const fakeCount = 10

// listen parses addr (DefaultAddr when empty) and listens on n ports from
// its port up, or on free ports when the port is 0. Listening on
// every port before anything serves makes a taken port fail the start; on
// an error no listener is left open.
func listen(ctx context.Context, addr string, n int) ([]net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("devenv: address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535-(fakeCount-1) {
		return nil, fmt.Errorf("devenv: address %q: the port must be a number from 0 to 65526", addr)
	}
	var lns []net.Listener
	var lc net.ListenConfig
	for i := range n {
		p := 0
		if port != 0 {
			p = port + i
		}
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, fmt.Errorf("devenv: %w", err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// startLogins sets up the fake ID-porten (with Ansattporten and
// Maskinporten) at base: the test users, the two OIDC clients redirecting
// to o.AppURLs, and the Maskinporten client with a fresh key, which it
// writes to o.Dir (or a temporary folder, kept in e.tmpDir) and whose file
// it returns.
func (e *Env) startLogins(o Options, base string) (keyFile string, err error) {
	e.Users = users()
	var idpUsers []idportentest.User
	for _, u := range e.Users {
		idpUsers = append(idpUsers, idportentest.User{PID: u.PID, Name: u.Name})
	}
	e.IDPorten = idportentest.New(idportentest.Config{
		BaseURL: base, Users: idpUsers, Interactive: !o.NonInteractive, Now: o.Now, Logger: o.Logger,
	})
	e.registerOIDCClients(o.AppURLs)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("devenv: %w", err)
	}
	e.key = key
	e.IDPorten.RegisterClient(idportentest.Client{
		ID: MaskinportenClientID, Keys: map[string]crypto.PublicKey{MaskinportenKeyID: &key.PublicKey},
		Scopes: MaskinportenScopes, OrgNumber: AgencyOrgnr,
	})
	return e.writeKey(o.Dir, "maskinporten-key.pem", key)
}

// registerOIDCClients registers the ID-porten and Ansattporten clients,
// sending people back to each of apps (DefaultAppURL and its localhost twin
// when empty); the first also gets the front-channel logout.
func (e *Env) registerOIDCClients(apps []string) {
	if len(apps) == 0 {
		apps = []string{DefaultAppURL, "http://localhost:8080"}
	}
	var redirects, logouts []string
	for _, a := range apps {
		a = strings.TrimSuffix(a, "/")
		redirects = append(redirects, a+"/auth/callback")
		logouts = append(logouts, a+"/auth/logged-out")
	}
	front := strings.TrimSuffix(apps[0], "/") + "/auth/frontchannel-logout"
	for _, c := range []struct{ id, secret string }{
		{IDPortenClientID, IDPortenClientSecret}, {AnsattportenClientID, AnsattportenClientSecret},
	} {
		e.IDPorten.RegisterClient(idportentest.Client{
			ID: c.id, Secret: c.secret, RedirectURIs: redirects, PostLogoutRedirectURIs: logouts,
			FrontchannelLogoutURI: front,
		})
	}
}

// writeKey writes a private key (PEM, PKCS #8) as name in dir, or in a
// temporary folder recorded in e.tmpDir when dir is empty, and returns the
// file's path.
func (e *Env) writeKey(dir, name string, key *rsa.PrivateKey) (string, error) {
	if dir == "" && e.tmpDir != "" {
		dir = e.tmpDir
	} else if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "grunnmur-dev-"); err != nil {
			return "", fmt.Errorf("devenv: %w", err)
		}
		e.tmpDir = dir
	}
	keyFile := filepath.Join(dir, name)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("devenv: %w", err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", fmt.Errorf("devenv: %w", err)
	}
	return keyFile, nil
}

// startAPIs creates the fake Vipps, SvarUT and registries; those behind
// Maskinporten accept only tokens from e.IDPorten with their scope.
func (e *Env) startAPIs(o Options, base []string) {
	e.Vipps = vippstest.New(vippstest.Config{BaseURL: base[1], Now: o.Now, Logger: o.Logger})
	e.SvarUT = svaruttest.New(svaruttest.Config{
		KontoID: SvarUTKontoID, IntegrasjonID: SvarUTIntegrasjonID, IntegrasjonPassord: secret.New(SvarUTIntegrasjonPassord),
		Authorize: func(r *http.Request) int {
			if _, err := e.IDPorten.VerifyMaskinportenToken(bearer(r), svarut.Scope); err != nil {
				return http.StatusUnauthorized
			}
			return 0
		},
		Now: o.Now, AutoAdvance: o.LetterStep,
	})
	e.Brreg = registrytest.NewBrreg(registrytest.BrregConfig{Authorize: e.requireScope("brreg:data:enhetsregisteret:"), Now: o.Now})
	e.Folkeregisteret = registrytest.NewFolkeregisteret(registrytest.FolkeregisteretConfig{Authorize: e.requireScope("folkeregister:deling/")})
	e.KRR = registrytest.NewKRR(registrytest.KRRConfig{Authorize: e.requireScope("krr:global/")})
	e.Adresse = registrytest.NewAdresse(registrytest.AdresseConfig{})
	e.Notifications = notifytest.NewAltinn(notifytest.AltinnConfig{Authorize: e.requireScope("altinn:serviceowner/notifications"), Now: o.Now})
}

// bearer returns the request's bearer token, or "" when it has none.
func bearer(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return tok
}

// requireScope returns a fake's Authorize hook that lets a request through
// only with a Maskinporten token from e.IDPorten holding a scope that
// starts with prefix: 401 without a valid token, 403 without the scope.
func (e *Env) requireScope(prefix string) func(r *http.Request) int {
	return func(r *http.Request) int {
		t, err := e.IDPorten.VerifyMaskinportenToken(bearer(r), "")
		if err != nil {
			return http.StatusUnauthorized
		}
		if !slices.ContainsFunc(t.Scopes, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
			return http.StatusForbidden
		}
		return 0
	}
}

// services lists the fakes, in port order, given the servers' base URLs;
// Fiks IO only when it runs.
func services(base []string, fiksIO bool) []Service {
	s := []Service{
		{nameIDPorten, base[0], base[0] + "/.well-known/openid-configuration", "GRUNNMUR_IDPORTEN_ISSUER"},
		{nameAnsattporten, base[0] + "/ansattporten", base[0] + "/ansattporten/.well-known/openid-configuration", "GRUNNMUR_ANSATTPORTEN_ISSUER"},
		{nameMaskinporten, base[0] + "/maskinporten/", base[0] + "/maskinporten/.well-known/oauth-authorization-server", "GRUNNMUR_MASKINPORTEN_ISSUER"},
		{nameVipps, base[1], base[1] + "/healthz", "GRUNNMUR_VIPPS_BASE_URL"},
		{nameSvarUT, base[2], base[2] + "/healthz", "GRUNNMUR_SVARUT_BASE_URL"},
		{nameBrreg, base[3], base[3] + "/enhetsregisteret/api/enheter/" + registrytest.ApplicantOrgnr, "GRUNNMUR_BRREG_BASE_URL"},
		{nameFolkeregisteret, base[4], base[4] + "/healthz", "GRUNNMUR_FOLKEREGISTERET_BASE_URL"},
		{nameKRR, base[5], base[5] + "/healthz", "GRUNNMUR_KRR_BASE_URL"},
		{nameAdresse, base[6] + "/adresser/v1", base[6] + "/adresser/v1/sok?sok=Storgata&treffPerSide=1", "GRUNNMUR_ADRESSE_BASE_URL"},
		{nameNotifications, base[7] + "/notifications/api/v1", base[7] + "/healthz", "GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL"},
	}
	if fiksIO {
		s = append(s, Service{nameFiksIO, base[8], base[8] + "/healthz", "GRUNNMUR_FIKSIO_BASE_URL"})
	}
	return s
}

// credentials are what Start registered in the fakes, with the issuers of
// e.IDPorten, the servers' base URLs and the Maskinporten key's file.
func (e *Env) credentials(base []string, keyFile string) Credentials {
	return Credentials{
		IDPorten:     OIDCClient{Issuer: e.IDPorten.Issuer(idportentest.IDPorten), ClientID: IDPortenClientID, ClientSecret: IDPortenClientSecret},
		Ansattporten: OIDCClient{Issuer: e.IDPorten.Issuer(idportentest.Ansattporten), ClientID: AnsattportenClientID, ClientSecret: AnsattportenClientSecret},
		Maskinporten: MaskinportenClient{Issuer: e.IDPorten.Issuer(idportentest.Maskinporten), ClientID: MaskinportenClientID,
			KeyID: MaskinportenKeyID, KeyFile: keyFile, Orgnr: AgencyOrgnr, Scopes: slices.Clone(MaskinportenScopes)},
		Vipps: VippsClient{BaseURL: base[1], ClientID: vippstest.DefaultClientID, ClientSecret: vippstest.DefaultClientSecret,
			SubscriptionKey: vippstest.DefaultSubscriptionKey, MSN: vippstest.DefaultMSN},
		SvarUT: SvarUTClient{BaseURL: base[2], KontoID: SvarUTKontoID, IntegrasjonID: SvarUTIntegrasjonID, IntegrasjonPassord: SvarUTIntegrasjonPassord},
	}
}

// handlers are the fakes' HTTP handlers in port order, Fiks IO aside.
func (e *Env) handlers() []http.Handler {
	return []http.Handler{
		e.IDPorten,
		withHealth(e.Vipps),
		withHealth(e.SvarUT),
		e.Brreg,
		withHealth(e.Folkeregisteret),
		withHealth(e.KRR),
		e.Adresse,
		withHealth(e.Notifications),
	}
}

// serve serves each handler on its listener, in port order, until Close.
func (e *Env) serve(lns []net.Listener, base []string, handlers []http.Handler) {
	names := []string{"ID-porten, Ansattporten, Maskinporten", nameVipps, "SvarUT/SvarInn", nameBrreg, nameFolkeregisteret, nameKRR, nameAdresse, nameNotifications, nameFiksIO}
	for i, h := range handlers {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		done := make(chan struct{})
		e.servers = append(e.servers, srv)
		e.done = append(e.done, done)
		go func(ln net.Listener) {
			defer close(done)
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				e.log.Error("devenv: fake stopped", "fake", names[i], "err", err)
			}
		}(lns[i])
		e.log.Info("devenv: fake started", "fake", names[i], "url", base[i])
	}
}

// withHealth answers GET /healthz with 200 before the fake sees the request,
// for fakes whose every route needs credentials.
func withHealth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("ok\n"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// users are registrytest's living persons (so the registries know who logs
// in) and one case officer.
func users() []User {
	notes := map[int]string{
		registrytest.SigridHaugland: "daglig leder of SESAM AS (" + registrytest.ApplicantOrgnr + "): may act for it; digital mail",
		registrytest.OlaBakken:      "reserved against digital mail in KRR",
		registrytest.IngridSolberg:  "board member of SESAM AS; strictly confidential address",
		registrytest.NilsFjeld:      "not in KRR; matrikkeladresse",
		registrytest.EmilNordby:     "confidential address; KRR cannot notify him",
		registrytest.MajaStrand:     "sole proprietor; no digital mailbox",
	}
	var out []User
	for i, p := range registrytest.Persons() {
		if p.Status == "doed" {
			continue
		}
		out = append(out, User{Name: p.Name(), PID: p.FNR, Role: "citizen", Note: notes[i]})
	}
	officer, err := ident.Synthetic(civil.NewDate(1980, time.February, 1), 7)
	if err == nil {
		out = append(out, User{Name: "Siri Saksbehandler", PID: officer, Role: "officer", Note: "case officer: log in through Ansattporten"})
	}
	return out
}

// Officers returns the officers' fødselsnumre, for GRUNNMUR_OFFICERS.
func (e *Env) Officers() []ident.Fodselsnummer {
	var out []ident.Fodselsnummer
	for _, u := range e.Users {
		if u.Role == "officer" {
			out = append(out, u.PID)
		}
	}
	return out
}

// Service returns the running fake of that name ("ID-porten", "Vipps",
// "Enhetsregisteret", ...).
func (e *Env) Service(name string) (Service, bool) {
	for _, s := range e.Services {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// Environ lists the GRUNNMUR_* variables, "NAME=value", sorted by name, that
// point an agency service at the sandbox (DESIGN.md's configuration names).
// GRUNNMUR_OFFICERS holds the officers' synthetic fødselsnumre.
func (e *Env) Environ() []string {
	m := e.vars()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]string, len(names))
	for i, k := range names {
		out[i] = k + "=" + m[k]
	}
	return out
}

// Getenv looks a variable up in Environ, in the shape of os.Getenv: hand it
// to idporten.ConfigFromEnv, maskinporten.ConfigFromEnv and the like to run
// the same configuration code against the sandbox.
func (e *Env) Getenv(name string) string { return e.vars()[name] }

func (e *Env) vars() map[string]string {
	c := e.Credentials
	var officers []string
	for _, f := range e.Officers() {
		officers = append(officers, f.Reveal())
	}
	m := map[string]string{
		"GRUNNMUR_IDPORTEN_ISSUER":               c.IDPorten.Issuer,
		"GRUNNMUR_IDPORTEN_CLIENT_ID":            c.IDPorten.ClientID,
		"GRUNNMUR_IDPORTEN_CLIENT_SECRET":        c.IDPorten.ClientSecret,
		"GRUNNMUR_ANSATTPORTEN_ISSUER":           c.Ansattporten.Issuer,
		"GRUNNMUR_ANSATTPORTEN_CLIENT_ID":        c.Ansattporten.ClientID,
		"GRUNNMUR_ANSATTPORTEN_CLIENT_SECRET":    c.Ansattporten.ClientSecret,
		"GRUNNMUR_OFFICERS":                      strings.Join(officers, ","),
		"GRUNNMUR_MASKINPORTEN_ISSUER":           c.Maskinporten.Issuer,
		"GRUNNMUR_MASKINPORTEN_CLIENT_ID":        c.Maskinporten.ClientID,
		"GRUNNMUR_MASKINPORTEN_KEY_FILE":         c.Maskinporten.KeyFile,
		"GRUNNMUR_MASKINPORTEN_KID":              c.Maskinporten.KeyID,
		"GRUNNMUR_VIPPS_BASE_URL":                c.Vipps.BaseURL,
		"GRUNNMUR_VIPPS_CLIENT_ID":               c.Vipps.ClientID,
		"GRUNNMUR_VIPPS_CLIENT_SECRET":           c.Vipps.ClientSecret,
		"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY":        c.Vipps.SubscriptionKey,
		"GRUNNMUR_VIPPS_MSN":                     c.Vipps.MSN,
		"GRUNNMUR_SVARUT_BASE_URL":               c.SvarUT.BaseURL,
		"GRUNNMUR_SVARUT_KONTO_ID":               c.SvarUT.KontoID,
		"GRUNNMUR_SVARUT_INTEGRASJON_ID":         c.SvarUT.IntegrasjonID,
		"GRUNNMUR_SVARUT_INTEGRASJON_PASSORD":    c.SvarUT.IntegrasjonPassord,
		"GRUNNMUR_BRREG_BASE_URL":                "",
		"GRUNNMUR_FOLKEREGISTERET_BASE_URL":      "",
		"GRUNNMUR_KRR_BASE_URL":                  "",
		"GRUNNMUR_ADRESSE_BASE_URL":              "",
		"GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL": "",
	}
	for _, s := range e.Services {
		if strings.HasSuffix(s.Env, "_BASE_URL") {
			m[s.Env] = s.URL
		}
	}
	e.fiksioVars(m)
	if k := e.Credentials.FiksArkivKontoID; k != "" {
		m["GRUNNMUR_FIKSARKIV_KONTO_ID"] = k
	}
	return m
}

// MaskinportenSource returns a token source for the sandbox's Maskinporten
// client, holding every scope in MaskinportenScopes (or those given): use
// its Client for SvarUT and the registries. hc sends the grants; nil means
// http.DefaultClient.
func (e *Env) MaskinportenSource(hc *http.Client, scopes ...string) (*maskinporten.TokenSource, error) {
	if len(scopes) == 0 {
		scopes = MaskinportenScopes
	}
	c := e.Credentials.Maskinporten
	return maskinporten.New(maskinporten.Config{
		Issuer: c.Issuer, ClientID: c.ClientID, Key: e.key, KeyID: c.KeyID, Scopes: scopes, HTTPClient: hc,
		Now: e.now, // its grants are dated by the fakes' clock
	})
}

// Close stops every fake, waiting for requests in flight until ctx ends,
// stops Vipps' webhook retries and removes the temporary key folder.
func (e *Env) Close(ctx context.Context) error {
	e.once.Do(func() {
		var errs []error
		for _, s := range e.servers {
			if err := s.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				s.Close()
			}
		}
		for _, d := range e.done {
			<-d
		}
		e.Vipps.Close()
		if e.stopArchive != nil {
			e.stopArchive()
		}
		if e.FiksIO != nil {
			if err := e.FiksIO.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if e.tmpDir != "" {
			if err := os.RemoveAll(e.tmpDir); err != nil {
				errs = append(errs, err)
			}
		}
		e.log.Info("devenv: fakes stopped")
		e.cerr = errors.Join(errs...)
	})
	return e.cerr
}
