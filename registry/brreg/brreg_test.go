package brreg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fake"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

// bearer adds a token, as a Maskinporten transport would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// setup serves a fake Enhetsregisteret configured by fakeCfg, and returns a
// client of it configured by the options.
func setup(t *testing.T, fakeCfg registrytest.BrregConfig, opts ...func(*brreg.Config)) (*brreg.Client, *registrytest.Brreg) {
	t.Helper()
	reg := registrytest.NewBrreg(fakeCfg)
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	cfg := brreg.Config{
		BaseURL:              srv.URL,
		HTTPClient:           srv.Client(),
		AuthorizedHTTPClient: &http.Client{Transport: bearer{"test-token"}},
		MaxAttempts:          1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := brreg.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, reg
}

func person(i int) ident.Fodselsnummer { return registrytest.Persons()[i].FNR }

// samplesDir holds Enhetsregisteret's sample responses (SOURCE.txt there).
var samplesDir = filepath.Join("testdata", "enhetsregisteret", "samples")

func TestSamplesDecode(t *testing.T) {
	dir := samplesDir
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var digdir brreg.Enhet
	if err := json.Unmarshal(read("real-enhet-991825827-digdir.json"), &digdir); err != nil {
		t.Fatal(err)
	}
	if digdir.Navn != "DIGITALISERINGSDIREKTORATET" || digdir.AntallAnsatte != 433 || digdir.OverordnetEnhet != "932384469" ||
		digdir.Forretningsadresse.String() != "Lørenfaret 1C, 0585 OSLO" || !digdir.Active() ||
		digdir.RegistreringsdatoEnhetsregisteret.String() != "2007-10-15" || digdir.Naeringskoder()[0].Kode != "84.110" {
		t.Errorf("digdir decoded wrong: %+v", digdir)
	}
	var sesam brreg.Enhet
	if err := json.Unmarshal(read("pythonbrreg-enheter-details-response.json"), &sesam); err != nil {
		t.Fatal(err)
	}
	if got := sesam.Forretningsadresse.Lines(); len(got) != 1 || got[0] != "Tyvholmen 1" {
		t.Errorf("null/empty address padding kept: %q", got)
	}
	if !sesam.Konkursdato.IsZero() {
		t.Errorf(`konkursdato "" should be the zero date, got %v`, sesam.Konkursdato)
	}
	for _, name := range []string{"real-enhet-slettet-821227062-http200.json", "pythonbrreg-enheter-details-deleted-response.json"} {
		var e brreg.Enhet
		if err := json.Unmarshal(read(name), &e); err != nil {
			t.Fatal(name, err)
		}
		if e.Slettedato.IsZero() || e.Active() {
			t.Errorf("%s: deleted enhet not seen as deleted: %+v", name, e)
		}
	}
	for _, name := range []string{"real-underenhet-924203617.json", "pythonbrreg-underenheter-details-response.json", "real-underenhet-slettet-974567989-http200.json", "pythonbrreg-underenheter-details-deleted-response.json"} {
		var u brreg.Underenhet
		if err := json.Unmarshal(read(name), &u); err != nil {
			t.Fatal(name, err)
		}
		if u.Navn == "" || u.Organisasjonsform.Kode == "" {
			t.Errorf("%s decoded empty", name)
		}
	}
	var under brreg.Underenhet
	_ = json.Unmarshal(read("real-underenhet-924203617.json"), &under)
	if !under.Active() || under.Beliggenhetsadresse.Kommunenummer != "1813" || under.Oppstartsdato.String() != "2020-01-01" {
		t.Errorf("underenhet decoded wrong: %+v", under)
	}
	var r1, r2 brreg.Roller
	if err := json.Unmarshal(read("pythonbrreg-enheter-roller-person-response.json"), &r1); err != nil {
		t.Fatal(err)
	}
	if lede := r1.Of(brreg.RolleStyretsLeder); len(lede) != 1 || lede[0].Person.Navn.String() != "Ove Olsen" || lede[0].ValgtAv.Kode != "A-AK" {
		t.Errorf("roller (person) decoded wrong: %+v", r1)
	}
	if err := json.Unmarshal(read("pythonbrreg-enheter-roller-enhet-response.json"), &r2); err != nil {
		t.Fatal(err)
	}
	if d := r2.Of(brreg.RolleDeltakerDeltAnsvar); len(d) != 2 || d[1].Enhet.Organisasjonsnummer != "810004282" || d[0].Ansvarsandel != "50%" {
		t.Errorf("roller (enhet) decoded wrong: %+v", r2)
	}
	var gone brreg.Enhet
	if err := json.Unmarshal(read("spec-example-410-gone-enhet.json"), &gone); err != nil || gone.Slettedato.String() != "2024-03-09" {
		t.Errorf("410 body: %v %+v", err, gone)
	}
	for _, name := range []string{"pythonbrreg-enheter-search-page1-response.json", "pythonbrreg-enheter-search-empty-response.json", "pythonbrreg-underenheter-search-response.json"} {
		var p struct {
			Embedded struct {
				Enheter      []brreg.Enhet      `json:"enheter"`
				Underenheter []brreg.Underenhet `json:"underenheter"`
			} `json:"_embedded"`
			Page brreg.Page `json:"page"`
		}
		if err := json.Unmarshal(read(name), &p); err != nil {
			t.Fatal(name, err)
		}
		if len(p.Embedded.Enheter)+len(p.Embedded.Underenheter) > p.Page.Size {
			t.Errorf("%s: more hits than page size", name)
		}
	}
}

func TestSampleErrorBody(t *testing.T) {
	dir := samplesDir
	body, err := os.ReadFile(filepath.Join(dir, "doc-example-400-badrequest.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		w.Write(body)
	}))
	defer srv.Close()
	c := must(brreg.New(brreg.Config{BaseURL: srv.URL}))
	_, err = c.Roles(context.Background(), registrytest.DigdirOrgnr)
	var re *registry.Error
	if !errors.As(err, &re) || !errors.Is(err, registry.ErrInvalid) || !strings.Contains(re.Message, "nøyaktig 9 siffer") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnhet(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()
	e, err := c.Enhet(ctx, registrytest.DigdirOrgnr)
	if err != nil {
		t.Fatal(err)
	}
	if e.Navn != "DIGITALISERINGSDIREKTORATET" || e.Organisasjonsform.Kode != "ORGL" {
		t.Errorf("got %+v", e)
	}
	skjenkested, err := c.Underenhet(ctx, ident.Orgnr(registrytest.ApplicantUnderenhetOrgnr))
	if err != nil || skjenkested.OverordnetEnhet != registrytest.ApplicantOrgnr || skjenkested.Beliggenhetsadresse.String() != "Storgata 12B, 0184 OSLO" || !skjenkested.Active() {
		t.Fatalf("skjenkested: %v %+v", err, skjenkested)
	}
	u, err := c.Underenhet(ctx, registrytest.DigdirUnderenhetOrgnr)
	if err != nil || u.OverordnetEnhet != registrytest.DigdirOrgnr {
		t.Fatalf("underenhet: %v %+v", err, u)
	}
	// The second look-up comes from the cache.
	before := reg.Requests("")
	if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
		t.Fatal(err)
	}
	if reg.Requests("") != before {
		t.Errorf("cached look-up went upstream")
	}
}

