package folkeregisteret_test

import (
	"context"
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
