package folkeregisteret_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/grunnmur/grunnmur/fake"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

type bearer struct{}

func (bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer test-token")
	return http.DefaultTransport.RoundTrip(r)
}

// setup serves a fake Folkeregisteret configured by fakeCfg, and returns a
// client of it (offentlig med hjemmel) configured by the options.
func setup(t *testing.T, fakeCfg registrytest.FolkeregisteretConfig, opts ...func(*folkeregisteret.Config)) (*folkeregisteret.Client, *registrytest.Folkeregisteret) {
	t.Helper()
	reg := registrytest.NewFolkeregisteret(fakeCfg)
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	cfg := folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel,
		HTTPClient: &http.Client{Transport: bearer{}}, MaxAttempts: 1}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := folkeregisteret.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, reg
}

func person(i int) ident.Fodselsnummer { return registrytest.Persons()[i].FNR }

func TestDocExamples(t *testing.T) {
	raw, err := os.ReadFile("testdata/skatteetaten-doc-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Person     folkeregisteret.Person `json:"person"`
		PartStatus folkeregisteret.Person `json:"part_status"`
		Bulk       struct {
			Oppslag []struct {
				Folkeregisterperson folkeregisteret.Person `json:"folkeregisterperson"`
			} `json:"oppslag"`
		} `json:"bulk"`
	}
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	p := &ex.Person
	if n, _ := p.CurrentName(); n.String() != "FORSTÅELSESFULL RULLETRAPP" || p.CurrentStatus() != "bosatt" ||
		p.ID().Reveal() != "09052400284" || p.BirthDate().String() != "1924-05-09" {
		t.Errorf("person: %v %v", p.CurrentStatus(), p.BirthDate())
	}
	// No adressebeskyttelse part, but every address is graded ugradert ("UGRADERT" too).
	lines, err := p.AddressLines()
	if err != nil || strings.Join(lines, "|") != "FORSTÅELSESFULL RULLETRAPP|GATE 22255|9170 LONGYEARBYEN" {
		t.Errorf("lines %q, %v", lines, err)
	}
	home, err := p.CurrentBostedsadresse()
	if err != nil || home.Matrikkeladresse.Matrikkelnummer.Bruksnummer != 27 || home.Flyttedato.String() != "2019-05-31" {
		t.Errorf("home %+v, %v", home, err)
	}
	if ex.PartStatus.CurrentStatus() != "ikkeBosatt" || ex.Bulk.Oppslag[0].Folkeregisterperson.CurrentStatus() != "bosatt" {
		t.Error("part_status or bulk example decoded wrong")
	}
	// A document without grading (only part=status) hides nothing it has, and has no address.
	if _, err := ex.PartStatus.AddressLines(); err == nil {
		t.Error("no address, yet lines")
	}
}

func TestPerson(t *testing.T) {
	c, _ := setup(t, registrytest.FolkeregisteretConfig{})
	ctx := context.Background()
	p, err := c.Person(ctx, person(registrytest.SigridHaugland))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := p.AddressLines()
	if err != nil || strings.Join(lines, "|") != "Sigrid Haugland|Storgata 12B H0201|0184 OSLO" {
		t.Errorf("lines %q, %v", lines, err)
	}
	if p.ID() != person(registrytest.SigridHaugland) || p.AddressProtected() || p.Deceased() {
		t.Errorf("person %v", p)
	}
	// With history, older values come too and the helpers still pick the current.
	h, err := c.Person(ctx, person(registrytest.SigridHaugland), folkeregisteret.PartHistorikk)
	if err != nil || len(h.Navn) != 2 || len(h.Bostedsadresse) != 2 {
		t.Fatalf("historikk: %v %d names %d addresses", err, len(h.Navn), len(h.Bostedsadresse))
	}
	if n, _ := h.CurrentName(); n.Etternavn != "Haugland" {
		t.Errorf("current name %q", n)
	}
	if a, _ := h.CurrentBostedsadresse(); a.Vegadresse.Adressenavn != "Storgata" {
		t.Errorf("current address %+v", a.Vegadresse)
	}
	// Data minimisation: only the name.
	n, err := c.Person(ctx, person(registrytest.SigridHaugland), folkeregisteret.PartNavn)
	if err != nil || len(n.Navn) != 1 || n.Bostedsadresse != nil || n.Status != nil {
		t.Errorf("part=navn: %v %+v", err, n)
	}
	// Asking for an address brings the protection with it.
	a, err := c.Person(ctx, person(registrytest.SigridHaugland), folkeregisteret.PartBostedsadresse)
	if err != nil || len(a.Adressebeskyttelse) != 1 || a.AddressProtected() {
		t.Errorf("part=bostedsadresse: %v %+v", err, a.Adressebeskyttelse)
	}
	tests := []struct {
		who  int
		want string
	}{
		{registrytest.NilsFjeld, "Nils Fjeld|Gnr. 12 bnr. 3|2212 KONGSVINGER"},
		{registrytest.MajaStrand, "Maja Strand|Postboks 4711|0102 OSLO"},
	}
	for _, tt := range tests {
		p, err := c.Person(ctx, person(tt.who))
		if err != nil {
			t.Fatal(err)
		}
		if lines, err := p.AddressLines(); err != nil || strings.Join(lines, "|") != tt.want {
			t.Errorf("lines %q, %v; want %q", lines, err, tt.want)
		}
	}
	dead, _ := c.Person(ctx, person(registrytest.AudLien))
	if !dead.Deceased() || dead.CurrentStatus() != "doed" {
		t.Errorf("Aud Lien is dead: %v", dead)
	}
}

