package fiksarkiv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// Reply is one reply from the archive to an arkivmelding, read by
// ParseReply. Exactly one of Mottatt, Kvittering (or an oppdater
// kvittering, which has no payload: Type tells) and Feil is set.
type Reply struct {
	Type string // the message type, e.g. TypeArkivmeldingOpprettKvittering
	// Mottatt: the archive received the request and found it schema-valid.
	// The kvittering follows later, possibly hours later.
	Mottatt bool
	// Kvittering is the opprett kvittering's payload; nil for
	// TypeArkivmeldingOppdaterKvittering, which has none.
	Kvittering *Kvittering
	// Feil is a feilmelding reply (ugyldigforespoersel, serverfeil,
	// ikkefunnet).
	Feil *Feilmelding
	// Sokeresultat is the result of innsyn.sok (any responstype).
	Sokeresultat *Sokeresultat
	// Hentet is the object of innsyn.mappe.hent.resultat or
	// innsyn.registrering.hent.resultat.
	Hentet *Treff
	// DokumentobjektKvittering is dokumentobjekt.opprett's kvittering.
	DokumentobjektKvittering *DokumentobjektKvittering
	// Dokumentfil is the file of innsyn.dokumentfil.hent.resultat, whose
	// payload is the file itself.
	Dokumentfil []byte
}

// payloadless are the replies without a payload: the mottatt of every
// write, and the kvittering of oppdater and of avskrivning's opprett and
// slett.
var payloadless = map[string]bool{
	TypeArkivmeldingOpprettMottatt: true, TypeArkivmeldingOppdaterMottatt: true,
	TypeDokumentobjektOpprettMottatt: true, TypeAvskrivningOpprettMottatt: true,
	TypeArkivmeldingOppdaterKvittering: true, TypeAvskrivningOpprettKvittering: true,
	TypeAvskrivningSlettMottatt: true, TypeAvskrivningSlettKvittering: true,
}

// Final reports whether no further reply to the request is to be expected:
// true for a kvittering or a feilmelding, false for mottatt.
func (r *Reply) Final() bool { return !r.Mottatt }

// Kvittering is the arkivmeldingKvittering: what the archive created, with
// its own identifiers and numbers.
type Kvittering struct {
	Mappe              *MappeKvittering
	MappeFeilet        *Feilmelding // Kind is empty: a part of the request failed
	Registrering       *RegistreringKvittering
	RegistreringFeilet *Feilmelding
}

// MappeKvittering describes a created (or already existing) mappe.
type MappeKvittering struct {
	Saksmappe               bool // xsi:type saksmappeKvittering
	SystemID                string
	MappeID                 string
	OpprettetDato           time.Time
	ReferanseEksternNoekkel *EksternNoekkel
	// Existing is true when the archive found the mappe already there
	// (opprettetEllerEksisterende "Eksisterende"), as on a retried request.
	Existing          bool
	Saksaar           int
	Sakssekvensnummer int
	Saksdato          civil.Date
}

// RegistreringKvittering describes a created (or already existing)
// registrering.
type RegistreringKvittering struct {
	Journalpost             bool // xsi:type journalpostKvittering
	SystemID                string
	OpprettetDato           time.Time
	RegistreringsID         string
	ReferanseEksternNoekkel *EksternNoekkel
	Existing                bool
	Dokumenter              []DokumentKvittering

	Journalaar           int
	Journalsekvensnummer int
	Journalpostnummer    int
	Journalposttype      *Kode
	Journalstatus        *Kode
	Journaldato          civil.Date
}

// DokumentKvittering is a created dokumentbeskrivelse with its objects'
// systemIDs; Dokumentnummer matches the one sent.
type DokumentKvittering struct {
	SystemID       string
	Dokumentnummer int
	Objekter       []string // dokumentobjekt systemIDs, in order
}

