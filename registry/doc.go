// Package registry holds what the national registry clients share: the look-up
// cache interface, the audit hook that records why personal data was fetched, and
// the typed errors (not found, gone, forbidden, rate limited).
//
// The clients are registry/brreg (Enhetsregisteret), registry/folkeregisteret,
// registry/krr (Kontakt- og reservasjonsregisteret) and registry/adresse
// (Kartverket's address API).
package registry
