package fiksarkiv

import (
	"encoding/xml"
	"io"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/archive"
)

// Responstype is how much a search result carries: Utvidet (the whole
// objects), Minimum (identifiers, titles and numbers) or Noekler (the keys
// only). Each has its own reply type (TypeSokResultat*).
type Responstype string

// The three response types of innsyn.sok.
const (
	Utvidet Responstype = "utvidet"
	Minimum Responstype = "minimum"
	Noekler Responstype = "noekler"
)

// ResultType is the reply's message type for a search of this responstype.
func (r Responstype) ResultType() string { return TypeSok + ".resultat." + string(r) }

// Sok is the payload of innsyn.sok (sok.xml): one search definition over
// one kind of object.
type Sok struct {
	System string
	Take   int // at most this many hits (1 or more)
	Skip   int
	// Objekt is what is searched: "mappe", "saksmappe", "registrering",
	// "journalpost", "journalpostMedSaksmappe" or "dokumentbeskrivelse"; the
	// xsi:type of sokdefinisjon is Objekt+"Sokdefinisjon" (or
	// +"FritekstSokdefinisjon" when Soketekst is set).
	Objekt      string
	Responstype Responstype
	Inkluder    []string
	Parametere  []Parameter // required unless Soketekst is set
	Soketekst   string      // a free-text search instead of parameters
	Spraak      string
}

// Parameter is one search condition: Felt (e.g. "mappeTittel",
// "mappeEksternNoekkel", "registreringEksternId", "sakSaksdato") compared
// by Operator ("equal", "between", "wildcardquery" ...) with the values of
// one kind.
type Parameter struct {
	Operator       string
	Felt           string
	Strings        []string
	Dates          []time.Time
	Ints           []int
	EksternNoekkel *EksternNoekkel
}

var sokObjekter = map[string]bool{"mappe": true, "saksmappe": true, "registrering": true, "journalpost": true,
	"journalpostMedSaksmappe": true, "dokumentbeskrivelse": true}

var sokOperatorer = map[string]bool{"equal": true, "notequal": true, "between": true, "lessthan": true,
	"lessequal": true, "greaterthan": true, "greaterequal": true, "inlist": true, "wildcardquery": true}

// SokEksternNoekkel returns the search for the object of kind objekt
// ("saksmappe", "journalpost" ...) with the fagsystem's key k: how a
// fagsystem finds its case again without the archive's ids.
func SokEksternNoekkel(system, objekt string, r Responstype, k EksternNoekkel) *Sok {
	felt := "mappeEksternNoekkel"
	switch objekt {
	case "registrering", "journalpost", "journalpostMedSaksmappe":
		felt = "registreringEksternId"
	}
	return &Sok{System: system, Take: 10, Objekt: objekt, Responstype: r,
		Parametere: []Parameter{{Operator: "equal", Felt: felt, EksternNoekkel: &k}}}
}

type (
	sokXML struct {
		XMLName       xml.Name         `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/sok/v1 sok"`
		XSI           string           `xml:"xmlns:xsi,attr"`
		System        string           `xml:"system"`
		Take          int              `xml:"take"`
		Skip          int              `xml:"skip"`
		Sokdefinisjon sokdefinisjonXML `xml:"sokdefinisjon"`
		Spraak        string           `xml:"spraak,omitempty"`
	}
	sokdefinisjonXML struct {
		Type        string         `xml:"xsi:type,attr"`
		Responstype Responstype    `xml:"responstype"`
		Inkluder    []string       `xml:"inkluder,omitempty"`
		Parametere  []parameterXML `xml:"parametere,omitempty"`
		Soketekst   string         `xml:"soketekst,omitempty"`
	}
	parameterXML struct {
		Operator   string        `xml:"operator"`
		SokVerdier sokVerdierXML `xml:"sokVerdier"`
		Felt       string        `xml:"felt"`
	}
	sokVerdierXML struct {
		Strings *valuesXML `xml:"stringvalues,omitempty"`
		Dates   *valuesXML `xml:"datevalues,omitempty"`
		Ints    *valuesXML `xml:"intvalues,omitempty"`
		Noekkel *struct {
			Fagsystem string `xml:"fagsystem"`
			Noekkel   string `xml:"noekkel"`
		} `xml:"eksternNoekkel,omitempty"`
	}
	valuesXML struct {
		Value []string `xml:"value"`
	}
)

