package main

import (
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestCancelledLogin: a citizen who presses Avbryt at the fake ID-porten's
// login page is back on the start page with a short message, not on a 401
// "Innloggingen mislyktes".
func TestCancelledLogin(t *testing.T) {
	_, base, _ := startApp(t, "", pinned(t))
	b := sitetest.NewBrowser(t)
	_, picker := b.Do("GET", base+"/min-side?lang=en", nil)
	res, page := b.Cancel(picker)
	if res.StatusCode != 200 || res.Request.URL.Path != "/" || !strings.Contains(page, "You cancelled the login.") {
		t.Errorf("cancel: %d at %s: %.400s", res.StatusCode, res.Request.URL, page)
	}
}
