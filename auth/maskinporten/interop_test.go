package maskinporten_test

import (
	"context"
	"crypto/rsa"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
)

// registeredKey gives zitadel's example storage our client's public key and
// lets it grant any scope; the JWT-bearer grant itself (RFC 7523) is
// verified by zitadel's own code.
type registeredKey struct {
	*storage.Storage
	clientID, kid string
	pub           *rsa.PublicKey
}

func (s registeredKey) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	if clientID == s.clientID && keyID == s.kid {
		return &jose.JSONWebKey{KeyID: keyID, Algorithm: "RS256", Use: "sig", Key: s.pub}, nil
	}
	return s.Storage.GetKeyByIDAndClientID(ctx, keyID, clientID)
}

func (s registeredKey) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

// TestInteropZitadel gets a token with a Maskinporten-style grant from
// zitadel/oidc's OpenID Provider, an implementation we did not write.
func TestInteropZitadel(t *testing.T) {
	k := key(t)
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	st := storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{})
	srv.Config.Handler = exampleop.SetupServer(issuer, registeredKey{st, "svc-client", "k1", &k.PublicKey}, nil, false, op.WithAllowInsecure())
	srv.Start()
	t.Cleanup(srv.Close)

	ts, err := maskinporten.New(maskinporten.Config{
		Issuer: issuer, Audience: issuer, TokenURL: issuer + "/oauth/token", Subject: "svc-client",
		ClientID: "svc-client", Key: k, KeyID: "k1", Scopes: []string{"openid", "ks:fiks"},
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken.Reveal() == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Fatalf("token %v", tok)
	}
	// zitadel refuses a grant signed by a key it does not know.
	other, _ := maskinporten.New(maskinporten.Config{
		Issuer: issuer, Audience: issuer, TokenURL: issuer + "/oauth/token", Subject: "svc-client",
		ClientID: "svc-client", Key: k, KeyID: "unknown", Scopes: []string{"openid"}, HTTPClient: srv.Client(),
	})
	if _, err := other.Token(context.Background()); err == nil {
		t.Fatal("zitadel accepted a grant with an unknown kid")
	}
}
