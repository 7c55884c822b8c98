// Package ident validates and formats Norwegian identifiers: fødselsnummer,
// D-nummer, H-nummer (NAV) and Tenor synthetic numbers, organisasjonsnummer,
// kontonummer and KID (MOD10 and MOD11).
//
// A personal number is a type that redacts itself wherever it could leak by
// accident: String, fmt verbs, slog and JSON all show "010190*****". Code that
// must send or store the digits asks for them with one explicit method.
package ident
