package brreg

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/errmap"
	"github.com/grunnmur/grunnmur/registry"
)

// Refusals of ActFor besides those of Enhet.
var (
	// ErrMayNotAct: the person holds no current role that lets them act for
	// the enhet alone (see CanActFor).
	ErrMayNotAct = errors.New("brreg: person may not act for the enhet")
	// ErrInactive: the enhet is bankrupt (konkurs) or being wound up; its
	// roles no longer act for it.
	ErrInactive = errors.New("brreg: enhet is bankrupt or being wound up")
)

// ActingFor is an organisation a person may act for, with the address to
// write to it at.
type ActingFor struct {
	Enhet *Enhet
	// Address is the enhet's postal address (Enhet.PostalAddress).
	Address registry.PostalAddress
	// Roles are the person's roles that let them act for it: at least one.
	Roles []Rolle
}

// ActFor checks that person may act for the organisation orgnr, and returns
// it with its postal address and the roles that grant it. It refuses, with
// an error matching:
//   - ErrBadOrgnr: orgnr is not a valid organisasjonsnummer (no request is
//     made; spaces are allowed, so a typed number can be passed as it is);
//   - registry.ErrNotFound: the register never had it;
//   - registry.ErrGone (and ErrDeleted or ErrRemoved): it is deleted;
//   - ErrInactive: it is bankrupt or being wound up;
//   - ErrMayNotAct: person holds no role that lets them act for it;
//   - ErrNoPerson: person is zero.
//
// Other errors are the register's (registry.ErrUnavailable, ...).
// HTTPStatus maps each to a status and a code. It reads the authorised
// roles, as CanActFor does, so it needs Maskinporten and is audited.
func (c *Client) ActFor(ctx context.Context, person ident.Fodselsnummer, orgnr ident.Orgnr) (*ActingFor, error) {
	if person.IsZero() {
		return nil, ErrNoPerson
	}
	e, err := c.Enhet(ctx, orgnr)
	if err != nil {
		return nil, err
	}
	o := e.Organisasjonsnummer
	if !e.Active() {
		return nil, fmt.Errorf("%w: %s", ErrInactive, o)
	}
	roles, err := c.actingRoles(ctx, person, o)
	if err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrMayNotAct, o)
	}
	return &ActingFor{Enhet: e, Address: e.PostalAddress(), Roles: roles}, nil
}

// PostalAddress is the enhet's postadresse, or its forretningsadresse when
// it has none, with its name. It is zero but for the name when the register
// holds neither.
func (e *Enhet) PostalAddress() registry.PostalAddress {
	a := registry.PostalAddress{Name: e.Navn}
	ad := e.Postadresse
	if ad == nil || len(ad.Lines()) == 0 && ad.Postnummer == "" {
		ad = e.Forretningsadresse
	}
	if ad == nil {
		return a
	}
	for _, l := range ad.Lines() {
		a.AddLine(l)
	}
	if ad.Landkode != "" && ad.Landkode != "NO" {
		a.AddLine(ad.Postnummer + " " + ad.Poststed)
		a.Country = ad.Land
		if a.Country == "" {
			a.Country = ad.Landkode
		}
		return a
	}
	a.SetPostalCode(ad.Postnummer, ad.Poststed)
	return a
}

var statuses = errmap.Table{
	errmap.E(ErrBadOrgnr, http.StatusBadRequest, "invalid_orgnr"),
	errmap.E(registry.ErrNotFound, http.StatusNotFound, "not_found"),
	errmap.E(registry.ErrGone, http.StatusGone, "deleted"),
	errmap.E(ErrInactive, http.StatusConflict, "inactive"),
	errmap.E(ErrMayNotAct, http.StatusForbidden, "may_not_act"),
	errmap.E(registry.ErrRateLimited, http.StatusServiceUnavailable, "unavailable"),
	errmap.E(registry.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"),
}

// HTTPStatus maps an error of this package to an HTTP status and a stable
// code, for a page or an API answer:
//
//	ErrBadOrgnr                     400 invalid_orgnr
//	registry.ErrNotFound            404 not_found
//	registry.ErrGone (ErrDeleted,
//	  ErrRemoved)                   410 deleted
//	ErrInactive                     409 inactive
//	ErrMayNotAct                    403 may_not_act
//	registry.ErrRateLimited,
//	  registry.ErrUnavailable       503 unavailable
//
// nil gives (200, ""); any other error (500, "internal"): a fault to log.
func HTTPStatus(err error) (status int, code string) { return statuses.Lookup(err) }
