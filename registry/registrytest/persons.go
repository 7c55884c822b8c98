package registrytest

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/ident"
)

// Person is a synthetic citizen known to the fakes. The same people are in
// the fake Folkeregisteret and KRR, and hold roles in the fake
// Enhetsregisteret, so that a service can be tried end to end. Their numbers
// are Tenor-style synthetic fødselsnumre (month + 80): never real people.
type Person struct {
	FNR         ident.Fodselsnummer
	Fornavn     string
	Mellomnavn  string
	Etternavn   string
	Fodselsdato time.Time
	// Status is the Folkeregisteret person status: bosatt, doed, utflyttet, ...
	Status string
	// Gradering is the address protection: ugradert, fortrolig or strengtFortrolig.
	Gradering string
	Adresse   Bosted
	// Postboks, if set, is a postal address apart from the home: "Postboks 123".
	Postboks string
	KRR      KRRRecord
}

// Navn is the person's full name.
func (p Person) Navn() string {
	if p.Mellomnavn != "" {
		return p.Fornavn + " " + p.Mellomnavn + " " + p.Etternavn
	}
	return p.Fornavn + " " + p.Etternavn
}

// Bosted is a home address, a vegadresse or (with Gardsnummer set and no
// Adressenavn) a matrikkeladresse.
type Bosted struct {
	Adressenavn       string
	Husnummer         int
	Husbokstav        string
	Bruksenhetsnummer string
	Adressekode       int
	Kommunenummer     string
	Postnummer        string
	Poststed          string
	Gardsnummer       int
	Bruksnummer       int
	Flyttedato        time.Time
}

// KRRRecord is what KRR holds about a person.
type KRRRecord struct {
	// Status is AKTIV, SLETTET or IKKE_REGISTRERT.
	Status string
	// Reservert: the person has reserved against digital communication.
	Reservert bool
	// Varslingsstatus is KAN_VARSLES or KAN_IKKE_VARSLES.
	Varslingsstatus string
	Epost           string
	Mobil           string
	Spraak          string
	// Postkasse and Leverandor: the digital mailbox, if any.
	Postkasse  string
	Leverandor string
	Oppdatert  time.Time
}

