package maskinporten_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	grunnfake "github.com/grunnmur/grunnmur/fake"

	"github.com/grunnmur/grunnmur/config"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/auth/oauth"
)

const scope = "ks:fiks"

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func key(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		testKey = k
	})
	return testKey
}

func selfSigned(t testing.TB, k crypto.Signer) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TEST KOMMUNE", SerialNumber: "991825827"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handlerTransport serves requests with a handler in-process, so that tests
// can run inside a synctest bubble.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

func setup(t testing.TB, mod func(*maskinporten.Config)) (*idportentest.Server, *maskinporten.TokenSource) {
	k := key(t)
	fake := idportentest.New(idportentest.Config{})
	fake.SetBaseURL("http://fake.test")
	fake.RegisterClient(idportentest.Client{
		ID: "mp-client", Keys: map[string]crypto.PublicKey{"k1": &k.PublicKey},
		Certificates: []*x509.Certificate{selfSigned(t, k)},
		Scopes:       []string{scope, "ks:other"}, OrgNumber: "991825827", ConsumerOrgs: []string{"974760673"},
	})
	cfg := maskinporten.Config{
		Issuer: fake.Issuer(idportentest.Maskinporten), ClientID: "mp-client", Key: k, KeyID: "k1",
		Scopes: []string{scope}, HTTPClient: &http.Client{Transport: handlerTransport{fake}},
	}
	if mod != nil {
		mod(&cfg)
	}
	ts, err := maskinporten.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fake, ts
}

func claimsOf(t *testing.T, jwt string) (hdr, cl map[string]any) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	for i, v := range []*map[string]any{&hdr, &cl} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	return hdr, cl
}