func TestBadOrgnrMakesNoRequest(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	for _, bad := range []ident.Orgnr{"", "12345678", "123456789", "9ECD01011", "9918258270"} {
		_, err := c.Enhet(context.Background(), bad)
		if !errors.Is(err, brreg.ErrBadOrgnr) || !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	if n := reg.Requests(""); n != 0 {
		t.Errorf("%d requests for invalid numbers", n)
	}
}

func TestGone(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()

	_, err := c.Enhet(ctx, registrytest.NeverExistedOrgnr)
	if !errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrGone) {
		t.Errorf("never existed: %v", err)
	}

	_, err = c.Enhet(ctx, registrytest.DeletedOrgnr)
	var g *brreg.GoneError
	if !errors.As(err, &g) || !errors.Is(err, brreg.ErrDeleted) || !errors.Is(err, registry.ErrGone) || errors.Is(err, brreg.ErrRemoved) {
		t.Fatalf("deleted: %v", err)
	}
	if g.Slettedato.String() != "2024-11-26" || !strings.HasPrefix(g.Navn, "VESTFOLD OG TELEMARK") || g.Removed {
		t.Errorf("deleted: %+v", g)
	}

	_, err = c.Enhet(ctx, registrytest.RemovedOrgnr)
	if !errors.As(err, &g) || !errors.Is(err, brreg.ErrRemoved) || errors.Is(err, brreg.ErrDeleted) || !g.Removed || g.Slettedato.String() != "2024-03-09" {
		t.Errorf("removed: %v %+v", err, g)
	}

	_, err = c.Underenhet(ctx, registrytest.DeletedUnderenhetOrgnr)
	if !errors.Is(err, brreg.ErrDeleted) {
		t.Errorf("deleted underenhet: %v", err)
	}

	// An enhet removed while the fake runs answers 410 from then on.
	reg.RemoveEnhet(registrytest.BarnehageOrgnr, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if _, err := c.Underenhet(ctx, registrytest.BarnehageOrgnr); !errors.Is(err, brreg.ErrRemoved) {
		t.Errorf("removed underenhet path: %v", err)
	}
}

func TestSearch(t *testing.T) {
	c, _ := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()
	var names []string
	for e, err := range c.Search(ctx, brreg.Query{Navn: "sesam", Size: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Navn)
	}
	if len(names) != 2 {
		t.Errorf("sesam: %q", names)
	}
	var forms []string
	for e, err := range c.Search(ctx, brreg.Query{Navn: "sesam", Organisasjonsform: []string{"AS"}, Kommunenummer: []string{"0301"}, Konkurs: brreg.Bool(false)}) {
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, e.Organisasjonsform.Kode+" "+string(e.Organisasjonsnummer))
	}
	if len(forms) != 1 || forms[0] != "AS "+registrytest.ApplicantOrgnr {
		t.Errorf("filtered: %q", forms)
	}
	n := 0
	for _, err := range c.Search(ctx, brreg.Query{Naeringskode: []string{"56"}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("naeringskode 56: %d hits, want 2", n)
	}
	var under []string
	for u, err := range c.SearchUnderenheter(ctx, brreg.Query{OverordnetEnhet: registrytest.DigdirOrgnr}) {
		if err != nil {
			t.Fatal(err)
		}
		under = append(under, string(u.Organisasjonsnummer))
	}
	if len(under) != 1 || under[0] != registrytest.DigdirUnderenhetOrgnr {
		t.Errorf("underenheter: %q", under)
	}
	// Breaking out of the loop stops the requests.
	for range c.Search(ctx, brreg.Query{Navn: "sesam", Size: 1}) {
		break
	}
	// Invalid input fails before any request.
	for _, err := range c.Search(ctx, brreg.Query{Navn: strings.Repeat("x", 181)}) {
		if !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("long navn: %v", err)
		}
	}
	for _, err := range c.Search(ctx, brreg.Query{Organisasjonsnummer: []ident.Orgnr{"123"}}) {
		if !errors.Is(err, brreg.ErrBadOrgnr) {
			t.Errorf("bad orgnr filter: %v", err)
		}
	}
	// A bad parameter the fake refuses comes back as ErrInvalid.
	for _, err := range c.Search(ctx, brreg.Query{FraAntallAnsatte: brreg.Int(3)}) {
		if !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("fraAntallAnsatte=3: %v", err)
		}
	}
}

