package brreg

import (
	"github.com/grunnmur/grunnmur/civil"
	"strings"

	"github.com/grunnmur/grunnmur/ident"
)

// Kode is a code with its description: næringskode, sektorkode, rolletype, ...
type Kode struct {
	Kode        string `json:"kode"`
	Beskrivelse string `json:"beskrivelse"`
}

// Organisasjonsform is the legal form (AS, ENK, ORGL, BEDR, ...).
type Organisasjonsform struct {
	Kode        string     `json:"kode"`
	Beskrivelse string     `json:"beskrivelse"`
	Utgaatt     civil.Date `json:"utgaatt"` // when the form stopped being valid, if it did
}

// Adresse is a post, business (forretnings-) or location (beliggenhets-) address.
type Adresse struct {
	Land          string   `json:"land"`
	Landkode      string   `json:"landkode"`
	Postnummer    string   `json:"postnummer"`
	Poststed      string   `json:"poststed"`
	Adresse       []string `json:"adresse"` // lines; Enhetsregisteret pads with null and ""
	Kommune       string   `json:"kommune"`
	Kommunenummer string   `json:"kommunenummer"`
}

// Lines returns the address lines without the empty padding.
func (a *Adresse) Lines() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, l := range a.Adresse {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// String formats the address on one line: "Tyvholmen 1, 0101 OSLO".
func (a *Adresse) String() string {
	if a == nil {
		return ""
	}
	parts := a.Lines()
	if pl := strings.TrimSpace(a.Postnummer + " " + a.Poststed); pl != "" {
		parts = append(parts, pl)
	}
	if a.Landkode != "" && a.Landkode != "NO" && a.Land != "" {
		parts = append(parts, a.Land)
	}
	return strings.Join(parts, ", ")
}

// Paategning is a remark the register has put on an enhet (a påtegning).
type Paategning struct {
	Infotype     string     `json:"infotype"`
	Tekst        string     `json:"tekst"`
	InnfoertDato civil.Date `json:"innfoertDato"`
}

// Enhet is a main unit (hovedenhet) of Enhetsregisteret, version 2 of the API.
type Enhet struct {
	Organisasjonsnummer ident.Orgnr       `json:"organisasjonsnummer"`
	Navn                string            `json:"navn"`
	Organisasjonsform   Organisasjonsform `json:"organisasjonsform"`
	Hjemmeside          string            `json:"hjemmeside,omitempty"`
	Epostadresse        string            `json:"epostadresse,omitempty"`
	Telefon             string            `json:"telefon,omitempty"`
	Mobil               string            `json:"mobil,omitempty"`
	Postadresse         *Adresse          `json:"postadresse,omitempty"`
	Forretningsadresse  *Adresse          `json:"forretningsadresse,omitempty"`
	OverordnetEnhet     ident.Orgnr       `json:"overordnetEnhet,omitempty"`

	Naeringskode1            *Kode `json:"naeringskode1,omitempty"`
	Naeringskode2            *Kode `json:"naeringskode2,omitempty"`
	Naeringskode3            *Kode `json:"naeringskode3,omitempty"`
	Hjelpeenhetskode         *Kode `json:"hjelpeenhetskode,omitempty"`
	InstitusjonellSektorkode *Kode `json:"institusjonellSektorkode,omitempty"`

	AntallAnsatte              int  `json:"antallAnsatte,omitempty"` // absent (0) when 0-4 employees: see HarRegistrertAntallAnsatte
	HarRegistrertAntallAnsatte bool `json:"harRegistrertAntallAnsatte,omitempty"`

	RegistreringsdatoEnhetsregisteret          civil.Date `json:"registreringsdatoEnhetsregisteret"`
	RegistreringsdatoForetaksregisteret        civil.Date `json:"registreringsdatoForetaksregisteret"`
	RegistreringsdatoMerverdiavgiftsregisteret civil.Date `json:"registreringsdatoMerverdiavgiftsregisteret"`
	Stiftelsesdato                             civil.Date `json:"stiftelsesdato"`
	Vedtektsdato                               civil.Date `json:"vedtektsdato"`

	RegistrertIMvaregisteret           bool `json:"registrertIMvaregisteret"`
	RegistrertIForetaksregisteret      bool `json:"registrertIForetaksregisteret"`
	RegistrertIStiftelsesregisteret    bool `json:"registrertIStiftelsesregisteret"`
	RegistrertIFrivillighetsregisteret bool `json:"registrertIFrivillighetsregisteret"`
	RegistrertIPartiregisteret         bool `json:"registrertIPartiregisteret"`

	Konkurs                                   bool       `json:"konkurs"`
	Konkursdato                               civil.Date `json:"konkursdato"`
	UnderAvvikling                            bool       `json:"underAvvikling"`
	UnderAvviklingDato                        civil.Date `json:"underAvviklingDato"`
	UnderTvangsavviklingEllerTvangsopplosning bool       `json:"underTvangsavviklingEllerTvangsopplosning"`

	SisteInnsendteAarsregnskap string       `json:"sisteInnsendteAarsregnskap,omitempty"`
	Maalform                   string       `json:"maalform,omitempty"`
	Aktivitet                  []string     `json:"aktivitet,omitempty"`
	VedtektsfestetFormaal      []string     `json:"vedtektsfestetFormaal,omitempty"`
	Paategninger               []Paategning `json:"paategninger,omitempty"`

	// Slettedato is set when the enhet is deleted: Enhetsregisteret then
	// answers 200 with only the number, name, form and this date.
	Slettedato civil.Date `json:"slettedato"`

	removed bool // answered 410: removed for legal reasons
}

// Active reports whether the enhet exists and is not deleted, bankrupt or
// being wound up: whether it can, say, apply for a licence.
func (e *Enhet) Active() bool {
	return e != nil && !e.removed && e.Slettedato.IsZero() && !e.Konkurs && !e.UnderAvvikling && !e.UnderTvangsavviklingEllerTvangsopplosning
}

// Naeringskoder returns the enhet's industry codes, first to last.
func (e *Enhet) Naeringskoder() []Kode {
	var out []Kode
	for _, k := range []*Kode{e.Naeringskode1, e.Naeringskode2, e.Naeringskode3} {
		if k != nil && k.Kode != "" {
			out = append(out, *k)
		}
	}
	return out
}

// Underenhet is a sub-unit (a business location) of an enhet.
type Underenhet struct {
	Organisasjonsnummer ident.Orgnr       `json:"organisasjonsnummer"`
	Navn                string            `json:"navn"`
	Organisasjonsform   Organisasjonsform `json:"organisasjonsform"`
	Hjemmeside          string            `json:"hjemmeside,omitempty"`
	Epostadresse        string            `json:"epostadresse,omitempty"`
	Telefon             string            `json:"telefon,omitempty"`
	Mobil               string            `json:"mobil,omitempty"`
	Postadresse         *Adresse          `json:"postadresse,omitempty"`
	Beliggenhetsadresse *Adresse          `json:"beliggenhetsadresse,omitempty"`
	OverordnetEnhet     ident.Orgnr       `json:"overordnetEnhet,omitempty"`

	Naeringskode1    *Kode `json:"naeringskode1,omitempty"`
	Naeringskode2    *Kode `json:"naeringskode2,omitempty"`
	Naeringskode3    *Kode `json:"naeringskode3,omitempty"`
	Hjelpeenhetskode *Kode `json:"hjelpeenhetskode,omitempty"`

	AntallAnsatte              int  `json:"antallAnsatte,omitempty"`
	HarRegistrertAntallAnsatte bool `json:"harRegistrertAntallAnsatte,omitempty"`
	RegistrertIMvaregisteret   bool `json:"registrertIMvaregisteret"`

	RegistreringsdatoEnhetsregisteret civil.Date `json:"registreringsdatoEnhetsregisteret"`
	Oppstartsdato                     civil.Date `json:"oppstartsdato"`
	DatoEierskifte                    civil.Date `json:"datoEierskifte"`
	Nedleggelsesdato                  civil.Date `json:"nedleggelsesdato"`
	Slettedato                        civil.Date `json:"slettedato"`

	removed bool
}

// Active reports whether the underenhet exists and is neither deleted nor
// closed down (nedlagt).
func (u *Underenhet) Active() bool {
	return u != nil && !u.removed && u.Slettedato.IsZero() && u.Nedleggelsesdato.IsZero()
}

// Page is the paging block of a search answer.
type Page struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

// EnhetPage is one page of an enhet search.
type EnhetPage struct {
	Enheter []Enhet
	Page    Page
}

// UnderenhetPage is one page of an underenhet search.
type UnderenhetPage struct {
	Underenheter []Underenhet
	Page         Page
}

type enheterWire struct {
	Embedded struct {
		Enheter      []Enhet      `json:"enheter"`
		Underenheter []Underenhet `json:"underenheter"`
	} `json:"_embedded"`
	Page Page `json:"page"`
}
