package brreg

import (
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
)

// Role type codes (rolletyper) that CanActFor and callers use most.
const (
	RolleDagligLeder         = "DAGL" // daglig leder / adm. direktør
	RolleStyretsLeder        = "LEDE"
	RolleNestleder           = "NEST"
	RolleStyremedlem         = "MEDL"
	RolleVaramedlem          = "VARA"
	RolleInnehaver           = "INNH" // owner of a sole proprietorship (ENK)
	RolleDeltakerFulltAnsvar = "DTSO" // deltaker med solidarisk (full) ansvar, ANS
	RolleDeltakerDeltAnsvar  = "DTPR" // deltaker med delt ansvar, DA
	RolleKomplementar        = "KOMP"
	RolleSignatur            = "SIGN"
	RolleSignaturIFellesskap = "SIFE"
	RolleProkura             = "PROK"
	RolleProkuraHverForSeg   = "POHV"
	RolleProkuraIFellesskap  = "POFE"
	RolleRevisor             = "REVI"
	RolleRegnskapsforer      = "REGN"
	RolleKontaktperson       = "KONT"
)

// actingRoles are the roles that alone let a person act for the organisation.
// Signature and prokura held jointly (SIFE, POFE) need another holder, and
// a deltaker with shared responsibility (DTPR) does not bind the firm alone.
var actingRoles = map[string]bool{
	RolleDagligLeder:         true,
	RolleStyretsLeder:        true,
	RolleInnehaver:           true,
	RolleDeltakerFulltAnsvar: true,
	RolleSignatur:            true,
	RolleProkura:             true,
	RolleProkuraHverForSeg:   true,
}

// MayAct reports whether the role type code is one that lets its holder act
// for the organisation alone.
func MayAct(rolletype string) bool { return actingRoles[rolletype] }

// Roller is an enhet's roles, grouped as Enhetsregisteret groups them.
type Roller struct {
	Rollegrupper []Rollegruppe `json:"rollegrupper"`
}

// Rollegruppe is a group of roles (STYR, DAGL, SIGN, ...).
type Rollegruppe struct {
	Type       Kode       `json:"type"`
	SistEndret civil.Date `json:"sistEndret"`
	Roller     []Rolle    `json:"roller"`
}

// Rolle is one role. It is held by a person or by another enhet.
type Rolle struct {
	Type         Kode         `json:"type"`
	Person       *RollePerson `json:"person,omitempty"`
	Enhet        *RolleEnhet  `json:"enhet,omitempty"`
	ValgtAv      *Kode        `json:"valgtAv,omitempty"`
	Ansvarsandel string       `json:"ansvarsandel,omitempty"`
	Fratraadt    bool         `json:"fratraadt"`
	Avregistrert bool         `json:"avregistrert"`
	Rekkefolge   int          `json:"rekkefolge"`
}

// Current reports whether the role is held now: not resigned (fratrådt), not
// deregistered, and not held by a deceased person or deleted enhet.
func (r Rolle) Current() bool {
	if r.Fratraadt || r.Avregistrert {
		return false
	}
	if r.Person != nil && r.Person.ErDoed {
		return false
	}
	if r.Enhet != nil && r.Enhet.ErSlettet {
		return false
	}
	return true
}

// RollePerson is a person holding a role. The open API gives the birth date
// and name; the authorised API adds the fødselsnummer.
type RollePerson struct {
	Fodselsnummer ident.Fodselsnummer `json:"fodselsnummer"`
	Fodselsdato   civil.Date          `json:"fodselsdato"`
	Navn          Navn                `json:"navn"`
	ErDoed        bool                `json:"erDoed"`
}

// Navn is a person's name.
type Navn struct {
	Fornavn    string `json:"fornavn"`
	Mellomnavn string `json:"mellomnavn,omitempty"`
	Etternavn  string `json:"etternavn"`
}

// String is "Fornavn Mellomnavn Etternavn".
func (n Navn) String() string {
	s := n.Fornavn
	for _, p := range []string{n.Mellomnavn, n.Etternavn} {
		if p != "" {
			if s != "" {
				s += " "
			}
			s += p
		}
	}
	return s
}

// RolleEnhet is an enhet holding a role (an auditor firm, a partner company).
type RolleEnhet struct {
	Organisasjonsnummer ident.Orgnr        `json:"organisasjonsnummer"`
	Organisasjonsform   *Organisasjonsform `json:"organisasjonsform,omitempty"`
	Navn                []string           `json:"navn"`
	ErSlettet           bool               `json:"erSlettet"`
}

// All returns every role of every group, in order.
func (r *Roller) All() []Rolle {
	if r == nil {
		return nil
	}
	var out []Rolle
	for _, g := range r.Rollegrupper {
		out = append(out, g.Roller...)
	}
	return out
}

// Of returns the current roles of type code (DAGL, LEDE, ...).
func (r *Roller) Of(code string) []Rolle {
	var out []Rolle
	for _, x := range r.All() {
		if x.Type.Kode == code && x.Current() {
			out = append(out, x)
		}
	}
	return out
}

// HeldBy returns the current roles held by person. It needs the roles from
// AuthorizedRoles: the open API carries no fødselsnummer.
func (r *Roller) HeldBy(person ident.Fodselsnummer) []Rolle {
	if person.IsZero() {
		return nil
	}
	var out []Rolle
	for _, x := range r.All() {
		if x.Person != nil && x.Person.Fodselsnummer == person && x.Current() {
			out = append(out, x)
		}
	}
	return out
}

// ActingRoles returns the roles, held by person, that let them act for the
// organisation alone (see CanActFor).
func (r *Roller) ActingRoles(person ident.Fodselsnummer) []Rolle {
	var out []Rolle
	for _, x := range r.HeldBy(person) {
		if MayAct(x.Type.Kode) {
			out = append(out, x)
		}
	}
	return out
}