func TestSearchPagesPastCap(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	reg.AddSyntheticEnheter(10_050, "KAFE TESTBYEN", "0301")
	ctx := context.Background()
	n := 0
	var capErr *brreg.PagingCapError
	for e, err := range c.Search(ctx, brreg.Query{Navn: "kafe testbyen", Size: 1000}) {
		if err != nil {
			if !errors.As(err, &capErr) || !errors.Is(err, brreg.ErrPagingCap) {
				t.Fatalf("after %d: %v", n, err)
			}
			break
		}
		if e.Organisasjonsnummer == "" {
			t.Fatal("empty hit")
		}
		n++
	}
	if n != 10_000 || capErr == nil || capErr.Total != 10_050 || capErr.Fetched != 10_000 {
		t.Errorf("yielded %d, cap error %+v", n, capErr)
	}
	if got := reg.Requests("/enhetsregisteret/api/enheter"); got != 10 {
		t.Errorf("%d page requests, want 10 (none past the cap)", got)
	}
	// A search that fits under the cap ends without an error.
	n = 0
	for _, err := range c.Search(ctx, brreg.Query{Navn: "kafe testbyen 1000", Size: 500}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Error("no hits for a narrow search")
	}
	// Starting past the cap fails at once.
	for _, err := range c.SearchPages(ctx, brreg.Query{Navn: "kafe", Size: 1000, Page: 10}) {
		if !errors.Is(err, brreg.ErrPagingCap) {
			t.Errorf("page 10: %v", err)
		}
	}
}

