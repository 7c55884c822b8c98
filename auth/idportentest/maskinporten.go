package idportentest

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// grantClaims are the claims of a client assertion or a Maskinporten JWT grant.
type grantClaims struct {
	Iss         string   `json:"iss"`
	Sub         string   `json:"sub"`
	Aud         strOrArr `json:"aud"`
	Iat         *int64   `json:"iat"`
	Exp         *int64   `json:"exp"`
	Jti         string   `json:"jti"`
	Scope       string   `json:"scope"`
	Resource    strOrArr `json:"resource"`
	ConsumerOrg string   `json:"consumer_org"`
	PID         string   `json:"pid"`
	viaX5C      bool
}

type strOrArr []string

func (s *strOrArr) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = strOrArr{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

func (g *grantClaims) audIs(a string) bool { return len(g.Aud) == 1 && g.Aud[0] == a }

var errGrant = errors.New("invalid grant")

// verifyAssertion checks a JWT made by a client: its signature by a key the
// client registered (kid) or a certificate it registered (x5c, leaf first).
func (s *Server) verifyAssertion(tok string, lookup func(string) *Client) (*grantClaims, *Client, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("%w: the assertion is not a compact JWS", errGrant)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bad header", errGrant)
	}
	var h struct {
		Alg string   `json:"alg"`
		Kid string   `json:"kid"`
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, nil, fmt.Errorf("%w: bad header", errGrant)
	}
	if !slices.Contains([]string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}, h.Alg) {
		return nil, nil, fmt.Errorf("%w: alg %q is not supported", errGrant, h.Alg)
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bad payload", errGrant)
	}
	var peek grantClaims
	if err := json.Unmarshal(pb, &peek); err != nil {
		return nil, nil, fmt.Errorf("%w: bad payload", errGrant)
	}
	c := lookup(peek.Iss)
	if c == nil {
		return nil, nil, fmt.Errorf("%w: unknown client (iss)", errGrant)
	}
	var key any
	viaX5C := false
	switch {
	case len(h.X5C) > 0:
		der, err := base64.StdEncoding.DecodeString(h.X5C[0])
		if err != nil {
			return nil, nil, fmt.Errorf("%w: bad x5c", errGrant)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: bad x5c", errGrant)
		}
		if !slices.ContainsFunc(c.Certificates, func(r *x509.Certificate) bool { return bytes.Equal(r.Raw, der) }) {
			return nil, nil, fmt.Errorf("%w: certificate is not registered for the client", errGrant)
		}
		now := s.now()
		if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
			return nil, nil, fmt.Errorf("%w: certificate is not valid now", errGrant)
		}
		key, viaX5C = cert.PublicKey, true
	case h.Kid != "":
		key = c.Keys[h.Kid]
		if key == nil {
			return nil, nil, fmt.Errorf("%w: kid is not registered for the client", errGrant)
		}
	default:
		return nil, nil, fmt.Errorf("%w: the header must carry kid or x5c", errGrant)
	}
	alg, _ := jwa.LookupSignatureAlgorithm(h.Alg)
	payload, err := jws.Verify([]byte(tok), jws.WithKey(alg, key))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: invalid signature", errGrant)
	}
	var cl grantClaims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return nil, nil, fmt.Errorf("%w: bad claims", errGrant)
	}
	cl.viaX5C = viaX5C
	return &cl, c, nil
}

// checkGrantTimes enforces Maskinporten's clock rules: iat within 10 s of
// the server clock, exp in the future and exp-iat at most 120 s.
func (s *Server) checkGrantTimes(cl *grantClaims) error {
	now := s.now()
	if cl.Iat == nil || cl.Exp == nil {
		return fmt.Errorf("%w: iat and exp are required", errGrant)
	}
	iat, exp := time.Unix(*cl.Iat, 0), time.Unix(*cl.Exp, 0)
	if d := now.Sub(iat); d > 10*time.Second || d < -10*time.Second {
		return fmt.Errorf("%w: iat is more than 10 seconds from the server clock", errGrant)
	}
	if !exp.After(now) {
		return fmt.Errorf("%w: the grant has expired", errGrant)
	}
	if exp.Sub(iat) > 120*time.Second {
		return fmt.Errorf("%w: exp - iat is more than 120 seconds", errGrant)
	}
	return nil
}

// useJTI refuses a jti seen before (until the grant it came with expires).
func (s *Server) useJTI(cl *grantClaims) error {
	if cl.Jti == "" {
		return nil
	}
	now := s.now()
	key := cl.Iss + "\x00" + cl.Jti
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.jtis {
		if now.After(exp.Add(time.Minute)) {
			delete(s.jtis, k)
		}
	}
	if _, seen := s.jtis[key]; seen {
		return fmt.Errorf("%w: jti has already been used", errGrant)
	}
	s.jtis[key] = time.Unix(*cl.Exp, 0)
	return nil
}

