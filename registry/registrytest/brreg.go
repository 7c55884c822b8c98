package registrytest

import (
	"embed"
	"encoding/json"
	"fmt"
	"github.com/grunnmur/grunnmur/fake"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
)

//go:embed brregdata/*.json
var brregData embed.FS

// Organisation numbers the fake Enhetsregisteret knows from the start.
const (
	// ApplicantOrgnr is SESAM AS, a restaurant company (næringskode 56.101):
	// the liquor-licence applicant of the example. Daglig leder is
	// Persons()[SigridHaugland], styrets leder Persons()[OlaBakken].
	ApplicantOrgnr = "976030788"
	// DigdirOrgnr is Digitaliseringsdirektoratet, a real public record.
	DigdirOrgnr = "991825827"
	// DigdirUnderenhetOrgnr is its Brønnøysund office, an underenhet.
	DigdirUnderenhetOrgnr = "924203617"
	// DeletedOrgnr answers 200 with a slettedato (a real deleted county).
	DeletedOrgnr = "821227062"
	// DeletedUnderenhetOrgnr is a real deleted underenhet.
	DeletedUnderenhetOrgnr = "974567989"
	// RemovedOrgnr answers 410 Gone: removed for legal reasons.
	RemovedOrgnr = "509100675"
	// NeverExistedOrgnr is a valid number the register has never had (404).
	NeverExistedOrgnr = "999999999"
	// BarnehageOrgnr is SESAM FAMILIEBARNEHAGE, a second search hit for "sesam".
	BarnehageOrgnr = "971497017"
)

// ApplicantUnderenhetOrgnr is SESAM AS AVD STORGATA, the applicant's
// restaurant at Storgata 12B, Oslo: the skjenkested (an underenhet) a licence
// is for. The number is synthetic.
var ApplicantUnderenhetOrgnr = OrgnrWithCheckDigit("31500010")

// SoleProprietorshipOrgnr is the enkeltpersonforetak of Persons()[MajaStrand]
// (innehaver); the number is synthetic.
var SoleProprietorshipOrgnr = OrgnrWithCheckDigit("31500001")

// OrgnrWithCheckDigit appends the MOD11 check digit to an 8-digit base, for
// synthetic organisation numbers. It returns "" when base has none (remainder 1).
func OrgnrWithCheckDigit(base string) string {
	if len(base) != 8 {
		return ""
	}
	w := []int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := range 8 {
		if base[i] < '0' || base[i] > '9' {
			return ""
		}
		sum += w[i] * int(base[i]-'0')
	}
	c := (11 - sum%11) % 11
	if c == 10 {
		return ""
	}
	return base + strconv.Itoa(c)
}

// Role is a role the fake Enhetsregisteret holds for an enhet: a person's
// (Person set) or another enhet's (Orgnr set).
type Role struct {
	Type     string // DAGL, LEDE, MEDL, INNH, SIGN, PROK, ...
	Person   *Person
	Orgnr    string
	Resigned bool
}

var rolleTyper = map[string]string{
	"DAGL": "Daglig leder/ adm.direktør", "LEDE": "Styrets leder", "NEST": "Nestleder", "MEDL": "Styremedlem",
	"VARA": "Varamedlem", "OBS": "Observatør", "INNH": "Innehaver", "DTSO": "Deltaker med solidarisk ansvar",
	"DTPR": "Deltaker med delt ansvar", "KOMP": "Komplementar", "SIGN": "Signatur", "SIFE": "Signatur i fellesskap",
	"PROK": "Prokura", "POHV": "Prokura hver for seg", "POFE": "Prokura i fellesskap", "REVI": "Revisor",
	"REGN": "Regnskapsfører", "KONT": "Kontaktperson",
}

var rolleGrupper = map[string][2]string{
	"DAGL": {"DAGL", "Daglig leder/ adm.direktør"}, "LEDE": {"STYR", "Styre"}, "NEST": {"STYR", "Styre"},
	"MEDL": {"STYR", "Styre"}, "VARA": {"STYR", "Styre"}, "OBS": {"STYR", "Styre"}, "INNH": {"INNH", "Innehaver"},
	"DTSO": {"DELT", "Deltakere"}, "DTPR": {"DELT", "Deltakere"}, "KOMP": {"KOMP", "Komplementar"},
	"SIGN": {"SIGN", "Signatur"}, "SIFE": {"SIGN", "Signatur"}, "PROK": {"PROK", "Prokura"},
	"POHV": {"PROK", "Prokura"}, "POFE": {"PROK", "Prokura"}, "REVI": {"REVI", "Revisor"},
	"REGN": {"REGN", "Regnskapsfører"}, "KONT": {"KONT", "Kontaktperson"},
}

