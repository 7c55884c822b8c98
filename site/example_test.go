package site_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/grunnmur/grunnmur/site"
)

// Lang picks the page's language: the lang parameter, then the cookie, then
// the browser's Accept-Language, then nb.
func ExampleLang() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "nn-NO, en;q=0.8")
	fmt.Println(site.Lang(r))
	// Output: nn
}