// Marshal checks the search and returns sok.xml, valid against the V1 XSD
// of innsyn.sok.
func (s *Sok) Marshal() ([]byte, error) { return marshalBy(s.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (s *Sok) Write(w io.Writer) error {
	if err := s.check(); err != nil {
		return err
	}
	typ := s.Objekt + "Sokdefinisjon"
	if s.Soketekst != "" {
		typ = s.Objekt + "FritekstSokdefinisjon"
	}
	x := sokXML{XSI: nsXSI, System: s.System, Take: s.Take, Skip: s.Skip, Spraak: s.Spraak,
		Sokdefinisjon: sokdefinisjonXML{Type: typ, Responstype: s.Responstype, Inkluder: s.Inkluder, Soketekst: s.Soketekst}}
	if s.Soketekst == "" {
		for _, p := range s.Parametere {
			x.Sokdefinisjon.Parametere = append(x.Sokdefinisjon.Parametere, p.xml())
		}
	}
	return encode(w, x)
}

func (p Parameter) xml() parameterXML {
	x := parameterXML{Operator: p.Operator, Felt: p.Felt}
	v := &x.SokVerdier
	switch {
	case p.EksternNoekkel != nil:
		v.Noekkel = &struct {
			Fagsystem string `xml:"fagsystem"`
			Noekkel   string `xml:"noekkel"`
		}{p.EksternNoekkel.Fagsystem, p.EksternNoekkel.Noekkel}
	case len(p.Dates) > 0:
		v.Dates = &valuesXML{}
		for _, d := range p.Dates {
			v.Dates.Value = append(v.Dates.Value, d.Format("2006-01-02T15:04:05.999999999Z07:00"))
		}
	case len(p.Ints) > 0:
		v.Ints = &valuesXML{}
		for _, n := range p.Ints {
			v.Ints.Value = append(v.Ints.Value, strconv.Itoa(n))
		}
	default:
		v.Strings = &valuesXML{Value: p.Strings}
	}
	return x
}

func (s *Sok) check() error {
	if s.System == "" {
		return missing("system")
	}
	if s.Take < 1 || s.Skip < 0 {
		return &FieldError{Field: "take", Reason: "take must be 1 or more and skip 0 or more"}
	}
	if !sokObjekter[s.Objekt] {
		return &FieldError{Field: "sokdefinisjon/@xsi:type", Reason: "not an object one can search for"}
	}
	switch s.Responstype {
	case Utvidet, Minimum, Noekler:
	default:
		return &FieldError{Field: "sokdefinisjon/responstype", Reason: "neither utvidet, minimum nor noekler"}
	}
	if s.Soketekst != "" {
		return nil
	}
	if len(s.Parametere) == 0 {
		return missing("sokdefinisjon/parametere")
	}
	for i, p := range s.Parametere {
		q := "sokdefinisjon/parametere[" + strconv.Itoa(i+1) + "]"
		if !sokOperatorer[p.Operator] {
			return &FieldError{Field: q + "/operator", Reason: "not an operator of the schema"}
		}
		if p.Felt == "" {
			return missing(q + "/felt")
		}
		kinds := 0
		for _, n := range []int{len(p.Strings), len(p.Dates), len(p.Ints)} {
			if n > 0 {
				kinds++
			}
		}
		if p.EksternNoekkel != nil {
			kinds++
			if err := checkNoekkel(q+"/sokVerdier", p.EksternNoekkel); err != nil {
				return err
			}
		}
		if kinds != 1 {
			return &FieldError{Field: q + "/sokVerdier", Reason: "give values of exactly one kind"}
		}
	}
	return nil
}

// MappeHent is the payload of innsyn.mappe.hent (mappe-hent.xml): fetch
// one mappe by reference, usually its referanseEksternNoekkel.
type MappeHent struct {
	System            string
	ReferanseTilMappe ReferanseTilMappe
	Inkluder          []string // merknad, noekkelord, kryssreferanse, klasse, part, presedens, moetedeltaker
	Spraak            string
}

type mappeHentXML struct {
	XMLName           xml.Name          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/mappe/hent/v1 mappeHent"`
	System            string            `xml:"system"`
	ReferanseTilMappe ReferanseTilMappe `xml:"referanseTilMappe"`
	Inkluder          []string          `xml:"inkluder,omitempty"`
	Spraak            string            `xml:"spraak,omitempty"`
}

var mappeInkluder = map[string]bool{"merknad": true, "noekkelord": true, "kryssreferanse": true, "klasse": true,
	"part": true, "presedens": true, "moetedeltaker": true}

var registreringInkluder = map[string]bool{"merknad": true, "noekkelord": true, "kryssreferanse": true,
	"dokumentbeskrivelse": true, "korrespondansepart": true, "avskrivning": true, "dokumentflyt": true, "dokumentobjekt": true}

// Marshal checks the request and returns mappe-hent.xml, valid against
// the V1 XSD of innsyn.mappe.hent.
func (h *MappeHent) Marshal() ([]byte, error) { return marshalBy(h.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (h *MappeHent) Write(w io.Writer) error {
	if h.System == "" {
		return missing("system")
	}
	if err := checkRef("referanseTilMappe", &h.ReferanseTilMappe); err != nil {
		return err
	}
	if err := checkInkluder(h.Inkluder, mappeInkluder); err != nil {
		return err
	}
	return encode(w, mappeHentXML{System: h.System, ReferanseTilMappe: h.ReferanseTilMappe, Inkluder: h.Inkluder, Spraak: h.Spraak})
}

func checkInkluder(in []string, allowed map[string]bool) error {
	for i, s := range in {
		if !allowed[s] {
			return &FieldError{Field: "inkluder[" + strconv.Itoa(i+1) + "]", Reason: "not a value of the schema"}
		}
	}
	return nil
}

// RegistreringHent is the payload of innsyn.registrering.hent
// (registrering-hent.xml): fetch one registrering by reference.
type RegistreringHent struct {
	System                   string
	ReferanseTilRegistrering ReferanseTilRegistrering
	Inkluder                 []string // merknad, noekkelord, kryssreferanse, dokumentbeskrivelse, korrespondansepart, avskrivning, dokumentflyt, dokumentobjekt
	Spraak                   string
}

type registreringHentXML struct {
	XMLName                  xml.Name                 `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/registrering/hent/v1 registreringHent"`
	System                   string                   `xml:"system"`
	ReferanseTilRegistrering ReferanseTilRegistrering `xml:"referanseTilRegistrering"`
	Inkluder                 []string                 `xml:"inkluder,omitempty"`
	Spraak                   string                   `xml:"spraak,omitempty"`
}

// Marshal checks the request and returns registrering-hent.xml, valid
// against the V1 XSD of innsyn.registrering.hent.
func (h *RegistreringHent) Marshal() ([]byte, error) { return marshalBy(h.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (h *RegistreringHent) Write(w io.Writer) error {
	if h.System == "" {
		return missing("system")
	}
	if err := checkRegRef("referanseTilRegistrering", &h.ReferanseTilRegistrering); err != nil {
		return err
	}
	if err := checkInkluder(h.Inkluder, registreringInkluder); err != nil {
		return err
	}
	return encode(w, registreringHentXML{System: h.System, ReferanseTilRegistrering: h.ReferanseTilRegistrering,
		Inkluder: h.Inkluder, Spraak: h.Spraak})
}

func checkRegRef(path string, r *ReferanseTilRegistrering) error {
	if r.SystemID == "" && r.RegistreringsID == "" && r.Journalnummer == nil && r.ReferanseEksternNoekkel == nil {
		return &FieldError{Field: path, Reason: "names no identifier"}
	}
	if r.SystemID != "" && !archive.IsSystemID(r.SystemID) {
		return &FieldError{Field: path + "/systemID", Reason: "not a UUID"}
	}
	if r.ReferanseEksternNoekkel != nil {
		return checkNoekkel(path, r.ReferanseEksternNoekkel)
	}
	return nil
}

// DokumentfilHent is the payload of innsyn.dokumentfil.hent
// (dokumentfil-hent.xml): fetch the file of a dokumentobjekt by its
// systemID. The result's payload is the file itself.
type DokumentfilHent struct {
	System   string
	SystemID string // the dokumentobjekt's systemID
}

type dokumentfilHentXML struct {
	XMLName  xml.Name `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/dokumentfil/hent/v1 dokumentfilHent"`
	System   string   `xml:"system"`
	SystemID string   `xml:"dokumentfilNoekkel>systemID"`
}

// Marshal checks the request and returns dokumentfil-hent.xml, valid
// against the V1 XSD of innsyn.dokumentfil.hent.
func (h *DokumentfilHent) Marshal() ([]byte, error) { return marshalBy(h.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (h *DokumentfilHent) Write(w io.Writer) error {
	if h.System == "" {
		return missing("system")
	}
	if !archive.IsSystemID(h.SystemID) {
		return &FieldError{Field: "dokumentfilNoekkel/systemID", Reason: "not a UUID"}
	}
	return encode(w, dokumentfilHentXML{System: h.System, SystemID: h.SystemID})
}
