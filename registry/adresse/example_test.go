package adresse_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	srv := httptest.NewServer(registrytest.NewAdresse(registrytest.AdresseConfig{}))
	defer srv.Close()
	c, err := adresse.New(adresse.Config{BaseURL: srv.URL + "/adresser/v1"})
	if err != nil {
		fmt.Println(err)
		return
	}

	r, err := c.Search(context.Background(), adresse.Query{Sok: "storgata 12b oslo"})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := r.Adresser[0]
	fmt.Println(a.String(), a.Matrikkel(), a.Kommunenummer)

	for n, err := range c.SearchPointAll(context.Background(), adresse.PointQuery{Lat: a.Representasjonspunkt.Lat, Lon: a.Representasjonspunkt.Lon, Radius: 25}) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("%s (%s) %.0f m\n", n.Adressetekst, n.Matrikkel(), n.MeterDistanseTilPunkt)
	}
	// Output:
	// Storgata 12B, 0184 OSLO 208/211 0301
	// Storgata 12B (208/211) 0 m
	// Storgata 12A (208/211) 12 m
	// Storgata 14 (208/212) 23 m
}
