package brreg_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	srv := httptest.NewServer(registrytest.NewBrreg(registrytest.BrregConfig{}))
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	e, err := c.Enhet(ctx, registrytest.ApplicantOrgnr)
	fmt.Println(e.Navn, e.Organisasjonsform.Kode, e.Naeringskode1.Beskrivelse, e.Active(), err)

	for _, orgnr := range []ident.Orgnr{registrytest.NeverExistedOrgnr, registrytest.DeletedOrgnr, registrytest.RemovedOrgnr} {
		_, err := c.Enhet(ctx, orgnr)
		fmt.Println(errors.Is(err, registry.ErrNotFound), errors.Is(err, brreg.ErrDeleted), errors.Is(err, brreg.ErrRemoved))
	}
	// Output:
	// SESAM AS AS Drift av restauranter og kafeer true <nil>
	// true false false
	// false true false
	// false false true
}

type bearerToken struct{}

func (bearerToken) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer token-from-maskinporten")
	return http.DefaultTransport.RoundTrip(r)
}

func ExampleClient_CanActFor() {
	srv := httptest.NewServer(registrytest.NewBrreg(registrytest.BrregConfig{}))
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL, AuthorizedHTTPClient: &http.Client{Transport: bearerToken{}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	people := registrytest.Persons()
	for _, who := range []int{registrytest.SigridHaugland, registrytest.IngridSolberg} {
		ok, err := c.CanActFor(context.Background(), people[who].FNR, registrytest.ApplicantOrgnr)
		fmt.Println(people[who].Name(), ok, err)
	}
	// Output:
	// Sigrid Haugland true <nil>
	// Ingrid Marie Solberg false <nil>
}

func ExampleClient_Search() {
	srv := httptest.NewServer(registrytest.NewBrreg(registrytest.BrregConfig{}))
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	for e, err := range c.Search(context.Background(), brreg.Query{Navn: "sesam", Size: 1}) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(e.Organisasjonsnummer, e.Navn)
	}
	// Output:
	// 971497017 SESAM FAMILIEBARNEHAGE
	// 976030788 SESAM AS
}

func ExampleClient_ActFor() {
	srv := httptest.NewServer(registrytest.NewBrreg(registrytest.BrregConfig{}))
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL, AuthorizedHTTPClient: &http.Client{Transport: bearerToken{}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	people := registrytest.Persons()
	ctx := context.Background()

	// The number as the person typed it.
	a, err := c.ActFor(ctx, people[registrytest.SigridHaugland].FNR, "976 030 788")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Enhet.Navn, a.Roles[0].Type.Kode, a.Address)

	for _, orgnr := range []ident.Orgnr{registrytest.ApplicantOrgnr, registrytest.DeletedOrgnr, "976030789"} {
		_, err := c.ActFor(ctx, people[registrytest.IngridSolberg].FNR, orgnr)
		fmt.Println(brreg.HTTPStatus(err))
	}
	// Output:
	// SESAM AS DAGL SESAM AS, Storgata 12B, 0184 OSLO
	// 403 may_not_act
	// 410 deleted
	// 400 invalid_orgnr
}

func ExampleEnhet_PostalAddress() {
	e := brreg.Enhet{Navn: "DIGITALISERINGSDIREKTORATET",
		Postadresse:        &brreg.Adresse{Landkode: "NO", Postnummer: "0114", Poststed: "OSLO", Adresse: []string{"Postboks 1382 Vika"}},
		Forretningsadresse: &brreg.Adresse{Landkode: "NO", Postnummer: "0585", Poststed: "OSLO", Adresse: []string{"Lørenfaret 1C"}}}
	fmt.Println(e.PostalAddress())
	// Output:
	// DIGITALISERINGSDIREKTORATET, Postboks 1382 Vika, 0114 OSLO
}
