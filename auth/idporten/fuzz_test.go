package idporten_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/oauth"
	"github.com/grunnmur/grunnmur/secret"
)

// FuzzValidateIDToken feeds arbitrary strings as id_tokens to a client with
// a warm key cache: never a panic, never a pass for anything but the one
// genuine token (or a re-encoding of it).
func FuzzValidateIDToken(f *testing.F) {
	bt := newBenchToken(f)
	c, err := idporten.New(idporten.Config{
		Issuer: bt.issuer, ClientID: "bench-client", ClientSecret: secret.New("x"), RedirectURI: "https://rp.example/cb",
		Now: func() time.Time { return bt.now }, JWKSMinRefresh: time.Hour,
	})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	opts := idporten.ValidateOptions{Nonce: "n-0S6_WzA2Mj", MinACR: idporten.Substantial}
	if _, err := c.ValidateIDToken(ctx, bt.raw, opts); err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(bt.raw, ".")
	f.Add(bt.raw)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0." + parts[1] + ".")
	f.Add("eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0." + parts[1] + "." + parts[2])
	f.Add("a.b")
	f.Add("....")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := c.ValidateIDToken(ctx, raw, opts)
		if err == nil && (tok == nil || tok.Subject == "" || tok.PID.IsZero()) {
			t.Fatalf("accepted %q", raw)
		}
		if err != nil {
			var ve *idporten.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("untyped error %v", err)
			}
		}
	})
}

// FuzzCallback feeds arbitrary callback queries: never a panic, never a
// login, and the right typed error.
func FuzzCallback(f *testing.F) {
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			w.Write([]byte(`{"issuer":"` + issuer + `","authorization_endpoint":"` + issuer + `/a","token_endpoint":"` + issuer + `/token","jwks_uri":"` + issuer + `/jwks","authorization_response_iss_parameter_supported":true}`))
		default:
			w.WriteHeader(400)
			w.Write([]byte(`{"error":"invalid_grant","error_description":"no such code"}`))
		}
	}))
	defer srv.Close()
	issuer = srv.URL
	c, err := idporten.New(idporten.Config{Issuer: issuer, ClientID: "rp", ClientSecret: secret.New("s"), RedirectURI: "https://rp.example/cb", HTTPClient: srv.Client()})
	if err != nil {
		f.Fatal(err)
	}
	p := &idporten.Pending{State: "st", Nonce: "n", CodeVerifier: secret.New("v"), ACR: idporten.Substantial}
	f.Add("code=abc&state=st&iss=" + url.QueryEscape(issuer))
	f.Add("error=access_denied&error_description=x&state=st&iss=" + url.QueryEscape(issuer))
	f.Add("state=st&state=st2&iss=a&iss=b")
	f.Add("%zz&state=st")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		l, err := c.Callback(context.Background(), q, p)
		if err == nil || l != nil {
			t.Fatalf("login from %q", rawQuery)
		}
		var ae *oauth.Error
		if !errors.As(err, &ae) && !errors.Is(err, idporten.ErrStateMismatch) && !errors.Is(err, idporten.ErrIssuerMismatch) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
