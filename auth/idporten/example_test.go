package idporten_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/auth/idporten"
	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/secret"
)

// A whole login against the fake ID-porten: Start, the browser's trip to the
// provider, and Callback.
func Example() {
	fake := idportentest.New(idportentest.Config{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.SetBaseURL(srv.URL)
	fake.RegisterClient(idportentest.Client{ID: "kommune", Secret: "s3cret", RedirectURIs: []string{"https://kommune.example/auth/callback"}})

	c, err := idporten.New(idporten.Config{
		Issuer: fake.Issuer(idportentest.IDPorten), ClientID: "kommune", ClientSecret: secret.New("s3cret"),
		RedirectURI: "https://kommune.example/auth/callback",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	authURL, pending, err := c.Start(ctx, idporten.AuthOptions{ACR: idporten.High, UILocales: []string{"nn"}})
	if err != nil {
		panic(err)
	}
	// The browser: the fake logs the first test user in at once and
	// redirects back to the callback.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authURL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	callback, _ := resp.Location()

	login, err := c.Callback(ctx, callback.Query(), pending)
	if err != nil {
		panic(err)
	}
	fmt.Println("pid:", login.IDToken.PID) // redacted when printed
	fmt.Println("acr:", login.IDToken.ACR)
	fmt.Println("locale:", login.IDToken.Locale)
	// Output:
	// pid: 178585*****
	// acr: idporten-loa-high
	// locale: nn
}

func ExampleACR_Satisfies() {
	fmt.Println(idporten.High.Satisfies(idporten.Substantial))
	fmt.Println(idporten.ACR("Level3").Satisfies(idporten.High))
	// Output:
	// true
	// false
}

// ConfigFromEnv reads the GRUNNMUR_IDPORTEN_ variables; with none set, the
// caller uses a fake; an unset ISSUER is the test environment.
func ExampleConfigFromEnv() {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if _, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", getenv); errors.Is(err, config.ErrUnset) {
		fmt.Println("not configured: start the fake")
	}
	env["GRUNNMUR_IDPORTEN_CLIENT_ID"] = "kommune"
	env["GRUNNMUR_IDPORTEN_CLIENT_SECRET"] = "s3cret"
	env["GRUNNMUR_IDPORTEN_REDIRECT_URI"] = "https://kommune.example/auth/callback"
	cfg, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", getenv)
	if err != nil {
		panic(err)
	}
	c, err := idporten.New(cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Issuer())
	fmt.Printf("secret: %v\n", cfg.ClientSecret)
	// Output:
	// not configured: start the fake
	// https://test.idporten.no
	// secret: [redacted]
}
