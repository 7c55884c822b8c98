package idporten

import (
	"net/http"
	"net/url"
	"time"

	"github.com/grunnmur/grunnmur/auth/internal/oauthx"
)

// authenticate adds client authentication to a token or PAR request.
func (c *Client) authenticate(req *http.Request, form url.Values, issuer string) error {
	switch c.authMethod {
	case ClientSecretBasic:
		// RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret.Reveal()))
	case ClientSecretPost:
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_secret", c.cfg.ClientSecret.Reveal())
	case PrivateKeyJWT:
		a, err := oauthx.Sign(c.cfg.Key, c.cfg.KeyID, c.cfg.Certificates, map[string]any{
			"iss": c.cfg.ClientID,
			"sub": c.cfg.ClientID,
			"aud": issuer,
			"jti": randomString(18),
			"iat": c.now().Unix(),
			"exp": c.now().Add(60 * time.Second).Unix(),
		})
		if err != nil {
			return err
		}
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", a)
	}
	return nil
}
