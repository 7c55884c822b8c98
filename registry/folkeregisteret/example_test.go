package folkeregisteret_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	srv := httptest.NewServer(registrytest.NewFolkeregisteret(registrytest.FolkeregisteretConfig{}))
	defer srv.Close()
	c, err := folkeregisteret.New(folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: &http.Client{Transport: bearer{}}})
	if err != nil {
		fmt.Println(err)
		return
	}

	people := registrytest.Persons()
	for _, who := range []int{registrytest.SigridHaugland, registrytest.IngridSolberg} {
		p, err := c.Person(context.Background(), people[who].FNR)
		if err != nil {
			fmt.Println(err)
			return
		}
		lines, err := p.AddressLines()
		fmt.Println(p, lines, err)
	}
	// Output:
	// folkeregisteret.Person{148385***** bosatt} [Sigrid Haugland Storgata 12B H0201 0184 OSLO] <nil>
	// folkeregisteret.Person{218690***** bosatt} [] folkeregisteret: address is protected (strengtFortrolig)
}

func ExampleClient_PostalAddress() {
	srv := httptest.NewServer(registrytest.NewFolkeregisteret(registrytest.FolkeregisteretConfig{}))
	defer srv.Close()
	c, err := folkeregisteret.New(folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: &http.Client{Transport: bearer{}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	people := registrytest.Persons()
	for _, who := range []int{registrytest.MajaStrand, registrytest.IngridSolberg} {
		a, err := c.PostalAddress(context.Background(), people[who].FNR)
		switch {
		case errors.Is(err, folkeregisteret.ErrProtectedAddress):
			// Send the letter digital-only: there is no address to print.
			fmt.Println(a.Name, "– digital only:", a.IsZero())
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(a)
		}
	}
	// Output:
	// Maja Strand, Postboks 4711, 0102 OSLO
	// Ingrid Marie Solberg – digital only: true
}
