package devenv_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/grunnmur/grunnmur/devenv"
)

func Example() {
	ctx := context.Background()
	env, err := devenv.Start(ctx, devenv.Options{Addr: "127.0.0.1:0"}) // free ports; the default is 127.0.0.1:9000 up
	if err != nil {
		fmt.Println(err)
		return
	}
	defer env.Close(ctx)
	for _, s := range env.Services {
		resp, err := http.Get(s.Check)
		if err != nil {
			fmt.Println(s.Name, err)
			continue
		}
		resp.Body.Close()
		fmt.Printf("%-20s %-36s %d\n", s.Name, s.Env, resp.StatusCode)
	}
	fmt.Println(env.Getenv("GRUNNMUR_IDPORTEN_CLIENT_ID"))
	// Output:
	// ID-porten            GRUNNMUR_IDPORTEN_ISSUER             200
	// Ansattporten         GRUNNMUR_ANSATTPORTEN_ISSUER         200
	// Maskinporten         GRUNNMUR_MASKINPORTEN_ISSUER         200
	// Vipps                GRUNNMUR_VIPPS_BASE_URL              200
	// SvarUT               GRUNNMUR_SVARUT_BASE_URL             200
	// Enhetsregisteret     GRUNNMUR_BRREG_BASE_URL              200
	// Folkeregisteret      GRUNNMUR_FOLKEREGISTERET_BASE_URL    200
	// KRR                  GRUNNMUR_KRR_BASE_URL                200
	// Kartverket adresser  GRUNNMUR_ADRESSE_BASE_URL            200
	// Altinn Notifications GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL 200
	// grunnmur-dev
}
