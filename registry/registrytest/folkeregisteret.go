package registrytest

import (
	"encoding/json"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/fake"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// Folkeregisteret is a fake of Skatteetaten's Folkeregisteret API (version 1):
// GET /folkeregisteret/{rettighetspakke}/api/v1/personer/{id} with part
// selection, and POST .../personer/bulkoppslag for offentlig-med-hjemmel. It
// is seeded with Persons. Current values have erGjeldende true; with the
// historikk part, earlier names and addresses come too.
//
// Protected addresses: with offentlig-med-hjemmel the fake returns them,
// graded, so a client's guard against printing them can be tested; the other
// packages get no address for a protected person.
type Folkeregisteret struct {
	fake.Faults

	cfg     FolkeregisteretConfig
	mu      sync.RWMutex
	persons map[string]Person
	handler http.Handler
}

// FolkeregisteretConfig configures a fake Folkeregisteret. Its zero value is
// ready to use.
type FolkeregisteretConfig struct {
	// Authorize decides on each request: 0 lets it through, else the status
	// to refuse it with. nil requires a Bearer token (401 without one).
	Authorize func(r *http.Request) (status int)
	// Rettighetspakker are the packages the caller is granted; nil means all three.
	Rettighetspakker []string
}

// NewFolkeregisteret returns a fake Folkeregisteret holding Persons.
func NewFolkeregisteret(cfg FolkeregisteretConfig) *Folkeregisteret {
	f := &Folkeregisteret{cfg: cfg, persons: map[string]Person{}}
	for _, p := range Persons() {
		f.persons[p.FNR.Reveal()] = p
	}
	f.handler = wrap(&f.Faults, f.serve)
	return f
}

// Set adds or replaces a person.
func (f *Folkeregisteret) Set(p Person) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.persons[p.FNR.Reveal()] = p
}

// ServeHTTP serves the API.
func (f *Folkeregisteret) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.handler.ServeHTTP(w, r)
}

func fregError(w http.ResponseWriter, status int, kode, melding string) {
	body := map[string]any{"melding": melding}
	if kode != "" {
		body["kode"] = kode
	}
	writeJSON(w, status, body)
}

var fregParts = []string{
	"person-basis", "historikk", "identitetsgrunnlag-utvidet", "relasjon-utvidet",
	"identifikasjonsnummer", "status", "navn", "foedsel", "doedsfall", "sivilstand", "kjoenn",
	"statsborgerskap", "adressebeskyttelse", "bostedsadresse", "oppholdsadresse", "deltBosted",
	"postadresse", "postadresseIUtlandet", "preferertKontaktadresse", "identitetsgrunnlag",
	"falskIdentitet", "legitimasjonsdokument", "utenlandskPersonidentifikasjon", "familierelasjon",
	"foreldreansvar", "vergemaalEllerFremtidsfullmakt", "innflytting", "utflytting", "opphold",
	"utlendingsmyndighetenesIdentifikasjonsnummer", "foedselINorge", "forholdTilSametingetsValgmanntall", "samiskSpraak",
}

var personBasis = []string{"identifikasjonsnummer", "identitetsgrunnlag", "status", "doedsfall", "sivilstand", "foedsel",
	"statsborgerskap", "kjoenn", "navn", "preferertKontaktadresse", "bostedsadresse", "oppholdsadresse", "deltBosted",
	"postadresse", "postadresseIUtlandet", "adressebeskyttelse", "kontaktinformasjonForDoedsbo"}

func (f *Folkeregisteret) serve(w http.ResponseWriter, r *http.Request) {
	// /folkeregisteret/{rp}/api/v1/personer[/...]
	rest, ok := strings.CutPrefix(r.URL.Path, "/folkeregisteret/")
	if !ok {
		fregError(w, http.StatusNotFound, "", "Feil uri brukt.")
		return
	}
	rp, rest, _ := strings.Cut(rest, "/")
	rest, ok = strings.CutPrefix(rest, "api/v1/personer")
	if !ok || (rp != "offentlig-med-hjemmel" && rp != "offentlig-uten-hjemmel" && rp != "finans-og-begrenset") {
		fregError(w, http.StatusNotFound, "", "Feil uri brukt.")
		return
	}
	if !f.authorized(w, r, rp) {
		return
	}
	if a := r.Header.Get("Accept"); a != "" && !strings.Contains(a, "json") && !strings.Contains(a, "*/*") {
		fregError(w, http.StatusNotAcceptable, "", "Oppgitt Accept-header inneholder ikke 'application/json'")
		return
	}
	parts := r.URL.Query()["part"]
	for _, p := range parts {
		if !slices.Contains(fregParts, p) {
			fregError(w, http.StatusBadRequest, "", "Ugyldig part: "+p)
			return
		}
	}
	rest = strings.TrimSuffix(rest, "/")
	switch {
	case rest == "/bulkoppslag" && rp == "offentlig-med-hjemmel":
		f.serveBulk(w, r, rp, parts)
	case strings.HasPrefix(rest, "/") && !strings.Contains(rest[1:], "/") && rest != "/bulkoppslag":
		f.servePerson(w, r, rp, rest[1:], parts)
	default:
		fregError(w, http.StatusNotFound, "", "Feil uri brukt.")
	}
}

