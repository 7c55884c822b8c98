package fiksarkiv

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/internal/redact"
)

// Sokeresultat is the payload of a search result (resultat.xml of
// innsyn.sok.resultat.utvidet, .minimum or .noekler).
type Sokeresultat struct {
	Responstype  Responstype
	System       string
	Take         int
	Skip         int
	Count        int    // all hits, of which Treff holds at most Take
	Resultattype string // the kind of object: "saksmappe", "journalpost" ...
	Treff        []Treff
}

// Treff is an object the archive returned, in a search result or a hent
// result: its identifiers, key and numbers, as far as the reply carries
// them (a noekler result has the keys only).
type Treff struct {
	Objekt                  string // "mappe", "saksmappe", "registrering", "journalpost", "journalpostMedSaksmappe", "dokumentbeskrivelse"
	SystemID                string
	MappeID                 string
	RegistreringsID         string
	Tittel                  string
	ReferanseEksternNoekkel *EksternNoekkel

	Saksaar           int
	Sakssekvensnummer int
	Saksdato          civil.Date
	Saksstatus        *Kode

	Journalaar           int
	Journalsekvensnummer int
	Journalpostnummer    int
	Journalposttype      *Kode
	Journalstatus        *Kode
	Journaldato          civil.Date
	OpprettetDato        time.Time
}

// DokumentobjektKvittering is the payload of dokumentobjekt.opprett's
// kvittering: the new dokumentobjekt's systemID.
type DokumentobjektKvittering struct {
	SystemID      string
	OpprettetDato time.Time
	OpprettetAv   string
}

// Within a result, elements are matched by local name: their namespaces
// (the result's own, arkivstruktur's, metadatakatalog's) are checked
// beforehand by checkNamespaces.
type (
	sokeresultatXML struct {
		System       *string `xml:"system"`
		Take         string  `xml:"take"`
		Skip         string  `xml:"skip"`
		Count        string  `xml:"count"`
		Resultattype string  `xml:"resultattype"`
		Liste        *struct {
			Resultat []resultatXML `xml:",any"`
		} `xml:"resultatListe"`
	}
	resultatXML struct {
		XMLName xml.Name
		Objekt  []objektXML `xml:",any"`
	}
	objektXML struct {
		XMLName         xml.Name
		Type            string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		SystemID        string `xml:"systemID"`
		MappeID         string `xml:"mappeID"`
		RegistreringsID string `xml:"registreringsID"`
		Tittel          string `xml:"tittel"`
		Key             *struct {
			Fagsystem string `xml:"fagsystem"`
			Noekkel   string `xml:"noekkel"`
		} `xml:"referanseEksternNoekkel"`
		Saksnummer *struct {
			Saksaar           string `xml:"saksaar"`
			Sakssekvensnummer string `xml:"sakssekvensnummer"`
		} `xml:"saksnummer"`
		Saksaar              string   `xml:"saksaar"`
		Sakssekvensnummer    string   `xml:"sakssekvensnummer"`
		Saksdato             string   `xml:"saksdato"`
		Saksstatus           *kodeXML `xml:"saksstatus"`
		Journalaar           string   `xml:"journalaar"`
		Journalsekvensnummer string   `xml:"journalsekvensnummer"`
		Journalpostnummer    string   `xml:"journalpostnummer"`
		Journalposttype      *kodeXML `xml:"journalposttype"`
		Journalstatus        *kodeXML `xml:"journalstatus"`
		Journaldato          string   `xml:"journaldato"`
		OpprettetDato        string   `xml:"opprettetDato"`
	}
	kodeXML struct {
		Kode        string `xml:"kode"`
		Beskrivelse string `xml:"beskrivelse"`
	}
	hentResultatXML struct {
		Objekt []objektXML `xml:",any"`
	}
)

var sokResultat = map[string]struct {
	resp       Responstype
	root, ns   string
	structNS   string
	needsTitle bool
}{
	TypeSokResultatUtvidet: {Utvidet, "sokeresultat", NSSokResultatUtvidet, NSArkivstruktur, true},
	TypeSokResultatMinimum: {Minimum, "sokeresultatMinimum", NSSokResultatMinimum, NSArkivstrukturMinimum, true},
	TypeSokResultatNoekler: {Noekler, "sokeresultatNoekler", NSSokResultatNoekler, NSArkivstrukturNoekler, false},
}

var resultatItem = map[Responstype]string{Utvidet: "resultat", Minimum: "resultatMinimum", Noekler: "resultatNoekler"}

