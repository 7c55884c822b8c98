package registrytest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	fake := registrytest.NewBrreg(registrytest.BrregConfig{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL, MaxAttempts: 1})
	if err != nil {
		fmt.Println(err)
		return
	}

	fake.FailNext(1, 503) // the next request fails
	_, err = c.Enhet(context.Background(), registrytest.DigdirOrgnr)
	fmt.Println(err)
	e, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr)
	fmt.Println(e.Navn, err, fake.Requests())
	// Output:
	// brreg: enhet: unavailable (http 503): injected fault: 503
	// DIGITALISERINGSDIREKTORATET <nil> 2
}
