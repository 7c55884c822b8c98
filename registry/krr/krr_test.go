package krr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/grunnmur/grunnmur/fake"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

type bearer struct{}

func (bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test-token")
	return http.DefaultTransport.RoundTrip(r)
}

// setup serves a fake KRR configured by fakeCfg, and returns a client of it
// configured by the options.
func setup(t *testing.T, fakeCfg registrytest.KRRConfig, opts ...func(*krr.Config)) (*krr.Client, *registrytest.KRR) {
	t.Helper()
	reg := registrytest.NewKRR(fakeCfg)
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	cfg := krr.Config{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: bearer{}}, MaxAttempts: 1}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := krr.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, reg
}

func person(i int) ident.Fodselsnummer { return registrytest.Persons()[i].FNR }

func TestSamples(t *testing.T) {
	dir := filepath.Join("testdata", "krr")
	raw, err := os.ReadFile(filepath.Join(dir, "doc-example-response-fields.json"))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Personer []krr.Person `json:"personer"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	p := resp.Personer[0]
	if p.Personidentifikator.Reveal() != "20914695016" || !p.CanSendDigital() || p.Kontaktinformasjon.Epostadresse != "NULLstillt@default.digdir.no" ||
		p.DigitalPost.Postkasseadresse != "string" {
		t.Errorf("decoded %+v", p)
	}
	// "+02" offsets parse; the docs' placeholders keep their text.
	if got := p.Kontaktinformasjon.EpostadresseOppdatert; got.IsZero() || got.UTC().Hour() != 8 {
		t.Errorf("epostadresse_oppdatert = %v", got)
	}
	if got := p.Kontaktinformasjon.EpostadresseSistVerifisert; !got.IsZero() || got.Raw != "string" {
		t.Errorf("placeholder = %+v", got)
	}
	// The documented request is what the fake takes.
	req, err := os.ReadFile(filepath.Join(dir, "doc-example-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registrytest.NewKRR(registrytest.KRRConfig{})
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/rest/v1/personer", bytes.NewReader(req))
	r.Header.Set("Authorization", "Bearer x")
	reg.ServeHTTP(rec, r)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"IKKE_REGISTRERT"`) {
		t.Errorf("fake on the documented request: %d %s", rec.Code, rec.Body)
	}
}

func TestCanSendDigital(t *testing.T) {
	c, _ := setup(t, registrytest.KRRConfig{})
	tests := []struct {
		person int
		want   bool
		status string
	}{
		{registrytest.SigridHaugland, true, krr.StatusAktiv},
		{registrytest.OlaBakken, false, krr.StatusAktiv},    // reserved
		{registrytest.IngridSolberg, true, krr.StatusAktiv}, // a protected address does not stop digital mail
		{registrytest.NilsFjeld, false, krr.StatusIkkeRegistrert},
		{registrytest.AudLien, false, krr.StatusSlettet},
		{registrytest.EmilNordby, false, krr.StatusAktiv}, // KAN_IKKE_VARSLES
		{registrytest.MajaStrand, true, krr.StatusAktiv},
	}
	for _, tt := range tests {
		p := registrytest.Persons()[tt.person]
		t.Run(p.Name(), func(t *testing.T) {
			ok, err := c.CanSendDigital(context.Background(), p.FNR)
			if err != nil || ok != tt.want {
				t.Fatalf("CanSendDigital = %v, %v; want %v", ok, err, tt.want)
			}
			got, _ := c.Person(context.Background(), p.FNR)
			if got.Status != tt.status || got.Personidentifikator != p.FNR {
				t.Errorf("status %q, want %q", got.Status, tt.status)
			}
		})
	}
	sigrid, _ := c.Person(context.Background(), person(registrytest.SigridHaugland))
	if sigrid.DigitalPost == nil || sigrid.DigitalPost.Postkasseleverandoeradresse != "digipost.no" || sigrid.Spraak != "nb" {
		t.Errorf("sigrid: %+v", sigrid)
	}
	cert, err := sigrid.Certificate()
	if err != nil || cert == nil || cert.Subject.CommonName == "" {
		t.Errorf("certificate: %v %v", cert, err)
	}
	if ola, _ := c.Person(context.Background(), person(registrytest.OlaBakken)); !ola.Reserved() || ola.DigitalPost != nil {
		t.Errorf("ola: %+v", ola)
	}
}

