// Package registrytest holds fake national registries for tests, examples and
// `grunnmur dev`: Enhetsregisteret (NewBrreg), Folkeregisteret
// (NewFolkeregisteret), KRR (NewKRR) and Kartverket's address API
// (NewAdresse). Each is an http.Handler that follows the registry's published
// API, seeded with realistic data: real public organisations from the specs'
// samples, and synthetic people (Tenor-style fødselsnumre, never real people)
// who are the same in every fake, so a service can be tried end to end.
//
//	reg := registrytest.NewBrreg(registrytest.BrregConfig{})
//	srv := httptest.NewServer(reg)
//	defer srv.Close()
//	c, err := brreg.New(brreg.Config{BaseURL: srv.URL})
//	...
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
// Each fake has one constructor taking its Config (NewBrreg(BrregConfig{}),
// ...), whose Authorize hook decides on each request (0 lets it through; nil
// keeps the fake's own Bearer token check). Every fake embeds fake.Faults, to
// misbehave on purpose: a status code, a delay or a dropped connection for the
// next requests that match a pattern (Inject), or Hold to keep every answer
// back until released; Requests counts what arrived. InProcess serves a fake
// without a network, which suits testing/synctest.
//
// TestCache is the conformance suite every registry.Cache passes.
//
// The fakes and their seed data use the registries' own terms (enhet, roller,
// rettighetspakke, ...); each client package's doc has a glossary of them.
package registrytest