func TestRoller(t *testing.T) {
	c, _ := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()
	r, err := c.Roles(ctx, registrytest.ApplicantOrgnr)
	if err != nil {
		t.Fatal(err)
	}
	dagl := r.Of(brreg.RolleDagligLeder)
	if len(dagl) != 1 || dagl[0].Person.Navn.String() != "Sigrid Haugland" || dagl[0].Person.Fodselsdato.String() != "1985-03-14" {
		t.Fatalf("daglig leder: %+v", dagl)
	}
	if !dagl[0].Person.Fodselsnummer.IsZero() {
		t.Error("the open API must not carry fødselsnummer")
	}
	if revi := r.Of(brreg.RolleRevisor); len(revi) != 1 || revi[0].Enhet == nil || revi[0].Enhet.Organisasjonsnummer != registrytest.BarnehageOrgnr {
		t.Errorf("revisor: %+v", revi)
	}
	if len(r.Of(brreg.RolleStyremedlem)) != 1 {
		t.Errorf("a resigned member counts as current")
	}
	if _, err := c.Roles(ctx, registrytest.NeverExistedOrgnr); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("roller of unknown enhet: %v", err)
	}
	digdir, err := c.Roles(ctx, registrytest.DigdirOrgnr)
	if err != nil || len(digdir.All()) != 0 {
		t.Errorf("enhet without roles: %v %+v", err, digdir)
	}
}

func TestAuthorizedRollerAndCanActFor(t *testing.T) {
	c, _ := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()
	r, err := c.AuthorizedRoles(ctx, registrytest.ApplicantOrgnr)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Of(brreg.RolleDagligLeder)[0].Person.Fodselsnummer; got != person(registrytest.SigridHaugland) {
		t.Errorf("authorised daglig leder: %v", got)
	}
	tests := []struct {
		name   string
		person int
		orgnr  ident.Orgnr
		want   bool
		roles  string
	}{
		{"daglig leder", registrytest.SigridHaugland, registrytest.ApplicantOrgnr, true, "DAGL"},
		{"styrets leder", registrytest.OlaBakken, registrytest.ApplicantOrgnr, true, "LEDE"},
		{"board member with joint signature only", registrytest.IngridSolberg, registrytest.ApplicantOrgnr, false, ""},
		{"resigned and deceased", registrytest.AudLien, registrytest.ApplicantOrgnr, false, ""},
		{"innehaver", registrytest.MajaStrand, ident.Orgnr(registrytest.SoleProprietorshipOrgnr), true, "INNH"},
		{"no role at all", registrytest.MajaStrand, registrytest.ApplicantOrgnr, false, ""},
		{"an enhet without roles", registrytest.SigridHaugland, registrytest.DigdirOrgnr, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := c.CanActFor(ctx, person(tt.person), tt.orgnr)
			if err != nil || ok != tt.want {
				t.Fatalf("CanActFor = %v, %v; want %v", ok, err, tt.want)
			}
			roles, _ := c.ActingRoles(ctx, person(tt.person), tt.orgnr)
			var codes []string
			for _, r := range roles {
				codes = append(codes, r.Type.Kode)
			}
			if strings.Join(codes, ",") != tt.roles {
				t.Errorf("roles %q, want %q", codes, tt.roles)
			}
		})
	}
	if _, err := c.CanActFor(ctx, person(0), registrytest.DeletedOrgnr); !errors.Is(err, brreg.ErrDeleted) {
		t.Errorf("deleted enhet: %v", err)
	}
	if _, err := c.CanActFor(ctx, person(0), registrytest.RemovedOrgnr); !errors.Is(err, brreg.ErrRemoved) {
		t.Errorf("removed enhet: %v", err)
	}
	if _, err := c.CanActFor(ctx, ident.Fodselsnummer{}, registrytest.ApplicantOrgnr); !errors.Is(err, brreg.ErrNoPerson) {
		t.Errorf("no person: %v", err)
	}
}

