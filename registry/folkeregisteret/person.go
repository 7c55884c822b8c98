package folkeregisteret

import (
	"errors"
	"fmt"
	"github.com/grunnmur/grunnmur/civil"
	"log/slog"
	"strings"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

// ErrProtectedAddress is returned by the address helpers for a person whose
// address is protected (fortrolig, strengt fortrolig or klientadresse), and
// when it cannot be told whether it is: such an address must not be printed
// or sent.
var ErrProtectedAddress = errors.New("folkeregisteret: address is protected")

// Opplysning is what every Folkeregisteret fact carries: whether it is the
// current value, when it was recorded and valid, and where it came from.
type Opplysning struct {
	ErGjeldende         bool               `json:"erGjeldende"`
	Ajourholdstidspunkt registry.Timestamp `json:"ajourholdstidspunkt"`
	Gyldighetstidspunkt registry.Timestamp `json:"gyldighetstidspunkt"`
	Opphoerstidspunkt   registry.Timestamp `json:"opphoerstidspunkt"`
	Kilde               string             `json:"kilde,omitempty"`
	Aarsak              string             `json:"aarsak,omitempty"`
}

func (o Opplysning) gjeldende() bool { return o.ErGjeldende }

// Identifikasjonsnummer is a fødselsnummer or D-nummer the person has had.
type Identifikasjonsnummer struct {
	Opplysning
	FoedselsEllerDNummer ident.Fodselsnummer `json:"foedselsEllerDNummer"`
	Identifikatortype    string              `json:"identifikatortype"` // foedselsnummer, dNummer
	Status               string              `json:"status"`            // iBruk, opphoert
}

// Status is the person's status: bosatt, utflyttet, doed, forsvunnet,
// opphoert, foedselsregistrert, midlertidig, inaktiv, ikkeBosatt.
type Status struct {
	Opplysning
	Status string `json:"status"`
}

// Navn is a name.
type Navn struct {
	Opplysning
	Fornavn       string `json:"fornavn"`
	Mellomnavn    string `json:"mellomnavn,omitempty"`
	Etternavn     string `json:"etternavn"`
	ForkortetNavn string `json:"forkortetNavn,omitempty"`
}

// String is "Fornavn Mellomnavn Etternavn".
func (n Navn) String() string {
	return strings.Join(strings.Fields(n.Fornavn+" "+n.Mellomnavn+" "+n.Etternavn), " ")
}

// Foedsel is the birth.
type Foedsel struct {
	Opplysning
	Foedselsdato civil.Date `json:"foedselsdato"`
	Foedselsaar  string     `json:"foedselsaar,omitempty"`
	Foedested    string     `json:"foedested,omitempty"`
	Foedeland    string     `json:"foedeland,omitempty"`
}

// Doedsfall is the death.
type Doedsfall struct {
	Opplysning
	Doedsdato civil.Date `json:"doedsdato"`
}

// Sivilstand is the civil status.
type Sivilstand struct {
	Opplysning
	Sivilstand string `json:"sivilstand"`
}

// Adressebeskyttelse is the address protection. Graderingsnivaa is ugradert,
// fortrolig (kode 7), strengtFortrolig (kode 6), strengtFortroligUtland or
// klientadresse.
type Adressebeskyttelse struct {
	Opplysning
	Graderingsnivaa string `json:"graderingsnivaa"`
}

// Poststed is a postal code with its place name.
type Poststed struct {
	Poststedsnavn string `json:"poststedsnavn"`
	Postnummer    string `json:"postnummer"`
}

// Adressenummer is a house number with an optional letter.
type Adressenummer struct {
	Husnummer  string `json:"husnummer"`
	Husbokstav string `json:"husbokstav,omitempty"`
}

// Vegadresse is a street address.
type Vegadresse struct {
	Kommunenummer       string         `json:"kommunenummer"`
	Bruksenhetsnummer   string         `json:"bruksenhetsnummer,omitempty"`
	Bruksenhetstype     string         `json:"bruksenhetstype,omitempty"`
	Adressenavn         string         `json:"adressenavn"`
	Adressenummer       *Adressenummer `json:"adressenummer,omitempty"`
	Adressekode         string         `json:"adressekode,omitempty"`
	Adressetilleggsnavn string         `json:"adressetilleggsnavn,omitempty"`
	Poststed            *Poststed      `json:"poststed,omitempty"`
	CoAdressenavn       string         `json:"coAdressenavn,omitempty"`
}

// Matrikkelnummer identifies a property: kommune, gnr, bnr, fnr.
type Matrikkelnummer struct {
	Kommunenummer string `json:"kommunenummer"`
	Gaardsnummer  int    `json:"gaardsnummer"`
	Bruksnummer   int    `json:"bruksnummer"`
	Festenummer   int    `json:"festenummer"`
}

// Matrikkeladresse is an address by property number, where there is no street address.
type Matrikkeladresse struct {
	Bruksenhetsnummer   string           `json:"bruksenhetsnummer,omitempty"`
	Matrikkelnummer     *Matrikkelnummer `json:"matrikkelnummer,omitempty"`
	Undernummer         int              `json:"undernummer,omitempty"`
	Adressetilleggsnavn string           `json:"adressetilleggsnavn,omitempty"`
	Poststed            *Poststed        `json:"poststed,omitempty"`
	CoAdressenavn       string           `json:"coAdressenavn,omitempty"`
}

// UkjentBosted is a home in a known municipality at an unknown address.
type UkjentBosted struct {
	Bostedskommune string `json:"bostedskommune"`
}

// Bostedsadresse is the registered home address (or, with the same shape,
// an oppholdsadresse).
type Bostedsadresse struct {
	Opplysning
	Vegadresse       *Vegadresse       `json:"vegadresse,omitempty"`
	Matrikkeladresse *Matrikkeladresse `json:"matrikkeladresse,omitempty"`
	UkjentBosted     *UkjentBosted     `json:"ukjentBosted,omitempty"`
	Adressegradering string            `json:"adressegradering,omitempty"`
	Flyttedato       civil.Date        `json:"flyttedato"`
}

// Postboksadresse is a PO box.
type Postboksadresse struct {
	Postbokseier string    `json:"postbokseier,omitempty"`
	Postboks     string    `json:"postboks"`
	Poststed     *Poststed `json:"poststed,omitempty"`
}

// FrittFormat is an address in free lines.
type FrittFormat struct {
	Adresselinje []string `json:"adresselinje"`
	Postnummer   string   `json:"postnummer,omitempty"`
	Poststed     string   `json:"poststed,omitempty"`
}

// Postadresse is where mail goes, when it differs from the home.
type Postadresse struct {
	Opplysning
	Vegadresse              *Vegadresse      `json:"vegadresse,omitempty"`
	Postboksadresse         *Postboksadresse `json:"postboksadresse,omitempty"`
	PostadresseIFrittFormat *FrittFormat     `json:"postadresseIFrittFormat,omitempty"`
	Adressegradering        string           `json:"adressegradering,omitempty"`
}

// Person is a Folkeregisteret person document, with the parts asked for.
// Every list holds current and (with the historikk part) earlier values;
// the helpers pick the current one.
//
// A Person prints only its redacted number and status, never a name or an
// address, so that logging one cannot leak a protected address.
type Person struct {
	Identifikasjonsnummer []Identifikasjonsnummer `json:"identifikasjonsnummer"`
	Status                []Status                `json:"status"`
	Navn                  []Navn                  `json:"navn"`
	Foedsel               []Foedsel               `json:"foedsel"`
	Doedsfall             []Doedsfall             `json:"doedsfall"`
	Sivilstand            []Sivilstand            `json:"sivilstand"`
	Adressebeskyttelse    []Adressebeskyttelse    `json:"adressebeskyttelse"`
	Bostedsadresse        []Bostedsadresse        `json:"bostedsadresse"`
	Oppholdsadresse       []Bostedsadresse        `json:"oppholdsadresse"`
	Postadresse           []Postadresse           `json:"postadresse"`
}

func gjeldende[T interface{ gjeldende() bool }](xs []T) (T, bool) {
	for _, x := range xs {
		if x.gjeldende() {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// ID returns the current fødselsnummer or D-nummer.
func (p *Person) ID() ident.Fodselsnummer {
	if id, ok := gjeldende(p.Identifikasjonsnummer); ok {
		return id.FoedselsEllerDNummer
	}
	return ident.Fodselsnummer{}
}

// CurrentName returns the current name.
func (p *Person) CurrentName() (Navn, bool) { return gjeldende(p.Navn) }

// CurrentStatus returns the current status ("bosatt", "doed", ...), or "".
func (p *Person) CurrentStatus() string {
	s, _ := gjeldende(p.Status)
	return s.Status
}

// Deceased reports whether the person is registered as dead.
func (p *Person) Deceased() bool {
	if p.CurrentStatus() == "doed" {
		return true
	}
	_, ok := gjeldende(p.Doedsfall)
	return ok
}

// BirthDate returns the date of birth.
func (p *Person) BirthDate() civil.Date {
	f, _ := gjeldende(p.Foedsel)
	return f.Foedselsdato
}

func ugradert(g string) bool { return strings.EqualFold(g, "ugradert") }

// AddressProtection returns the current address protection level: "ugradert",
// "fortrolig", "strengtFortrolig", ..., or "" when the person document does
// not say (the adressebeskyttelse part was not asked for).
func (p *Person) AddressProtection() string {
	if a, ok := gjeldende(p.Adressebeskyttelse); ok && a.Graderingsnivaa != "" {
		return a.Graderingsnivaa
	}
	if len(p.Adressebeskyttelse) == 0 && len(p.Bostedsadresse)+len(p.Postadresse) > 0 {
		// No protection entry at all: the addresses' own grading decides.
		for _, b := range p.Bostedsadresse {
			if b.ErGjeldende && !ugradert(b.Adressegradering) {
				return b.Adressegradering
			}
		}
		for _, b := range p.Postadresse {
			if b.ErGjeldende && !ugradert(b.Adressegradering) {
				return b.Adressegradering
			}
		}
		return "ugradert"
	}
	return ""
}

// AddressProtected reports whether the person's address is protected, or
// cannot be known not to be.
func (p *Person) AddressProtected() bool { return !ugradert(p.AddressProtection()) }

func (p *Person) protectedErr(gradering string) error {
	if gradering == "" {
		gradering = "ukjent"
	}
	return fmt.Errorf("%w (%s)", ErrProtectedAddress, gradering)
}

// CurrentBostedsadresse returns the current home address. For a protected
// address, or one whose protection is unknown, it returns ErrProtectedAddress
// and no address.
func (p *Person) CurrentBostedsadresse() (*Bostedsadresse, error) {
	b, ok := gjeldende(p.Bostedsadresse)
	if !ok {
		return nil, nil
	}
	if g := p.AddressProtection(); !ugradert(g) || !ugradert(orUgradert(b.Adressegradering)) {
		return nil, p.protectedErr(firstNonEmpty(g, b.Adressegradering))
	}
	return &b, nil
}

// CurrentPostadresse returns the current postal address, refusing a
// protected one as CurrentBostedsadresse does.
func (p *Person) CurrentPostadresse() (*Postadresse, error) {
	a, ok := gjeldende(p.Postadresse)
	if !ok {
		return nil, nil
	}
	if g := p.AddressProtection(); !ugradert(g) || !ugradert(orUgradert(a.Adressegradering)) {
		return nil, p.protectedErr(firstNonEmpty(g, a.Adressegradering))
	}
	return &a, nil
}

func orUgradert(s string) string {
	if s == "" {
		return "ugradert"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" && !ugradert(a) {
		return a
	}
	return b
}

// AddressLines returns the lines to print on a letter: the name, then
// PostalAddress's lines and its "postnummer poststed". It returns
// ErrProtectedAddress for a protected address: such letters go through a
// channel that keeps the address hidden (Skatteetaten forwards mail for
// kode 6), never on the envelope.
func (p *Person) AddressLines() ([]string, error) {
	a, err := p.PostalAddress()
	if err != nil {
		return nil, err
	}
	var lines []string
	if a.Name != "" {
		lines = append(lines, a.Name)
	}
	lines = append(lines, a.Lines...)
	if pl := strings.TrimSpace(a.PostalCode + " " + a.PostTown); pl != "" {
		lines = append(lines, pl)
	}
	return lines, nil
}

// String shows the redacted number and status only.
func (p Person) String() string {
	return fmt.Sprintf("folkeregisteret.Person{%s %s}", p.ID(), p.CurrentStatus())
}

// Format prints String for every verb, so %+v and %#v cannot reveal names or
// addresses.
func (p Person) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue logs the redacted number and status only.
func (p Person) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", p.ID().String()), slog.String("status", p.CurrentStatus()))
}
