package registrytest

import (
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
)

// Person is a synthetic citizen known to the fakes. The same people are in
// the fake Folkeregisteret and KRR, and hold roles in the fake
// Enhetsregisteret, so that a service can be tried end to end. Their numbers
// are Tenor-style synthetic fødselsnumre (month + 80): never real people.
type Person struct {
	FNR        ident.Fodselsnummer
	GivenName  string
	MiddleName string
	FamilyName string
	BirthDate  time.Time
	// Status is the Folkeregisteret person status: bosatt, doed, utflyttet, ...
	Status string
	// AddressProtection is the address protection (gradering): ugradert, fortrolig or strengtFortrolig.
	AddressProtection string
	Home              HomeAddress
	// PostBox, if set, is a postal address apart from the home: "Postboks 123".
	PostBox string
	KRR     KRRRecord
}

// Name is the person's full name.
func (p Person) Name() string {
	if p.MiddleName != "" {
		return p.GivenName + " " + p.MiddleName + " " + p.FamilyName
	}
	return p.GivenName + " " + p.FamilyName
}

// HomeAddress is a home address, a vegadresse or (with Gardsnummer set and no
// Adressenavn) a matrikkeladresse.
type HomeAddress struct {
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
	// Reserved: the person has reserved against digital communication.
	Reserved bool
	// Varslingsstatus is KAN_VARSLES or KAN_IKKE_VARSLES.
	Varslingsstatus string
	Email           string
	Mobile          string
	Language        string
	// Mailbox and MailboxProvider: the digital mailbox, if any.
	Mailbox         string
	MailboxProvider string
	Updated         time.Time
}

func synthetic(y int, m time.Month, d, n int) ident.Fodselsnummer {
	f, err := ident.Synthetic(civil.NewDate(y, m, d), n)
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
			FNR: synthetic(1985, time.March, 14, 0), GivenName: "Sigrid", FamilyName: "Haugland", BirthDate: date(1985, 3, 14),
			Status: "bosatt", AddressProtection: "ugradert",
			Home: HomeAddress{Adressenavn: "Storgata", Husnummer: 12, Husbokstav: "B", Bruksenhetsnummer: "H0201", Adressekode: 13320, Kommunenummer: "0301", Postnummer: "0184", Poststed: "OSLO", Gardsnummer: 208, Bruksnummer: 211, Flyttedato: date(2019, 8, 1)},
			KRR:  KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "sigrid.haugland@example.no", Mobile: "+4799000001", Language: "nb", Mailbox: "sigrid.haugland#2TKQ", MailboxProvider: "digipost.no", Updated: upd},
		},
		{
			FNR: synthetic(1972, time.November, 2, 0), GivenName: "Ola", FamilyName: "Bakken", BirthDate: date(1972, 11, 2),
			Status: "bosatt", AddressProtection: "ugradert",
			Home: HomeAddress{Adressenavn: "Elgeseter gate", Husnummer: 5, Adressekode: 21350, Kommunenummer: "5001", Postnummer: "7030", Poststed: "TRONDHEIM", Gardsnummer: 411, Bruksnummer: 75, Flyttedato: date(2004, 5, 1)},
			KRR:  KRRRecord{Status: "AKTIV", Reserved: true, Varslingsstatus: "KAN_VARSLES", Email: "ola.bakken@example.no", Mobile: "+4799000002", Language: "nb", Updated: upd},
		},
		{
			FNR: synthetic(1990, time.June, 21, 0), GivenName: "Ingrid", MiddleName: "Marie", FamilyName: "Solberg", BirthDate: date(1990, 6, 21),
			Status: "bosatt", AddressProtection: "strengtFortrolig",
			Home: HomeAddress{Adressenavn: "Hemmeligveien", Husnummer: 1, Kommunenummer: "0301", Postnummer: "0560", Poststed: "OSLO"},
			KRR:  KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "ingrid.solberg@example.no", Mobile: "+4799000003", Language: "nn", Updated: upd},
		},
		{
			FNR: synthetic(1958, time.January, 30, 0), GivenName: "Nils", FamilyName: "Fjeld", BirthDate: date(1958, 1, 30),
			Status: "bosatt", AddressProtection: "ugradert",
			Home: HomeAddress{Kommunenummer: "3401", Postnummer: "2212", Poststed: "KONGSVINGER", Gardsnummer: 12, Bruksnummer: 3, Flyttedato: date(1988, 4, 1)},
			KRR:  KRRRecord{Status: "IKKE_REGISTRERT"},
		},
		{
			FNR: synthetic(1940, time.September, 9, 0), GivenName: "Aud", FamilyName: "Lien", BirthDate: date(1940, 9, 9),
			Status: "doed", AddressProtection: "ugradert",
			Home: HomeAddress{Adressenavn: "Kirkeveien", Husnummer: 40, Adressekode: 12040, Kommunenummer: "0301", Postnummer: "0368", Poststed: "OSLO", Gardsnummer: 33, Bruksnummer: 120, Flyttedato: date(1970, 1, 1)},
			KRR:  KRRRecord{Status: "SLETTET"},
		},
		{
			FNR: synthetic(2001, time.December, 24, 0), GivenName: "Emil", FamilyName: "Nordby", BirthDate: date(2001, 12, 24),
			Status: "bosatt", AddressProtection: "fortrolig",
			Home: HomeAddress{Adressenavn: "Skjult gate", Husnummer: 9, Kommunenummer: "4601", Postnummer: "5003", Poststed: "BERGEN"},
			KRR:  KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_IKKE_VARSLES", Email: "emil.nordby@example.no", Language: "en", Updated: date(2021, 2, 1)},
		},
		{
			FNR: synthetic(1995, time.April, 4, 0), GivenName: "Maja", FamilyName: "Strand", BirthDate: date(1995, 4, 4),
			Status: "bosatt", AddressProtection: "ugradert",
			Home:    HomeAddress{Adressenavn: "Storgata", Husnummer: 14, Adressekode: 13320, Kommunenummer: "0301", Postnummer: "0184", Poststed: "OSLO", Gardsnummer: 208, Bruksnummer: 212, Flyttedato: date(2022, 3, 1)},
			PostBox: "Postboks 4711",
			KRR:     KRRRecord{Status: "AKTIV", Varslingsstatus: "KAN_VARSLES", Email: "maja.strand@example.no", Mobile: "+4799000007", Language: "nb", Updated: upd},
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