func TestAuthorizedRolesForbidden(t *testing.T) {
	c, _ := setup(t, registrytest.BrregConfig{}, func(cfg *brreg.Config) { cfg.AuthorizedHTTPClient = nil }) // no Maskinporten token
	_, err := c.AuthorizedRoles(context.Background(), registrytest.ApplicantOrgnr)
	if !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("no token: %v", err)
	}
	// The token lacks the scope.
	c2, _ := setup(t, registrytest.BrregConfig{Authorize: func(r *http.Request) int { return http.StatusForbidden }})
	if _, err := c2.CanActFor(context.Background(), person(0), registrytest.ApplicantOrgnr); !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("missing scope: %v", err)
	}
}

func TestAudit(t *testing.T) {
	var mu sync.Mutex
	var events []registry.AuditEvent
	auditDown := false
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	c, _ := setup(t, registrytest.BrregConfig{}, func(cfg *brreg.Config) {
		cfg.Audit = registry.AuditFunc(func(ctx context.Context, e registry.AuditEvent) error {
			mu.Lock()
			defer mu.Unlock()
			if auditDown {
				return errors.New("audit log down")
			}
			events = append(events, e)
			return nil
		})
		cfg.Now = func() time.Time { return now }
	})
	ctx := context.Background()
	if _, err := c.CanActFor(ctx, person(0), registrytest.ApplicantOrgnr); !errors.Is(err, registry.ErrNoPurpose) {
		t.Fatalf("without purpose: %v", err)
	}
	ctx = registry.WithPurpose(ctx, registry.Purpose{Actor: "citizen-login", Reason: "søknad om skjenkebevilling", LegalBasis: "alkoholloven § 1-7"})
	for range 2 {
		if ok, err := c.CanActFor(ctx, person(0), registrytest.ApplicantOrgnr); err != nil || !ok {
			t.Fatalf("with purpose: %v %v", ok, err)
		}
	}
	if len(events) != 2 || events[0].Cached || !events[1].Cached {
		t.Fatalf("events: %+v", events)
	}
	e := events[0]
	if e.Registry != "brreg" || e.Orgnr != registrytest.ApplicantOrgnr || e.Purpose.LegalBasis != "alkoholloven § 1-7" ||
		!e.Time.Equal(now) || len(e.Persons) != 1 || e.Persons[0] != person(0) {
		t.Errorf("event: %+v", e)
	}
	digits := person(0).Reveal()
	if s := fmt.Sprintf("%v %+v %#v", e, e, e); strings.Contains(s, digits) {
		t.Errorf("audit event prints the number: %s", s)
	}
	mu.Lock()
	auditDown = true
	mu.Unlock()
	if _, err := c.AuthorizedRoles(ctx, registrytest.ApplicantOrgnr); err == nil {
		t.Error("a failing audit must stop the look-up")
	}
}