func TestAssertion(t *testing.T) {
	_, ts := setup(t, nil)
	a1, err := ts.Assertion(maskinporten.Request{Scopes: []string{scope}, Resource: []string{"https://api.example/"}, ConsumerOrg: "974760673"})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := ts.Assertion(maskinporten.Request{Scopes: []string{scope}})
	hdr, cl := claimsOf(t, a1)
	_, cl2 := claimsOf(t, a2)
	if hdr["kid"] != "k1" || hdr["alg"] != "RS256" || hdr["x5c"] != nil {
		t.Errorf("header %v", hdr)
	}
	if cl["aud"] != "http://fake.test/maskinporten/" || cl["iss"] != "mp-client" || cl["scope"] != scope ||
		cl["resource"] != "https://api.example/" || cl["consumer_org"] != "974760673" {
		t.Errorf("claims %v", cl)
	}
	if life := cl["exp"].(float64) - cl["iat"].(float64); life <= 0 || life > 120 {
		t.Errorf("exp - iat = %v", life)
	}
	if cl["jti"] == "" || cl["jti"] == cl2["jti"] {
		t.Errorf("jti not fresh: %v %v", cl["jti"], cl2["jti"])
	}

	_, x5c := setup(t, func(c *maskinporten.Config) {
		c.KeyID = ""
		c.Certificates = []*x509.Certificate{selfSigned(t, key(t))}
	})
	a3, err := x5c.Assertion(maskinporten.Request{Scopes: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ = claimsOf(t, a3)
	if chain, ok := hdr["x5c"].([]any); !ok || len(chain) != 1 || hdr["kid"] != nil {
		t.Errorf("x5c header %v", hdr)
	}
}

func TestProductionAudienceHasTrailingSlash(t *testing.T) {
	ts, err := maskinporten.New(maskinporten.Config{Issuer: "https://maskinporten.no", ClientID: "c", Key: key(t), KeyID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ts.Assertion(maskinporten.Request{Scopes: []string{"s"}})
	if _, cl := claimsOf(t, a); cl["aud"] != "https://maskinporten.no/" {
		t.Fatalf("aud %v", cl["aud"])
	}
}

// An empty Issuer is the test environment: production only when named.
func TestEmptyIssuerIsTest(t *testing.T) {
	for _, tc := range []struct{ issuer, aud string }{
		{"", maskinporten.TestIssuer},
		{maskinporten.ProductionIssuer, "https://maskinporten.no/"},
	} {
		ts, err := maskinporten.New(maskinporten.Config{Issuer: tc.issuer, ClientID: "c", Key: key(t), KeyID: "k"})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := ts.Assertion(maskinporten.Request{Scopes: []string{"s"}})
		if _, cl := claimsOf(t, a); cl["aud"] != tc.aud {
			t.Fatalf("issuer %q: aud %v, want %s", tc.issuer, cl["aud"], tc.aud)
		}
	}
}

func TestConfigRefusals(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for name, cfg := range map[string]maskinporten.Config{
		"no-client":      {Key: key(t), KeyID: "k"},
		"no-key":         {ClientID: "c", KeyID: "k"},
		"no-kid-or-x5c":  {ClientID: "c", Key: key(t)},
		"issuer-not-url": {Issuer: "maskinporten.no", ClientID: "c", Key: key(t), KeyID: "k"},
		"token-url-rel":  {TokenURL: "/token", ClientID: "c", Key: key(t), KeyID: "k"},
		"lifetime":       {ClientID: "c", Key: key(t), KeyID: "k", Lifetime: 3 * time.Minute},
		"ed25519-ok":     {ClientID: "c", Key: ed, KeyID: "k"},
	} {
		_, err := maskinporten.New(cfg)
		if name == "ed25519-ok" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, maskinporten.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

func TestTokenKidAndX5C(t *testing.T) {
	for _, name := range []string{"kid", "x5c"} {
		t.Run(name, func(t *testing.T) {
			fake, ts := setup(t, nil)
			if name == "x5c" {
				ts = mustNewX5C(t, fake)
			}
			tok, err := ts.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			mt, err := fake.VerifyMaskinportenToken(tok.AccessToken.Reveal(), scope)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(mt.ClientID, "mp-") || mt.Consumer != "991825827" {
				t.Fatalf("token %+v", mt)
			}
		})
	}
}

func mustNewX5C(t *testing.T, fake *idportentest.Server) *maskinporten.TokenSource {
	k := key(t)
	cert := selfSigned(t, k)
	fake.RegisterClient(idportentest.Client{ID: "mp-x5c", Certificates: []*x509.Certificate{cert}, Scopes: []string{scope}, OrgNumber: "991825827"})
	ts, err := maskinporten.New(maskinporten.Config{
		Issuer: fake.Issuer(idportentest.Maskinporten), ClientID: "mp-x5c", Key: k, Certificates: []*x509.Certificate{cert},
		Scopes: []string{scope}, HTTPClient: &http.Client{Transport: handlerTransport{fake}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestCacheKey(t *testing.T) {
	fake, ts := setup(t, nil)
	ctx := context.Background()
	reqs := []maskinporten.Request{
		{Scopes: []string{scope}},
		{Scopes: []string{scope, "ks:other"}},
		{Scopes: []string{"ks:other", scope}}, // same set as the one before
		{Scopes: []string{scope}, Resource: []string{"https://api.example/"}},
		{Scopes: []string{scope}, ConsumerOrg: "974760673"},
	}
	var toks []string
	for _, r := range reqs {
		tok, err := ts.TokenFor(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok.AccessToken.Reveal())
	}
	if got := fake.Requests("/maskinporten/token"); got != 4 {
		t.Fatalf("%d grants, want 4 (scope order must not matter)", got)
	}
	if toks[1] != toks[2] || toks[0] == toks[3] || toks[0] == toks[4] {
		t.Fatal("cache keys do not separate scopes, resource and consumer_org")
	}
	mt, err := fake.VerifyMaskinportenToken(toks[4], scope)
	if err != nil || mt.Consumer != "974760673" {
		t.Fatalf("consumer_org token: %+v %v", mt, err)
	}
}

// TestSingleFlight races many callers: they must share one grant.
func TestSingleFlight(t *testing.T) {
	fake, ts := setup(t, nil)
	fake.Inject(grunnfake.Fault{Match: "POST /maskinporten/token", Delay: 50 * time.Millisecond})
	var wg sync.WaitGroup
	toks := make([]string, 64)
	errs := make([]error, 64)
	for i := range toks {
		wg.Go(func() {
			tok, err := ts.Token(context.Background())
			errs[i] = err
			if err == nil {
				toks[i] = tok.AccessToken.Reveal()
			}
		})
	}
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if got := fake.Requests("/maskinporten/token"); got != 1 {
		t.Fatalf("%d grants for 64 concurrent callers, want 1", got)
	}
}

// TestRefreshBeforeExpiry checks, on a fake clock, that a token is reused
// until RefreshBefore its expiry and renewed after.
func TestRefreshBeforeExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, ts := setup(t, func(c *maskinporten.Config) { c.RefreshBefore = 20 * time.Second })
		ctx := context.Background()
		first, err := ts.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(99 * time.Second) // the fake's tokens live 120 s
		again, _ := ts.Token(ctx)
		if again.AccessToken.Reveal() != first.AccessToken.Reveal() || fake.Requests("/maskinporten/token") != 1 {
			t.Fatal("token renewed too early")
		}
		time.Sleep(2 * time.Second)
		renewed, err := ts.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if renewed.AccessToken.Reveal() == first.AccessToken.Reveal() || fake.Requests("/maskinporten/token") != 2 {
			t.Fatal("token not renewed 19 s before expiry")
		}
	})
}

func TestReusedJTI(t *testing.T) {
	fake, ts := setup(t, nil)
	a, err := ts.Assertion(maskinporten.Request{Scopes: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	post := func() *http.Response {
		body := "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + a
		req := httptest.NewRequest("POST", "http://fake.test/maskinporten/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		return rec.Result()
	}
	if r := post(); r.StatusCode != 200 {
		t.Fatalf("first use: %d", r.StatusCode)
	}
	r := post()
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	var e struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	json.Unmarshal(b.Bytes(), &e)
	if r.StatusCode != 400 || e.Error != oauth.CodeInvalidGrant || !strings.Contains(e.ErrorDescription, "jti") {
		t.Fatalf("reuse: %d %v", r.StatusCode, e)
	}
}

// TestReusedJTIRace sends one grant from many goroutines at once: the fake
// Maskinporten must accept it exactly once.
func TestReusedJTIRace(t *testing.T) {
	fake, ts := setup(t, nil)
	a, err := ts.Assertion(maskinporten.Request{Scopes: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	body := "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + a
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 32 {
		wg.Go(func() {
			req := httptest.NewRequest("POST", "http://fake.test/maskinporten/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			fake.ServeHTTP(rec, req)
			if rec.Code == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("one grant accepted %d times", ok)
	}
}

func TestGrantErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("scope-not-allowed", func(t *testing.T) {
		_, ts := setup(t, func(c *maskinporten.Config) { c.Scopes = []string{"ks:secret"} })
		_, err := ts.Token(ctx)
		if !errors.Is(err, oauth.ErrInvalidScope) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("consumer-org-not-delegated", func(t *testing.T) {
		_, ts := setup(t, func(c *maskinporten.Config) { c.ConsumerOrg = "999999999" })
		_, err := ts.Token(ctx)
		if !errors.Is(err, oauth.ErrInvalidGrant) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("token-lacks-scope", func(t *testing.T) {
		fake, ts := setup(t, nil)
		tok, err := ts.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.VerifyMaskinportenToken(tok.AccessToken.Reveal(), "ks:other"); !errors.Is(err, idportentest.ErrToken) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("wrong-key", func(t *testing.T) {
		_, ts := setup(t, func(c *maskinporten.Config) {
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			c.Key = other
		})
		_, err := ts.Token(ctx)
		var me *oauth.Error
		if !errors.As(err, &me) || me.Code != "invalid_grant" || me.Status != 400 || me.Provider != "maskinporten" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("clock-skew", func(t *testing.T) {
		_, ts := setup(t, func(c *maskinporten.Config) { c.Now = func() time.Time { return time.Now().Add(-30 * time.Second) } })
		_, err := ts.Token(ctx)
		if !errors.Is(err, oauth.ErrInvalidGrant) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("lifetime-over-120s", func(t *testing.T) {
		_, err := maskinporten.New(maskinporten.Config{ClientID: "c", Key: key(t), KeyID: "k", Lifetime: 121 * time.Second})
		if !errors.Is(err, maskinporten.ErrConfig) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("server-error-retried-with-new-jti", func(t *testing.T) {
		fake, ts := setup(t, nil)
		fake.Inject(grunnfake.Fault{Match: "POST /maskinporten/token", Status: 503, Times: 2})
		if _, err := ts.Token(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fake.Requests("/maskinporten/token"); got != 3 {
			t.Fatalf("%d attempts, want 3", got)
		}
	})
	t.Run("server-error-gives-up", func(t *testing.T) {
		fake, ts := setup(t, nil)
		fake.Inject(grunnfake.Fault{Match: "POST /maskinporten/token", Status: 503, Times: 5})
		_, err := ts.Token(ctx)
		if !errors.Is(err, oauth.ErrServer) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestTokenNeverPrints(t *testing.T) {
	_, ts := setup(t, nil)
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("got", "token", tok, "value", *tok)
	for _, s := range []string{
		fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s %q %x", tok, tok, tok, tok, tok, tok),
		fmt.Sprintf("%v %+v %#v", *tok, *tok, *tok), fmt.Sprintf("%+v", struct{ T *maskinporten.Token }{tok}),
		logged.String(),
	} {
		if strings.Contains(s, tok.AccessToken.Reveal()) || strings.Contains(s, tok.AccessToken.Reveal()[:20]) {
			t.Fatalf("token printed: %s", s)
		}
	}
}

func TestTransport(t *testing.T) {
	fake, ts := setup(t, nil)
	var calls int
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := fake.VerifyMaskinportenToken(tok, scope); err != nil || calls == 1 {
			w.WriteHeader(http.StatusUnauthorized) // the first call is refused: the client must renew and retry
			return
		}
		io := r.URL.Query().Get("q")
		fmt.Fprint(w, "ok "+io)
	}))
	defer api.Close()
	hc := ts.Client(api.Client())
	resp, err := hc.Post(api.URL+"?q=1", "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || b.String() != "ok 1" || calls != 2 || fake.Requests("/maskinporten/token") != 2 {
		t.Fatalf("status %d body %q calls %d grants %d", resp.StatusCode, b.String(), calls, fake.Requests("/maskinporten/token"))
	}

	ot, err := ts.OAuth2(context.Background()).Token()
	if err != nil || ot.AccessToken == "" || !ot.Valid() {
		t.Fatalf("oauth2 adapter: %v %v", ot, err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	der, _ := x509.MarshalPKCS8PrivateKey(key(t))
	f := dir + "/key.pem"
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MP_ISSUER": maskinporten.TestIssuer, "MP_CLIENT_ID": "c", "MP_KEY_FILE": f, "MP_KID": "k"}
	getenv := func(k string) string { return env[k] }
	cfg, err := maskinporten.ConfigFromEnv("MP_", getenv)
	if err != nil || cfg.Key == nil || cfg.KeyID != "k" || cfg.ClientID != "c" || cfg.Issuer != maskinporten.TestIssuer {
		t.Fatalf("%+v %v", cfg, err)
	}
	if _, err := maskinporten.New(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := maskinporten.ConfigFromEnv("NONE_", getenv); !errors.Is(err, config.ErrUnset) {
		t.Fatalf("nothing set: %v, want config.ErrUnset", err)
	}
	env["MP_KEY_FILE"] = dir + "/missing.pem"
	if _, err := maskinporten.ConfigFromEnv("MP_", getenv); !errors.Is(err, maskinporten.ErrConfig) || !strings.Contains(err.Error(), "MP_KEY_FILE") {
		t.Fatalf("missing key file: %v", err)
	}
}

// A Config, and a TokenSource made from it, printed in any way show no
// private key material: an Ed25519 key is a byte slice that fmt would
// otherwise print whole, even through the source's unexported config.
func TestConfigPrintsNoKey(t *testing.T) {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	cfg := maskinporten.Config{ClientID: "c", Key: k, KeyID: "kid-1", Scopes: []string{"ks:fiks"}}
	ts, err := maskinporten.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "cfg", cfg)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "cfg", cfg)
	out := fmt.Sprintf("%v %+v %#v %s %x | %v %+v %#v | %+v | %s", cfg, cfg, cfg, cfg, cfg, ts, ts, ts, struct{ C maskinporten.Config }{cfg}, logged.String())
	seed := k.Seed()
	for _, secret := range []string{fmt.Sprint(seed[:6])[1:], fmt.Sprintf("%x", seed[:6])} {
		if strings.Contains(out, strings.TrimSuffix(secret, "]")) {
			t.Fatalf("output leaks key material %q:\n%.3000s", secret, out)
		}
	}
	if !strings.Contains(out, "[REDACTED ed25519.PrivateKey]") {
		t.Fatalf("the key's kind is not shown: %.2000s", out)
	}
}

// A typed nil key (a *rsa.PrivateKey never set) is a configuration error,
// not a panic, and prints.
func TestTypedNilKey(t *testing.T) {
	var k *rsa.PrivateKey
	cfg := maskinporten.Config{ClientID: "c", Key: k, KeyID: "kid-1"}
	if _, err := maskinporten.New(cfg); !errors.Is(err, maskinporten.ErrConfig) {
		t.Fatalf("New: %v", err)
	}
	if out := fmt.Sprintf("%+v", cfg); strings.Contains(out, "PANIC") {
		t.Fatal(out)
	}
}