// Brreg is a fake Enhetsregisteret (data.brreg.no) following its OpenAPI
// description: enheter, underenheter, search with the 10,000-result paging
// cap, roles (open and authorised), the updates feed, and the three ways a
// unit can be gone (404, 200 with slettedato, 410). It is an http.Handler;
// mount it at the root of a server and set the client's BaseURL to it.
type Brreg struct {
	fake.Faults

	cfg          BrregConfig
	mu           sync.RWMutex
	enheter      map[string]map[string]any
	underenheter map[string]map[string]any
	removed      map[string]string // orgnr -> slettedato, answered with 410
	roller       map[string][]Role
	updates      []brregUpdate
	nextID       int64
	order        []string // orgnrs of enheter, sorted
	uorder       []string
	handler      http.Handler
}

type brregUpdate struct {
	ID           int64
	Dato         time.Time
	Orgnr        string
	Endringstype string
	Underenhet   bool
}

// BrregConfig configures a fake Enhetsregisteret. Its zero value is ready to
// use.
type BrregConfig struct {
	// Authorize decides on a request to /autorisert-api; it returns 0 to let
	// it through or the status to refuse it with. nil requires a Bearer token
	// (401 without one). Give the fake Maskinporten's token check here.
	Authorize func(r *http.Request) (status int)
	// Now stamps the updates feed; nil means time.Now.
	Now func() time.Time
}

// NewBrreg returns a fake Enhetsregisteret seeded with real public records
// from the specs' samples (Digitaliseringsdirektoratet, a deleted county, a
// removed enhet), the example's applicant SESAM AS with synthetic role
// holders from Persons, and a sole proprietorship.
func NewBrreg(cfg BrregConfig) *Brreg {
	b := &Brreg{
		cfg:          cfg,
		enheter:      map[string]map[string]any{},
		underenheter: map[string]map[string]any{},
		removed:      map[string]string{},
		roller:       map[string][]Role{},
		nextID:       21_400_000,
	}
	load := func(name string) map[string]any {
		raw, err := brregData.ReadFile("brregdata/" + name)
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(err)
		}
		return m
	}
	for _, name := range []string{"real-enhet-991825827-digdir.json", "real-enhet-slettet-821227062-http200.json"} {
		b.putEnhet(load(name), false)
	}
	for _, name := range []string{"real-underenhet-924203617.json", "real-underenhet-slettet-974567989-http200.json"} {
		b.putEnhet(load(name), true)
	}
	page := load("pythonbrreg-enheter-search-page1-response.json")
	for _, e := range page["_embedded"].(map[string]any)["enheter"].([]any) {
		b.putEnhet(e.(map[string]any), false)
	}
	gone := load("spec-example-410-gone-enhet.json")
	b.removed[gone["organisasjonsnummer"].(string)] = gone["slettedato"].(string)

	// SESAM AS gets an Oslo address, an org form fit for a licence and roles.
	sesam := b.enheter[ApplicantOrgnr]
	sesam["forretningsadresse"] = map[string]any{"land": "Norge", "landkode": "NO", "postnummer": "0184", "poststed": "OSLO", "adresse": []any{"Storgata 12B"}, "kommune": "OSLO", "kommunenummer": "0301"}
	sesam["harRegistrertAntallAnsatte"] = true
	ps := Persons()
	b.roller[ApplicantOrgnr] = []Role{
		{Type: "DAGL", Person: &ps[SigridHaugland]},
		{Type: "LEDE", Person: &ps[OlaBakken]},
		{Type: "MEDL", Person: &ps[IngridSolberg]},
		{Type: "MEDL", Person: &ps[AudLien], Resigned: true},
		{Type: "SIFE", Person: &ps[IngridSolberg]},
		{Type: "REVI", Orgnr: BarnehageOrgnr},
	}
	b.putEnhet(map[string]any{
		"organisasjonsnummer":                       SoleProprietorshipOrgnr,
		"navn":                                      "MAJA STRAND SERVERING",
		"organisasjonsform":                         map[string]any{"kode": "ENK", "beskrivelse": "Enkeltpersonforetak"},
		"forretningsadresse":                        map[string]any{"land": "Norge", "landkode": "NO", "postnummer": "0184", "poststed": "OSLO", "adresse": []any{"Storgata 14"}, "kommune": "OSLO", "kommunenummer": "0301"},
		"naeringskode1":                             map[string]any{"kode": "56.102", "beskrivelse": "Drift av gatekjøkken"},
		"registreringsdatoEnhetsregisteret":         "2022-03-01",
		"registrertIMvaregisteret":                  true,
		"registrertIForetaksregisteret":             false,
		"konkurs":                                   false,
		"underAvvikling":                            false,
		"underTvangsavviklingEllerTvangsopplosning": false,
		"harRegistrertAntallAnsatte":                false,
		"maalform":                                  "Bokmål",
	}, false)
	b.roller[SoleProprietorshipOrgnr] = []Role{{Type: "INNH", Person: &ps[MajaStrand]}}
	b.putEnhet(map[string]any{
		"organisasjonsnummer":               ApplicantUnderenhetOrgnr,
		"navn":                              "SESAM AS AVD STORGATA",
		"organisasjonsform":                 map[string]any{"kode": "BEDR", "beskrivelse": "Underenhet til næringsdrivende og offentlig forvaltning"},
		"beliggenhetsadresse":               map[string]any{"land": "Norge", "landkode": "NO", "postnummer": "0184", "poststed": "OSLO", "adresse": []any{"Storgata 12B"}, "kommune": "OSLO", "kommunenummer": "0301"},
		"naeringskode1":                     map[string]any{"kode": "56.101", "beskrivelse": "Drift av restauranter og kafeer"},
		"overordnetEnhet":                   ApplicantOrgnr,
		"antallAnsatte":                     9,
		"harRegistrertAntallAnsatte":        true,
		"registreringsdatoEnhetsregisteret": "2019-08-01",
		"oppstartsdato":                     "2019-09-01",
		"registrertIMvaregisteret":          true,
	}, true)
	b.handler = wrap(&b.Faults, b.serve)
	return b
}

