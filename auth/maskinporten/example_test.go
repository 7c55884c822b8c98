package maskinporten_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/grunnmur/grunnmur/auth/idportentest"
	"github.com/grunnmur/grunnmur/auth/maskinporten"
)

// An API behind Maskinporten, called through TokenSource.Client; the fake
// Maskinporten issues the tokens and the API checks them.
func ExampleTokenSource_Client() {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	fake := idportentest.New(idportentest.Config{})
	mp := httptest.NewServer(fake)
	defer mp.Close()
	fake.SetBaseURL(mp.URL)
	fake.RegisterClient(idportentest.Client{
		ID: "kommune-svarut", Keys: map[string]crypto.PublicKey{"kid-1": &key.PublicKey},
		Scopes: []string{"ks:fiks"}, OrgNumber: "974760673",
	})

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		t, err := fake.VerifyMaskinportenToken(tok, "ks:fiks")
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s", t.Consumer)
	}))
	defer api.Close()

	ts, err := maskinporten.New(maskinporten.Config{
		Issuer: fake.Issuer(idportentest.Maskinporten), ClientID: "kommune-svarut",
		Key: key, KeyID: "kid-1", Scopes: []string{"ks:fiks"},
	})
	if err != nil {
		panic(err)
	}
	resp, err := ts.Client(nil).Get(api.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello 974760673
}

// A token prints no secret, however it is printed.
func ExampleToken() {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	fake := idportentest.New(idportentest.Config{})
	mp := httptest.NewServer(fake)
	defer mp.Close()
	fake.SetBaseURL(mp.URL)
	fake.RegisterClient(idportentest.Client{ID: "kommune", Keys: map[string]crypto.PublicKey{"kid-1": &key.PublicKey}, Scopes: []string{"ks:fiks"}})

	ts, err := maskinporten.New(maskinporten.Config{
		Issuer: fake.Issuer(idportentest.Maskinporten), ClientID: "kommune", Key: key, KeyID: "kid-1", Scopes: []string{"ks:fiks"},
	})
	if err != nil {
		panic(err)
	}
	tok, err := ts.Token(context.Background())
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(tok)
	fmt.Println(strings.Contains(fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, b), tok.AccessToken.Reveal()))
	fmt.Printf("%v\n", tok.AccessToken)
	// Output:
	// false
	// [redacted]
}