// ParseSokeresultat reads resultat.xml of a search result of the given
// message type (TypeSokResultatUtvidet, ...Minimum, ...Noekler). It is
// strict: the root and its namespace must be the type's, every element
// must be in the result's, arkivstruktur's or metadatakatalog's namespace,
// take, skip and count are xs:int, resultattype is one of the schema's,
// each resultat holds exactly one object of that kind, and an utvidet or
// minimum object has a UUID systemID and a title.
func ParseSokeresultat(messageType string, payload []byte) (*Sokeresultat, error) {
	spec, ok := sokResultat[messageType]
	if !ok {
		return nil, ErrUnknownType
	}
	typ := messageType
	if err := checkNamespaces(typ, payload, spec.ns, spec.structNS, NSMetadata); err != nil {
		return nil, err
	}
	var x sokeresultatXML
	if err := decodeStrict(typ, payload, spec.root, spec.ns, &x); err != nil {
		return nil, err
	}
	fail := func(field, reason string) error { return &ReplyError{Type: typ, Field: field, Reason: reason} }
	if x.System == nil {
		return nil, fail("system", "missing")
	}
	r := &Sokeresultat{Responstype: spec.resp, System: *x.System, Resultattype: x.Resultattype}
	for _, f := range []struct {
		name string
		s    string
		v    *int
	}{{"take", x.Take, &r.Take}, {"skip", x.Skip, &r.Skip}, {"count", x.Count, &r.Count}} {
		if f.s == "" {
			return nil, fail(f.name, "missing")
		}
		n, err := parseInt(typ, f.name, f.s)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, fail(f.name, "negative")
		}
		*f.v = n
	}
	if !sokObjekter[r.Resultattype] || (spec.resp == Noekler && r.Resultattype == "journalpostMedSaksmappe") {
		return nil, fail("resultattype", "not a result type of the schema")
	}
	if x.Liste == nil {
		return nil, fail("resultatListe", "missing")
	}
	for i, res := range x.Liste.Resultat {
		p := "resultatListe/" + resultatItem[spec.resp] + "[" + strconv.Itoa(i+1) + "]"
		if res.XMLName.Local != resultatItem[spec.resp] {
			return nil, fail(p, "not a "+resultatItem[spec.resp])
		}
		if len(res.Objekt) != 1 || res.Objekt[0].XMLName.Local != r.Resultattype {
			return nil, fail(p, "does not hold exactly one "+r.Resultattype)
		}
		t, err := res.Objekt[0].treff(typ, p+"/"+r.Resultattype, spec.needsTitle)
		if err != nil {
			return nil, err
		}
		r.Treff = append(r.Treff, *t)
	}
	return r, nil
}

// ParseHentResultat reads the payload of innsyn.mappe.hent.resultat
// (mappe.xml: a mappe or saksmappe) or innsyn.registrering.hent.resultat
// (registrering.xml: a registrering or journalpost). The schema allows an
// empty result; this reader refuses one, as an archive answers ikkefunnet
// for a reference that names nothing.
func ParseHentResultat(messageType string, payload []byte) (*Treff, error) {
	var root, ns string
	var kinds [2]string
	switch messageType {
	case TypeMappeHentResultat:
		root, ns, kinds = "mappeHentResultat", NSMappeHentResultat, [2]string{"mappe", "saksmappe"}
	case TypeRegistreringHentResultat:
		root, ns, kinds = "registreringHentResultat", NSRegistreringHentResultat, [2]string{"registrering", "journalpost"}
	default:
		return nil, ErrUnknownType
	}
	if err := checkNamespaces(messageType, payload, ns, NSArkivstruktur, NSMetadata); err != nil {
		return nil, err
	}
	var x hentResultatXML
	if err := decodeStrict(messageType, payload, root, ns, &x); err != nil {
		return nil, err
	}
	if len(x.Objekt) != 1 || (x.Objekt[0].XMLName.Local != kinds[0] && x.Objekt[0].XMLName.Local != kinds[1]) {
		return nil, &ReplyError{Type: messageType, Field: root, Reason: "does not hold exactly one " + kinds[0] + " or " + kinds[1]}
	}
	return x.Objekt[0].treff(messageType, root+"/"+x.Objekt[0].XMLName.Local, true)
}

