// Package registrytest holds fake national registries for tests, examples and
// `grunnmur dev`: Enhetsregisteret (NewBrreg), Folkeregisteret
// (NewFolkeregisteret), KRR (NewKRR) and Kartverket's address API
// (NewAdresse). Each is an http.Handler that follows the registry's published
// API, seeded with realistic data: real public organisations from the specs'
// samples, and synthetic people (Tenor-style fødselsnumre, never real people)
// who are the same in every fake, so a service can be tried end to end.
//
//	fake := registrytest.NewBrreg()
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	c := &brreg.Client{BaseURL: srv.URL}
//	e, err := c.Enhet(ctx, registrytest.ApplicantOrgnr)
//
// For a liquor-licence service: the applicant is ApplicantOrgnr (SESAM AS, a
// restaurant company), its skjenkested the underenhet ApplicantUnderenhetOrgnr
// at Storgata 12B, Oslo; its daglig leder is Persons()[SigridHaugland], who
// may act for it (CanActFor), can be sent digital mail (KRR) and has an
// unprotected address (Folkeregisteret). Persons lists who else is there and
// why (a reserved board chair, a protected address, a deceased member, ...).
// NewRegistries serves all four fakes from one handler.
//
// Every fake embeds Faults, to misbehave on purpose: a status code, a delay or
// a dropped connection for the next N requests, or Hold to keep every answer
// back until released. InProcess serves a fake without a network, which suits
// testing/synctest.
package registrytest
