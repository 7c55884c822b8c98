package idportentest

import (
	"crypto"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// Provider names one of the three services the fake serves.
type Provider int

// The providers. ID-porten is served at the root of the fake, Ansattporten
// under /ansattporten and Maskinporten under /maskinporten/.
const (
	IDPorten Provider = iota
	Ansattporten
	Maskinporten
)

func (p Provider) String() string {
	switch p {
	case IDPorten:
		return "ID-porten"
	case Ansattporten:
		return "Ansattporten"
	case Maskinporten:
		return "Maskinporten"
	}
	return "unknown"
}

var prefixes = [...]string{IDPorten: "", Ansattporten: "/ansattporten", Maskinporten: "/maskinporten"}

// User is a test person who can log in.
type User struct {
	PID  ident.Fodselsnummer
	Name string // shown on the picker page only
	// MaxACR is the highest level the person can reach ("BankID" reaches
	// high); default idporten-loa-high.
	MaxACR string
	AMR    string // default "BankID"
}

// Client is a registered client of the fake, valid at every provider.
type Client struct {
	ID     string
	Secret string // for client_secret_basic and client_secret_post
	// Keys are the client's registered public keys by kid, for
	// private_key_jwt and Maskinporten grants with kid.
	Keys map[string]crypto.PublicKey
	// Certificates are business certificates (virksomhetssertifikat) the
	// client may present as x5c in a Maskinporten grant.
	Certificates []*x509.Certificate
	// RedirectURIs and PostLogoutRedirectURIs must match exactly.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// FrontchannelLogoutURI receives iss and sid when an SSO session ends.
	FrontchannelLogoutURI string
	// Scopes the client may get from Maskinporten; ID-porten allows openid
	// and profile to every client.
	Scopes []string
	// OrgNumber is the client's organisation (the Maskinporten consumer).
	OrgNumber string
	// ConsumerOrgs are the organisations that delegated to this client, for
	// Maskinporten's consumer_org.
	ConsumerOrgs []string
}

// Config configures a fake. The zero value is a non-interactive fake with
// DefaultUsers and no clients; register clients with Server.RegisterClient.
type Config struct {
	// BaseURL is the fake's own URL, e.g. "http://127.0.0.1:9000". Empty
	// means the URL each request arrived at (scheme and Host), which suits
	// httptest servers; set it (or call SetBaseURL) when behind a proxy.
	BaseURL string
	Users   []User
	Clients []Client
	// Interactive shows a test-user picker at the authorize endpoint and a
	// logout page with front-channel iframes. Without it, logins go through
	// at once as the next user (LoginAs) and front-channel logouts are sent
	// by the fake itself.
	Interactive bool
	// Authorize decides on each request before the fake handles it: 0 lets
	// it through, any other status is answered with an OAuth error body
	// (invalid_client for 401, access_denied for 403, server_error else).
	// Nil lets every request through. The fake's own checks of client
	// credentials, grants and access tokens run after it either way: they
	// are the protocol under test, and the fake needs them to know the
	// client and the person.
	Authorize func(r *http.Request) (status int)
	// HTTPClient sends the fake's own front-channel logout requests.
	HTTPClient *http.Client
	// Lifetimes; zero means ID-porten's: code 60 s, PAR 60 s, id_token
	// 120 s, access token 120 s, Maskinporten token 120 s.
	CodeTTL, PARTTL, IDTokenTTL, AccessTokenTTL, MaskinportenTTL time.Duration
	Now                                                          func() time.Time
	Logger                                                       *slog.Logger
}

// DefaultUsers returns five synthetic (Tenor-style) test persons.
func DefaultUsers() []User {
	people := []struct {
		name  string
		birth time.Time
		acr   string
		amr   string
	}{
		{"Kari Nordmann", time.Date(1985, 5, 17, 0, 0, 0, 0, time.UTC), "", "BankID"},
		{"Ola Nordmann", time.Date(1979, 11, 2, 0, 0, 0, 0, time.UTC), "", "BankID"},
		{"Aslak Sara", time.Date(1992, 2, 6, 0, 0, 0, 0, time.UTC), "", "Buypass"},
		{"Nora Hansen", time.Date(2001, 8, 30, 0, 0, 0, 0, time.UTC), "idporten-loa-substantial", "MinID-PIN"},
		{"Per Olsen", time.Date(1958, 1, 14, 0, 0, 0, 0, time.UTC), "", "Commfides"},
	}
	users := make([]User, 0, len(people))
	for i, p := range people {
		pid, err := ident.Synthetic(civil.DateOf(p.birth), i)
		if err != nil {
			continue
		}
		users = append(users, User{PID: pid, Name: p.name, MaxACR: p.acr, AMR: p.amr})
	}
	return users
}

// Server is the fake ID-porten, Ansattporten and Maskinporten: an
// http.Handler. It is safe for concurrent use.
//
// Its embedded fake.Faults injects HTTP faults (Inject, with a ServeMux
// pattern such as "POST /maskinporten/token" or "/jwks") and counts requests
// (Requests); FailNextLogin makes a login itself misbehave.
type Server struct {
	fake.Faults
	cfg     Config
	handler http.Handler

	mu        sync.Mutex
	baseURL   string
	users     []User
	clients   map[string]*Client
	providers [3]*provider
	pending   map[string]*authRequest // picker page requests by id
	pars      map[string]*authRequest // by request_uri
	codes     map[string]*codeGrant
	tokens    map[string]*accessGrant
	sso       map[string]*ssoSession // by cookie value
	jtis      map[string]time.Time   // Maskinporten grant jti -> expiry
	next      *User                  // LoginAs
	login     []LoginFault           // faults for the next logins
	discIss   [3]string              // discovery issuer overrides
}

// New returns a fake. It generates its signing keys, so it costs a few
// milliseconds.
func New(cfg Config) *Server {
	s := &Server{
		cfg:     cfg,
		baseURL: strings.TrimSuffix(cfg.BaseURL, "/"),
		users:   cfg.Users,
		clients: map[string]*Client{},
		pending: map[string]*authRequest{},
		pars:    map[string]*authRequest{},
		codes:   map[string]*codeGrant{},
		tokens:  map[string]*accessGrant{},
		sso:     map[string]*ssoSession{},
		jtis:    map[string]time.Time{},
	}
	s.handler = s.Faults.Handler(http.HandlerFunc(s.route), func(w http.ResponseWriter, _ *http.Request, status int) {
		oauthError(w, status, "server_error", "injected fault")
	})
	if len(s.users) == 0 {
		s.users = DefaultUsers()
	}
	for i := range s.providers {
		s.providers[i] = newProvider(Provider(i))
	}
	for _, c := range cfg.Clients {
		s.RegisterClient(c)
	}
	return s
}

// SetBaseURL sets the URL the fake is reached at, e.g. an httptest server's.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimSuffix(u, "/")
}