func TestProtectedAddressNeverLeaves(t *testing.T) {
	c, _ := setup(t, registrytest.FolkeregisteretConfig{})
	ctx := context.Background()
	for _, who := range []int{registrytest.IngridSolberg, registrytest.EmilNordby} {
		pp := registrytest.Persons()[who]
		p, err := c.Person(ctx, pp.FNR, folkeregisteret.PartPersonBasis, folkeregisteret.PartHistorikk)
		if err != nil {
			t.Fatal(err)
		}
		if !p.AddressProtected() || p.AddressProtection() != pp.AddressProtection {
			t.Errorf("%s: gradering %q", pp.Name(), p.AddressProtection())
		}
		if lines, err := p.AddressLines(); !errors.Is(err, folkeregisteret.ErrProtectedAddress) || lines != nil {
			t.Errorf("%s: AddressLines = %q, %v", pp.Name(), lines, err)
		}
		if a, err := p.CurrentBostedsadresse(); !errors.Is(err, folkeregisteret.ErrProtectedAddress) || a != nil {
			t.Errorf("%s: CurrentBostedsadresse = %v, %v", pp.Name(), a, err)
		}
		for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%+v %#v %v", p, p, *p)} {
			if strings.Contains(s, pp.Home.Adressenavn) || strings.Contains(s, pp.GivenName) || strings.Contains(s, pp.FNR.Reveal()) {
				t.Errorf("printing the person leaks: %s", s)
			}
		}
	}
	// Without any grading, the address is treated as protected.
	var unknown folkeregisteret.Person
	_ = json.Unmarshal([]byte(`{"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"X","poststed":{"postnummer":"0150","poststedsnavn":"OSLO"}}}]}`), &unknown)
	if _, err := unknown.AddressLines(); !errors.Is(err, folkeregisteret.ErrProtectedAddress) {
		t.Errorf("ungraded address: %v", err)
	}
	// The other packages get no address for a protected person at all.
	c2, _ := setup(t, registrytest.FolkeregisteretConfig{}, func(cfg *folkeregisteret.Config) { cfg.Rettighetspakke = folkeregisteret.OffentligUtenHjemmel })
	p, err := c2.Person(ctx, person(registrytest.IngridSolberg))
	if err != nil || p.Bostedsadresse != nil || !p.AddressProtected() {
		t.Errorf("uten hjemmel: %v %v", err, p.Bostedsadresse)
	}
}

func TestBulk(t *testing.T) {
	c, reg := setup(t, registrytest.FolkeregisteretConfig{}, func(cfg *folkeregisteret.Config) { cfg.BulkSize = 2 })
	unknown, _ := ident.Synthetic(civil.DateOf(registrytest.Persons()[0].BirthDate), 7)
	got, err := c.Bulk(context.Background(), []ident.Fodselsnummer{person(0), person(1), unknown, person(0), person(3)}, folkeregisteret.PartNavn)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[2] != nil || got[0] != got[3] {
		t.Fatalf("answers %v", got)
	}
	if n, _ := got[4].CurrentName(); n.String() != "Nils Fjeld" {
		t.Errorf("order: %q", n)
	}
	if r := reg.Requests("/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag"); r != 2 {
		t.Errorf("%d bulk requests for 4 unique persons at size 2", r)
	}
	c2 := must(folkeregisteret.New(folkeregisteret.Config{Rettighetspakke: folkeregisteret.FinansOgBegrenset}))
	if _, err := c2.Bulk(context.Background(), []ident.Fodselsnummer{person(0)}); !errors.Is(err, folkeregisteret.ErrNoBulk) {
		t.Errorf("bulk without hjemmel: %v", err)
	}
}

