package fiksarkiv

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// Arkivmelding is the payload of arkivmelding.opprett (arkivmelding.xml). It
// creates one mappe or one registrering, never both and never nested: the
// protocol's rule 1. A journalpost is filed into its saksmappe by
// Journalpost.ReferanseForelderMappe, usually by the saksmappe's
// referanseEksternNoekkel.
type Arkivmelding struct {
	System       string // the sending system's name (system)
	Regel        string // optional rule name agreed with the archive (regel)
	AntallFiler  int    // the files in the ASiC-E besides arkivmelding.xml (antallFiler)
	Mappe        *Saksmappe
	Registrering *Journalpost
}

// Kode is a code value with an optional description (the metadatakatalog's
// kode type). The codes are not enumerated by the XSD: each archive may use
// its own lists; the kodelister of KS are examples.
type Kode struct {
	Kode        string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 kode"`
	Beskrivelse string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 beskrivelse,omitempty"`
}

// EksternNoekkel is the fagsystem's own key for a mappe or registrering
// (referanseEksternNoekkel): how the case is found again without storing the
// archive's ids.
type EksternNoekkel struct {
	Fagsystem string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 fagsystem"`
	Noekkel   string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 noekkel"`
}

// Saksnummer is the archive's case number: saksaar and sakssekvensnummer.
type Saksnummer struct {
	Saksaar           int `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 saksaar"`
	Sakssekvensnummer int `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 sakssekvensnummer"`
}

// ReferanseTilMappe points at an existing mappe by any of its identifiers.
type ReferanseTilMappe struct {
	SystemID                string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 systemID,omitempty"`
	MappeID                 string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 mappeID,omitempty"`
	Saksnummer              *Saksnummer     `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 saksnummer,omitempty"`
	ReferanseEksternNoekkel *EksternNoekkel `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 referanseEksternNoekkel,omitempty"`
}

// Identifikatorer names a person or unit (administrativEnhet, saksansvarlig,
// saksbehandler) by any of name, id, initials and e-mail.
type Identifikatorer struct {
	Navn          string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 navn,omitempty"`
	Identifikator string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 identifikator,omitempty"`
	Initialer     string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 initialer,omitempty"`
	Epostadresse  string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 epostadresse,omitempty"`
}

// Part is a party to a mappe.
type Part struct {
	PartID    string `xml:"partID,omitempty"`
	PartNavn  string `xml:"partNavn"`
	PartRolle *Kode  `xml:"partRolle,omitempty"`
}

// Skjerming screens a mappe or registrering (tilgangsrestriksjon is a code,
// e.g. "13"; skjermingshjemmel the legal basis).
type Skjerming struct {
	Tilgangsrestriksjon Kode   `xml:"tilgangsrestriksjon"`
	Skjermingshjemmel   string `xml:"skjermingshjemmel"`
}

// Klassifikasjon files a mappe under a class of a classification system.
type Klassifikasjon struct {
	KlassifikasjonssystemID string `xml:"klassifikasjonssystemID,omitempty"`
	KlasseID                string `xml:"klasseID"`
	Tittel                  string `xml:"tittel,omitempty"`
}

// Saksmappe is a case folder (mappe of xsi:type saksmappe), in the XSD's
// element order.
type Saksmappe struct {
	MappeID                 string             `xml:"mappeID,omitempty"`
	ReferanseForeldermappe  *ReferanseTilMappe `xml:"referanseForeldermappe,omitempty"`
	Tittel                  string             `xml:"tittel"`
	OffentligTittel         string             `xml:"offentligTittel,omitempty"`
	Beskrivelse             string             `xml:"beskrivelse,omitempty"`
	OpprettetDato           *time.Time         `xml:"opprettetDato,omitempty"`
	OpprettetAv             string             `xml:"opprettetAv,omitempty"`
	AvsluttetDato           *time.Time         `xml:"avsluttetDato,omitempty"`
	AvsluttetAv             string             `xml:"avsluttetAv,omitempty"`
	Arkivdel                *Kode              `xml:"arkivdel,omitempty"`
	Part                    []Part             `xml:"part,omitempty"`
	Skjerming               *Skjerming         `xml:"skjerming,omitempty"`
	Klassifikasjon          []Klassifikasjon   `xml:"klassifikasjon,omitempty"`
	ReferanseEksternNoekkel *EksternNoekkel    `xml:"referanseEksternNoekkel"`
	Mappetype               *Kode              `xml:"mappetype,omitempty"`

	Saksaar            int              `xml:"saksaar,omitempty"`
	Sakssekvensnummer  int              `xml:"sakssekvensnummer,omitempty"`
	Saksdato           *civil.Date      `xml:"saksdato,omitempty"`
	AdministrativEnhet *Identifikatorer `xml:"administrativEnhet,omitempty"`
	Saksansvarlig      *Identifikatorer `xml:"saksansvarlig,omitempty"`
	Saksstatus         *Kode            `xml:"saksstatus,omitempty"`
}

