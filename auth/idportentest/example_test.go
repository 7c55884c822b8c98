package idportentest_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/grunnmur/grunnmur/auth/idportentest"
)

func ExampleNew() {
	fake := idportentest.New(idportentest.Config{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.SetBaseURL(srv.URL)
	for _, p := range []idportentest.Provider{idportentest.IDPorten, idportentest.Ansattporten, idportentest.Maskinporten} {
		fmt.Printf("%s at %q\n", p, strings.TrimPrefix(fake.Issuer(p), srv.URL))
	}
	for _, u := range fake.Users() {
		fmt.Println(u.Name, u.PID) // synthetic numbers, redacted all the same
	}
	// Output:
	// ID-porten at ""
	// Ansattporten at "/ansattporten"
	// Maskinporten at "/maskinporten/"
	// Kari Nordmann 178585*****
	// Ola Nordmann 029179*****
	// Aslak Sara 068292*****
	// Nora Hansen 308801*****
	// Per Olsen 148158*****
}
