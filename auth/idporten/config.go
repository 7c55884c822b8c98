package idporten

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/secret"
)

// Issuers of Digdir's services. An empty Config.Issuer means TestIssuer:
// production is reached only by naming it.
const (
	TestIssuer                   = "https://test.idporten.no"
	ProductionIssuer             = "https://idporten.no"
	AnsattportenTestIssuer       = "https://test.ansattporten.no"
	AnsattportenProductionIssuer = "https://ansattporten.no"
)

// AuthMethod is how the client authenticates at the token and PAR endpoints.
type AuthMethod string

// The client authentication methods ID-porten supports.
const (
	ClientSecretBasic AuthMethod = "client_secret_basic"
	ClientSecretPost  AuthMethod = "client_secret_post"
	PrivateKeyJWT     AuthMethod = "private_key_jwt"
)

// Config configures a Client. ClientID, RedirectURI and one of ClientSecret
// or Key are required; every other field has a default.
type Config struct {
	// Issuer is the OpenID Provider: empty means TestIssuer (ID-porten's
	// test environment); set ProductionIssuer, AnsattportenTestIssuer or
	// AnsattportenProductionIssuer for the others. The discovery document
	// must name exactly this issuer.
	Issuer string
	// ClientID is the client registered in Digdir's self-service.
	ClientID string
	// ClientSecret is for client_secret_basic and client_secret_post.
	ClientSecret secret.Value
	// Key signs private_key_jwt client assertions. Set KeyID (the kid of the
	// registered key) or Certificates (the chain, sent as x5c; the first one
	// must hold Key's public key).
	Key          crypto.Signer
	KeyID        string
	Certificates []*x509.Certificate
	// AuthMethod defaults to private_key_jwt when Key is set, otherwise
	// client_secret_basic.
	AuthMethod AuthMethod

	// RedirectURI is the registered callback, e.g. https://host/auth/callback.
	RedirectURI string
	// PostLogoutRedirectURI is where ID-porten sends the browser after logout,
	// e.g. https://host/auth/logged-out.
	PostLogoutRedirectURI string
	// Scopes to ask for; "openid" is always included. Default: openid profile.
	Scopes []string
	// ACR is the level asked for when AuthOptions has none: default Substantial.
	ACR ACR
	// UsePAR sends the authorization request as a pushed authorization request
	// (RFC 9126) and the browser only carries its request_uri.
	UsePAR bool
	// AllowMissingPID accepts an id_token without a pid claim, which is
	// refused by default. ID-porten and Ansattporten always send one; a
	// generic OpenID Provider does not.
	AllowMissingPID bool

	// Algorithms is the allow-list for id_token signatures. Default: RS256,
	// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512. "none" and the HS
	// family are never allowed, whatever this says.
	Algorithms []string
	// Skew is the clock skew allowed on exp and iat: default 10 s.
	Skew time.Duration
	// DiscoveryTTL is how long the provider document is cached: default 24 h.
	DiscoveryTTL time.Duration
	// JWKSMinRefresh is the least time between two JWKS fetches caused by an
	// unknown kid: default 10 s. JWKSMaxAge refreshes the keys on use when they
	// are older: default 1 h.
	JWKSMinRefresh time.Duration
	JWKSMaxAge     time.Duration

	// HTTPClient sends every request; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug lines; nil discards.
	Logger *slog.Logger
}

// Format prints the configuration with its private key shown only by kind
// ("[REDACTED *rsa.PrivateKey]") and its secrets redacted, for every verb:
// a configuration logged with %v or %+v must not leak a key.
func (c Config) Format(f fmt.State, verb rune) {
	type config Config // no methods: fmt prints the fields
	p := config(c)
	p.Key = redact.Signer(p.Key)
	redact.Struct(f, verb, p)
}

// LogValue keeps slog, the JSON handler too, as safe as Format.
func (c Config) LogValue() slog.Value { return slog.StringValue(fmt.Sprintf("%+v", c)) }

var defaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