// Journalpost is a registrering of xsi:type journalpost, in the XSD's
// element order.
type Journalpost struct {
	OpprettetDato *time.Time `xml:"opprettetDato,omitempty"`
	OpprettetAv   string     `xml:"opprettetAv,omitempty"`
	ArkivertDato  *time.Time `xml:"arkivertDato,omitempty"`
	ArkivertAv    string     `xml:"arkivertAv,omitempty"`
	// ReferanseForelderMappe files the journalpost into an existing mappe;
	// Arkivdel instead into an archive part. At most one of them.
	ReferanseForelderMappe  *ReferanseTilMappe    `xml:"referanseForelderMappe,omitempty"`
	Arkivdel                *Kode                 `xml:"arkivdel,omitempty"`
	Skjerming               *Skjerming            `xml:"skjerming,omitempty"`
	Dokumentbeskrivelse     []Dokumentbeskrivelse `xml:"dokumentbeskrivelse,omitempty"`
	RegistreringsID         string                `xml:"registreringsID,omitempty"`
	Tittel                  string                `xml:"tittel"`
	OffentligTittel         string                `xml:"offentligTittel,omitempty"`
	Beskrivelse             string                `xml:"beskrivelse,omitempty"`
	Korrespondansepart      []Korrespondansepart  `xml:"korrespondansepart,omitempty"`
	ReferanseEksternNoekkel *EksternNoekkel       `xml:"referanseEksternNoekkel"`

	Journalaar           int         `xml:"journalaar,omitempty"`
	Journalsekvensnummer int         `xml:"journalsekvensnummer,omitempty"`
	Journalpostnummer    int         `xml:"journalpostnummer,omitempty"`
	Journalposttype      Kode        `xml:"journalposttype"`
	Journalstatus        *Kode       `xml:"journalstatus,omitempty"`
	Journaldato          *civil.Date `xml:"journaldato,omitempty"`
	DokumentetsDato      *civil.Date `xml:"dokumentetsDato,omitempty"`
	MottattDato          *time.Time  `xml:"mottattDato,omitempty"`
	SendtDato            *time.Time  `xml:"sendtDato,omitempty"`
	AntallVedlegg        int         `xml:"antallVedlegg,omitempty"`
}

// Korrespondansepart is a sender or recipient of a journalpost.
type Korrespondansepart struct {
	Korrespondanseparttype Kode     `xml:"korrespondanseparttype"`
	KorrespondansepartNavn string   `xml:"korrespondansepartNavn"`
	Postadresse            []string `xml:"postadresse,omitempty"`
	Postnummer             string   `xml:"postnummer,omitempty"`
	Poststed               string   `xml:"poststed,omitempty"`
	Epostadresse           string   `xml:"epostadresse,omitempty"`
	ErSkjermet             bool     `xml:"erSkjermet,omitempty"`
}

// Dokumentbeskrivelse describes one document of a journalpost.
type Dokumentbeskrivelse struct {
	Dokumenttype              *Kode            `xml:"dokumenttype,omitempty"`
	Dokumentstatus            *Kode            `xml:"dokumentstatus,omitempty"`
	Tittel                    string           `xml:"tittel"`
	OpprettetDato             *time.Time       `xml:"opprettetDato,omitempty"`
	OpprettetAv               string           `xml:"opprettetAv,omitempty"`
	TilknyttetRegistreringSom Kode             `xml:"tilknyttetRegistreringSom"`
	Dokumentnummer            int              `xml:"dokumentnummer,omitempty"`
	TilknyttetDato            *time.Time       `xml:"tilknyttetDato,omitempty"`
	TilknyttetAv              string           `xml:"tilknyttetAv,omitempty"`
	Dokumentobjekt            []Dokumentobjekt `xml:"dokumentobjekt,omitempty"`
}