func synthetic(y int, m time.Month, d, n int) ident.Fodselsnummer {
	f, err := ident.Synthetic(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), n)
	if err != nil {
		panic(fmt.Sprintf("registrytest: synthetic number for %d-%02d-%02d: %v", y, m, d, err))
	}
	return f
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Persons returns the synthetic people, a fresh copy on each call:
//
//	0 Sigrid Haugland   daglig leder of SESAM AS; may be sent digital mail
//	1 Ola Bakken        styrets leder of SESAM AS; reserved against digital mail
//	2 Ingrid Solberg    styremedlem of SESAM AS; strictly confidential address
//	3 Nils Fjeld        matrikkeladresse; not in KRR
//	4 Aud Lien          deceased; deleted from KRR
//	5 Emil Nordby       confidential address; KRR cannot notify him
//	6 Maja Strand       innehaver of a sole proprietorship; no digital mailbox
func Persons() []Person {
	upd := time.Date(2025, 9, 12, 8, 30, 0, 0, time.UTC)
	return []Person{
		{
			FNR: synthetic(1985, time.March, 14, 0), Fornavn: "Sigrid", Etternavn: "Haugland", Fodselsdato: date(1985, 3, 14),
			Status: "bosatt", Gradering: "ugradert",
			Adresse: Bosted{Adressenavn: "Storgata", Husnummer: 12, Husbokstav: "B", Bruksenhetsnummer: "H0201", Adressekode: 13320, Kommunenummer: "0301", Postnummer: "0184", Poststed: "OSLO", Gardsnummer: 208, Bruksnummer: 211, Flyttedato: date(2019, 8, 1)},
			KRR:     KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Epost: "sigrid.haugland@example.no", Mobil: "+4799000001", Spraak: "nb", Postkasse: "sigrid.haugland#2TKQ", Leverandor: "digipost.no", Oppdatert: upd},
		},
		{
			FNR: synthetic(1972, time.November, 2, 0), Fornavn: "Ola", Etternavn: "Bakken", Fodselsdato: date(1972, 11, 2),
			Status: "bosatt", Gradering: "ugradert",
			Adresse: Bosted{Adressenavn: "Elgeseter gate", Husnummer: 5, Adressekode: 21350, Kommunenummer: "5001", Postnummer: "7030", Poststed: "TRONDHEIM", Gardsnummer: 411, Bruksnummer: 75, Flyttedato: date(2004, 5, 1)},
			KRR:     KRRRecord{Status: "AKTIV", Reservert: true, Varslingsstatus: "KAN_VARSLES", Epost: "ola.bakken@example.no", Mobil: "+4799000002", Spraak: "nb", Oppdatert: upd},
		},
		{
			FNR: synthetic(1990, time.June, 21, 0), Fornavn: "Ingrid", Mellomnavn: "Marie", Etternavn: "Solberg", Fodselsdato: date(1990, 6, 21),
			Status: "bosatt", Gradering: "strengtFortrolig",
			Adresse: Bosted{Adressenavn: "Hemmeligveien", Husnummer: 1, Kommunenummer: "0301", Postnummer: "0560", Poststed: "OSLO"},
			KRR:     KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Epost: "ingrid.solberg@example.no", Mobil: "+4799000003", Spraak: "nn", Oppdatert: upd},
		},
		{
			FNR: synthetic(1958, time.January, 30, 0), Fornavn: "Nils", Etternavn: "Fjeld", Fodselsdato: date(1958, 1, 30),
			Status: "bosatt", Gradering: "ugradert",
			Adresse: Bosted{Kommunenummer: "3401", Postnummer: "2212", Poststed: "KONGSVINGER", Gardsnummer: 12, Bruksnummer: 3, Flyttedato: date(1988, 4, 1)},
			KRR:     KRRRecord{Status: "IKKE_REGISTRERT"},
		},
		{
			FNR: synthetic(1940, time.September, 9, 0), Fornavn: "Aud", Etternavn: "Lien", Fodselsdato: date(1940, 9, 9),
			Status: "doed", Gradering: "ugradert",
			Adresse: Bosted{Adressenavn: "Kirkeveien", Husnummer: 40, Adressekode: 12040, Kommunenummer: "0301", Postnummer: "0368", Poststed: "OSLO", Gardsnummer: 33, Bruksnummer: 120, Flyttedato: date(1970, 1, 1)},
			KRR:     KRRRecord{Status: "SLETTET"},
		},
		{
			FNR: synthetic(2001, time.December, 24, 0), Fornavn: "Emil", Etternavn: "Nordby", Fodselsdato: date(2001, 12, 24),
			Status: "bosatt", Gradering: "fortrolig",
			Adresse: Bosted{Adressenavn: "Skjult gate", Husnummer: 9, Kommunenummer: "4601", Postnummer: "5003", Poststed: "BERGEN"},
			KRR:     KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_IKKE_VARSLES", Epost: "emil.nordby@example.no", Spraak: "en", Oppdatert: date(2021, 2, 1)},
		},
		{
			FNR: synthetic(1995, time.April, 4, 0), Fornavn: "Maja", Etternavn: "Strand", Fodselsdato: date(1995, 4, 4),
			Status: "bosatt", Gradering: "ugradert",
			Adresse:  Bosted{Adressenavn: "Storgata", Husnummer: 14, Adressekode: 13320, Kommunenummer: "0301", Postnummer: "0184", Poststed: "OSLO", Gardsnummer: 208, Bruksnummer: 212, Flyttedato: date(2022, 3, 1)},
			Postboks: "Postboks 4711",
			KRR:      KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Epost: "maja.strand@example.no", Mobil: "+4799000007", Spraak: "nb", Oppdatert: upd},
		},
	}
}

// Indexes into Persons, for readable tests.
const (
	SigridHaugland = iota
	OlaBakken
	IngridSolberg
	NilsFjeld
	AudLien
	EmilNordby
	MajaStrand
)