func TestUpdates(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	ctx := context.Background()
	var last int64
	n := 0
	for u, err := range c.Updates(ctx, brreg.UpdatesQuery{FromID: 1, Size: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if u.ID <= last {
			t.Fatalf("ids out of order: %d after %d", u.ID, last)
		}
		last = u.ID
		n++
	}
	if n < 5 {
		t.Fatalf("only %d seeded updates", n)
	}
	requests := reg.Requests("/enhetsregisteret/api/oppdateringer/enheter")
	if requests < n/2 {
		t.Errorf("%d requests for %d updates at size 2", requests, n)
	}
	// Read incrementally from the stored id.
	reg.DeleteEnhet(registrytest.ApplicantOrgnr, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	reg.AddEnhet(registrytest.OrgnrWithCheckDigit("31500002"), "NY KAFE AS")
	var got []string
	for u, err := range c.Updates(ctx, brreg.UpdatesQuery{FromID: last + 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(u.Organisasjonsnummer)+" "+u.Endringstype)
		if u.Dato.IsZero() {
			t.Error("update without dato")
		}
	}
	want := []string{registrytest.ApplicantOrgnr + " Sletting", registrytest.OrgnrWithCheckDigit("31500002") + " Ny"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("incremental: %q, want %q", got, want)
	}
	// The underenheter feed is separate.
	for u, err := range c.Updates(ctx, brreg.UpdatesQuery{Underenheter: true, Organisasjonsnummer: []ident.Orgnr{registrytest.DigdirUnderenhetOrgnr}}) {
		if err != nil || u.Organisasjonsnummer != registrytest.DigdirUnderenhetOrgnr {
			t.Errorf("underenheter feed: %v %+v", err, u)
		}
	}
	// By time.
	n = 0
	for _, err := range c.Updates(ctx, brreg.UpdatesQuery{Since: time.Now().Add(-time.Hour)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Error("no updates since an hour ago")
	}
}

func TestErrorPaths(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		inject func(f *registrytest.Brreg)
		want   error
	}{
		{"server error", func(f *registrytest.Brreg) { f.Inject(fake.Fault{Status: 500}) }, registry.ErrUnavailable},
		{"rate limited", func(f *registrytest.Brreg) { f.Inject(fake.Fault{Status: 429, RetryAfter: "120"}) }, registry.ErrRateLimited},
		{"bad gateway", func(f *registrytest.Brreg) { f.Inject(fake.Fault{Status: 502}) }, registry.ErrUnavailable},
		{"dropped connection", func(f *registrytest.Brreg) { f.Inject(fake.Fault{Drop: true}) }, registry.ErrUnavailable},
		{"forbidden", func(f *registrytest.Brreg) { f.Inject(fake.Fault{Status: 403}) }, registry.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reg := setup(t, registrytest.BrregConfig{})
			tt.inject(reg)
			_, err := c.Enhet(ctx, registrytest.DigdirOrgnr)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var re *registry.Error
			if !errors.As(err, &re) || re.Registry != "brreg" || re.Op != "enhet" {
				t.Errorf("not a *registry.Error: %#v", err)
			}
			if tt.want == registry.ErrRateLimited && re.RetryAfter != 2*time.Minute {
				t.Errorf("RetryAfter = %v", re.RetryAfter)
			}
			// The fault is spent: the next look-up works and was not cached as a failure.
			if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		c, reg := setup(t, registrytest.BrregConfig{})
		reg.Inject(fake.Fault{Delay: time.Minute})
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("undecodable", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"organisasjonsnummer": 991825827}`))
		}))
		defer srv.Close()
		c := must(brreg.New(brreg.Config{BaseURL: srv.URL}))
		if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); !errors.Is(err, registry.ErrDecode) {
			t.Errorf("err = %v", err)
		}
	})
}

// Retries happen on virtual time: an in-process fake in a synctest bubble.
func TestRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := registrytest.NewBrreg(registrytest.BrregConfig{})
		c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", HTTPClient: registrytest.InProcess(reg)}))
		reg.Inject(fake.Fault{Times: 2, Status: http.StatusServiceUnavailable})
		start := time.Now()
		if _, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr); err != nil {
			t.Fatal(err)
		}
		if reg.Requests("") != 3 || time.Since(start) < 2*time.Second {
			t.Errorf("%d requests in %v; want 3 after two Retry-After: 1", reg.Requests(""), time.Since(start))
		}
		reg.Inject(fake.Fault{Drop: true})
		if _, err := c.Underenhet(context.Background(), registrytest.DigdirUnderenhetOrgnr); err != nil {
			t.Fatalf("a dropped connection is retried: %v", err)
		}
		reg.Inject(fake.Fault{Times: 4, Status: http.StatusTooManyRequests})
		if _, err := c.Roles(context.Background(), registrytest.DigdirOrgnr); !errors.Is(err, registry.ErrRateLimited) {
			t.Fatalf("429 four times: %v", err)
		}
	})
}

// TestSingleFlight: 1,000 concurrent look-ups of one orgnr, with the cache
// off and the fake holding its answer until all 1,000 wait, make exactly one
// upstream request.
func TestSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := registrytest.NewBrreg(registrytest.BrregConfig{})
		release := reg.Hold()
		c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", HTTPClient: registrytest.InProcess(reg), Cache: registry.NoCache{}}))
		const n = 1000
		var wg sync.WaitGroup
		errs := make(chan error, n)
		names := make(chan string, n)
		for range n {
			wg.Go(func() {
				e, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr)
				if err != nil {
					errs <- err
					return
				}
				names <- e.Navn
			})
		}
		synctest.Wait() // every goroutine is now blocked: one in the fake, 999 waiting for it
		if got := reg.Waiting(); got != 1 {
			t.Fatalf("%d requests held upstream, want 1", got)
		}
		release()
		wg.Wait()
		close(errs)
		close(names)
		for err := range errs {
			t.Fatal(err)
		}
		count := 0
		for name := range names {
			if name != "DIGITALISERINGSDIREKTORATET" {
				t.Fatalf("got %q", name)
			}
			count++
		}
		if count != n || reg.Requests("") != 1 {
			t.Errorf("%d answers from %d upstream requests; want %d from 1", count, reg.Requests(""), n)
		}
		// With the cache off, the next look-up goes upstream again.
		if _, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr); err != nil || reg.Requests("") != 2 {
			t.Errorf("after the flight: %v, %d requests", err, reg.Requests(""))
		}
	})
}

func TestCacheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := registrytest.NewBrreg(registrytest.BrregConfig{})
		c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", HTTPClient: registrytest.InProcess(reg), TTL: time.Minute}))
		ctx := context.Background()
		for range 3 {
			if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
				t.Fatal(err)
			}
		}
		if reg.Requests("") != 1 {
			t.Errorf("%d requests within the TTL", reg.Requests(""))
		}
		time.Sleep(61 * time.Second)
		if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil || reg.Requests("") != 2 {
			t.Errorf("after the TTL: %v, %d requests", err, reg.Requests(""))
		}
		// Deleted enheter are cached too, and still come back as deleted.
		for range 2 {
			if _, err := c.Enhet(ctx, registrytest.DeletedOrgnr); !errors.Is(err, brreg.ErrDeleted) {
				t.Fatal(err)
			}
		}
		if reg.Requests("") != 3 {
			t.Errorf("%d requests", reg.Requests(""))
		}
	})
}

func TestNoNumberInErrors(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	reg.Inject(fake.Fault{Status: 500})
	digits := person(0).Reveal()
	_, err := c.CanActFor(context.Background(), person(0), registrytest.ApplicantOrgnr)
	if err == nil {
		t.Fatal("want an error")
	}
	if s := fmt.Sprintf("%v %+v", err, err); strings.Contains(s, digits) {
		t.Errorf("error leaks the number: %s", s)
	}
}

func BenchmarkBrregCachedLookup(b *testing.B) {
	reg := registrytest.NewBrreg(registrytest.BrregConfig{})
	c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", HTTPClient: registrytest.InProcess(reg)}))
	ctx := context.Background()
	if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBrregUncachedLookup is the baseline: the same look-up with the
// cache off, against the in-process fake (no network), so the ratio shows
// what the cache saves before any network latency.
func BenchmarkBrregUncachedLookup(b *testing.B) {
	reg := registrytest.NewBrreg(registrytest.BrregConfig{})
	c := must(brreg.New(brreg.Config{BaseURL: "http://brreg.test", HTTPClient: registrytest.InProcess(reg), Cache: registry.NoCache{}}))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Enhet(ctx, registrytest.DigdirOrgnr); err != nil {
			b.Fatal(err)
		}
	}
}

// The register writes a missing date as null or "": both are the zero
// civil.Date, and a date that does not exist does not decode.
func TestDatesNullAndEmpty(t *testing.T) {
	for in, want := range map[string]civil.Date{
		`{"slettedato": null}`:         {},
		`{"slettedato": ""}`:           {},
		`{}`:                           {},
		`{"slettedato": "2024-02-29"}`: civil.NewDate(2024, 2, 29),
	} {
		var e brreg.Enhet
		if err := json.Unmarshal([]byte(in), &e); err != nil || e.Slettedato != want {
			t.Errorf("%s: %v %v", in, e.Slettedato, err)
		}
	}
	var e brreg.Enhet
	if err := json.Unmarshal([]byte(`{"slettedato": "2024-02-30"}`), &e); err == nil {
		t.Error("2024-02-30 decoded")
	}
}