func (b *Brreg) now() time.Time { return defaults.Now(b.cfg.Now) }

// putEnhet stores e (as the API's JSON object) and logs the change. Callers hold no lock.
func (b *Brreg) putEnhet(e map[string]any, under bool) {
	orgnr, _ := e["organisasjonsnummer"].(string)
	delete(e, "_links")
	m, order := b.enheter, &b.order
	if under {
		m, order = b.underenheter, &b.uorder
	}
	kind := "Ny"
	if _, ok := m[orgnr]; ok {
		kind = "Endring"
	} else {
		i, _ := slices.BinarySearch(*order, orgnr)
		*order = slices.Insert(*order, i, orgnr)
	}
	if _, ok := e["slettedato"]; ok {
		kind = "Sletting"
	}
	m[orgnr] = e
	b.logUpdate(orgnr, kind, under)
}

func (b *Brreg) logUpdate(orgnr, kind string, under bool) {
	b.nextID++
	b.updates = append(b.updates, brregUpdate{ID: b.nextID, Dato: b.now().UTC(), Orgnr: orgnr, Endringstype: kind, Underenhet: under})
}

// PutEnhet adds or replaces an enhet, given as the API's JSON object.
func (b *Brreg) PutEnhet(raw []byte) error {
	var e map[string]any
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("registrytest: enhet: %w", err)
	}
	if _, ok := e["organisasjonsnummer"].(string); !ok {
		return fmt.Errorf("registrytest: enhet has no organisasjonsnummer")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.putEnhet(e, false)
	return nil
}

// AddEnhet adds an active AS with the given number and name in kommune 0301,
// and returns its number.
func (b *Brreg) AddEnhet(orgnr, navn string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.putEnhet(syntheticEnhet(orgnr, navn, "0301"), false)
	return orgnr
}

