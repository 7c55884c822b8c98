// Package ident validates and formats Norwegian identifiers: fødselsnummer,
// D-nummer, H-nummer (NAV) and Tenor synthetic numbers, organisasjonsnummer,
// kontonummer and KID (MOD10 and MOD11).
//
//	fnr, err := ident.ParseFodselsnummer(form.Value("fnr"))
//	if errors.Is(err, ident.ErrControlDigit) { ... } // or ErrLength, ErrNonDigit, ErrDate
//	slog.Info("søknad mottatt", "fnr", fnr)          // logs fnr=200369*****
//	payload.Fodselsnummer = fnr.Reveal()             // the one way to get the digits
//
// # Personal numbers
//
// Both control digits are checked. From 2032 the first control digit may also
// leave remainder 1, 2 or 3 (Skatteetaten); both rules are accepted and Rule
// reports which applied. The date part must be a real date, leap years
// included; the century comes from the individual number where it can. The
// kinds are told apart by their offsets: a D-nummer adds 4 to the first digit,
// an H-nummer 40 to the month and a Tenor synthetic number 80. BirthDate
// gives the date part as a [civil.Date]. There is no gender function: numbers
// issued from 2032 carry none.
//
// A Fodselsnummer redacts itself wherever it could leak by accident: String,
// every fmt verb, slog and MarshalJSON all show "200369*****", and a struct
// holding one in an unexported field prints no digits either. Code that must
// send or store the digits calls Reveal, so grep finds every such place. Parse
// errors never contain the input.
//
// # Organisations, accounts and payments
//
// Orgnr (MOD11, weights 3,2,7,6,5,4,3,2) and Kontonummer (MOD11, written
// xxxx.xx.xxxxx) are public data and print as they are. A KID is 2 to 25
// characters and checked with MOD10 (Luhn) or MOD11, where remainder 1 gives
// '-'; NewKID makes one from a base, ParseKID says which algorithm it passes.
//
// # Glossary
//
//   - fødselsnummer: the 11-digit national identity number of a person in
//     the population register (Folkeregisteret); the type is Fodselsnummer.
//   - D-nummer: the number given to a person who is not, or not yet, resident.
//   - H-nummer: an auxiliary number (hjelpenummer) the health services give a
//     person who has neither of the two above; NAV's synthetic test numbers
//     use the same month offset.
//   - Tenor: Skatteetaten's synthetic test population; its numbers are never
//     real people's.
//   - organisasjonsnummer (orgnr): the 9-digit number of an organisation in
//     Enhetsregisteret.
//   - kontonummer: an 11-digit Norwegian bank account number.
//   - KID (kundeidentifikasjon): the customer reference on a payment, which
//     lets the payee match it.
package ident
