package brreg_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestActFor(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	ps := registrytest.Persons()
	// Digdir has a postadresse apart from its forretningsadresse; Sigrid is
	// made its daglig leder here.
	reg.SetRoles(registrytest.DigdirOrgnr, registrytest.Role{Type: "DAGL", Person: &ps[registrytest.SigridHaugland]})
	bankrupt := registrytest.OrgnrWithCheckDigit("31500002")
	if err := reg.PutEnhet([]byte(`{"organisasjonsnummer":"` + bankrupt + `","navn":"KONKURS AS","organisasjonsform":{"kode":"AS"},"konkurs":true,"konkursdato":"2026-01-05"}`)); err != nil {
		t.Fatal(err)
	}
	reg.SetRoles(bankrupt, registrytest.Role{Type: "DAGL", Person: &ps[registrytest.SigridHaugland]})

	tests := []struct {
		name    string
		person  ident.Fodselsnummer
		orgnr   ident.Orgnr
		wantErr error
		roles   string
		address registry.PostalAddress
		status  int
		code    string
	}{
		{"daglig leder, forretningsadresse", person(registrytest.SigridHaugland), registrytest.ApplicantOrgnr, nil, "DAGL",
			registry.PostalAddress{Name: "SESAM AS", Lines: []string{"Storgata 12B"}, PostalCode: "0184", PostTown: "OSLO"}, 200, ""},
		{"typed with spaces", person(registrytest.OlaBakken), " 976 030 788 ", nil, "LEDE",
			registry.PostalAddress{Name: "SESAM AS", Lines: []string{"Storgata 12B"}, PostalCode: "0184", PostTown: "OSLO"}, 200, ""},
		{"postadresse before forretningsadresse", person(registrytest.SigridHaugland), registrytest.DigdirOrgnr, nil, "DAGL",
			registry.PostalAddress{Name: "DIGITALISERINGSDIREKTORATET", Lines: []string{"Postboks 1382 Vika"}, PostalCode: "0114", PostTown: "OSLO"}, 200, ""},
		{"innehaver", person(registrytest.MajaStrand), ident.Orgnr(registrytest.SoleProprietorshipOrgnr), nil, "INNH",
			registry.PostalAddress{Name: "MAJA STRAND SERVERING", Lines: []string{"Storgata 14"}, PostalCode: "0184", PostTown: "OSLO"}, 200, ""},
		{"joint signature only", person(registrytest.IngridSolberg), registrytest.ApplicantOrgnr, brreg.ErrMayNotAct, "", registry.PostalAddress{}, 403, "may_not_act"},
		{"resigned", person(registrytest.AudLien), registrytest.ApplicantOrgnr, brreg.ErrMayNotAct, "", registry.PostalAddress{}, 403, "may_not_act"},
		{"no roles at all", person(registrytest.SigridHaugland), registrytest.BarnehageOrgnr, brreg.ErrMayNotAct, "", registry.PostalAddress{}, 403, "may_not_act"},
		{"bankrupt", person(registrytest.SigridHaugland), ident.Orgnr(bankrupt), brreg.ErrInactive, "", registry.PostalAddress{}, 409, "inactive"},
		{"deleted", person(registrytest.SigridHaugland), registrytest.DeletedOrgnr, brreg.ErrDeleted, "", registry.PostalAddress{}, 410, "deleted"},
		{"removed", person(registrytest.SigridHaugland), registrytest.RemovedOrgnr, brreg.ErrRemoved, "", registry.PostalAddress{}, 410, "deleted"},
		{"never existed", person(registrytest.SigridHaugland), registrytest.NeverExistedOrgnr, registry.ErrNotFound, "", registry.PostalAddress{}, 404, "not_found"},
		{"bad check digit", person(registrytest.SigridHaugland), "976030789", brreg.ErrBadOrgnr, "", registry.PostalAddress{}, 400, "invalid_orgnr"},
		{"not a number", person(registrytest.SigridHaugland), "SESAM", brreg.ErrBadOrgnr, "", registry.PostalAddress{}, 400, "invalid_orgnr"},
		{"no person", ident.Fodselsnummer{}, registrytest.ApplicantOrgnr, brreg.ErrNoPerson, "", registry.PostalAddress{}, 500, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := c.ActFor(context.Background(), tt.person, tt.orgnr)
			if status, code := brreg.HTTPStatus(err); status != tt.status || code != tt.code {
				t.Errorf("HTTPStatus(%v) = %d %q, want %d %q", err, status, code, tt.status, tt.code)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || a != nil {
					t.Fatalf("ActFor = %v, %v; want %v", a, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.person.Reveal()) && !tt.person.IsZero() {
					t.Errorf("the error names the person: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, r := range a.Roles {
				codes = append(codes, r.Type.Kode)
			}
			if strings.Join(codes, ",") != tt.roles || a.Enhet.Organisasjonsnummer != ident.Orgnr(strings.ReplaceAll(strings.TrimSpace(string(tt.orgnr)), " ", "")) {
				t.Errorf("roles %q, enhet %s", codes, a.Enhet.Organisasjonsnummer)
			}
			if s := fmt.Sprintf("%v %+v %#v", a, *a, a.Roles); strings.Contains(s, tt.person.Reveal()) {
				t.Errorf("printing the ActingFor reveals the person: %s", s)
			}
			if fmt.Sprintf("%#v", a.Address) != fmt.Sprintf("%#v", tt.address) {
				t.Errorf("address %#v, want %#v", a.Address, tt.address)
			}
		})
	}
}

func TestActForUnavailable(t *testing.T) {
	c, reg := setup(t, registrytest.BrregConfig{})
	reg.Inject(fake.Fault{Status: 503})
	_, err := c.ActFor(context.Background(), person(registrytest.SigridHaugland), registrytest.ApplicantOrgnr)
	if status, code := brreg.HTTPStatus(err); !errors.Is(err, registry.ErrUnavailable) || status != 503 || code != "unavailable" {
		t.Errorf("ActFor = %v (%d %s)", err, status, code)
	}
}

func TestEnhetPostalAddress(t *testing.T) {
	no := func(lines ...string) *brreg.Adresse {
		return &brreg.Adresse{Landkode: "NO", Land: "Norge", Postnummer: "0184", Poststed: "OSLO", Adresse: lines}
	}
	tests := []struct {
		name string
		e    brreg.Enhet
		want registry.PostalAddress
	}{
		{"postadresse", brreg.Enhet{Navn: "A", Postadresse: no("Postboks 1"), Forretningsadresse: no("Gata 1")},
			registry.PostalAddress{Name: "A", Lines: []string{"Postboks 1"}, PostalCode: "0184", PostTown: "OSLO"}},
		{"forretningsadresse", brreg.Enhet{Navn: "A", Forretningsadresse: no("Gata 1", "", "c/o B")},
			registry.PostalAddress{Name: "A", Lines: []string{"Gata 1", "c/o B"}, PostalCode: "0184", PostTown: "OSLO"}},
		{"empty postadresse", brreg.Enhet{Navn: "A", Postadresse: &brreg.Adresse{Adresse: []string{"", ""}}, Forretningsadresse: no("Gata 1")},
			registry.PostalAddress{Name: "A", Lines: []string{"Gata 1"}, PostalCode: "0184", PostTown: "OSLO"}},
		{"none", brreg.Enhet{Navn: "A"}, registry.PostalAddress{Name: "A"}},
		{"abroad", brreg.Enhet{Navn: "A", Postadresse: &brreg.Adresse{Landkode: "SE", Land: "Sverige", Postnummer: "111 22", Poststed: "STOCKHOLM", Adresse: []string{"Drottninggatan 1"}}},
			registry.PostalAddress{Name: "A", Lines: []string{"Drottninggatan 1", "111 22 STOCKHOLM"}, Country: "Sverige"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.PostalAddress(); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("%#v, want %#v", got, tt.want)
			}
		})
	}
}
