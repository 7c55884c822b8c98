package registrytest_test

import (
	"context"
	"fmt"
	"github.com/grunnmur/grunnmur/fake"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func Example() {
	reg := registrytest.NewBrreg(registrytest.BrregConfig{})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	c, err := brreg.New(brreg.Config{BaseURL: srv.URL, MaxAttempts: 1})
	if err != nil {
		fmt.Println(err)
		return
	}

	reg.Inject(fake.Fault{Status: 503}) // the next request fails
	_, err = c.Enhet(context.Background(), registrytest.DigdirOrgnr)
	fmt.Println(err)
	e, err := c.Enhet(context.Background(), registrytest.DigdirOrgnr)
	fmt.Println(e.Navn, err, reg.Requests(""))
	// Output:
	// brreg: enhet: unavailable (http 503): injected fault: 503
	// DIGITALISERINGSDIREKTORATET <nil> 2
}