func TestErrorPaths(t *testing.T) {
	ctx := context.Background()
	unknown, _ := ident.Synthetic(civil.DateOf(registrytest.Persons()[0].BirthDate), 9)
	tests := []struct {
		name  string
		fake  registrytest.FolkeregisteretConfig
		cfg   func(*folkeregisteret.Config)
		fault func(*registrytest.Folkeregisteret)
		who   ident.Fodselsnummer
		parts []string
		want  error
		code  string
	}{
		{"not found", registrytest.FolkeregisteretConfig{}, nil, nil, unknown, nil, registry.ErrNotFound, ""},
		{"no token", registrytest.FolkeregisteretConfig{}, func(c *folkeregisteret.Config) { c.HTTPClient = nil }, nil, person(0), nil, registry.ErrForbidden, ""},
		{"package not granted", registrytest.FolkeregisteretConfig{Rettighetspakker: []string{"finans-og-begrenset"}}, nil, nil, person(0), nil, registry.ErrForbidden, ""},
		{"bad part", registrytest.FolkeregisteretConfig{}, nil, nil, person(0), []string{"skonummer"}, registry.ErrInvalid, ""},
		{"rate limited", registrytest.FolkeregisteretConfig{}, nil, func(f *registrytest.Folkeregisteret) { f.Inject(fake.Fault{Status: 429}) }, person(0), nil, registry.ErrRateLimited, ""},
		{"dropped", registrytest.FolkeregisteretConfig{}, nil, func(f *registrytest.Folkeregisteret) { f.Inject(fake.Fault{Drop: true}) }, person(0), nil, registry.ErrUnavailable, ""},
		{"server error", registrytest.FolkeregisteretConfig{}, nil, func(f *registrytest.Folkeregisteret) { f.Inject(fake.Fault{Status: 500}) }, person(0), nil, registry.ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reg := setup(t, tt.fake, func(cfg *folkeregisteret.Config) {
				if tt.cfg != nil {
					tt.cfg(cfg)
				}
			})
			if tt.fault != nil {
				tt.fault(reg)
			}
			_, err := c.Person(ctx, tt.who, tt.parts...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if s := fmt.Sprintf("%v %+v", err, err); strings.Contains(s, tt.who.Reveal()) {
				t.Errorf("error leaks the number: %s", s)
			}
		})
	}
	t.Run("bulk errors", func(t *testing.T) {
		c, reg := setup(t, registrytest.FolkeregisteretConfig{})
		reg.Inject(fake.Fault{Status: 429})
		if _, err := c.Bulk(ctx, []ident.Fodselsnummer{person(0)}); !errors.Is(err, registry.ErrRateLimited) {
			t.Errorf("bulk 429: %v", err)
		}
		if _, err := c.Bulk(ctx, []ident.Fodselsnummer{{}}); !errors.Is(err, folkeregisteret.ErrNoPerson) {
			t.Errorf("zero person: %v", err)
		}
		if _, err := c.Person(ctx, ident.Fodselsnummer{}); !errors.Is(err, folkeregisteret.ErrNoPerson) {
			t.Errorf("zero person: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		c, reg := setup(t, registrytest.FolkeregisteretConfig{})
		reg.Inject(fake.Fault{Delay: time.Minute})
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := c.Person(ctx, person(0)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("undecodable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"navn": {"fornavn": "not a list"}}`))
		}))
		defer srv.Close()
		c := must(folkeregisteret.New(folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel}))
		if _, err := c.Person(ctx, person(0)); !errors.Is(err, registry.ErrDecode) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("FREG error body", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			w.Write([]byte(`{"kode": "FREG-001", "melding": "Feil i tjenesten. Vennligst prøv igjen seinere."}`))
		}))
		defer srv.Close()
		c := must(folkeregisteret.New(folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel, MaxAttempts: 1}))
		_, err := c.Person(ctx, person(0))
		var re *registry.Error
		if !errors.As(err, &re) || re.Code != "FREG-001" || !strings.Contains(re.Message, "prøv igjen") || !errors.Is(err, registry.ErrUnavailable) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestAudit(t *testing.T) {
	var events []registry.AuditEvent
	c, _ := setup(t, registrytest.FolkeregisteretConfig{}, func(cfg *folkeregisteret.Config) {
		cfg.Audit = registry.AuditFunc(func(_ context.Context, e registry.AuditEvent) error { events = append(events, e); return nil })
	})
	if _, err := c.Person(context.Background(), person(0)); !errors.Is(err, registry.ErrNoPurpose) {
		t.Fatalf("without purpose: %v", err)
	}
	ctx := registry.WithPurpose(context.Background(), registry.Purpose{Actor: "saksbehandler:kari", Reason: "vedtaksbrev, sak 2026/17", LegalBasis: "forvaltningsloven § 27"})
	if _, err := c.Person(ctx, person(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bulk(ctx, []ident.Fodselsnummer{person(0), person(1)}); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Operation != "person" || events[1].Operation != "bulkoppslag" || len(events[1].Persons) != 2 || events[0].Purpose.Actor != "saksbehandler:kari" {
		t.Errorf("events %+v", events)
	}
}

func FuzzDecodePerson(f *testing.F) {
	if raw, err := os.ReadFile("testdata/skatteetaten-doc-examples.json"); err == nil {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			f.Add([]byte(m["person"]))
		}
	}
	f.Add([]byte(`{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"strengtFortrolig"}],"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hemmelig"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p folkeregisteret.Person
		if json.Unmarshal(data, &p) != nil {
			return
		}
		lines, err := p.AddressLines()
		if p.AddressProtected() && (err == nil || lines != nil) {
			t.Fatalf("protected person got lines %q", lines)
		}
		_, _ = p.CurrentBostedsadresse()
		_, _ = p.CurrentPostadresse()
		_ = p.Deceased()
		_ = fmt.Sprintf("%v %+v", p, &p)
	})
}
