package registrytest

import (
	"cmp"
	"github.com/grunnmur/grunnmur/fake"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Address is an official address in the fake Kartverket.
type Address struct {
	Adressenavn         string
	Nummer              int
	Bokstav             string
	Adressetilleggsnavn string
	Adressekode         int
	Kommunenummer       string
	Kommunenavn         string
	Gardsnummer         int
	Bruksnummer         int
	Festenummer         int
	Undernummer         int
	Bruksenhetsnummer   []string
	Postnummer          string
	Poststed            string
	Lat, Lon            float64
}

// Adressetekst is "Storgata 12B", or "12/3" for a matrikkeladresse.
func (a Address) Adressetekst() string {
	if a.Adressenavn == "" {
		s := strconv.Itoa(a.Gardsnummer) + "/" + strconv.Itoa(a.Bruksnummer)
		if a.Festenummer != 0 {
			s += "/" + strconv.Itoa(a.Festenummer)
		}
		if a.Undernummer != 0 {
			s += "-" + strconv.Itoa(a.Undernummer)
		}
		return s
	}
	return a.Adressenavn + " " + strconv.Itoa(a.Nummer) + a.Bokstav
}

func (a Address) objtype() string {
	if a.Adressenavn == "" {
		return "Matrikkeladresse"
	}
	return "Vegadresse"
}

// Addresses returns the fake's seed addresses: a block of Storgata in Oslo
// around SESAM AS (Storgata 12B) with its neighbours for a nabovarsel, the
// homes of Persons with unprotected addresses, and a matrikkeladresse in
// Kongsvinger.
func Addresses() []Address {
	oslo := func(navn string, kode, nr int, bokstav string, gnr, bnr int, post string, lat, lon float64, enheter ...string) Address {
		return Address{Adressenavn: navn, Nummer: nr, Bokstav: bokstav, Adressekode: kode, Kommunenummer: "0301", Kommunenavn: "OSLO",
			Gardsnummer: gnr, Bruksnummer: bnr, Bruksenhetsnummer: enheter, Postnummer: post, Poststed: "OSLO", Lat: lat, Lon: lon}
	}
	return []Address{
		oslo("Storgata", 13320, 10, "", 208, 210, "0184", 59.91446, 10.75538, "H0101", "H0201"),
		oslo("Storgata", 13320, 12, "A", 208, 211, "0184", 59.91452, 10.75571),
		oslo("Storgata", 13320, 12, "B", 208, 211, "0184", 59.91458, 10.75590, "H0101", "H0201", "H0202"),
		oslo("Storgata", 13320, 14, "", 208, 212, "0184", 59.91466, 10.75628, "H0101", "H0102"),
		oslo("Storgata", 13320, 16, "", 208, 213, "0184", 59.91475, 10.75667),
		oslo("Storgata", 13320, 11, "", 208, 190, "0184", 59.91425, 10.75575),
		oslo("Storgata", 13320, 13, "", 208, 191, "0184", 59.91433, 10.75612),
		oslo("Hausmanns gate", 12190, 5, "", 208, 230, "0186", 59.91502, 10.75560),
		oslo("Torggata", 15320, 2, "", 208, 150, "0181", 59.91395, 10.75402),
		oslo("Kirkeveien", 12040, 40, "", 33, 120, "0368", 59.92958, 10.72071),
		{Adressenavn: "Elgeseter gate", Nummer: 5, Adressekode: 21350, Kommunenummer: "5001", Kommunenavn: "TRONDHEIM", Gardsnummer: 411, Bruksnummer: 75,
			Postnummer: "7030", Poststed: "TRONDHEIM", Lat: 63.42662, Lon: 10.39611},
		{Adressetilleggsnavn: "Fjeldstad", Kommunenummer: "3401", Kommunenavn: "KONGSVINGER", Gardsnummer: 12, Bruksnummer: 3,
			Postnummer: "2212", Poststed: "KONGSVINGER", Lat: 60.19712, Lon: 12.00451},
	}
}

// Adresse is a fake of Kartverket's open address API (/sok and /punktsok,
// version 1). Mount it where the client's BaseURL points (the client adds
// /sok and /punktsok to its base). It only speaks EPSG:4258 (the default).
type Adresse struct {
	fake.Faults

	cfg       AdresseConfig
	mu        sync.RWMutex
	addresses []Address
	handler   http.Handler
}

// AdresseConfig configures a fake address API. Its zero value is ready to
// use.
type AdresseConfig struct {
	// Authorize decides on each request: 0 lets it through, else the status
	// to refuse it with. nil lets every request through: the real API is
	// open.
	Authorize func(r *http.Request) (status int)
}

// NewAdresse returns a fake address API holding Addresses.
func NewAdresse(cfg AdresseConfig) *Adresse {
	a := &Adresse{cfg: cfg, addresses: Addresses()}
	a.handler = wrap(&a.Faults, a.serve)
	return a
}

// Add adds an address.
func (a *Adresse) Add(addr Address) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addresses = append(a.addresses, addr)
}

