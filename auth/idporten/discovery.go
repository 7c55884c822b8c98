package idporten

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/problem"
)

// Metadata is the provider's discovery document (OpenID Connect Discovery 1.0).
type Metadata struct {
	Issuer                             string   `json:"issuer"`
	AuthorizationEndpoint              string   `json:"authorization_endpoint"`
	TokenEndpoint                      string   `json:"token_endpoint"`
	UserinfoEndpoint                   string   `json:"userinfo_endpoint,omitempty"`
	JWKSURI                            string   `json:"jwks_uri"`
	EndSessionEndpoint                 string   `json:"end_session_endpoint,omitempty"`
	PushedAuthorizationRequestEndpoint string   `json:"pushed_authorization_request_endpoint,omitempty"`
	RequirePushedAuthorizationRequests bool     `json:"require_pushed_authorization_requests,omitempty"`
	FrontchannelLogoutSupported        bool     `json:"frontchannel_logout_supported,omitempty"`
	FrontchannelLogoutSessionSupported bool     `json:"frontchannel_logout_session_supported,omitempty"`
	AuthorizationResponseISSSupported  bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	ScopesSupported                    []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported             []string `json:"response_types_supported,omitempty"`
	ACRValuesSupported                 []string `json:"acr_values_supported,omitempty"`
	UILocalesSupported                 []string `json:"ui_locales_supported,omitempty"`
	CodeChallengeMethodsSupported      []string `json:"code_challenge_methods_supported,omitempty"`
	TokenEndpointAuthMethodsSupported  []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	IDTokenSigningAlgValuesSupported   []string `json:"id_token_signing_alg_values_supported,omitempty"`
}

// maxDocument bounds what we read of a discovery, JWKS, token or userinfo body.
const maxDocument = 1 << 20

type discovery struct {
	mu      sync.Mutex
	doc     *Metadata
	fetched time.Time
}

// Metadata returns the provider's discovery document, fetched at most once per
// DiscoveryTTL. A document whose issuer differs from Config.Issuer is refused
// (OpenID Connect Discovery 4.3).
func (c *Client) Metadata(ctx context.Context) (*Metadata, error) {
	c.disc.mu.Lock()
	defer c.disc.mu.Unlock()
	if c.disc.doc != nil && c.now().Sub(c.disc.fetched) < c.discoveryTTL {
		return c.disc.doc, nil
	}
	u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	var md Metadata
	if err := c.getJSON(ctx, u, &md); err != nil {
		if c.disc.doc != nil {
			// Keep serving the stale document through a provider hiccup.
			c.log().WarnContext(ctx, "idporten: discovery refresh failed; using the cached document", "error", err)
			return c.disc.doc, nil
		}
		return nil, fmt.Errorf("%w: %w", ErrDiscovery, err)
	}
	if md.Issuer != c.cfg.Issuer {
		return nil, fmt.Errorf("%w: discovery document names issuer %q, configured %q", ErrIssuerMismatch, md.Issuer, c.cfg.Issuer)
	}
	if md.AuthorizationEndpoint == "" || md.TokenEndpoint == "" || md.JWKSURI == "" {
		return nil, fmt.Errorf("%w: document lacks authorization_endpoint, token_endpoint or jwks_uri", ErrDiscovery)
	}
	c.disc.doc, c.disc.fetched = &md, c.now()
	return &md, nil
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := problem.Check(resp); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", httpx.SafeURL(u), err)
	}
	return nil
}
