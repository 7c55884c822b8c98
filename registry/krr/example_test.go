package krr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/krr"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	srv := httptest.NewServer(registrytest.NewKRR(registrytest.KRRConfig{}))
	defer srv.Close()
	c, err := krr.New(krr.Config{BaseURL: srv.URL, HTTPClient: &http.Client{Transport: bearer{}}})
	if err != nil {
		fmt.Println(err)
		return
	}

	people := registrytest.Persons()
	var fnrs []ident.Fodselsnummer
	for _, p := range people {
		fnrs = append(fnrs, p.FNR)
	}
	answers, err := c.Persons(context.Background(), fnrs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, a := range answers {
		fmt.Printf("%-20s %-15s reservert=%-5v digital=%v\n", people[i].Name(), a.Status, a.Reserved(), a.CanSendDigital())
	}
	// Output:
	// Sigrid Haugland      AKTIV           reservert=false digital=true
	// Ola Bakken           AKTIV           reservert=true  digital=false
	// Ingrid Marie Solberg AKTIV           reservert=false digital=true
	// Nils Fjeld           IKKE_REGISTRERT reservert=false digital=false
	// Aud Lien             SLETTET         reservert=false digital=false
	// Emil Nordby          AKTIV           reservert=false digital=false
	// Maja Strand          AKTIV           reservert=false digital=true
}