func syntheticEnhet(orgnr, navn, kommune string) map[string]any {
	return map[string]any{
		"organisasjonsnummer":                       orgnr,
		"navn":                                      navn,
		"organisasjonsform":                         map[string]any{"kode": "AS", "beskrivelse": "Aksjeselskap"},
		"forretningsadresse":                        map[string]any{"land": "Norge", "landkode": "NO", "postnummer": "0150", "poststed": "OSLO", "adresse": []any{"Testveien 1"}, "kommune": "OSLO", "kommunenummer": kommune},
		"naeringskode1":                             map[string]any{"kode": "56.101", "beskrivelse": "Drift av restauranter og kafeer"},
		"registreringsdatoEnhetsregisteret":         "2020-01-02",
		"registrertIMvaregisteret":                  true,
		"registrertIForetaksregisteret":             true,
		"konkurs":                                   false,
		"underAvvikling":                            false,
		"underTvangsavviklingEllerTvangsopplosning": false,
		"harRegistrertAntallAnsatte":                false,
	}
}

// AddSyntheticEnheter adds n synthetic restaurant companies named
// "<prefix> <i>" in kommune, with valid synthetic numbers from 330000000 up,
// and returns their numbers. Tests use it to search past the paging cap.
func (b *Brreg) AddSyntheticEnheter(n int, prefix, kommune string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for i := 0; len(out) < n; i++ {
		orgnr := OrgnrWithCheckDigit(fmt.Sprintf("33%06d", i))
		if orgnr == "" {
			continue
		}
		if _, taken := b.enheter[orgnr]; taken {
			continue
		}
		b.putEnhet(syntheticEnhet(orgnr, fmt.Sprintf("%s %d", prefix, len(out)+1), kommune), false)
		out = append(out, orgnr)
	}
	return out
}

// DeleteEnhet deletes an enhet (or underenhet): the API then answers 200 with
// a slettedato, and the feed says Sletting.
func (b *Brreg) DeleteEnhet(orgnr string, slettedato time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, under := range []bool{false, true} {
		m := b.enheter
		if under {
			m = b.underenheter
		}
		if e, ok := m[orgnr]; ok {
			e["slettedato"] = slettedato.Format(time.DateOnly)
			b.logUpdate(orgnr, "Sletting", under)
			return true
		}
	}
	return false
}

// RemoveEnhet removes an enhet for legal reasons: the API then answers 410.
func (b *Brreg) RemoveEnhet(orgnr string, slettedato time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, under := b.underenheter[orgnr]
	delete(b.enheter, orgnr)
	delete(b.underenheter, orgnr)
	delete(b.roller, orgnr)
	b.order = slices.DeleteFunc(b.order, func(s string) bool { return s == orgnr })
	b.uorder = slices.DeleteFunc(b.uorder, func(s string) bool { return s == orgnr })
	b.removed[orgnr] = slettedato.Format(time.DateOnly)
	b.logUpdate(orgnr, "Fjernet", under)
}

// SetRoles replaces an enhet's roles.
func (b *Brreg) SetRoles(orgnr string, roller ...Role) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roller[orgnr] = roller
}

// ServeHTTP serves the API.
func (b *Brreg) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.handler.ServeHTTP(w, r) }

func (b *Brreg) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if !acceptable(r.Header.Get("Accept")) {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	const api, authed = "/enhetsregisteret/api/", "/enhetsregisteret/autorisert-api/"
	switch {
	case strings.HasPrefix(p, authed+"enheter/") && strings.HasSuffix(p, "/roller"):
		status := 0
		if b.cfg.Authorize != nil {
			status = b.cfg.Authorize(r)
		} else if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			status = http.StatusUnauthorized
		}
		if status != 0 {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, status, map[string]any{"timestamp": b.now().UTC().Format(time.RFC3339), "status": status, "error": http.StatusText(status), "path": r.URL.Path})
			return
		}
		b.serveRoller(w, r, strings.TrimSuffix(strings.TrimPrefix(p, authed+"enheter/"), "/roller"), true)
	case strings.HasPrefix(p, api+"enheter/") && strings.HasSuffix(p, "/roller"):
		b.serveRoller(w, r, strings.TrimSuffix(strings.TrimPrefix(p, api+"enheter/"), "/roller"), false)
	case p == api+"enheter":
		b.serveSearch(w, r, false)
	case p == api+"underenheter":
		b.serveSearch(w, r, true)
	case strings.HasPrefix(p, api+"enheter/"):
		b.serveUnit(w, r, strings.TrimPrefix(p, api+"enheter/"), false)
	case strings.HasPrefix(p, api+"underenheter/"):
		b.serveUnit(w, r, strings.TrimPrefix(p, api+"underenheter/"), true)
	case p == api+"oppdateringer/enheter":
		b.serveUpdates(w, r, false)
	case p == api+"oppdateringer/underenheter":
		b.serveUpdates(w, r, true)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func acceptable(accept string) bool {
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if mt == "*/*" || mt == "application/*" || mt == "application/json" || mt == "application/hal+json" ||
			strings.HasPrefix(mt, "application/vnd.brreg.enhetsregisteret.") {
			return true
		}
	}
	return false
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// badRequest answers in Enhetsregisteret's validation error format.
func (b *Brreg) badRequest(w http.ResponseWriter, r *http.Request, msg string, params ...string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"tidsstempel": b.now().UnixMilli(), "status": 400, "feilmelding": "Feilaktig forespørsel",
		"sti": r.URL.Path, "antallFeil": 1,
		"valideringsfeil": []any{map[string]any{"feilmelding": msg, "parametere": params}},
	})
}