func (o *objektXML) treff(typ, p string, full bool) (*Treff, error) {
	fail := func(field, reason string) error {
		return &ReplyError{Type: typ, Field: p + "/" + field, Reason: reason}
	}
	objekt := o.XMLName.Local
	switch sub := localType(o.Type); {
	case objekt == "mappe" && sub == "saksmappe", objekt == "registrering" && sub == "journalpost":
		objekt = sub
	}
	t := &Treff{Objekt: objekt, SystemID: o.SystemID, MappeID: o.MappeID, RegistreringsID: o.RegistreringsID, Tittel: o.Tittel}
	if (full || o.SystemID != "") && !archive.IsSystemID(o.SystemID) {
		return nil, fail("systemID", "missing or not a UUID")
	}
	if full && o.Tittel == "" {
		return nil, fail("tittel", "missing")
	}
	if o.Key != nil {
		if o.Key.Fagsystem == "" || o.Key.Noekkel == "" {
			return nil, fail("referanseEksternNoekkel", "fagsystem or noekkel empty")
		}
		t.ReferanseEksternNoekkel = &EksternNoekkel{Fagsystem: o.Key.Fagsystem, Noekkel: o.Key.Noekkel}
	}
	aar, sekv := o.Saksaar, o.Sakssekvensnummer
	if o.Saksnummer != nil {
		aar, sekv = o.Saksnummer.Saksaar, o.Saksnummer.Sakssekvensnummer
	}
	var err error
	for _, f := range []struct {
		name string
		s    string
		v    *int
	}{
		{"saksaar", aar, &t.Saksaar}, {"sakssekvensnummer", sekv, &t.Sakssekvensnummer},
		{"journalaar", o.Journalaar, &t.Journalaar}, {"journalsekvensnummer", o.Journalsekvensnummer, &t.Journalsekvensnummer},
		{"journalpostnummer", o.Journalpostnummer, &t.Journalpostnummer},
	} {
		if *f.v, err = parseInt(typ, p+"/"+f.name, f.s); err != nil {
			return nil, err
		}
	}
	if t.Saksdato, err = parseDate(typ, p+"/saksdato", o.Saksdato); err != nil {
		return nil, err
	}
	if t.Journaldato, err = parseDate(typ, p+"/journaldato", o.Journaldato); err != nil {
		return nil, err
	}
	if t.OpprettetDato, err = parseDateTime(typ, p+"/opprettetDato", o.OpprettetDato); err != nil {
		return nil, err
	}
	t.Saksstatus, t.Journalposttype, t.Journalstatus = o.Saksstatus.kode(), o.Journalposttype.kode(), o.Journalstatus.kode()
	return t, nil
}

func (k *kodeXML) kode() *Kode {
	if k == nil {
		return nil
	}
	return &Kode{Kode: k.Kode, Beskrivelse: k.Beskrivelse}
}

// ParseDokumentobjektKvittering reads dokumentobjekt-kvittering.xml, the
// payload of dokumentobjekt.opprett.kvittering: root and namespace the
// schema's, systemID a UUID.
func ParseDokumentobjektKvittering(payload []byte) (*DokumentobjektKvittering, error) {
	const typ = TypeDokumentobjektOpprettKvittering
	if err := checkNamespaces(typ, payload, NSDokumentobjektKvittering); err != nil {
		return nil, err
	}
	var x struct {
		SystemID      string `xml:"systemID"`
		OpprettetDato string `xml:"opprettetDato"`
		OpprettetAv   string `xml:"opprettetAv"`
	}
	if err := decodeStrict(typ, payload, "dokumentobjektOpprettKvittering", NSDokumentobjektKvittering, &x); err != nil {
		return nil, err
	}
	if !archive.IsSystemID(x.SystemID) {
		return nil, &ReplyError{Type: typ, Field: "systemID", Reason: "missing or not a UUID"}
	}
	k := &DokumentobjektKvittering{SystemID: x.SystemID, OpprettetAv: x.OpprettetAv}
	var err error
	if k.OpprettetDato, err = parseDateTime(typ, "opprettetDato", x.OpprettetDato); err != nil {
		return nil, err
	}
	return k, nil
}

// checkNamespaces refuses a document with an element outside the given
// namespaces, except inside virksomhetsspesifikkeMetadata (xs:anyType,
// where anything goes). A malformed document is left to decodeStrict.
func checkNamespaces(typ string, payload []byte, allowed ...string) error {
	d := xml.NewDecoder(bytes.NewReader(payload))
	free := 0 // depth inside virksomhetsspesifikkeMetadata
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if free > 0 {
				free++
				continue
			}
			ok := false
			for _, ns := range allowed {
				ok = ok || t.Name.Space == ns
			}
			if !ok {
				return &ReplyError{Type: typ, Field: redact.Numbers(t.Name.Local), Reason: "in a namespace the schema does not use here"}
			}
			if t.Name.Local == "virksomhetsspesifikkeMetadata" {
				free = 1
			}
		case xml.EndElement:
			if free > 0 {
				free--
			}
		}
	}
}
