package fiksarkiv

import (
	"encoding/xml"
	"io"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// Oppdatering is the payload of arkivmelding.oppdater (arkivmelding.xml):
// it changes one existing mappe or one existing registrering, named by
// reference (usually its referanseEksternNoekkel). Fields left empty are not
// changed. The kvittering of an oppdater has no payload.
type Oppdatering struct {
	Mappe        *SaksmappeOppdatering
	Registrering *JournalpostOppdatering
}

// ReferanseTilRegistrering points at an existing registrering.
type ReferanseTilRegistrering struct {
	SystemID                string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 systemID,omitempty"`
	RegistreringsID         string          `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 registreringsID,omitempty"`
	Journalnummer           *Journalnummer  `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 journalnummer,omitempty"`
	ReferanseEksternNoekkel *EksternNoekkel `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 referanseEksternNoekkel,omitempty"`
}

// Journalnummer is the archive's journal number: journalaar and
// journalsekvensnummer.
type Journalnummer struct {
	Journalaar           int `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 journalaar"`
	Journalsekvensnummer int `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 journalsekvensnummer"`
}

// SaksmappeOppdatering changes a saksmappe (xsi:type saksmappeOppdatering).
type SaksmappeOppdatering struct {
	ReferanseTilMappe ReferanseTilMappe `xml:"referanseTilMappe"`
	Tittel            string            `xml:"tittel,omitempty"`
	OffentligTittel   string            `xml:"offentligTittel,omitempty"`
	AvsluttetDato     *time.Time        `xml:"avsluttetDato,omitempty"`
	AvsluttetAv       string            `xml:"avsluttetAv,omitempty"`
	// ReferanseEksternNoekkel gives the mappe a new key.
	ReferanseEksternNoekkel *EksternNoekkel `xml:"referanseEksternNoekkel,omitempty"`

	Saksdato           *civil.Date      `xml:"saksdato,omitempty"`
	AdministrativEnhet *Identifikatorer `xml:"administrativEnhet,omitempty"`
	Saksansvarlig      *Identifikatorer `xml:"saksansvarlig,omitempty"`
	Saksstatus         *Kode            `xml:"saksstatus,omitempty"`
}

// JournalpostOppdatering changes a journalpost (xsi:type
// journalpostOppdatering).
type JournalpostOppdatering struct {
	ReferanseTilRegistrering ReferanseTilRegistrering `xml:"referanseTilRegistrering"`
	// ReferanseForelderMappe moves the journalpost to another mappe.
	ReferanseForelderMappe *ReferanseTilMappe `xml:"referanseForelderMappe,omitempty"`
	Tittel                 string             `xml:"tittel,omitempty"`
	OffentligTittel        string             `xml:"offentligTittel,omitempty"`
	// ReferanseEksternNoekkel gives the journalpost a new key.
	ReferanseEksternNoekkel *EksternNoekkel `xml:"referanseEksternNoekkel,omitempty"`

	Journalposttype *Kode       `xml:"journalposttype,omitempty"`
	Journalstatus   *Kode       `xml:"journalstatus,omitempty"`
	Journaldato     *civil.Date `xml:"journaldato,omitempty"`
	DokumentetsDato *civil.Date `xml:"dokumentetsDato,omitempty"`
	MottattDato     *time.Time  `xml:"mottattDato,omitempty"`
	SendtDato       *time.Time  `xml:"sendtDato,omitempty"`
}

// MarshalXML writes xsi:type="saksmappeOppdatering".
func (s *SaksmappeOppdatering) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain SaksmappeOppdatering
	return encodeTyped(e, start, "saksmappeOppdatering", (*plain)(s))
}

// MarshalXML writes xsi:type="journalpostOppdatering".
func (j *JournalpostOppdatering) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain JournalpostOppdatering
	return encodeTyped(e, start, "journalpostOppdatering", (*plain)(j))
}

type oppdateringXML struct {
	XMLName      xml.Name                `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/oppdater/v1 arkivmeldingOppdatering"`
	XSI          string                  `xml:"xmlns:xsi,attr"`
	Mappe        *SaksmappeOppdatering   `xml:"mappeOppdateringer,omitempty"`
	Registrering *JournalpostOppdatering `xml:"registreringOppdateringer,omitempty"`
}

// Marshal checks the message and returns arkivmelding.xml for
// arkivmelding.oppdater, valid against its V1 XSD. Text is written as
// Arkivmelding.Marshal writes it.
func (o *Oppdatering) Marshal() ([]byte, error) { return marshalBy(o.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (o *Oppdatering) Write(w io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	return encode(w, oppdateringXML{XSI: nsXSI, Mappe: o.Mappe, Registrering: o.Registrering})
}

func (o *Oppdatering) check() error {
	switch {
	case o.Mappe == nil && o.Registrering == nil:
		return &FieldError{Field: "mappeOppdateringer", Reason: "one mappe or one registrering per message: neither given"}
	case o.Mappe != nil && o.Registrering != nil:
		return &FieldError{Field: "registreringOppdateringer", Reason: "one mappe or one registrering per message: both given"}
	case o.Mappe != nil:
		const p = "mappeOppdateringer"
		if err := checkRef(p+"/referanseTilMappe", &o.Mappe.ReferanseTilMappe); err != nil {
			return err
		}
		if k := o.Mappe.ReferanseEksternNoekkel; k != nil {
			return checkNoekkel(p, k)
		}
		return nil
	default:
		const p = "registreringOppdateringer"
		r := o.Registrering.ReferanseTilRegistrering
		if r.SystemID == "" && r.RegistreringsID == "" && r.Journalnummer == nil && r.ReferanseEksternNoekkel == nil {
			return &FieldError{Field: p + "/referanseTilRegistrering", Reason: "names no identifier"}
		}
		if r.SystemID != "" && !archive.IsSystemID(r.SystemID) {
			return &FieldError{Field: p + "/referanseTilRegistrering/systemID", Reason: "not a UUID"}
		}
		if r.ReferanseEksternNoekkel != nil {
			if err := checkNoekkel(p+"/referanseTilRegistrering", r.ReferanseEksternNoekkel); err != nil {
				return err
			}
		}
		if err := checkRef(p+"/referanseForelderMappe", o.Registrering.ReferanseForelderMappe); err != nil {
			return err
		}
		if k := o.Registrering.ReferanseEksternNoekkel; k != nil {
			return checkNoekkel(p, k)
		}
		return nil
	}
}
