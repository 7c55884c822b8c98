package folkeregisteret

import (
	"context"
	"errors"
	"fmt"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

// ErrNoAddress is returned by PostalAddress for a person the register gives
// no address to write to: none current, or only a home in a known
// municipality (ukjent bosted).
var ErrNoAddress = errors.New("folkeregisteret: person has no postal address")

// PostalAddress looks person up (name, adressebeskyttelse, postadresse and
// bostedsadresse) and returns the address to print on a letter to them:
// Person.PostalAddress.
//
// For a person with a protected address it returns the name alone and an
// error matching ErrProtectedAddress: send such a letter digital-only
// (svarut.Shipment.DigitalOnly), never on paper. The address itself is never
// read into the result, so it cannot be printed or logged by mistake.
func (c *Client) PostalAddress(ctx context.Context, person ident.Fodselsnummer) (registry.PostalAddress, error) {
	p, err := c.Person(ctx, person, PartNavn, PartAdressebeskyttelse, PartPostadresse, PartBostedsadresse)
	if err != nil {
		return registry.PostalAddress{}, err
	}
	return p.PostalAddress()
}

// PostalAddress is the address to write to: the current postadresse if there
// is one, else the current bostedsadresse, with the current name.
//
// A protected address (fortrolig, strengt fortrolig, klientadresse, or a
// protection the document does not tell) gives the name alone and an error
// matching ErrProtectedAddress. A person with no address to write to gives
// the name and ErrNoAddress.
func (p *Person) PostalAddress() (registry.PostalAddress, error) {
	var a registry.PostalAddress
	if n, ok := p.CurrentName(); ok {
		a.Name = n.String()
	}
	if p.AddressProtected() {
		return a, p.protectedErr(p.AddressProtection())
	}
	post, err := p.CurrentPostadresse()
	if err != nil {
		return a, err
	}
	if post != nil && postal(&a, post) {
		return a, nil
	}
	home, err := p.CurrentBostedsadresse()
	if err != nil {
		return a, err
	}
	switch {
	case home == nil:
		return a, ErrNoAddress
	case home.Vegadresse != nil:
		vegadresse(&a, home.Vegadresse)
		return a, nil
	case home.Matrikkeladresse != nil:
		m := home.Matrikkeladresse
		a.AddLine(m.CoAdressenavn)
		a.AddLine(m.Adressetilleggsnavn)
		if m.Matrikkelnummer != nil {
			a.AddLine(fmt.Sprintf("Gnr. %d bnr. %d", m.Matrikkelnummer.Gaardsnummer, m.Matrikkelnummer.Bruksnummer))
		}
		poststed(&a, m.Poststed)
		return a, nil
	}
	return a, fmt.Errorf("%w (ukjent bosted)", ErrNoAddress)
}

// postal fills a from a postadresse, reporting whether it had one of its
// three forms.
func postal(a *registry.PostalAddress, post *Postadresse) bool {
	switch {
	case post.Vegadresse != nil:
		vegadresse(a, post.Vegadresse)
	case post.Postboksadresse != nil:
		pb := post.Postboksadresse
		a.AddLine(pb.Postbokseier)
		a.AddLine("Postboks " + pb.Postboks)
		poststed(a, pb.Poststed)
	case post.PostadresseIFrittFormat != nil:
		f := post.PostadresseIFrittFormat
		for _, l := range f.Adresselinje {
			a.AddLine(l)
		}
		a.SetPostalCode(f.Postnummer, f.Poststed)
	default:
		return false
	}
	return true
}

func vegadresse(a *registry.PostalAddress, v *Vegadresse) {
	a.AddLine(v.CoAdressenavn)
	street := v.Adressenavn
	if v.Adressenummer != nil {
		street += " " + v.Adressenummer.Husnummer + v.Adressenummer.Husbokstav
	}
	if v.Bruksenhetsnummer != "" {
		street += " " + v.Bruksenhetsnummer
	}
	a.AddLine(street)
	poststed(a, v.Poststed)
}

func poststed(a *registry.PostalAddress, p *Poststed) {
	if p != nil {
		a.SetPostalCode(p.Postnummer, p.Poststedsnavn)
	}
}
