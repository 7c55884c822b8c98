package registry

import "strings"

// PostalAddress is where a letter goes, as a register gives it: an
// organisation's from Enhetsregisteret (brreg's ActingFor), a person's from
// Folkeregisteret (folkeregisteret's Client.PostalAddress). svarut.AddressFrom
// turns it into a shipment's address.
//
// A person with a protected address never gets one: the register clients
// return the name alone with an error, so there is no address to print or
// log.
type PostalAddress struct {
	// Name is the person's or the organisation's name.
	Name string
	// Lines are the address lines between the name and the postal code: a
	// c/o, the street or PO box, a place name. Never empty lines.
	Lines []string
	// PostalCode is the four-digit Norwegian postnummer; "" when the
	// register gives none or one that is not four digits (the text is then
	// the last of Lines).
	PostalCode string
	// PostTown is the poststed that goes with PostalCode.
	PostTown string
	// Country is the country's name for an address abroad; "" for Norway.
	Country string
}

// IsZero reports whether a holds no address: no lines and no postal code.
// A protected person's address is zero, with only the Name set.
func (a PostalAddress) IsZero() bool {
	return len(a.Lines) == 0 && a.PostalCode == "" && a.PostTown == "" && a.Country == ""
}

// String formats the address on one line: "SESAM AS, Storgata 12B, 0184 OSLO".
func (a PostalAddress) String() string {
	parts := make([]string, 0, len(a.Lines)+3)
	if a.Name != "" {
		parts = append(parts, a.Name)
	}
	parts = append(parts, a.Lines...)
	if pl := strings.TrimSpace(a.PostalCode + " " + a.PostTown); pl != "" {
		parts = append(parts, pl)
	}
	if a.Country != "" {
		parts = append(parts, a.Country)
	}
	return strings.Join(parts, ", ")
}

// SetPostalCode splits a register's postnummer and poststed into
// PostalCode and PostTown when code is four digits. Otherwise the two go, as
// one line, to Lines.
func (a *PostalAddress) SetPostalCode(code, town string) {
	code, town = strings.TrimSpace(code), strings.TrimSpace(town)
	if len(code) == 4 && strings.Trim(code, "0123456789") == "" {
		a.PostalCode, a.PostTown = code, town
		return
	}
	if l := strings.TrimSpace(code + " " + town); l != "" {
		a.Lines = append(a.Lines, l)
	}
}

// AddLine appends l to Lines unless it is blank.
func (a *PostalAddress) AddLine(l string) {
	if l = strings.TrimSpace(l); l != "" {
		a.Lines = append(a.Lines, l)
	}
}