// ServeHTTP serves the API.
func (a *Adresse) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

func adresseError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}

func (a *Adresse) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		adresseError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	if a.cfg.Authorize != nil {
		if status := a.cfg.Authorize(r); status != 0 {
			adresseError(w, status, http.StatusText(status))
			return
		}
	}
	q := r.URL.Query()
	per, side, msg := adressePaging(q)
	if msg != "" {
		adresseError(w, http.StatusBadRequest, msg)
		return
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	var hits []adresseHit
	switch {
	case strings.HasSuffix(r.URL.Path, "/punktsok"):
		hits, msg = a.pointHits(q)
	case strings.HasSuffix(r.URL.Path, "/sok"):
		hits, msg = a.searchHits(q)
	default:
		adresseError(w, http.StatusNotFound, "ukjent ressurs")
		return
	}
	if msg != "" {
		adresseError(w, http.StatusBadRequest, msg)
		return
	}
	writeJSON(w, http.StatusOK, adressePage(r, q, hits, per, side))
}

type adresseHit struct {
	a    Address
	dist float64 // metres from the point; -1 for a search
}

// adressePaging reads treffPerSide and side, or says what is wrong with them.
func adressePaging(q url.Values) (per, side int, msg string) {
	per = 10
	var err error
	if s := q.Get("treffPerSide"); s != "" {
		if per, err = strconv.Atoi(s); err != nil || per < 1 || per > 1000 {
			return 0, 0, "treffPerSide må være mellom 1 og 1000"
		}
	}
	if s := q.Get("side"); s != "" {
		if side, err = strconv.Atoi(s); err != nil || side < 0 {
			return 0, 0, "side må være 0 eller mer"
		}
	}
	for _, k := range []string{"koordsys", "utkoordsys"} {
		if s := q.Get(k); s != "" && s != "4258" {
			return 0, 0, k + ": the fake supports EPSG 4258 only"
		}
	}
	return per, side, ""
}

// pointHits answers punktsok: the addresses within the radius, nearest first.
func (a *Adresse) pointHits(q url.Values) ([]adresseHit, string) {
	lat, err1 := strconv.ParseFloat(q.Get("lat"), 64)
	lon, err2 := strconv.ParseFloat(q.Get("lon"), 64)
	radius, err3 := strconv.Atoi(q.Get("radius"))
	if err1 != nil || err2 != nil || err3 != nil || radius < 1 {
		return nil, "lat, lon og radius må oppgis"
	}
	var hits []adresseHit
	for _, x := range a.addresses {
		if d := metres(lat, lon, x.Lat, x.Lon); d <= float64(radius) {
			hits = append(hits, adresseHit{x, d})
		}
	}
	slices.SortStableFunc(hits, func(x, y adresseHit) int { return cmp.Compare(x.dist, y.dist) })
	return hits, ""
}

// searchHits answers sok.
func (a *Adresse) searchHits(q url.Values) ([]adresseHit, string) {
	if m := q.Get("sokemodus"); m != "" && m != "AND" && m != "OR" {
		return nil, "sokemodus må være AND eller OR"
	}
	for _, k := range []string{"kommunenummer", "postnummer"} {
		if s := q.Get(k); s != "" && !fourDigitString(s) {
			return nil, k + " må bestå av 4 tall"
		}
	}
	var hits []adresseHit
	for _, x := range a.addresses {
		if sokMatch(x, q) {
			hits = append(hits, adresseHit{x, -1})
		}
	}
	return hits, ""
}

// adressePage is one page of hits with its metadata, filtered by filtrer.
func adressePage(r *http.Request, q url.Values, hits []adresseHit, per, side int) map[string]any {
	total := len(hits)
	from, to := min(side*per, total), min((side+1)*per, total)
	list := []any{}
	keep := filterSet(q.Get("filtrer"))
	for _, h := range hits[from:to] {
		list = append(list, addressJSON(h.a, h.dist, keep))
	}
	meta := map[string]any{
		"asciiKompatibel": q.Get("asciiKompatibel") != "false", "sokeStreng": r.URL.RawQuery,
		"treffPerSide": per, "side": side, "totaltAntallTreff": total, "viserFra": from, "viserTil": to,
	}
	if keep != nil {
		for k := range meta {
			if !keep["metadata."+k] && !keep["metadata"] {
				delete(meta, k)
			}
		}
	}
	return map[string]any{"metadata": meta, "adresser": list}
}