// Dokumentobjekt is one file of a document. ReferanseDokumentfil is the
// file's name in the ASiC-E; Filnavn the name a person sees.
type Dokumentobjekt struct {
	Versjonsnummer       int    `xml:"versjonsnummer,omitempty"`
	Variantformat        *Kode  `xml:"variantformat,omitempty"`
	Format               *Kode  `xml:"format,omitempty"`
	MimeType             string `xml:"mimeType,omitempty"`
	Filnavn              string `xml:"filnavn"`
	ReferanseDokumentfil string `xml:"referanseDokumentfil"`
}

// MarshalXML writes the mappe with xsi:type="saksmappe", inside a document
// whose root declares the xsi prefix, as Arkivmelding.Marshal writes it.
func (s *Saksmappe) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain Saksmappe
	return encodeTyped(e, start, "saksmappe", (*plain)(s))
}

// encodeTyped writes v as the element start with xsi:type typ: the
// subtype of mappe or registrering (xsi is declared on the root).
func encodeTyped(e *xml.Encoder, start xml.StartElement, typ string, v any) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: typ})
	return e.EncodeElement(v, start)
}

// MarshalXML writes the registrering with xsi:type="journalpost".
func (j *Journalpost) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain Journalpost
	return encodeTyped(e, start, "journalpost", (*plain)(j))
}

type arkivmeldingXML struct {
	XMLName      xml.Name     `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 arkivmelding"`
	XSI          string       `xml:"xmlns:xsi,attr"`
	System       string       `xml:"system"`
	Regel        string       `xml:"regel,omitempty"`
	AntallFiler  int          `xml:"antallFiler"`
	Mappe        *Saksmappe   `xml:"mappe,omitempty"`
	Registrering *Journalpost `xml:"registrering,omitempty"`
}

// Marshal checks the message against the protocol's rules and returns
// arkivmelding.xml. The XML is valid against the V1 XSD of
// arkivmelding.opprett.
//
// Text passes unchanged (emoji, right-to-left text, U+2028) except for the
// characters XML 1.0 cannot carry: C0 controls other than tab, newline and
// carriage return, U+FFFE, U+FFFF and invalid UTF-8 each become U+FFFD, so
// the same input always gives the same bytes and a non-empty text stays
// non-empty. Tab, newline and carriage return are written as character
// references and survive the trip.
func (a *Arkivmelding) Marshal() ([]byte, error) { return marshalBy(a.Write) }