func nineDigits(s string) bool {
	if len(s) != 9 {
		return false
	}
	for i := range s {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (b *Brreg) serveUnit(w http.ResponseWriter, r *http.Request, orgnr string, under bool) {
	if !nineDigits(orgnr) {
		b.badRequest(w, r, "Organisasjonsnummer må være et nummer med nøyaktig 9 siffer", orgnr)
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	kind, media := "enheter", "application/vnd.brreg.enhetsregisteret.enhet.v2+json;charset=UTF-8"
	m := b.enheter
	if under {
		kind, media, m = "underenheter", "application/vnd.brreg.enhetsregisteret.underenhet.v2+json;charset=UTF-8", b.underenheter
	}
	self := map[string]any{"self": map[string]any{"href": baseURL(r) + "/enhetsregisteret/api/" + kind + "/" + orgnr}}
	if d, ok := b.removed[orgnr]; ok {
		writeJSONType(w, http.StatusGone, "application/json", map[string]any{"organisasjonsnummer": orgnr, "slettedato": d, "_links": self})
		return
	}
	e, ok := m[orgnr]
	if !ok {
		w.WriteHeader(http.StatusNotFound) // "status 404 og uten innhold"
		return
	}
	writeJSONType(w, http.StatusOK, media, render(e, self))
}

// render returns the object as the API shows it: a deleted unit shows only
// its number, name, form and dates of deletion.
func render(e map[string]any, links map[string]any) map[string]any {
	out := make(map[string]any, len(e)+1)
	if _, deleted := e["slettedato"]; deleted {
		for _, k := range []string{"organisasjonsnummer", "navn", "organisasjonsform", "slettedato", "nedleggelsesdato"} {
			if v, ok := e[k]; ok {
				out[k] = v
			}
		}
	} else {
		for k, v := range e {
			out[k] = v
		}
	}
	out["_links"] = links
	return out
}

func (b *Brreg) serveRoller(w http.ResponseWriter, r *http.Request, orgnr string, withFnr bool) {
	if !nineDigits(orgnr) {
		b.badRequest(w, r, "Organisasjonsnummer må være et nummer med nøyaktig 9 siffer", orgnr)
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if _, ok := b.removed[orgnr]; ok {
		w.WriteHeader(http.StatusGone)
		return
	}
	if _, ok := b.enheter[orgnr]; !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	base := baseURL(r) + "/enhetsregisteret/api"
	groups := []map[string]any{}
	index := map[string]int{}
	for i, ro := range b.roller[orgnr] {
		g := rolleGrupper[ro.Type]
		gi, ok := index[g[0]]
		if !ok {
			gi = len(groups)
			index[g[0]] = gi
			groups = append(groups, map[string]any{
				"type":       map[string]any{"kode": g[0], "beskrivelse": g[1], "_links": map[string]any{"self": map[string]any{"href": base + "/roller/rollegruppetyper/" + g[0]}}},
				"sistEndret": "2024-05-02",
				"roller":     []any{},
			})
		}
		role := map[string]any{
			"type":         map[string]any{"kode": ro.Type, "beskrivelse": rolleTyper[ro.Type], "_links": map[string]any{"self": map[string]any{"href": base + "/roller/rolletyper/" + ro.Type}}},
			"fratraadt":    ro.Resigned,
			"avregistrert": false,
			"rekkefolge":   i,
		}
		if ro.Person != nil {
			p := map[string]any{
				"fodselsdato": ro.Person.BirthDate.Format(time.DateOnly),
				"navn":        map[string]any{"fornavn": ro.Person.GivenName, "etternavn": ro.Person.FamilyName},
				"erDoed":      ro.Person.Status == "doed",
			}
			if ro.Person.MiddleName != "" {
				p["navn"].(map[string]any)["mellomnavn"] = ro.Person.MiddleName
			}
			if withFnr {
				p["fodselsnummer"] = ro.Person.FNR.Reveal()
			}
			role["person"] = p
		} else {
			e := b.enheter[ro.Orgnr]
			navn, _ := e["navn"].(string)
			role["enhet"] = map[string]any{
				"organisasjonsnummer": ro.Orgnr, "organisasjonsform": e["organisasjonsform"],
				"navn": []any{navn}, "erSlettet": e == nil || e["slettedato"] != nil,
				"_links": map[string]any{"self": map[string]any{"href": base + "/enheter/" + ro.Orgnr}},
			}
		}
		groups[gi]["roller"] = append(groups[gi]["roller"].([]any), role)
	}
	media := "application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8"
	if withFnr {
		media = "application/json"
	}
	writeJSONType(w, http.StatusOK, media, map[string]any{
		"rollegrupper": groups,
		"_links": map[string]any{
			"self":  map[string]any{"href": base + "/enheter/" + orgnr + "/roller"},
			"enhet": map[string]any{"href": base + "/enheter/" + orgnr},
		},
	})
}

// lookup returns the value at a dotted path ("forretningsadresse.kommunenummer").
func lookup(e map[string]any, path string) any {
	var cur any = e
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		var parts []string
		for _, p := range x {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func paging(w http.ResponseWriter, r *http.Request, b *Brreg, defSize, maxSize int) (page, size int, ok bool) {
	q := r.URL.Query()
	page, size = 0, defSize
	var err error
	if s := q.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 0 {
			b.badRequest(w, r, "Sidenummer må være et positivt heltall", "page")
			return 0, 0, false
		}
	}
	if s := q.Get("size"); s != "" {
		if size, err = strconv.Atoi(s); err != nil || size < 1 || size > maxSize {
			b.badRequest(w, r, fmt.Sprintf("Sidestørrelse må være mellom 1 og %d", maxSize), "size")
			return 0, 0, false
		}
	}
	if (page+1)*size > 10_000 {
		b.badRequest(w, r, "Dyp paginering er ikke støttet: (page+1)*size kan ikke overstige 10000", "page", "size")
		return 0, 0, false
	}
	return page, size, true
}

func (b *Brreg) serveSearch(w http.ResponseWriter, r *http.Request, under bool) {
	page, size, ok := paging(w, r, b, 20, 10_000)
	if !ok {
		return
	}
	q := r.URL.Query()
	if n := q.Get("navn"); n != "" && len([]rune(n)) > 180 {
		b.badRequest(w, r, "Navn kan ikke være lengre enn 180 tegn", "navn")
		return
	}
	for _, k := range []string{"fraAntallAnsatte", "tilAntallAnsatte"} {
		if s := q.Get(k); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || (n >= 1 && n <= 4 && !(k == "fraAntallAnsatte" && n == 1) && !(k == "tilAntallAnsatte" && n == 4)) {
				b.badRequest(w, r, k+" må være 0, 1 eller større enn 4", k)
				return
			}
		}
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	m, order, kind, addr := b.enheter, b.order, "enheter", "forretningsadresse"
	if under {
		m, order, kind, addr = b.underenheter, b.uorder, "underenheter", "beliggenhetsadresse"
	}
	var hits []map[string]any
	for _, orgnr := range order {
		e := m[orgnr]
		if _, deleted := e["slettedato"]; deleted {
			continue
		}
		if matches(e, q, addr) {
			hits = append(hits, e)
		}
	}
	if s := q.Get("sort"); s != "" {
		field, dir, _ := strings.Cut(s, ",")
		slices.SortStableFunc(hits, func(x, y map[string]any) int {
			c := strings.Compare(str(lookup(x, field)), str(lookup(y, field)))
			if strings.EqualFold(dir, "DESC") {
				c = -c
			}
			return c
		})
	}
	writeJSON(w, http.StatusOK, searchPage(r, q, hits, kind, page, size))
}

// searchPage renders one page of search hits, HAL style, with the paging links.
func searchPage(r *http.Request, q url.Values, hits []map[string]any, kind string, page, size int) map[string]any {
	total := len(hits)
	from, to := min(page*size, total), min((page+1)*size, total)
	base := baseURL(r) + "/enhetsregisteret/api/"
	out := map[string]any{
		"page": map[string]any{"size": size, "totalElements": total, "totalPages": (total + size - 1) / size, "number": page},
	}
	if to > from {
		list := make([]any, 0, to-from)
		for _, e := range hits[from:to] {
			list = append(list, render(e, map[string]any{"self": map[string]any{"href": base + kind + "/" + str(e["organisasjonsnummer"])}}))
		}
		out["_embedded"] = map[string]any{kind: list}
	}
	links := map[string]any{"self": map[string]any{"href": base + kind + "?" + r.URL.RawQuery}}
	pageLink := func(n int) map[string]any {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		v.Set("size", strconv.Itoa(size))
		return map[string]any{"href": base + kind + "?" + v.Encode()}
	}
	if total > 0 {
		links["first"] = pageLink(0)
		links["last"] = pageLink((total - 1) / size)
		if to < total {
			links["next"] = pageLink(page + 1)
		}
		if page > 0 {
			links["prev"] = pageLink(page - 1)
		}
	}
	out["_links"] = links
	return out
}

func listParam(q url.Values, k string) []string {
	var out []string
	for _, v := range q[k] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// matches reports whether enhet e answers the search q; addr is the address
// the kommunenummer parameter looks at besides the postal address.
func matches(e map[string]any, q url.Values, addr string) bool {
	return matchesName(e, q) && matchesLists(e, q, addr) && matchesAddress(e, q) &&
		matchesFlags(e, q) && matchesAnsatte(e, q) && matchesDates(e, q)
}

func matchesName(e map[string]any, q url.Values) bool {
	n := strings.ToLower(q.Get("navn"))
	if n == "" {
		return true
	}
	name := strings.ToLower(str(e["navn"]))
	if q.Get("navnMetodeForSoek") == "FORTLOEPENDE" {
		return strings.Contains(name, n)
	}
	for _, word := range strings.Fields(n) {
		if !strings.Contains(name, word) {
			return false
		}
	}
	return true
}

// in reports whether parameter k is unset or lists one of got.
func in(q url.Values, k string, got ...string) bool {
	want := listParam(q, k)
	if len(want) == 0 {
		return true
	}
	for _, g := range got {
		if g != "" && slices.Contains(want, g) {
			return true
		}
	}
	return false
}

func matchesLists(e map[string]any, q url.Values, addr string) bool {
	if !in(q, "organisasjonsnummer", str(e["organisasjonsnummer"])) ||
		!in(q, "organisasjonsform", str(lookup(e, "organisasjonsform.kode"))) ||
		!in(q, "kommunenummer", str(lookup(e, addr+".kommunenummer")), str(lookup(e, "postadresse.kommunenummer"))) ||
		!in(q, "institusjonellSektorkode", str(lookup(e, "institusjonellSektorkode.kode"))) {
		return false
	}
	for _, k := range []string{"overordnetEnhet", "hjemmeside"} {
		if v := q.Get(k); v != "" && str(e[k]) != v {
			return false
		}
	}
	want := listParam(q, "naeringskode")
	if len(want) == 0 {
		return true
	}
	for _, k := range []string{"naeringskode1", "naeringskode2", "naeringskode3"} {
		code := str(lookup(e, k+".kode"))
		for _, w := range want {
			if code != "" && strings.HasPrefix(code, w) {
				return true
			}
		}
	}
	return false
}

// matchesAddress checks the forretningsadresse.*, beliggenhetsadresse.* and
// postadresse.* parameters.
func matchesAddress(e map[string]any, q url.Values) bool {
	for k := range q {
		a, field, ok := strings.Cut(k, ".")
		if !ok || (a != "forretningsadresse" && a != "beliggenhetsadresse" && a != "postadresse") {
			continue
		}
		got := lookup(e, a+"."+field)
		if field == "poststed" || field == "adresse" {
			if !strings.Contains(strings.ToLower(str(got)), strings.ToLower(q.Get(k))) {
				return false
			}
		} else if !in(q, k, str(got)) {
			return false
		}
	}
	return true
}

func matchesFlags(e map[string]any, q url.Values) bool {
	for _, k := range []string{"konkurs", "underAvvikling", "underTvangsavviklingEllerTvangsopplosning", "registrertIMvaregisteret",
		"registrertIForetaksregisteret", "registrertIStiftelsesregisteret", "registrertIFrivillighetsregisteret", "registrertIPartiregisteret"} {
		if v := q.Get(k); v != "" {
			got, _ := e[k].(bool)
			if strconv.FormatBool(got) != strings.ToLower(v) {
				return false
			}
		}
	}
	if v := q.Get("underKonkursbehandling"); v != "" {
		k, _ := e["konkurs"].(bool)
		t, _ := e["underTvangsavviklingEllerTvangsopplosning"].(bool)
		if strconv.FormatBool(k || t) != strings.ToLower(v) {
			return false
		}
	}
	return true
}

func matchesAnsatte(e map[string]any, q url.Values) bool {
	ansatte, _ := e["antallAnsatte"].(float64)
	if v := q.Get("fraAntallAnsatte"); v != "" {
		if n, _ := strconv.Atoi(v); int(ansatte) < n {
			return false
		}
	}
	if v := q.Get("tilAntallAnsatte"); v != "" {
		if n, _ := strconv.Atoi(v); int(ansatte) > n {
			return false
		}
	}
	return true
}

func matchesDates(e map[string]any, q url.Values) bool {
	for _, f := range []string{"RegistreringsdatoEnhetsregisteret", "Stiftelsesdato", "Oppstartsdato", "Nedleggelsesdato"} {
		field := strings.ToLower(f[:1]) + f[1:]
		got := str(e[field])
		if v := q.Get("fra" + f); v != "" && (got == "" || got < v) {
			return false
		}
		if v := q.Get("til" + f); v != "" && (got == "" || got > v) {
			return false
		}
	}
	return true
}

func (b *Brreg) serveUpdates(w http.ResponseWriter, r *http.Request, under bool) {
	page, size, ok := paging(w, r, b, 20, 10_000)
	if !ok {
		return
	}
	q := r.URL.Query()
	var fromID int64
	if s := q.Get("oppdateringsid"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			b.badRequest(w, r, "Oppdateringsid må være større eller lik 1", "oppdateringsid")
			return
		}
		fromID = n
	}
	var since time.Time
	if s := q.Get("dato"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			b.badRequest(w, r, "Dato må være på formatet yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "dato")
			return
		}
		since = t
	}
	orgnrs := listParam(q, "organisasjonsnummer")
	b.mu.RLock()
	var hits []brregUpdate
	for _, u := range b.updates {
		if u.Underenhet != under || u.ID < fromID || u.Dato.Before(since) {
			continue
		}
		if len(orgnrs) > 0 && !slices.Contains(orgnrs, u.Orgnr) {
			continue
		}
		hits = append(hits, u)
	}
	b.mu.RUnlock()
	if strings.EqualFold(strings.TrimPrefix(q.Get("sort"), "id,"), "DESC") {
		slices.Reverse(hits)
	}
	total := len(hits)
	from, to := min(page*size, total), min((page+1)*size, total)
	kind, list := "enheter", "oppdaterteEnheter"
	if under {
		kind, list = "underenheter", "oppdaterteUnderenheter"
	}
	base := baseURL(r) + "/enhetsregisteret/api/"
	out := map[string]any{
		"_links": map[string]any{"self": map[string]any{"href": base + "oppdateringer/" + kind + "?" + r.URL.RawQuery}},
		"page":   map[string]any{"size": size, "totalElements": total, "totalPages": (total + size - 1) / size, "number": page},
	}
	if to > from {
		items := make([]any, 0, to-from)
		for _, u := range hits[from:to] {
			items = append(items, map[string]any{
				"oppdateringsid": u.ID, "dato": u.Dato.Format("2006-01-02T15:04:05.000Z"),
				"organisasjonsnummer": u.Orgnr, "endringstype": u.Endringstype,
				"_links": map[string]any{strings.TrimSuffix(kind, "er"): map[string]any{"href": base + kind + "/" + u.Orgnr}},
			})
		}
		out["_embedded"] = map[string]any{list: items}
	}
	writeJSON(w, http.StatusOK, out)
}
