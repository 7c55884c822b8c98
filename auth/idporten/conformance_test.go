package idporten_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	grunnfake "github.com/grunnmur/grunnmur/fake"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/secret"
)

const (
	clientID     = "grunnmur-test"
	clientSecret = "s3cret-s3cret"
	redirectURI  = "https://rp.example/auth/callback"
	loggedOutURI = "https://rp.example/auth/logged-out"
	frontURI     = "https://rp.example/auth/frontchannel-logout"
)

// clock is a settable clock shared by the fake and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	fake   *idportentest.Server
	srv    *httptest.Server
	client *idporten.Client
	clock  *clock
	cfg    idporten.Config
}

func setup(t *testing.T, mod func(*idporten.Config)) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	fake := idportentest.New(idportentest.Config{Now: clk.Now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.SetBaseURL(srv.URL)
	fake.RegisterClient(idportentest.Client{
		ID: clientID, Secret: clientSecret,
		RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{loggedOutURI},
		FrontchannelLogoutURI: frontURI,
	})
	cfg := idporten.Config{
		Issuer: fake.Issuer(idportentest.IDPorten), ClientID: clientID, ClientSecret: secret.New(clientSecret),
		RedirectURI: redirectURI, PostLogoutRedirectURI: loggedOutURI,
		HTTPClient: srv.Client(), Now: clk.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := idporten.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, srv: srv, client: c, clock: clk, cfg: cfg}
}

// browser follows the provider's redirects and stops at the relying party.
func browser() *http.Client {
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "rp.example" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize runs the front channel and returns the callback query.
func (e *env) authorize(t *testing.T, opts idporten.AuthOptions) (url.Values, *idporten.Pending) {
	t.Helper()
	u, p, err := e.client.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := browser().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: status %d, no redirect to the callback", resp.StatusCode)
	}
	if !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("redirected to %s, want the callback", loc)
	}
	return loc.Query(), p
}