// marshalBy collects what write writes.
func marshalBy(write func(io.Writer) error) ([]byte, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (a *Arkivmelding) Write(w io.Writer) error {
	if err := a.check(); err != nil {
		return err
	}
	return encode(w, arkivmeldingXML{
		XSI: nsXSI, System: a.System, Regel: a.Regel, AntallFiler: a.AntallFiler,
		Mappe: a.Mappe, Registrering: a.Registrering,
	})
}

func encode(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(v); err != nil {
		return err
	}
	if err := e.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func missing(field string) error { return &FieldError{Field: field, Reason: "required"} }

func (a *Arkivmelding) check() error {
	if a.System == "" {
		return missing("system")
	}
	if a.AntallFiler < 0 {
		return &FieldError{Field: "antallFiler", Reason: "negative"}
	}
	switch {
	case a.Mappe == nil && a.Registrering == nil:
		return &FieldError{Field: "mappe", Reason: "one mappe or one registrering per message: neither given"}
	case a.Mappe != nil && a.Registrering != nil:
		return &FieldError{Field: "registrering", Reason: "one mappe or one registrering per message: both given"}
	case a.Mappe != nil:
		return a.Mappe.check("mappe")
	default:
		return a.Registrering.check("registrering", a.AntallFiler)
	}
}

func (s *Saksmappe) check(path string) error {
	if s.Tittel == "" {
		return missing(path + "/tittel")
	}
	if err := checkNoekkel(path, s.ReferanseEksternNoekkel); err != nil {
		return err
	}
	for i, p := range s.Part {
		if p.PartNavn == "" {
			return missing(path + "/part[" + strconv.Itoa(i+1) + "]/partNavn")
		}
	}
	for i, k := range s.Klassifikasjon {
		if k.KlasseID == "" {
			return missing(path + "/klassifikasjon[" + strconv.Itoa(i+1) + "]/klasseID")
		}
	}
	if err := checkSkjerming(path, s.Skjerming); err != nil {
		return err
	}
	return checkRef(path+"/referanseForeldermappe", s.ReferanseForeldermappe)
}

func (j *Journalpost) check(path string, files int) error {
	if j.Tittel == "" {
		return missing(path + "/tittel")
	}
	if j.Journalposttype.Kode == "" {
		return missing(path + "/journalposttype")
	}
	if err := checkNoekkel(path, j.ReferanseEksternNoekkel); err != nil {
		return err
	}
	if j.ReferanseForelderMappe != nil && j.Arkivdel != nil {
		return &FieldError{Field: path + "/arkivdel", Reason: "give referanseForelderMappe or arkivdel, not both"}
	}
	if err := checkRef(path+"/referanseForelderMappe", j.ReferanseForelderMappe); err != nil {
		return err
	}
	if err := checkSkjerming(path, j.Skjerming); err != nil {
		return err
	}
	for i, k := range j.Korrespondansepart {
		p := path + "/korrespondansepart[" + strconv.Itoa(i+1) + "]"
		if k.Korrespondanseparttype.Kode == "" {
			return missing(p + "/korrespondanseparttype")
		}
		if k.KorrespondansepartNavn == "" {
			return missing(p + "/korrespondansepartNavn")
		}
	}
	refs := map[string]bool{}
	for i, d := range j.Dokumentbeskrivelse {
		p := path + "/dokumentbeskrivelse[" + strconv.Itoa(i+1) + "]"
		if d.Tittel == "" {
			return missing(p + "/tittel")
		}
		if d.TilknyttetRegistreringSom.Kode == "" {
			return missing(p + "/tilknyttetRegistreringSom")
		}
		for k, o := range d.Dokumentobjekt {
			q := p + "/dokumentobjekt[" + strconv.Itoa(k+1) + "]"
			if o.Filnavn == "" {
				return missing(q + "/filnavn")
			}
			if o.ReferanseDokumentfil == "" {
				return missing(q + "/referanseDokumentfil")
			}
			if refs[o.ReferanseDokumentfil] {
				return &FieldError{Field: q + "/referanseDokumentfil", Reason: "names a file another dokumentobjekt names"}
			}
			refs[o.ReferanseDokumentfil] = true
		}
	}
	if len(refs) != files {
		return &FieldError{Field: "antallFiler", Reason: "is " + strconv.Itoa(files) + " but the dokumentobjekter name " + strconv.Itoa(len(refs)) + " files"}
	}
	return nil
}

func checkNoekkel(path string, k *EksternNoekkel) error {
	if k == nil {
		return missing(path + "/referanseEksternNoekkel")
	}
	if k.Fagsystem == "" {
		return missing(path + "/referanseEksternNoekkel/fagsystem")
	}
	if k.Noekkel == "" {
		return missing(path + "/referanseEksternNoekkel/noekkel")
	}
	return nil
}

func checkRef(path string, r *ReferanseTilMappe) error {
	if r == nil {
		return nil
	}
	if r.SystemID == "" && r.MappeID == "" && r.Saksnummer == nil && r.ReferanseEksternNoekkel == nil {
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

func checkSkjerming(path string, s *Skjerming) error {
	if s == nil {
		return nil
	}
	if s.Tilgangsrestriksjon.Kode == "" {
		return missing(path + "/skjerming/tilgangsrestriksjon")
	}
	if s.Skjermingshjemmel == "" {
		return missing(path + "/skjerming/skjermingshjemmel")
	}
	return nil
}