// ParseReply reads any Fiks Arkiv V1 reply by its Fiks IO message type and
// payload (the XML file of the reply's ASiC-E, the file itself for
// dokumentfil.hent.resultat; nil for mottatt and the kvitteringer without
// a payload). A
// feilmelding is a Reply with Feil set, not an error: the error result is
// for a reply that cannot be read (ErrReply, ErrUnknownType).
func ParseReply(messageType string, payload []byte) (*Reply, error) {
	r := &Reply{Type: messageType}
	var err error
	switch messageType {
	case TypeArkivmeldingOpprettKvittering:
		r.Kvittering, err = ParseKvittering(payload)
	case TypeDokumentobjektOpprettKvittering:
		r.DokumentobjektKvittering, err = ParseDokumentobjektKvittering(payload)
	case TypeSokResultatUtvidet, TypeSokResultatMinimum, TypeSokResultatNoekler:
		r.Sokeresultat, err = ParseSokeresultat(messageType, payload)
	case TypeMappeHentResultat, TypeRegistreringHentResultat:
		r.Hentet, err = ParseHentResultat(messageType, payload)
	case TypeDokumentfilHentResultat:
		if len(payload) == 0 {
			return nil, &ReplyError{Type: messageType, Reason: "empty file"}
		}
		r.Dokumentfil = payload
	default:
		if payloadless[messageType] {
			r.Mottatt = strings.HasSuffix(messageType, ".mottatt")
			return r, nil
		}
		kind, ok := feilKinds[messageType]
		if !ok {
			return nil, ErrUnknownType
		}
		r.Feil, err = ParseFeilmelding(kind, payload)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

var feilKinds = map[string]Kind{
	TypeUgyldigforespoersel: Ugyldigforespoersel,
	TypeServerfeil:          Serverfeil,
	TypeIkkefunnet:          Ikkefunnet,
}

var feilNS = map[Kind]string{
	Ugyldigforespoersel: nsUgyldigforespoersel,
	Serverfeil:          nsServerfeil,
	Ikkefunnet:          nsIkkefunnet,
}

// The reply's wire forms. Element names carry their namespaces, so an
// element in the wrong namespace is not read and shows up as missing.
type (
	feilXML struct {
		XMLName     xml.Name
		FeilID      *string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1 feilId"`
		Feilmelding *string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1 feilmelding"`
	}
	kvitteringXML struct {
		XMLName            xml.Name
		Mappe              *mappeKvitteringXML        `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 mappeKvittering"`
		MappeFeilet        *feilXML                   `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 mappeFeilet"`
		Registrering       *registreringKvitteringXML `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 registreringKvittering"`
		RegistreringFeilet *feilXML                   `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 registreringFeilet"`
	}
	mappeKvitteringXML struct {
		Type                    string          `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		SystemID                string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 systemID"`
		MappeID                 string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 mappeID"`
		OpprettetDato           string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 opprettetDato"`
		ReferanseEksternNoekkel *EksternNoekkel `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 referanseEksternNoekkel"`
		OpprettetEllerEksist    string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 opprettetEllerEksisterende"`
		Saksaar                 string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 saksaar"`
		Sakssekvensnummer       string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 sakssekvensnummer"`
		Saksdato                string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 saksdato"`
	}
	registreringKvitteringXML struct {
		Type                    string             `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
		SystemID                string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 systemID"`
		OpprettetDato           string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 opprettetDato"`
		Dokumenter              []dokumentKvittXML `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 dokumentbeskrivelseKvittering"`
		RegistreringsID         string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 registreringsID"`
		ReferanseEksternNoekkel *EksternNoekkel    `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 referanseEksternNoekkel"`
		OpprettetEllerEksist    string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 opprettetEllerEksisterende"`
		Journalaar              string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journalaar"`
		Journalsekvensnummer    string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journalsekvensnummer"`
		Journalpostnummer       string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journalpostnummer"`
		Journalposttype         *Kode              `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journalposttype"`
		Journalstatus           *Kode              `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journalstatus"`
		Journaldato             string             `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 journaldato"`
	}
	dokumentKvittXML struct {
		SystemID       string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 systemID"`
		Dokumentnummer string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 dokumentnummer"`
		Objekter       []struct {
			SystemID string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 systemID"`
		} `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1 dokumentobjekt"`
	}
)

// ParseKvittering reads arkivmelding-kvittering.xml, the payload of
// arkivmelding.opprett.kvittering. It is strict: the root must be
// arkivmeldingKvittering in its V1 namespace, each systemID a UUID,
// opprettetEllerEksisterende one of its two values, numbers and dates well
// formed, and nothing but comments may follow the root. A dateTime without
// a zone is read as Oslo time.
func ParseKvittering(payload []byte) (*Kvittering, error) {
	const typ = TypeArkivmeldingOpprettKvittering
	var x kvitteringXML
	if err := decodeStrict(typ, payload, "arkivmeldingKvittering", NSKvittering, &x); err != nil {
		return nil, err
	}
	fail := func(field, reason string) error { return &ReplyError{Type: typ, Field: field, Reason: reason} }
	if x.Mappe != nil && x.MappeFeilet != nil {
		return nil, fail("mappeFeilet", "beside mappeKvittering")
	}
	if x.Registrering != nil && x.RegistreringFeilet != nil {
		return nil, fail("registreringFeilet", "beside registreringKvittering")
	}
	if x.Mappe == nil && x.MappeFeilet == nil && x.Registrering == nil && x.RegistreringFeilet == nil {
		return nil, fail("", "neither mappe nor registrering")
	}
	k := &Kvittering{}
	var err error
	if x.MappeFeilet != nil {
		if k.MappeFeilet, err = x.MappeFeilet.feil(typ, "mappeFeilet", ""); err != nil {
			return nil, err
		}
	}
	if x.RegistreringFeilet != nil {
		if k.RegistreringFeilet, err = x.RegistreringFeilet.feil(typ, "registreringFeilet", ""); err != nil {
			return nil, err
		}
	}
	if x.Mappe != nil {
		if k.Mappe, err = x.Mappe.kvittering(typ); err != nil {
			return nil, err
		}
	}
	if x.Registrering != nil {
		if k.Registrering, err = x.Registrering.kvittering(typ); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func (m *mappeKvitteringXML) kvittering(typ string) (*MappeKvittering, error) {
	fail := func(field, reason string) error { return &ReplyError{Type: typ, Field: field, Reason: reason} }
	var err error
	const p = "mappeKvittering"
	mk := &MappeKvittering{SystemID: m.SystemID, MappeID: m.MappeID}
	switch localType(m.Type) {
	case "", "mappeKvittering":
	case "saksmappeKvittering":
		mk.Saksmappe = true
	default:
		return nil, fail(p, "unknown xsi:type")
	}
	if err := checkKvitteringCommon(typ, p, m.SystemID, m.OpprettetEllerEksist, m.ReferanseEksternNoekkel, &mk.Existing); err != nil {
		return nil, err
	}
	mk.ReferanseEksternNoekkel = m.ReferanseEksternNoekkel
	if mk.OpprettetDato, err = parseDateTime(typ, p+"/opprettetDato", m.OpprettetDato); err != nil {
		return nil, err
	}
	if mk.Saksaar, err = parseInt(typ, p+"/saksaar", m.Saksaar); err != nil {
		return nil, err
	}
	if mk.Sakssekvensnummer, err = parseInt(typ, p+"/sakssekvensnummer", m.Sakssekvensnummer); err != nil {
		return nil, err
	}
	if mk.Saksdato, err = parseDate(typ, p+"/saksdato", m.Saksdato); err != nil {
		return nil, err
	}
	return mk, nil
}

func (r *registreringKvitteringXML) kvittering(typ string) (*RegistreringKvittering, error) {
	fail := func(field, reason string) error { return &ReplyError{Type: typ, Field: field, Reason: reason} }
	var err error
	const p = "registreringKvittering"
	rk := &RegistreringKvittering{SystemID: r.SystemID, RegistreringsID: r.RegistreringsID,
		Journalposttype: r.Journalposttype, Journalstatus: r.Journalstatus}
	switch localType(r.Type) {
	case "", "registreringKvittering":
	case "journalpostKvittering":
		rk.Journalpost = true
	default:
		return nil, fail(p, "unknown xsi:type")
	}
	if err := checkKvitteringCommon(typ, p, r.SystemID, r.OpprettetEllerEksist, r.ReferanseEksternNoekkel, &rk.Existing); err != nil {
		return nil, err
	}
	rk.ReferanseEksternNoekkel = r.ReferanseEksternNoekkel
	if rk.OpprettetDato, err = parseDateTime(typ, p+"/opprettetDato", r.OpprettetDato); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		s    string
		v    *int
	}{
		{"journalaar", r.Journalaar, &rk.Journalaar},
		{"journalsekvensnummer", r.Journalsekvensnummer, &rk.Journalsekvensnummer},
		{"journalpostnummer", r.Journalpostnummer, &rk.Journalpostnummer},
	} {
		if *f.v, err = parseInt(typ, p+"/"+f.name, f.s); err != nil {
			return nil, err
		}
	}
	if rk.Journaldato, err = parseDate(typ, p+"/journaldato", r.Journaldato); err != nil {
		return nil, err
	}
	for i, d := range r.Dokumenter {
		q := p + "/dokumentbeskrivelseKvittering[" + strconv.Itoa(i+1) + "]"
		if !archive.IsSystemID(d.SystemID) {
			return nil, fail(q+"/systemID", "not a UUID")
		}
		dk := DokumentKvittering{SystemID: d.SystemID}
		if dk.Dokumentnummer, err = parseInt(typ, q+"/dokumentnummer", d.Dokumentnummer); err != nil {
			return nil, err
		}
		for j, o := range d.Objekter {
			if !archive.IsSystemID(o.SystemID) {
				return nil, fail(q+"/dokumentobjekt["+strconv.Itoa(j+1)+"]/systemID", "not a UUID")
			}
			dk.Objekter = append(dk.Objekter, o.SystemID)
		}
		rk.Dokumenter = append(rk.Dokumenter, dk)
	}
	return rk, nil
}

// ParseFeilmelding reads feilmelding.xml of the given kind. The root must be
// the kind's element in its V1 namespace, with feilId (not empty) and
// feilmelding in the shared feilmelding namespace.
func ParseFeilmelding(kind Kind, payload []byte) (*Feilmelding, error) {
	ns, ok := feilNS[kind]
	if !ok {
		return nil, ErrUnknownType
	}
	typ := "no.ks.fiks.arkiv.v1.feilmelding." + string(kind)
	var x feilXML
	if err := decodeStrict(typ, payload, string(kind), ns, &x); err != nil {
		return nil, err
	}
	return x.feil(typ, string(kind), kind)
}

func (x *feilXML) feil(typ, path string, kind Kind) (*Feilmelding, error) {
	if x.FeilID == nil || strings.TrimSpace(*x.FeilID) == "" {
		return nil, &ReplyError{Type: typ, Field: path + "/feilId", Reason: "missing or empty"}
	}
	if x.Feilmelding == nil {
		return nil, &ReplyError{Type: typ, Field: path + "/feilmelding", Reason: "missing"}
	}
	return &Feilmelding{Kind: kind, FeilID: *x.FeilID, Message: *x.Feilmelding}, nil
}

func checkKvitteringCommon(typ, p, systemID, oe string, key *EksternNoekkel, existing *bool) error {
	if !archive.IsSystemID(systemID) {
		return &ReplyError{Type: typ, Field: p + "/systemID", Reason: "missing or not a UUID"}
	}
	switch oe {
	case "Opprettet":
	case "Eksisterende":
		*existing = true
	default:
		return &ReplyError{Type: typ, Field: p + "/opprettetEllerEksisterende", Reason: "neither Opprettet nor Eksisterende"}
	}
	if key != nil && (key.Fagsystem == "" || key.Noekkel == "") {
		return &ReplyError{Type: typ, Field: p + "/referanseEksternNoekkel", Reason: "fagsystem or noekkel empty"}
	}
	return nil
}

// decodeStrict decodes the one root element, which must be local in ns, and
// refuses anything after it but whitespace, comments and processing
// instructions.
func decodeStrict(typ string, payload []byte, local, ns string, v any) error {
	if len(bytes.TrimSpace(payload)) == 0 {
		return &ReplyError{Type: typ, Reason: "empty payload"}
	}
	d := xml.NewDecoder(bytes.NewReader(payload))
	for {
		tok, err := d.Token()
		if err != nil {
			return &ReplyError{Type: typ, Reason: "no root element: " + xmlErr(err)}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != local || t.Name.Space != ns {
				return &ReplyError{Type: typ, Reason: "root element is not " + local + " in " + ns}
			}
			if err := d.DecodeElement(v, &t); err != nil {
				return &ReplyError{Type: typ, Reason: "malformed: " + xmlErr(err)}
			}
			for {
				tok, err := d.Token()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return &ReplyError{Type: typ, Reason: "after the root: " + xmlErr(err)}
				}
				switch t := tok.(type) {
				case xml.Comment, xml.ProcInst:
				case xml.CharData:
					if len(bytes.TrimSpace(t)) != 0 {
						return &ReplyError{Type: typ, Reason: "text after the root element"}
					}
				default:
					return &ReplyError{Type: typ, Reason: "content after the root element"}
				}
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return &ReplyError{Type: typ, Reason: "text before the root element"}
			}
		case xml.EndElement:
			return &ReplyError{Type: typ, Reason: "end tag before the root element"}
		}
	}
}

// xmlErr describes an encoding/xml error without quoting the payload: a
// SyntaxError keeps its line, anything else becomes a fixed phrase.
func xmlErr(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "unexpected end"
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return "syntax error on line " + strconv.Itoa(se.Line)
	}
	return "not well-formed"
}

func localType(t string) string {
	if i := strings.IndexByte(t, ':'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func parseInt(typ, field, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, &ReplyError{Type: typ, Field: field, Reason: "not an xs:int"}
	}
	return int(n), nil
}

// parseDate reads an xs:date; a time zone after the date is dropped, as a
// journal date is a calendar day.
func parseDate(typ, field, s string) (civil.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return civil.Date{}, nil
	}
	if len(s) > 10 {
		if z := s[10:]; z != "Z" && !isZone(z) {
			return civil.Date{}, &ReplyError{Type: typ, Field: field, Reason: "not an xs:date"}
		}
		s = s[:10]
	}
	d, err := civil.ParseDate(s)
	if err != nil {
		return civil.Date{}, &ReplyError{Type: typ, Field: field, Reason: "not an xs:date"}
	}
	return d, nil
}

func isZone(z string) bool {
	_, err := time.Parse("-07:00", z)
	return err == nil
}

func parseDateTime(typ, field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, civil.Oslo); err == nil {
		return t, nil
	}
	return time.Time{}, &ReplyError{Type: typ, Field: field, Reason: "not an xs:dateTime"}
}
