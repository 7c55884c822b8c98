package idporten_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
)

// idportenClaims configures zitadel's example storage to issue the claims
// ID-porten issues (pid and acr) and nothing else: the protocol work, token
// signing, PKCE and discovery stay zitadel's.
type idportenClaims struct {
	*storage.Storage
	pid ident.Fodselsnummer
}

func (s idportenClaims) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	if err := s.Storage.SetUserinfoFromScopes(ctx, ui, userID, clientID, scopes); err != nil {
		return err
	}
	ui.AppendClaims("pid", s.pid.Reveal())
	ui.AppendClaims("acr", string(idporten.Substantial))
	return nil
}

// TestInteropZitadel logs in against zitadel/oidc's OpenID Provider, an
// implementation we did not write, run in-process.
func TestInteropZitadel(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	const rpRedirect = "https://rp.example/auth/callback"
	st := storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{
		"grunnmur": storage.WebClient("grunnmur", "zitadel-secret", rpRedirect),
	})
	pid := ident.MustParseFodselsnummer("20036914700")
	srv.Config.Handler = exampleop.SetupServer(issuer, idportenClaims{st, pid}, nil, false, op.WithAllowInsecure())
	srv.Start()
	t.Cleanup(srv.Close)

	c, err := idporten.New(idporten.Config{
		Issuer: issuer, ClientID: "grunnmur", ClientSecret: secret.New("zitadel-secret"), RedirectURI: rpRedirect,
		Scopes: []string{"profile"}, HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	authURL, p, err := c.Start(ctx, idporten.AuthOptions{UILocales: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == "rp.example" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	// zitadel's example login: a username and password form.
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("zitadel login page: %d %s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(issuer+"/login/username", url.Values{
		"username": {"test-user@127.0.0.1"}, "password": {"verysecure"}, "id": {string(m[1])},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), rpRedirect) {
		t.Fatalf("no redirect to the callback: %d %v", resp.StatusCode, err)
	}
	l, err := c.Callback(ctx, loc.Query(), p)
	if err != nil {
		t.Fatal(err)
	}
	if l.IDToken.PID != pid || l.IDToken.Subject != "id1" || l.IDToken.ACR != idporten.Substantial || l.IDToken.Issuer != issuer {
		t.Fatalf("id_token %v", l.IDToken)
	}
	ui, err := c.Userinfo(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if ui["sub"] != "id1" {
		t.Fatalf("userinfo %v", ui)
	}
	// The same token fails our checks when the nonce or level is wrong.
	if _, err := c.ValidateIDToken(ctx, l.IDToken.Raw.Reveal(), idporten.ValidateOptions{Nonce: "other"}); err == nil {
		t.Fatal("zitadel's token passed with a wrong nonce")
	}
	if _, err := c.ValidateIDToken(ctx, l.IDToken.Raw.Reveal(), idporten.ValidateOptions{Nonce: p.Nonce, MinACR: idporten.High}); err == nil {
		t.Fatal("substantial passed a high policy")
	}
	logout, err := c.LogoutURL(ctx, l.IDToken.Raw, "s1")
	if err != nil || !strings.HasPrefix(logout, issuer) {
		t.Fatalf("logout URL %q: %v", logout, err)
	}
}