// RegisterClient adds or replaces a client.
func (s *Server) RegisterClient(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := c
	s.clients[c.ID] = &cc
}

// Users returns the test users.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]User(nil), s.users...)
}

// LoginAs makes u the person of the next non-interactive logins (until
// changed). The user need not be in Users.
func (s *Server) LoginAs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = &u
}

// Issuer returns the issuer of p at the fake's base URL (Config.BaseURL or
// SetBaseURL); "" when neither was set.
func (s *Server) Issuer(p Provider) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.baseURL == "" {
		return ""
	}
	return issuerAt(s.baseURL, p)
}

func issuerAt(base string, p Provider) string {
	if p == Maskinporten {
		return base + prefixes[p] + "/"
	}
	return base + prefixes[p]
}

func (s *Server) now() time.Time { return defaults.Now(s.cfg.Now) }

func (s *Server) log() *slog.Logger { return defaults.Logger(s.cfg.Logger) }

func ttl(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// ServeHTTP routes a request to ID-porten, Ansattporten or Maskinporten,
// after the injected faults (fake.Faults) and Config.Authorize.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Authorize != nil {
		if status := s.cfg.Authorize(r); status != 0 {
			code := "server_error"
			switch status {
			case http.StatusUnauthorized:
				code = "invalid_client"
			case http.StatusForbidden:
				code = "access_denied"
			}
			oauthError(w, status, code, "refused by Config.Authorize")
			return
		}
	}
	path := r.URL.Path
	p := IDPorten
	for _, cand := range []Provider{Ansattporten, Maskinporten} {
		if path == prefixes[cand] || strings.HasPrefix(path, prefixes[cand]+"/") {
			p = cand
			path = strings.TrimPrefix(path, prefixes[cand])
			break
		}
	}
	base := s.base(r)
	ep := endpointCtx{s: s, p: p, prov: s.providers[p], base: base, issuer: issuerAt(base, p)}
	h, ok := ep.endpoints()[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// endpoints maps the paths under a provider's prefix to their handlers.
func (e endpointCtx) endpoints() map[string]http.HandlerFunc {
	if e.p == Maskinporten {
		return map[string]http.HandlerFunc{
			"/.well-known/oauth-authorization-server": e.metadata,
			"/.well-known/openid-configuration":       e.metadata,
			"/jwks":                                   e.jwks,
			"/token":                                  e.maskinportenToken,
		}
	}
	return map[string]http.HandlerFunc{
		"/.well-known/openid-configuration": e.metadata,
		"/jwks":                             e.jwks,
		"/authorize":                        e.authorize,
		"/authorize/login":                  e.pickerSubmit,
		"/par":                              e.par,
		"/token":                            e.token,
		"/userinfo":                         e.userinfo,
		"/endsession":                       e.endSession,
	}
}

func (s *Server) base(r *http.Request) string {
	s.mu.Lock()
	b := s.baseURL
	s.mu.Unlock()
	if b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	if h, p, err := net.SplitHostPort(host); err == nil && h == "" {
		host = "localhost:" + p
	}
	return scheme + "://" + host
}

type endpointCtx struct {
	s      *Server
	p      Provider
	prov   *provider
	base   string
	issuer string
}

func (e endpointCtx) url(path string) string { return e.base + prefixes[e.p] + path }
