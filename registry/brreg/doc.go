// Package brreg is a client for Enhetsregisteret (Brønnøysundregistrene,
// data.brreg.no): look-up and search of enheter and underenheter, roles from
// the open and the authorised API, the updates feed, and whether a person may
// act for an organisation.
//
//	c, err := brreg.New(brreg.Config{
//		BaseURL:              brreg.ProductionBaseURL, // "" is the test environment, data.ppe.brreg.no
//		AuthorizedHTTPClient: maskinportenClient,      // for AuthorizedRoles, CanActFor and ActFor
//	})
//	...
//	e, err := c.Enhet(ctx, "991825827")
//	switch {
//	case errors.Is(err, registry.ErrNotFound): // never existed (404)
//	case errors.Is(err, brreg.ErrDeleted):     // deleted: 200 with slettedato
//	case errors.Is(err, brreg.ErrRemoved):     // removed for legal reasons: 410
//	}
//	act, err := c.ActFor(ctx, citizen.Fodselsnummer, ident.Orgnr(typed))
//	if err != nil {
//		status, code := brreg.HTTPStatus(err) // 403 may_not_act, 410 deleted, 409 inactive, ...
//	}
//	letter.To = svarut.AddressFrom(act.Address) // postadresse, else forretningsadresse
//
// An empty Config.BaseURL means TestBaseURL, Brønnøysund's preproduction
// environment; production is reached only by setting BaseURL to
// ProductionBaseURL. ConfigFromEnv reads GRUNNMUR_BRREG_BASE_URL.
//
// Quirks handled here so that callers need not learn them:
//   - A number is validated (ident.ParseOrgnr) before any request.
//   - A deleted unit answers 200, not 404: Enhet turns it into a *GoneError
//     rather than hand back a unit that no longer exists.
//   - Searches cannot page past 10,000 results ((page+1)*size); Search stops
//     with ErrPagingCap instead of sending a request the API refuses.
//   - The updates feed is read by oppdateringsid, not by page, so it is not
//     bound by that cap; store the last ID and read on from the next.
//   - API versions are pinned with the documented Accept media types.
//   - The open roles API carries birth dates only; CanActFor reads the
//     authorised API (Maskinporten scope brreg:data:enhetsregisteret:roller,
//     or ...:auto:roller for public bodies) to compare fødselsnumre.
//
// CanActFor answers from the roles the register holds. Rights delegated in
// Altinn are not there: Altinn Authorization is the fuller source of who may
// act for an organisation, and the one to use where delegations must count.
//
// The types and fields keep the register's own Norwegian names, so that they
// match its documentation; methods are English. Glossary:
//   - enhet: a registered unit (company, association, public body); hovedenhet
//     is the main unit, underenhet a business location of one;
//   - organisasjonsnummer (orgnr): the unit's nine-digit number;
//   - organisasjonsform: the legal form (AS, ENK, ...);
//   - rolle, rollegruppe (roller): a role such as daglig leder (managing
//     director) or styrets leder (chair), and the group it belongs to;
//   - slettedato: the date a unit was deleted; oppdatering: an entry of the
//     updates feed; næringskode: industry code.
package brreg
