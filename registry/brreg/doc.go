// Package brreg is a client for Enhetsregisteret (Brønnøysundregistrene,
// data.brreg.no): look-up and search of enheter and underenheter, roles from
// the open and the authorised API, the updates feed, and whether a person may
// act for an organisation.
//
//	c := &brreg.Client{AuthorizedHTTPClient: maskinportenClient} // zero value: open API, in-memory cache
//	e, err := c.Enhet(ctx, "991825827")
//	switch {
//	case errors.Is(err, registry.ErrNotFound): // never existed (404)
//	case errors.Is(err, brreg.ErrDeleted):     // deleted: 200 with slettedato
//	case errors.Is(err, brreg.ErrRemoved):     // removed for legal reasons: 410
//	}
//	ok, err := c.CanActFor(ctx, citizen.Fodselsnummer, orgnr)
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
package brreg