func synthetic(t testing.TB, n int) []ident.Fodselsnummer {
	out := make([]ident.Fodselsnummer, 0, n)
	day := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; len(out) < n; i++ {
		f, err := ident.Synthetic(civil.DateOf(day.AddDate(0, 0, i/3)), i%3)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func TestBatches(t *testing.T) {
	c, reg := setup(t, registrytest.KRRConfig{})
	persons := synthetic(t, 2500)
	persons = append(persons, person(registrytest.SigridHaugland), persons[0]) // a known person and a duplicate
	got, err := c.Persons(context.Background(), persons)
	if err != nil {
		t.Fatal(err)
	}
	if b := reg.Batches(); len(b) != 3 || b[0] != 1000 || b[1] != 1000 || b[2] != 501 {
		t.Errorf("batches %v, want [1000 1000 501]", b)
	}
	if len(got) != len(persons) {
		t.Fatalf("%d answers for %d persons", len(got), len(persons))
	}
	for i, p := range got {
		if p == nil || p.Personidentifikator != persons[i] {
			t.Fatalf("answer %d is for someone else", i)
		}
	}
	if !got[2500].CanSendDigital() || got[0].Status != krr.StatusIkkeRegistrert {
		t.Errorf("wrong answers: %+v %+v", got[2500], got[0])
	}
	// Now all are cached: no request.
	if _, err := c.Persons(context.Background(), persons[:10]); err != nil || len(reg.Batches()) != 3 {
		t.Errorf("cached batch: %v, %d requests", err, len(reg.Batches()))
	}
	// A smaller batch size splits more.
	c2, fake2 := setup(t, registrytest.KRRConfig{}, func(cfg *krr.Config) { cfg.BatchSize = 100 })
	if _, err := c2.Persons(context.Background(), persons[:250]); err != nil || len(fake2.Batches()) != 3 {
		t.Errorf("batch size 100: %v, %v", err, fake2.Batches())
	}
	if _, err := c2.Persons(context.Background(), []ident.Fodselsnummer{{}}); !errors.Is(err, krr.ErrNoPerson) {
		t.Errorf("zero person: %v", err)
	}
}

func TestScopes(t *testing.T) {
	c, _ := setup(t, registrytest.KRRConfig{Scopes: []string{registrytest.ScopeKRRDigitalpost}})
	p, err := c.Person(context.Background(), person(registrytest.SigridHaugland))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kontaktinformasjon != nil || p.DigitalPost == nil || p.CanSendDigital() {
		t.Errorf("without kontaktinformasjon.read: %+v (no varslingsstatus means no digital mail)", p)
	}
}

func TestErrorPaths(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		fake   registrytest.KRRConfig
		cfg    func(*krr.Config)
		inject func(*registrytest.KRR)
		want   error
	}{
		{"no token", registrytest.KRRConfig{}, func(c *krr.Config) { c.HTTPClient = nil }, nil, registry.ErrForbidden},
		{"missing scope", registrytest.KRRConfig{Authorize: func(*http.Request) int { return http.StatusForbidden }}, nil, nil, registry.ErrForbidden},
		{"bad request", registrytest.KRRConfig{}, nil, func(f *registrytest.KRR) { f.Inject(fake.Fault{Status: 400}) }, registry.ErrInvalid},
		{"server error", registrytest.KRRConfig{}, nil, func(f *registrytest.KRR) { f.Inject(fake.Fault{Status: 500}) }, registry.ErrUnavailable},
		{"rate limited", registrytest.KRRConfig{}, nil, func(f *registrytest.KRR) { f.Inject(fake.Fault{Status: 429}) }, registry.ErrRateLimited},
		{"dropped", registrytest.KRRConfig{}, nil, func(f *registrytest.KRR) { f.Inject(fake.Fault{Drop: true}) }, registry.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reg := setup(t, tt.fake, func(cfg *krr.Config) {
				if tt.cfg != nil {
					tt.cfg(cfg)
				}
			})
			if tt.inject != nil {
				tt.inject(reg)
			}
			_, err := c.Persons(ctx, []ident.Fodselsnummer{person(0), person(1)})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if s := fmt.Sprintf("%v %+v", err, err); strings.Contains(s, person(0).Reveal()) {
				t.Errorf("error leaks a number: %s", s)
			}
		})
	}
	t.Run("undecodable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"personer":[{"personidentifikator":"12345678901"}]}`))
		}))
		defer srv.Close()
		c := must(krr.New(krr.Config{BaseURL: srv.URL}))
		if _, err := c.Person(ctx, person(0)); !errors.Is(err, registry.ErrDecode) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestAudit(t *testing.T) {
	var got []registry.AuditEvent
	c, _ := setup(t, registrytest.KRRConfig{}, func(cfg *krr.Config) {
		cfg.Audit = registry.AuditFunc(func(_ context.Context, e registry.AuditEvent) error { got = append(got, e); return nil })
	})
	if _, err := c.Person(context.Background(), person(0)); !errors.Is(err, registry.ErrNoPurpose) {
		t.Fatalf("without purpose: %v", err)
	}
	ctx := registry.WithPurpose(context.Background(), registry.Purpose{Actor: "svarut-utsending", Reason: "vedtaksbrev"})
	if _, err := c.Persons(ctx, []ident.Fodselsnummer{person(0), person(1), person(0)}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Registry != "krr" || len(got[0].Persons) != 2 || got[0].Purpose.Reason != "vedtaksbrev" {
		t.Errorf("events: %+v", got)
	}
}

func FuzzDecodePersons(f *testing.F) {
	f.Add([]byte(`{"personer":[{"personidentifikator":"20914695016","reservasjon":"NEI","status":"AKTIV","varslingsstatus":"KAN_VARSLES","kontaktinformasjon":{"epostadresse_oppdatert":"2023-06-29T10:14:52+02"},"sertifikat":"AAAA"}]}`))
	f.Add([]byte(`{"personer":[{"spraak_oppdatert":null,"digital_post":{}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp struct {
			Personer []krr.Person `json:"personer"`
		}
		if json.Unmarshal(data, &resp) != nil {
			return
		}
		for _, p := range resp.Personer {
			_ = p.CanSendDigital()
			_, _ = p.Certificate()
			if s := fmt.Sprintf("%v %+v", p, p); p.Personidentifikator.Reveal() != "" && strings.Contains(s, p.Personidentifikator.Reveal()) {
				t.Fatalf("person prints its number: %s", s)
			}
		}
	})
}

// The look-up is a POST that only reads: it is retried like a GET.
func TestRetriesPost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := registrytest.NewKRR(registrytest.KRRConfig{Authorize: func(*http.Request) int { return 0 }})
		c := must(krr.New(krr.Config{BaseURL: "http://krr.test", HTTPClient: registrytest.InProcess(reg)}))
		reg.Inject(fake.Fault{Times: 2, Status: http.StatusServiceUnavailable})
		p, err := c.Person(context.Background(), person(registrytest.SigridHaugland))
		if err != nil || !p.CanSendDigital() || reg.Requests("") != 3 {
			t.Fatalf("%v %v after %d requests", p, err, reg.Requests(""))
		}
		reg.Inject(fake.Fault{Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := c.Person(ctx, person(registrytest.OlaBakken)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("timeout: %v", err)
		}
	})
}

// The default cache keeps its TTL on the client's clock, so a test (or a
// service with its own clock) sees a cached answer expire when Now says so.
func TestCacheTTLOnClientClock(t *testing.T) {
	reg := registrytest.NewKRR(registrytest.KRRConfig{Authorize: func(*http.Request) int { return 0 }})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := must(krr.New(krr.Config{BaseURL: "http://krr.test", HTTPClient: registrytest.InProcess(reg), Now: func() time.Time { return now }}))
	ctx := context.Background()
	for range 2 {
		if _, err := c.Person(ctx, person(registrytest.SigridHaugland)); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.Requests(""); n != 1 {
		t.Fatalf("%d requests before the TTL, want 1", n)
	}
	now = now.Add(6 * time.Minute) // past the default 5 minutes
	if _, err := c.Person(ctx, person(registrytest.SigridHaugland)); err != nil {
		t.Fatal(err)
	}
	if n := reg.Requests(""); n != 2 {
		t.Fatalf("%d requests after the TTL, want 2", n)
	}
}