func (e *env) login(t *testing.T, opts idporten.AuthOptions) (*idporten.Login, error) {
	t.Helper()
	q, p := e.authorize(t, opts)
	return e.client.Callback(context.Background(), q, p)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

// TestConformance mirrors the OpenID Foundation's RP certification tests
// (named after them) and ID-porten's own rules, each against the fake.
func TestConformance(t *testing.T) {
	ctx := context.Background()
	fail := func(f idportentest.LoginFault, target error) func(t *testing.T) {
		return func(t *testing.T) {
			e := setup(t, nil)
			e.fake.FailNextLogin(f)
			_, err := e.login(t, idporten.AuthOptions{})
			wantErr(t, err, target)
		}
	}
	t.Run("rp-response_type-code", func(t *testing.T) {
		e := setup(t, nil)
		l, err := e.login(t, idporten.AuthOptions{UILocales: []string{"nn"}})
		if err != nil {
			t.Fatal(err)
		}
		u := e.fake.Users()[0]
		if l.IDToken.PID != u.PID || l.IDToken.ACR != idporten.Substantial || l.IDToken.SID == "" ||
			l.IDToken.Locale != "nn" || len(l.IDToken.AMR) != 1 || l.IDToken.Subject == "" {
			t.Fatalf("unexpected token %v", l.IDToken)
		}
	})
	t.Run("rp-id_token-issuer-mismatch", fail(idportentest.LoginFault{Issuer: "https://evil.example"}, idporten.ErrIssuerMismatch))
	t.Run("rp-id_token-aud", fail(idportentest.LoginFault{Audience: "someone-else"}, idporten.ErrAudience))
	t.Run("rp-id_token-bad-sig-rs256", fail(idportentest.LoginFault{BadSignature: true}, idporten.ErrSignature))
	t.Run("rp-id_token-bad-sig-hs256", fail(idportentest.LoginFault{Alg: "HS256"}, idporten.ErrAlgorithm))
	t.Run("rp-id_token-bad-sig-es256", fail(idportentest.LoginFault{Alg: "ES256", BadSignature: true}, idporten.ErrSignature))
	t.Run("rp-id_token-sig-es256", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{Alg: "ES256"})
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rp-id_token-sig-none", fail(idportentest.LoginFault{Alg: "none"}, idporten.ErrAlgorithm))
	t.Run("rp-id_token-sub", fail(idportentest.LoginFault{Omit: []string{"sub"}}, idporten.ErrMissingClaim))
	t.Run("rp-id_token-iat", fail(idportentest.LoginFault{Omit: []string{"iat"}}, idporten.ErrIssuedAt))
	t.Run("rp-id_token-kid-absent-single-jwks", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{OmitKID: true})
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rp-id_token-kid-absent-multiple-jwks", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.AddKey(idportentest.IDPorten)
		e.fake.FailNextLogin(idportentest.LoginFault{OmitKID: true})
		_, err := e.login(t, idporten.AuthOptions{})
		wantErr(t, err, idporten.ErrAmbiguousKey)
	})
	t.Run("rp-nonce-invalid", fail(idportentest.LoginFault{Nonce: "not-the-nonce"}, idporten.ErrNonce))
	t.Run("rp-id_token-expired", fail(idportentest.LoginFault{Expired: true}, idporten.ErrExpired))
	t.Run("rp-userinfo-bad-sub-claim", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{UserinfoSub: "someone-else"})
		l, err := e.login(t, idporten.AuthOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.client.Userinfo(ctx, l)
		wantErr(t, err, idporten.ErrUserinfoSubject)
	})
	t.Run("rp-userinfo-bearer-header", func(t *testing.T) {
		e := setup(t, nil)
		l, err := e.login(t, idporten.AuthOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ui, err := e.client.Userinfo(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if ui["pid"] != l.IDToken.PID.Reveal() {
			t.Fatalf("userinfo pid differs from the id_token's")
		}
	})
	t.Run("rp-discovery-issuer-not-matching-config", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.SetDiscoveryIssuer(idportentest.IDPorten, "https://impostor.example")
		_, _, err := e.client.Start(ctx, idporten.AuthOptions{})
		wantErr(t, err, idporten.ErrIssuerMismatch)
	})
	t.Run("rp-key-rotation-op-sign-key", func(t *testing.T) {
		e := setup(t, nil)
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
		fetches := e.fake.Requests("/jwks")
		e.fake.RotateKey(idportentest.IDPorten, false)
		e.clock.Add(time.Minute) // past the refresh rate limit
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatalf("after rotation: %v", err)
		}
		if got := e.fake.Requests("/jwks"); got != fetches+1 {
			t.Fatalf("jwks fetched %d times after rotation, want 1", got-fetches)
		}
	})
	t.Run("jwks-refresh-rate-limited", func(t *testing.T) {
		e := setup(t, nil)
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
		e.fake.RotateKey(idportentest.IDPorten, false)
		_, err := e.login(t, idporten.AuthOptions{}) // same instant: no refetch allowed
		wantErr(t, err, idporten.ErrUnknownKey)
		if got := e.fake.Requests("/jwks"); got != 1 {
			t.Fatalf("jwks fetched %d times, want 1", got)
		}
	})
	t.Run("jwks-outage-uses-cached-keys", func(t *testing.T) {
		e := setup(t, nil)
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(2 * time.Hour) // the keys are past JWKSMaxAge
		e.fake.Inject(grunnfake.Fault{Match: "GET /jwks", Status: 503, Times: 100})
		before := e.fake.Requests("/jwks")
		for range 3 {
			if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
				t.Fatalf("login during a JWKS outage: %v", err)
			}
		}
		if got := e.fake.Requests("/jwks") - before; got > 4 { // one refresh, retried by httpx
			t.Fatalf("%d JWKS fetches during the outage; want one (rate-limited) refresh", got)
		}
	})
	t.Run("discovery-cached-24h", func(t *testing.T) {
		e := setup(t, nil)
		const path = "/.well-known/openid-configuration"
		for range 3 {
			if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
				t.Fatal(err)
			}
			e.clock.Add(7 * time.Hour)
		}
		if got := e.fake.Requests(path); got != 1 {
			t.Fatalf("discovery fetched %d times in 21 hours, want 1", got)
		}
		e.clock.Add(4 * time.Hour)
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := e.fake.Requests(path); got != 2 {
			t.Fatalf("discovery fetched %d times after 25 hours, want 2", got)
		}
	})
	t.Run("jwks-unparseable-key", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.AddUnparseableKey(idportentest.IDPorten)
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("rp-init-logout", func(t *testing.T) {
		e := setup(t, nil)
		l, err := e.login(t, idporten.AuthOptions{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.client.LogoutURL(ctx, l.IDToken.Raw, "st4te")
		if err != nil {
			t.Fatal(err)
		}
		loc := follow(t, u)
		if loc.Query().Get("state") != "st4te" || !strings.HasPrefix(loc.String(), loggedOutURI) {
			t.Fatalf("logout ended at %s", loc)
		}
	})
	t.Run("rp-init-logout-no-state", func(t *testing.T) {
		e := setup(t, nil)
		l, err := e.login(t, idporten.AuthOptions{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.client.LogoutURL(ctx, l.IDToken.Raw, "")
		if err != nil {
			t.Fatal(err)
		}
		loc := follow(t, u)
		if loc.Query().Has("state") || loc.String() != loggedOutURI {
			t.Fatalf("logout ended at %s", loc)
		}
	})
	t.Run("rp-frontchannel-opinitlogout", func(t *testing.T) {
		e := setup(t, nil)
		l, err := e.login(t, idporten.AuthOptions{})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", frontURI+"?iss="+url.QueryEscape(e.cfg.Issuer)+"&sid="+l.IDToken.SID, nil)
		sid, err := e.client.FrontChannelLogout(req)
		if err != nil || sid != l.IDToken.SID {
			t.Fatalf("sid %q, %v", sid, err)
		}
		req = httptest.NewRequest("GET", frontURI+"?iss=https%3A%2F%2Fevil.example&sid="+l.IDToken.SID, nil)
		_, err = e.client.FrontChannelLogout(req)
		wantErr(t, err, idporten.ErrLogout)
		_, err = e.client.FrontChannelLogout(httptest.NewRequest("GET", frontURI+"?sid=x", nil))
		wantErr(t, err, idporten.ErrLogout)
	})

	// ID-porten's own rules.
	t.Run("idporten-acr-too-low", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{ACR: "idporten-loa-substantial"})
		_, err := e.login(t, idporten.AuthOptions{ACR: idporten.High})
		wantErr(t, err, idporten.ErrACR)
	})
	t.Run("idporten-acr-high-satisfies-substantial", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{ACR: "Level4"})
		l, err := e.login(t, idporten.AuthOptions{ACR: idporten.Substantial})
		if err != nil {
			t.Fatal(err)
		}
		if l.IDToken.ACR != idporten.High {
			t.Fatalf("acr %q, want Level4 mapped to high", l.IDToken.ACR)
		}
	})
	t.Run("idporten-missing-pid", fail(idportentest.LoginFault{Omit: []string{"pid"}}, idporten.ErrMissingClaim))
	t.Run("idporten-callback-iss-mismatch", fail(idportentest.LoginFault{CallbackIssuer: "https://evil.example"}, idporten.ErrIssuerMismatch))
	t.Run("idporten-callback-iss-missing", fail(idportentest.LoginFault{CallbackIssuer: "-"}, idporten.ErrIssuerMismatch))
	t.Run("idporten-iat-skew", fail(idportentest.LoginFault{IatShift: 11 * time.Second}, idporten.ErrIssuedAt))
	t.Run("idporten-iat-within-skew", func(t *testing.T) {
		e := setup(t, nil)
		e.fake.FailNextLogin(idportentest.LoginFault{IatShift: 9 * time.Second})
		if _, err := e.login(t, idporten.AuthOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("idporten-par-expired", func(t *testing.T) {
		e := setup(t, func(c *idporten.Config) { c.UsePAR = true })
		u, p, err := e.client.Start(ctx, idporten.AuthOptions{ACR: idporten.High})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u, "nonce") || !strings.Contains(u, "request_uri") {
			t.Fatalf("PAR authorize URL carries the request: %s", u)
		}
		e.fake.ExpirePARs()
		loc := follow(t, u)
		_, err = e.client.Callback(ctx, loc.Query(), p)
		var ae *oauth.Error
		if !errors.As(err, &ae) || ae.Code != "invalid_request_uri" {
			t.Fatalf("error = %v, want invalid_request_uri", err)
		}
	})
	t.Run("idporten-par", func(t *testing.T) {
		e := setup(t, func(c *idporten.Config) { c.UsePAR = true; c.AuthMethod = idporten.ClientSecretPost })
		l, err := e.login(t, idporten.AuthOptions{ACR: idporten.High})
		if err != nil {
			t.Fatal(err)
		}
		if l.IDToken.ACR != idporten.High {
			t.Fatalf("acr %q", l.IDToken.ACR)
		}
	})
	t.Run("idporten-state-mismatch", func(t *testing.T) {
		e := setup(t, nil)
		q, p := e.authorize(t, idporten.AuthOptions{})
		q.Set("state", "forged")
		_, err := e.client.Callback(ctx, q, p)
		wantErr(t, err, idporten.ErrStateMismatch)
	})
	t.Run("idporten-code-reuse", func(t *testing.T) {
		e := setup(t, nil)
		q, p := e.authorize(t, idporten.AuthOptions{})
		if _, err := e.client.Callback(ctx, q, p); err != nil {
			t.Fatal(err)
		}
		_, err := e.client.Callback(ctx, q, p)
		var ae *oauth.Error
		if !errors.As(err, &ae) || ae.Code != oauth.CodeInvalidGrant {
			t.Fatalf("error = %v, want invalid_grant", err)
		}
	})
	t.Run("idporten-pkce-wrong-verifier", func(t *testing.T) {
		e := setup(t, nil)
		q, p := e.authorize(t, idporten.AuthOptions{})
		p.CodeVerifier = secret.New("another-verifier-another-verifier-another")
		_, err := e.client.Callback(ctx, q, p)
		var ae *oauth.Error
		if !errors.As(err, &ae) || ae.Code != oauth.CodeInvalidGrant {
			t.Fatalf("error = %v, want invalid_grant", err)
		}
	})
	t.Run("idporten-prompt-none-without-sso", func(t *testing.T) {
		e := setup(t, nil)
		q, p := e.authorize(t, idporten.AuthOptions{Prompt: "none"})
		_, err := e.client.Callback(ctx, q, p)
		var ae *oauth.Error
		if !errors.As(err, &ae) || ae.Code != oauth.CodeLoginRequired {
			t.Fatalf("error = %v, want login_required", err)
		}
	})
}

// follow follows redirects through the provider and returns where the
// browser was sent back to the relying party.
func follow(t *testing.T, u string) *url.URL {
	t.Helper()
	resp, err := browser().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("status %d, no redirect back", resp.StatusCode)
	}
	return loc
}

func sprint(v any) string {
	// (A Secret in an unexported field of someone else's struct is beyond any
	// method's reach: fmt prints such fields by reflection.)
	return fmt.Sprintf("%v %+v %#v %s %q %x %X", v, v, v, v, v, v, v) + fmt.Sprint(struct{ S any }{v}) + fmt.Sprintf("%+v %#v", &struct{ S any }{v}, []any{v})
}
