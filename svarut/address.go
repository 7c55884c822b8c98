package svarut

import (
	"strings"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
)

// AddressFrom is a register's postal address (brreg's ActingFor.Address,
// folkeregisteret's Client.PostalAddress) as a shipment's Address. SvarUT has
// three address lines: a fourth and later ones (a c/o with a long
// matrikkeladresse, say) share the third, separated by commas.
//
// svarut imports the registry package for this one type: registry needs
// nothing svarut does not already link, so it adds no weight, and the
// knowledge of SvarUT's three lines stays here.
func AddressFrom(a registry.PostalAddress) Address {
	out := Address{Name: a.Name, PostalCode: a.PostalCode, PostTown: a.PostTown, Country: a.Country}
	lines := a.Lines
	if len(lines) > 3 {
		lines = append(lines[:2:2], strings.Join(lines[2:], ", "))
	}
	dst := []*string{&out.Line1, &out.Line2, &out.Line3}
	for i, l := range lines {
		*dst[i] = l
	}
	return out
}

// ToPerson addresses s to a person by fødselsnummer, with their postal
// address from the register (folkeregisteret's Client.PostalAddress) for
// print. A protected address (fortrolig, strengt fortrolig: the register's
// ErrProtectedAddress) never goes on an envelope: s goes DigitalOnly, with
// the name alone.
func (s *Shipment) ToPerson(pid ident.Fodselsnummer, addr registry.PostalAddress, protected bool) {
	a := AddressFrom(addr)
	if protected {
		a = Address{Name: addr.Name}
	}
	s.Recipient = Recipient{Person: pid, Address: a}
	s.DigitalOnly = protected
}
