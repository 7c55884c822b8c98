package devenv_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

func start(t *testing.T, o devenv.Options) *devenv.Env {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	env, err := devenv.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close(context.Background()) })
	return env
}

// TestClientsAgainstSandbox configures grunnmur's own clients from the
// sandbox's environment, as an agency service would, and calls each fake.
func TestClientsAgainstSandbox(t *testing.T) {
	ctx := context.Background()
	env := start(t, devenv.Options{NonInteractive: true})

	// ID-porten and Ansattporten: discovery at the issuer from the env.
	for _, prefix := range []string{"GRUNNMUR_IDPORTEN_", "GRUNNMUR_ANSATTPORTEN_"} {
		cfg, err := idporten.ConfigFromEnv(prefix, env.Getenv)
		if err != nil {
			t.Fatalf("%s: %v", prefix, err)
		}
		var meta struct {
			Issuer string `json:"issuer"`
		}
		getJSON(t, cfg.Issuer+"/.well-known/openid-configuration", &meta)
		if meta.Issuer != cfg.Issuer {
			t.Errorf("%s: discovery issuer %q, want %q", prefix, meta.Issuer, cfg.Issuer)
		}
	}

	// Maskinporten from the env, with the key file the sandbox wrote.
	mcfg, err := maskinporten.ConfigFromEnv("GRUNNMUR_MASKINPORTEN_", env.Getenv)
	if err != nil {
		t.Fatalf("maskinporten config: %v", err)
	}
	mcfg.Scopes = devenv.MaskinportenScopes
	ts, err := maskinporten.New(mcfg)
	if err != nil {
		t.Fatal(err)
	}
	mp := ts.Client(nil)

	// SvarUT behind Maskinporten with the integration's credentials.
	sv, err := svarut.New(svarut.Config{
		BaseURL: env.Getenv("GRUNNMUR_SVARUT_BASE_URL"), KontoID: env.Getenv("GRUNNMUR_SVARUT_KONTO_ID"),
		IntegrasjonID:      env.Getenv("GRUNNMUR_SVARUT_INTEGRASJON_ID"),
		IntegrasjonPassord: secret.New(env.Getenv("GRUNNMUR_SVARUT_INTEGRASJON_PASSORD")), HTTPClient: mp,
	})
	if err != nil {
		t.Fatal(err)
	}
	if types, err := sv.ShipmentTypes(ctx); err != nil || len(types) == 0 {
		t.Errorf("svarut shipment types: %v %v", types, err)
	}
	// Without a Maskinporten token SvarUT refuses.
	noToken, _ := svarut.New(svarut.Config{BaseURL: env.Credentials.SvarUT.BaseURL, IntegrasjonID: devenv.SvarUTIntegrasjonID,
		IntegrasjonPassord: secret.New(devenv.SvarUTIntegrasjonPassord), MaxAttempts: 1})
	if _, err := noToken.ShipmentTypes(ctx); err == nil {
		t.Error("svarut answered without a Maskinporten token")
	}

	// Vipps: an access token and an authorised call.
	vc, err := vipps.New(vipps.Config{
		BaseURL: env.Getenv("GRUNNMUR_VIPPS_BASE_URL"), ClientID: env.Getenv("GRUNNMUR_VIPPS_CLIENT_ID"),
		ClientSecret:    secret.New(env.Getenv("GRUNNMUR_VIPPS_CLIENT_SECRET")),
		SubscriptionKey: secret.New(env.Getenv("GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")), MSN: env.Getenv("GRUNNMUR_VIPPS_MSN"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vc.Webhooks(ctx); err != nil {
		t.Errorf("vipps webhooks: %v", err)
	}

	// The registries: the logged-in person can act for the applicant.
	sigrid := registrytest.Persons()[registrytest.SigridHaugland]
	found := false
	for _, u := range env.Users {
		found = found || u.PID == sigrid.FNR
	}
	if !found {
		t.Error("Sigrid Haugland cannot log in at the fake ID-porten")
	}
	bc := must(brreg.New(brreg.Config{BaseURL: env.Getenv("GRUNNMUR_BRREG_BASE_URL"), AuthorizedHTTPClient: mp}))
	if ok, err := bc.CanActFor(ctx, sigrid.FNR, registrytest.ApplicantOrgnr); err != nil || !ok {
		t.Errorf("CanActFor: %v %v", ok, err)
	}
	fc := must(folkeregisteret.New(folkeregisteret.Config{BaseURL: env.Getenv("GRUNNMUR_FOLKEREGISTERET_BASE_URL"), Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: mp}))
	if _, err := fc.Person(ctx, sigrid.FNR); err != nil {
		t.Errorf("folkeregisteret: %v", err)
	}
	kc := must(krr.New(krr.Config{BaseURL: env.Getenv("GRUNNMUR_KRR_BASE_URL"), HTTPClient: mp}))
	if ok, err := kc.CanSendDigital(ctx, sigrid.FNR); err != nil || !ok {
		t.Errorf("krr: %v %v", ok, err)
	}
	ac := must(adresse.New(adresse.Config{BaseURL: env.Getenv("GRUNNMUR_ADRESSE_BASE_URL")}))
	if res, err := ac.Search(ctx, adresse.Query{Sok: "Storgata 12B"}); err != nil || len(res.Adresser) == 0 {
		t.Errorf("adresse: %v %v", res, err)
	}

	// Altinn Notifications: a Maskinporten token exchanged for an Altinn token.
	acfg, err := notify.AltinnConfigFromEnv("GRUNNMUR_ALTINN_NOTIFICATIONS_", env.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	acfg.Maskinporten = ts
	an := must(notify.NewAltinn(acfg))
	if rc, err := an.SendSMS(ctx, &notify.OutgoingSMS{Key: "devenv-1", To: notify.NewAddress("+4791234567"), Text: "Hei"}); err != nil || rc.ProviderID == "" {
		t.Errorf("altinn notifications: %+v %v", rc, err)
	}
	narrowAltinn := must(env.MaskinportenSource(nil, svarut.Scope))
	an2 := must(notify.NewAltinn(notify.AltinnConfig{BaseURL: acfg.BaseURL, Maskinporten: narrowAltinn}))
	if _, err := an2.Feed(ctx, 0, 1); err == nil {
		t.Error("altinn notifications: a token without its scope was exchanged")
	}

	// A token without KRR's scope gets 403 from KRR; no token gets 401.
	narrow, err := env.MaskinportenSource(nil, svarut.Scope)
	if err != nil {
		t.Fatal(err)
	}
	kc2 := must(krr.New(krr.Config{BaseURL: env.Getenv("GRUNNMUR_KRR_BASE_URL"), HTTPClient: narrow.Client(nil), MaxAttempts: 1}))
	if _, err := kc2.CanSendDigital(ctx, sigrid.FNR); err == nil {
		t.Error("krr answered a token without its scope")
	}
	resp, err := http.Post(env.Getenv("GRUNNMUR_KRR_BASE_URL")+"/rest/v1/personer", "application/json", strings.NewReader(`{"personidentifikatorer":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("krr without a token: %d, want 401", resp.StatusCode)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestEnviron(t *testing.T) {
	env := start(t, devenv.Options{})
	vars := env.Environ()
	want := []string{
		"GRUNNMUR_IDPORTEN_ISSUER", "GRUNNMUR_IDPORTEN_CLIENT_ID", "GRUNNMUR_IDPORTEN_CLIENT_SECRET",
		"GRUNNMUR_ANSATTPORTEN_ISSUER", "GRUNNMUR_ANSATTPORTEN_CLIENT_ID", "GRUNNMUR_ANSATTPORTEN_CLIENT_SECRET",
		"GRUNNMUR_OFFICERS", "GRUNNMUR_MASKINPORTEN_ISSUER", "GRUNNMUR_MASKINPORTEN_CLIENT_ID",
		"GRUNNMUR_MASKINPORTEN_KEY_FILE", "GRUNNMUR_MASKINPORTEN_KID",
		"GRUNNMUR_VIPPS_BASE_URL", "GRUNNMUR_VIPPS_CLIENT_ID", "GRUNNMUR_VIPPS_CLIENT_SECRET",
		"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY", "GRUNNMUR_VIPPS_MSN",
		"GRUNNMUR_SVARUT_BASE_URL", "GRUNNMUR_SVARUT_KONTO_ID", "GRUNNMUR_SVARUT_INTEGRASJON_ID", "GRUNNMUR_SVARUT_INTEGRASJON_PASSORD",
		"GRUNNMUR_BRREG_BASE_URL", "GRUNNMUR_FOLKEREGISTERET_BASE_URL", "GRUNNMUR_KRR_BASE_URL", "GRUNNMUR_ADRESSE_BASE_URL",
		"GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL",
	}
	if len(vars) != len(want) {
		t.Errorf("%d variables, want %d: %v", len(vars), len(want), vars)
	}
	for _, name := range want {
		if v := env.Getenv(name); v == "" {
			t.Errorf("%s is empty", name)
		}
	}
	for i := 1; i < len(vars); i++ {
		if vars[i-1] > vars[i] {
			t.Errorf("Environ not sorted at %s", vars[i])
		}
	}
	officers := env.Officers()
	if len(officers) != 1 || env.Getenv("GRUNNMUR_OFFICERS") != officers[0].Reveal() || !officers[0].Synthetic() {
		t.Errorf("officers %v, GRUNNMUR_OFFICERS %q", officers, env.Getenv("GRUNNMUR_OFFICERS"))
	}
	for _, u := range env.Users {
		if !u.PID.Synthetic() {
			t.Errorf("test user %s has a number that is not synthetic", u.Name)
		}
	}
	if _, err := os.Stat(env.Getenv("GRUNNMUR_MASKINPORTEN_KEY_FILE")); err != nil {
		t.Error(err)
	}
}

// TestFixedPorts starts on consecutive ports from a given one, and a second
// sandbox on a taken port fails without leaving anything running.
func TestFixedPorts(t *testing.T) {
	base := freeRange(t, 10)
	env := start(t, devenv.Options{Addr: base})
	if got := env.Credentials.IDPorten.Issuer; got != "http://"+base {
		t.Errorf("ID-porten issuer %s, want http://%s", got, base)
	}
	if _, err := devenv.Start(context.Background(), devenv.Options{Addr: base}); err == nil {
		t.Fatal("a second sandbox on the same ports started")
	}
	// The first still serves.
	var meta map[string]any
	getJSON(t, env.Credentials.Maskinporten.Issuer+".well-known/oauth-authorization-server", &meta)
}

func TestCloseRemovesKey(t *testing.T) {
	env, err := devenv.Start(context.Background(), devenv.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	key := env.Credentials.Maskinporten.KeyFile
	if err := env.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(key); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file after Close: %v", err)
	}
	if _, err := http.Get(env.Services[0].Check); err == nil {
		t.Error("ID-porten still answers after Close")
	}
	if err := env.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestBadAddr(t *testing.T) {
	for _, addr := range []string{"nonsense", "127.0.0.1:x", "127.0.0.1:65533"} {
		if _, err := devenv.Start(context.Background(), devenv.Options{Addr: addr}); err == nil {
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
}

// freeRange finds n consecutive free ports on 127.0.0.1 and returns the
// address of the first. Another process may take one before Start; the
// test then fails loudly, which is rare.
func freeRange(t *testing.T, n int) string {
	t.Helper()
	for try := 0; try < 50; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		first := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if first+n > 65535 {
			continue
		}
		var held []net.Listener
		ok := true
		for p := first; p < first+n; p++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", itoa(p)))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if ok {
			return net.JoinHostPort("127.0.0.1", itoa(first))
		}
	}
	t.Skip("no free range of ports")
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLetterStep sends a letter through SvarUT with the sandbox's Maskinporten
// client and watches it move on as the clock passes LetterStep. The clock is
// months from the machine's: the client dates its grants by it too.
func TestLetterStep(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, time.March, 29, 0, 30, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	env := start(t, devenv.Options{LetterStep: time.Minute, Now: clock})
	ts, err := env.MaskinportenSource(nil, svarut.Scope)
	if err != nil {
		t.Fatal(err)
	}
	c := env.Credentials.SvarUT
	client, err := svarut.New(svarut.Config{BaseURL: c.BaseURL, KontoID: c.KontoID, IntegrasjonID: c.IntegrasjonID,
		IntegrasjonPassord: secret.New(c.IntegrasjonPassord), HTTPClient: ts.Client(nil)})
	if err != nil {
		t.Fatal(err)
	}
	sigrid := registrytest.Persons()[registrytest.SigridHaugland]
	id, err := client.Send(ctx, &svarut.Shipment{
		Title: "Vedtak om skjenkebevilling",
		Recipient: svarut.Recipient{Person: sigrid.FNR,
			Address: svarut.Address{Name: sigrid.Name(), Line1: "Storgata 12B", PostalCode: "0184", PostTown: "OSLO"}},
		Documents: []svarut.Document{{Name: "vedtak.pdf", MimeType: svarut.MimePDF, Ref: "vedtak"}},
	}, svarut.SourceFunc(func(context.Context, svarut.Document) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.7\n%%EOF\n")), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	first, err := env.SvarUT.Status(id)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	second, _ := env.SvarUT.Status(id)
	if second == first {
		t.Errorf("status still %s a LetterStep later", first)
	}
}

// must returns v, and panics on a constructor's error: the tests' Configs are
// valid.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestLines lists every fake with its URL and every test user with their
// note, and no fødselsnummer.
func TestLines(t *testing.T) {
	env := start(t, devenv.Options{})
	text := strings.Join(env.Lines(), "\n")
	for _, s := range env.Services {
		if !strings.Contains(text, s.URL) {
			t.Errorf("no line for %s at %s", s.Name, s.URL)
		}
	}
	for _, u := range env.Users {
		if !strings.Contains(text, u.Name+" ") || !strings.Contains(text, u.Note) || strings.Contains(text, u.PID.Reveal()) {
			t.Errorf("test user %s: not listed with their note, or with their number", u.Name)
		}
	}
	if !strings.Contains(text, "SESAM AS ("+registrytest.ApplicantOrgnr+"): may act for it") {
		t.Errorf("the lines do not say who may act for SESAM AS:\n%s", text)
	}
}