func fourDigitString(s string) bool {
	return len(s) == 4 && strings.Trim(s, "0123456789") == ""
}

func filterSet(s string) map[string]bool {
	if s == "" {
		return nil
	}
	m := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		m[strings.TrimSpace(p)] = true
	}
	return m
}

func addressJSON(x Address, dist float64, keep map[string]bool) map[string]any {
	enheter := x.Bruksenhetsnummer
	if enheter == nil {
		enheter = []string{}
	}
	m := map[string]any{
		"adressenavn": x.Adressenavn, "adressetekst": x.Adressetekst(), "adressetilleggsnavn": x.Adressetilleggsnavn,
		"adressekode": x.Adressekode, "nummer": x.Nummer, "bokstav": x.Bokstav,
		"kommunenummer": x.Kommunenummer, "kommunenavn": x.Kommunenavn,
		"gardsnummer": x.Gardsnummer, "bruksnummer": x.Bruksnummer, "festenummer": x.Festenummer, "undernummer": x.Undernummer,
		"bruksenhetsnummer": enheter, "objtype": x.objtype(), "poststed": x.Poststed, "postnummer": x.Postnummer,
		"adressetekstutenadressetilleggsnavn": x.Adressetekst(), "stedfestingverifisert": true,
		"representasjonspunkt": map[string]any{"epsg": "EPSG:4258", "lat": x.Lat, "lon": x.Lon},
		"oppdateringsdato":     "2024-05-02T10:11:12",
	}
	if x.Adressetilleggsnavn != "" {
		m["adressetekst"] = x.Adressetilleggsnavn + ", " + x.Adressetekst()
	}
	if dist >= 0 {
		m["meterDistanseTilPunkt"] = math.Round(dist*10) / 10
	}
	if keep != nil {
		for k := range m {
			if !keep["adresser."+k] && !keep["adresser"] {
				delete(m, k)
			}
		}
	}
	return m
}

// metres is the great-circle distance between two points.
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6_371_000
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

func sokMatch(x Address, q url.Values) bool {
	eq := func(k, got string) bool {
		want, ok := q[k]
		if !ok {
			return true
		}
		return strings.EqualFold(want[0], got)
	}
	num := func(k string, got int) bool {
		s := q.Get(k)
		return s == "" || s == strconv.Itoa(got)
	}
	if !eq("adressenavn", x.Adressenavn) || !eq("adressetilleggsnavn", x.Adressetilleggsnavn) || !eq("kommunenummer", x.Kommunenummer) ||
		!eq("kommunenavn", x.Kommunenavn) || !eq("poststed", x.Poststed) || !eq("postnummer", x.Postnummer) ||
		!eq("bokstav", x.Bokstav) || !eq("objtype", x.objtype()) ||
		!num("adressekode", x.Adressekode) || !num("nummer", x.Nummer) || !num("gardsnummer", x.Gardsnummer) ||
		!num("bruksnummer", x.Bruksnummer) || !num("festenummer", x.Festenummer) || !num("undernummer", x.Undernummer) {
		return false
	}
	if s := q.Get("adressetekst"); s != "" && !strings.EqualFold(s, x.Adressetekst()) {
		return false
	}
	if s := q.Get("bruksenhetsnummer"); s != "" && !slices.Contains(x.Bruksenhetsnummer, strings.ToUpper(s)) {
		return false
	}
	sok := strings.ToLower(q.Get("sok"))
	if sok == "" {
		return true
	}
	words := strings.Fields(strings.ToLower(strings.Join([]string{x.Adressetekst(), x.Adressenavn, strconv.Itoa(x.Nummer) + strings.ToLower(x.Bokstav),
		strconv.Itoa(x.Nummer), x.Adressetilleggsnavn, x.Postnummer, x.Poststed, x.Kommunenavn}, " ")))
	fuzzy := q.Get("fuzzy") == "true"
	or := q.Get("sokemodus") == "OR"
	matched := 0
	tokens := strings.Fields(sok)
	for _, tok := range tokens {
		if tokenMatch(tok, words, fuzzy) {
			matched++
		}
	}
	if or {
		return matched > 0
	}
	return matched == len(tokens)
}

func tokenMatch(tok string, words []string, fuzzy bool) bool {
	prefix := strings.HasSuffix(tok, "*")
	tok = strings.TrimSuffix(tok, "*")
	for _, w := range words {
		switch {
		case w == tok, prefix && strings.HasPrefix(w, tok):
			return true
		case fuzzy && !prefix && len(tok) > 3 && editDistance(w, tok) <= 1+len(tok)/6:
			return true
		}
	}
	return false
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