// authorized applies the Authorize hook (or the Bearer check) and the granted
// rettighetspakker, and answers a refused request.
func (f *Folkeregisteret) authorized(w http.ResponseWriter, r *http.Request, rp string) bool {
	status := 0
	if f.cfg.Authorize != nil {
		status = f.cfg.Authorize(r)
	} else if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		status = http.StatusUnauthorized
	}
	if status == 0 && f.cfg.Rettighetspakker != nil && !slices.Contains(f.cfg.Rettighetspakker, rp) {
		status = http.StatusForbidden
	}
	switch status {
	case 0:
		return true
	case http.StatusUnauthorized:
		fregError(w, status, "", "Autentiseringsinformasjon mangler")
	case http.StatusForbidden:
		fregError(w, status, "", "Virksomheten er autentisert men mangler autorisasjon for den angitte tjenesten")
	default:
		fregError(w, status, "", http.StatusText(status))
	}
	return false
}

func (f *Folkeregisteret) serveBulk(w http.ResponseWriter, r *http.Request, rp string, parts []string) {
	if r.Method != http.MethodPost {
		fregError(w, http.StatusMethodNotAllowed, "", "Bruk POST")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fregError(w, http.StatusUnsupportedMediaType, "", "Content-Type må være application/json")
		return
	}
	var req struct {
		FoedselsEllerDNummer []string `json:"foedselsEllerDNummer"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || len(req.FoedselsEllerDNummer) == 0 {
		fregError(w, http.StatusBadRequest, "", "Ugyldig forespørsel")
		return
	}
	if len(req.FoedselsEllerDNummer) > 1000 {
		fregError(w, http.StatusBadRequest, "", "For mange identifikatorer i bulkoppslag (maks 1000)")
		return
	}
	f.mu.RLock()
	out := []any{}
	for _, id := range req.FoedselsEllerDNummer {
		o := map[string]any{"foedselsEllerDNummer": id}
		if p, ok := f.persons[id]; ok {
			o["folkeregisterperson"] = fregPerson(p, rp, parts)
		}
		out = append(out, o)
	}
	f.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"oppslag": out})
}

func (f *Folkeregisteret) servePerson(w http.ResponseWriter, r *http.Request, rp, id string, parts []string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		fregError(w, http.StatusMethodNotAllowed, "", "Bruk GET")
		return
	}
	if _, err := ident.ParseFodselsnummer(id); err != nil {
		fregError(w, http.StatusBadRequest, "", "Ugyldig folkeregisteridentifikator")
		return
	}
	f.mu.RLock()
	p, ok := f.persons[id]
	f.mu.RUnlock()
	if !ok {
		fregError(w, http.StatusNotFound, "", "Fant ingen person med oppgitt identifikator")
		return
	}
	writeJSON(w, http.StatusOK, fregPerson(p, rp, parts))
}

func fregTime(t time.Time) string { return t.In(civil.Oslo).Format(time.RFC3339) }

// fregPerson renders p as the person document for the package and parts.
// fregDoc builds a person document: the parts asked for, each a list with
// the current value first and, with historikk, earlier ones after it.
type fregDoc struct {
	doc        map[string]any
	want       map[string]bool
	historikk  bool
	registered string // ajourholdstidspunkt of every fact
}

func newFregDoc(p Person, parts []string) *fregDoc {
	d := &fregDoc{doc: map[string]any{}, want: map[string]bool{"identifikasjonsnummer": true},
		registered: fregTime(p.BirthDate.AddDate(0, 0, 14))}
	basis := len(parts) == 0
	for _, part := range parts {
		switch part {
		case "person-basis":
			basis = true
		case "historikk":
			d.historikk = true
		default:
			d.want[part] = true
		}
	}
	if basis || (len(parts) == 1 && d.historikk) {
		for _, k := range personBasis {
			d.want[k] = true
		}
	}
	return d
}

// meta is a fact's metadata.
func (d *fregDoc) meta(current bool, gyldig time.Time) map[string]any {
	m := map[string]any{"erGjeldende": current, "ajourholdstidspunkt": d.registered, "kilde": "KILDE_DSF"}
	if !gyldig.IsZero() {
		m["gyldighetstidspunkt"] = fregTime(gyldig)
	}
	return m
}

// add puts a fact in the document if its part was asked for.
func (d *fregDoc) add(key string, current map[string]any, historic ...map[string]any) {
	if !d.want[key] {
		return
	}
	list := []any{current}
	if d.historikk {
		for _, h := range historic {
			list = append(list, h)
		}
	}
	d.doc[key] = list
}

// with sets the key-value pairs kv in m.
func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func fregPerson(p Person, rp string, parts []string) map[string]any {
	d := newFregDoc(p, parts)
	d.add("identifikasjonsnummer", with(d.meta(true, p.BirthDate), "status", "iBruk", "foedselsEllerDNummer", p.FNR.Reveal(), "identifikatortype", "foedselsnummer"))
	d.add("status", with(d.meta(true, p.BirthDate), "status", p.Status))
	if p.Status == "doed" && d.want["doedsfall"] {
		d.doc["doedsfall"] = []any{with(d.meta(true, time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)), "doedsdato", "2024-02-10")}
	}
	navn := with(d.meta(true, p.BirthDate), "fornavn", p.GivenName, "etternavn", p.FamilyName)
	if p.MiddleName != "" {
		navn["mellomnavn"] = p.MiddleName
	}
	d.add("navn", navn, with(d.meta(false, p.BirthDate), "fornavn", p.GivenName, "etternavn", "Tidligere"+strings.ToLower(p.FamilyName)))
	d.add("foedsel", with(d.meta(true, p.BirthDate), "foedselsdato", p.BirthDate.Format(time.DateOnly), "foedselsaar", strconv.Itoa(p.BirthDate.Year()), "foedeland", "NOR"))
	d.add("sivilstand", with(d.meta(true, p.BirthDate), "sivilstand", "ugift"))
	d.add("kjoenn", with(d.meta(true, p.BirthDate), "kjoenn", "ukjent"))
	d.add("statsborgerskap", with(d.meta(true, p.BirthDate), "land", "NOR"))
	d.add("adressebeskyttelse", with(d.meta(true, p.Home.Flyttedato), "graderingsnivaa", p.AddressProtection))
	if p.AddressProtection != "ugradert" && rp != "offentlig-med-hjemmel" {
		return d.doc // the other packages get no address for a protected person
	}
	d.addAddresses(p)
	return d.doc
}

// addAddresses adds the home address (with an earlier one for historikk)
// and a postal address where the person has a post box.
func (d *fregDoc) addAddresses(p Person) {
	b := p.Home
	if b.Flyttedato.IsZero() {
		b.Flyttedato = p.BirthDate.AddDate(18, 0, 0)
	}
	poststed := map[string]any{"poststedsnavn": b.Poststed, "postnummer": b.Postnummer}
	home := with(d.meta(true, b.Flyttedato), "adressegradering", p.AddressProtection, "flyttedato", b.Flyttedato.Format(time.DateOnly))
	if b.Adressenavn != "" {
		veg := map[string]any{"kommunenummer": b.Kommunenummer, "adressenavn": b.Adressenavn,
			"adressenummer": map[string]any{"husnummer": strconv.Itoa(b.Husnummer)}, "poststed": poststed}
		if b.Husbokstav != "" {
			veg["adressenummer"].(map[string]any)["husbokstav"] = b.Husbokstav
		}
		if b.Adressekode != 0 {
			veg["adressekode"] = strconv.Itoa(b.Adressekode)
		}
		if b.Bruksenhetsnummer != "" {
			veg["bruksenhetsnummer"], veg["bruksenhetstype"] = b.Bruksenhetsnummer, "bolig"
		}
		home["vegadresse"] = veg
	} else {
		home["matrikkeladresse"] = map[string]any{
			"matrikkelnummer": map[string]any{"kommunenummer": b.Kommunenummer, "gaardsnummer": b.Gardsnummer, "bruksnummer": b.Bruksnummer, "festenummer": 0},
			"undernummer":     0, "poststed": poststed,
		}
	}
	old := with(d.meta(false, b.Flyttedato.AddDate(-5, 0, 0)), "adressegradering", "ugradert",
		"vegadresse", map[string]any{"kommunenummer": "0301", "adressenavn": "Gamleveien", "adressenummer": map[string]any{"husnummer": "1"},
			"poststed": map[string]any{"poststedsnavn": "OSLO", "postnummer": "0150"}})
	d.add("bostedsadresse", home, old)
	if p.PostBox != "" {
		d.add("postadresse", with(d.meta(true, b.Flyttedato), "adressegradering", p.AddressProtection,
			"postboksadresse", map[string]any{"postboks": strings.TrimPrefix(p.PostBox, "Postboks "), "poststed": map[string]any{"poststedsnavn": "OSLO", "postnummer": "0102"}}))
	}
}
