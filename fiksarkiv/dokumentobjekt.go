package fiksarkiv

import (
	"encoding/xml"
	"io"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// ReferanseTilDokumentbeskrivelse points at an existing
// dokumentbeskrivelse.
type ReferanseTilDokumentbeskrivelse struct {
	SystemID                  string                     `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 systemID,omitempty"`
	ReferanseEksternNoekkel   *EksternNoekkel            `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 referanseEksternNoekkel,omitempty"`
	JournalpostDokumentnummer *JournalpostDokumentnummer `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 journalpostDokumentnummer,omitempty"`
}

// JournalpostDokumentnummer names a document by its journalpost and its
// number there.
type JournalpostDokumentnummer struct {
	ReferanseTilJournalpost ReferanseTilRegistrering `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 referanseTilJournalpost"`
	Dokumentnummer          int                      `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1 dokumentnummer"`
}

// DokumentobjektOpprett is the payload of arkivering.dokumentobjekt.opprett
// (dokumentobjekt-opprett.xml): one more file (a new version or variant)
// for an existing dokumentbeskrivelse. The file travels in the ASiC-E,
// named by Dokumentobjekt.ReferanseDokumentfil.
type DokumentobjektOpprett struct {
	ReferanseTilDokumentbeskrivelse ReferanseTilDokumentbeskrivelse
	Dokumentobjekt                  Dokumentobjekt
}

// The dokumentobjekt's children are in the arkivmelding namespace (its type
// is arkivmelding's), the element itself in the message's.
type dokumentobjektAMXML struct {
	Versjonsnummer       int    `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 versjonsnummer,omitempty"`
	Variantformat        *Kode  `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 variantformat,omitempty"`
	Format               *Kode  `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 format,omitempty"`
	MimeType             string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 mimeType,omitempty"`
	Filnavn              string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 filnavn"`
	ReferanseDokumentfil string `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1 referanseDokumentfil"`
}

type dokumentobjektOpprettXML struct {
	XMLName                         xml.Name                        `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/dokumentobjekt/opprett/v1 dokumentobjektOpprett"`
	ReferanseTilDokumentbeskrivelse ReferanseTilDokumentbeskrivelse `xml:"referanseTilDokumentbeskrivelse"`
	Dokumentobjekt                  dokumentobjektAMXML             `xml:"dokumentobjekt"`
}

// Marshal checks the message and returns dokumentobjekt-opprett.xml, valid
// against the V1 XSD of dokumentobjekt.opprett.
func (d *DokumentobjektOpprett) Marshal() ([]byte, error) { return marshalBy(d.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (d *DokumentobjektOpprett) Write(w io.Writer) error {
	r := d.ReferanseTilDokumentbeskrivelse
	const p = "referanseTilDokumentbeskrivelse"
	if r.SystemID == "" && r.ReferanseEksternNoekkel == nil && r.JournalpostDokumentnummer == nil {
		return &FieldError{Field: p, Reason: "names no identifier"}
	}
	if r.SystemID != "" && !archive.IsSystemID(r.SystemID) {
		return &FieldError{Field: p + "/systemID", Reason: "not a UUID"}
	}
	if r.ReferanseEksternNoekkel != nil {
		if err := checkNoekkel(p, r.ReferanseEksternNoekkel); err != nil {
			return err
		}
	}
	if j := r.JournalpostDokumentnummer; j != nil {
		if err := checkRegRef(p+"/journalpostDokumentnummer/referanseTilJournalpost", &j.ReferanseTilJournalpost); err != nil {
			return err
		}
	}
	o := d.Dokumentobjekt
	if o.Filnavn == "" {
		return missing("dokumentobjekt/filnavn")
	}
	if o.ReferanseDokumentfil == "" {
		return missing("dokumentobjekt/referanseDokumentfil")
	}
	return encode(w, dokumentobjektOpprettXML{ReferanseTilDokumentbeskrivelse: r, Dokumentobjekt: dokumentobjektAMXML(o)})
}

// Avskrivning is the payload of arkivering.avskrivning.opprett
// (avskrivning-opprett.xml): it marks an incoming journalpost as dealt
// with (avskrevet) for one of its korrespondanseparter, for example by the
// outgoing letter that answered it.
type Avskrivning struct {
	Avskrivningsdato  civil.Date
	AvskrevetAv       Identifikatorer
	Avskrivningsmaate Kode // e.g. BU (besvart med utgående dokument), TLF, TE, TO
	// ReferanseAvskrivesAvJournalpost is the journalpost that dealt with it
	// (the answer), when there is one.
	ReferanseAvskrivesAvJournalpost *ReferanseTilRegistrering
	// ReferanseTilJournalpost is the journalpost written off. Required.
	ReferanseTilJournalpost ReferanseTilRegistrering
	// KorrespondansepartID is the archive's id of the korrespondansepart
	// the journalpost is written off for. Required.
	KorrespondansepartID string
}

type avskrivningXML struct {
	XMLName     xml.Name `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/avskrivning/opprett/v1 nyAvskrivning"`
	Avskrivning struct {
		Avskrivningsdato                civil.Date                `xml:"avskrivningsdato"`
		AvskrevetAv                     Identifikatorer           `xml:"avskrevetAv"`
		Avskrivningsmaate               Kode                      `xml:"avskrivningsmaate"`
		ReferanseAvskrivesAvJournalpost *ReferanseTilRegistrering `xml:"referanseAvskrivesAvJournalpost,omitempty"`
	} `xml:"avskrivning"`
	ReferanseTilJournalpost ReferanseTilRegistrering `xml:"referanseTilJournalpost"`
	KorrespondansepartID    string                   `xml:"korrespondansepartID"`
}

// Marshal checks the message and returns avskrivning-opprett.xml, valid
// against the V1 XSD of avskrivning.opprett.
func (a *Avskrivning) Marshal() ([]byte, error) { return marshalBy(a.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (a *Avskrivning) Write(w io.Writer) error {
	switch {
	case a.Avskrivningsdato.IsZero():
		return missing("avskrivning/avskrivningsdato")
	case a.AvskrevetAv == (Identifikatorer{}):
		return missing("avskrivning/avskrevetAv")
	case a.Avskrivningsmaate.Kode == "":
		return missing("avskrivning/avskrivningsmaate")
	case a.KorrespondansepartID == "":
		return missing("korrespondansepartID")
	}
	if err := checkRegRef("referanseTilJournalpost", &a.ReferanseTilJournalpost); err != nil {
		return err
	}
	if r := a.ReferanseAvskrivesAvJournalpost; r != nil {
		if err := checkRegRef("avskrivning/referanseAvskrivesAvJournalpost", r); err != nil {
			return err
		}
	}
	var x avskrivningXML
	x.Avskrivning.Avskrivningsdato = a.Avskrivningsdato
	x.Avskrivning.AvskrevetAv = a.AvskrevetAv
	x.Avskrivning.Avskrivningsmaate = a.Avskrivningsmaate
	x.Avskrivning.ReferanseAvskrivesAvJournalpost = a.ReferanseAvskrivesAvJournalpost
	x.ReferanseTilJournalpost, x.KorrespondansepartID = a.ReferanseTilJournalpost, a.KorrespondansepartID
	return encode(w, x)
}

// AvskrivningSlett is the payload of arkivering.avskrivning.slett
// (avskrivning-slett.xml): it removes the avskrivning of a journalpost for
// one korrespondansepart.
type AvskrivningSlett struct {
	ReferanseTilJournalpost ReferanseTilRegistrering
	KorrespondansepartID    string
}

type avskrivningSlettXML struct {
	XMLName                 xml.Name                 `xml:"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/avskrivning/slett/v1 slettAvskrivning"`
	ReferanseTilJournalpost ReferanseTilRegistrering `xml:"referanseTilJournalpost"`
	KorrespondansepartID    string                   `xml:"korrespondansepartID"`
}

// Marshal checks the message and returns avskrivning-slett.xml, valid
// against the V1 XSD of avskrivning.slett.
func (a *AvskrivningSlett) Marshal() ([]byte, error) { return marshalBy(a.Write) }

// Write is Marshal to a writer. On ErrInvalid nothing is written.
func (a *AvskrivningSlett) Write(w io.Writer) error {
	if a.KorrespondansepartID == "" {
		return missing("korrespondansepartID")
	}
	if err := checkRegRef("referanseTilJournalpost", &a.ReferanseTilJournalpost); err != nil {
		return err
	}
	return encode(w, avskrivningSlettXML{ReferanseTilJournalpost: a.ReferanseTilJournalpost, KorrespondansepartID: a.KorrespondansepartID})
}