func (e endpointCtx) maskinportenToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be urn:ietf:params:oauth:grant-type:jwt-bearer")
		return
	}
	lookup := func(id string) *Client {
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		return e.s.clients[id]
	}
	cl, c, err := e.s.verifyAssertion(r.PostForm.Get("assertion"), lookup)
	if err == nil && !cl.audIs(e.issuer) {
		err = fmt.Errorf("%w: aud must be %s", errGrant, e.issuer)
	}
	if err == nil {
		err = e.s.checkGrantTimes(cl)
	}
	if err == nil {
		err = e.s.useJTI(cl)
	}
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid assertion. Client authentication failed: "+strings.TrimPrefix(err.Error(), "invalid grant: "))
		return
	}
	scopes := strings.Fields(cl.Scope)
	if len(scopes) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "scope is required")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "the client is not allowed the scope "+sc)
			return
		}
	}
	consumer := c.OrgNumber
	if cl.ConsumerOrg != "" {
		if !slices.Contains(c.ConsumerOrgs, cl.ConsumerOrg) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "consumer_org has not delegated to the client")
			return
		}
		consumer = cl.ConsumerOrg
	}
	life := ttl(e.s.cfg.MaskinportenTTL, 120*time.Second)
	claims := e.s.accessTokenClaims(e.issuer, c, cl, scopes, consumer, life)
	tok, err := e.prov.sign(claims, signOptions{})
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(life.Seconds()), "scope": strings.Join(scopes, " "),
	})
}

// accessTokenClaims are the claims of the access token Maskinporten issues
// for the grant cl of client c.
func (s *Server) accessTokenClaims(issuer string, c *Client, cl *grantClaims, scopes []string, consumer string, life time.Duration) map[string]any {
	now := s.now()
	claims := map[string]any{
		"iss": issuer, "client_id": c.ID, "scope": strings.Join(scopes, " "), "token_type": "Bearer",
		"iat": now.Unix(), "exp": now.Add(life).Unix(), "jti": random(12),
		"client_amr": map[bool]string{true: "virksomhetssertifikat", false: "private_key_jwt"}[cl.viaX5C],
		"consumer":   map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + consumer},
		"aud":        "unspecified",
	}
	if cl.ConsumerOrg != "" {
		claims["supplier"] = map[string]string{"authority": "iso6523-actorid-upis", "ID": "0192:" + c.OrgNumber}
	}
	if len(cl.Resource) == 1 {
		claims["aud"] = cl.Resource[0]
	} else if len(cl.Resource) > 1 {
		claims["aud"] = []string(cl.Resource)
	}
	if cl.PID != "" {
		claims["pid"] = cl.PID
	}
	return claims
}

// MaskinportenToken is what a fake API learns from a bearer token issued by
// the fake Maskinporten.
type MaskinportenToken struct {
	ClientID string
	Scopes   []string
	Consumer string // the consumer's organisation number
	Audience []string
	Expiry   time.Time
}

// ErrToken is returned by VerifyMaskinportenToken for a token the fake
// Maskinporten did not issue, an expired one or one without the scope.
var ErrToken = errors.New("idportentest: invalid Maskinporten token")

// VerifyMaskinportenToken checks a bearer token as an API behind Maskinporten
// would: signed by the fake Maskinporten, not expired, and holding scope
// (if not empty). Other fakes (SvarUT, the registries) use it to guard their
// endpoints.
func (s *Server) VerifyMaskinportenToken(bearer, scope string) (*MaskinportenToken, error) {
	payload, err := s.providers[Maskinporten].verify(bearer)
	if err != nil {
		return nil, ErrToken
	}
	var cl struct {
		ClientID string   `json:"client_id"`
		Scope    string   `json:"scope"`
		Exp      int64    `json:"exp"`
		Aud      strOrArr `json:"aud"`
		Consumer struct {
			ID string `json:"ID"`
		} `json:"consumer"`
	}
	if err := json.Unmarshal(payload, &cl); err != nil {
		return nil, ErrToken
	}
	t := &MaskinportenToken{ClientID: cl.ClientID, Scopes: strings.Fields(cl.Scope), Audience: cl.Aud,
		Consumer: strings.TrimPrefix(cl.Consumer.ID, "0192:"), Expiry: time.Unix(cl.Exp, 0)}
	if !s.now().Before(t.Expiry) {
		return nil, fmt.Errorf("%w: expired", ErrToken)
	}
	if scope != "" && !slices.Contains(t.Scopes, scope) {
		return nil, fmt.Errorf("%w: lacks scope %s", ErrToken, scope)
	}
	return t, nil
}
