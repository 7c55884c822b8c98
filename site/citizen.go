package site

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/forms"
)

// VippsLandingOrigins are where Vipps MobilePay's own pages take a payer who
// confirms a payment on a computer, in production and in the test
// environment: a form on the service's pages may post on to them.
var VippsLandingOrigins = []string{"https://pay.vipps.no", "https://pay-mt.vipps.no"}

// CitizenLogin makes m the citizens' login through ID-porten, mounted at
// /auth/: its client from x.IDPorten, on m's clock and logger. A plain-http
// public URL (a developer's machine) drops the cookie's Secure flag, and the
// citizen's language (Lang) goes to ID-porten unless m.Lang is set. m's
// other fields are kept.
func (x *Externals) CitizenLogin(m *auth.Manager) error {
	cfg := x.IDPorten
	cfg.HTTPClient, cfg.Now, cfg.Logger = &http.Client{Timeout: 15 * time.Second}, m.Now, m.Logger
	login, err := idporten.New(cfg)
	if err != nil {
		return fmt.Errorf("site: ID-porten: %w", err)
	}
	m.Login, m.Insecure = login, strings.HasPrefix(x.public, "http://")
	if m.Lang == nil {
		m.Lang = Lang
	}
	return nil
}

// Headers are the security headers that fit the outside services: ID-porten
// and Ansattporten (with Options.OfficerPrefix) may frame their front-channel
// logout paths, and a form may post on to them (the logout) and to Vipps
// (VippsLandingOrigins).
// TrustProxy is the caller's to set.
func (x *Externals) Headers() Headers {
	h := Headers{FramePath: []string{"/auth/frontchannel-logout"}}
	if x.officerPrefix != "" {
		h.FramePath = append(h.FramePath, x.officerPrefix+"/frontchannel-logout")
	}
	for _, issuer := range []string{x.IDPorten.Issuer, x.Ansattporten.Issuer} {
		if issuer != "" {
			h.FrameAncestors = append(h.FrameAncestors, issuer)
			h.FormAction = append(h.FormAction, issuer)
		}
	}
	if x.Vipps.BaseURL != "" {
		h.FormAction = append(h.FormAction, x.Vipps.BaseURL)
	}
	h.FormAction = append(h.FormAction, VippsLandingOrigins...)
	return h
}

// CitizenOwner is the owner key (keys.Key) of the citizen logged in through
// auth.Manager.RequireLogin, for forms.Flow.Owner and every store keyed by
// who owns a record: an HMAC of the fødselsnummer, never the number.
// Without a logged-in citizen it fails with auth.ErrNoSession.
func CitizenOwner(keys forms.OwnerKeys) func(r *http.Request) (string, error) {
	return func(r *http.Request) (string, error) {
		c, ok := auth.CitizenFrom(r.Context())
		if !ok {
			return "", auth.ErrNoSession
		}
		return keys.Key(forms.Owner{Person: c.PID})
	}
}

// WithLogin shows the logout button of m (with its CSRF field) when r has a
// logged-in session of m, and returns p.
func (p *Page) WithLogin(m *auth.Manager, r *http.Request) *Page {
	if s, err := m.Session(r); err == nil && s.LoggedIn() {
		prefix := m.Prefix
		if prefix == "" {
			prefix = "/auth"
		}
		p.LoggedIn, p.Logout, p.CSRF = true, prefix+"/logout", m.CSRFField(r)
	}
	return p
}
