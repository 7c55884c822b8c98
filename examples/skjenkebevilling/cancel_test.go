package main

import (
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/site/sitetest"
)

// TestCancelledLogin: a citizen or an officer who presses Avbryt at the
// fake ID-porten's login page is back on the start page with a short
// message in their language, not on a 401 "Innloggingen mislyktes".
func TestCancelledLogin(t *testing.T) {
	_, base, _ := startApp(t, "", pinned(t))
	for _, c := range []struct{ page, lang, want string }{
		{"/min-side", "nb", "Du avbrøt innloggingen."},
		{"/soknad/ny", "nn", "Du avbraut innlogginga."},
		{"/ansatt", "en", "You cancelled the login."},
	} {
		b := sitetest.NewBrowser(t)
		_, picker := b.Do("GET", base+c.page+"?lang="+c.lang, nil)
		res, page := b.Cancel(picker)
		if res.StatusCode != 200 || res.Request.URL.Path != "/" || !strings.Contains(page, c.want) || !strings.Contains(page, `<html lang="`+c.lang+`"`) {
			t.Errorf("cancel at %s: %d at %s: %.400s", c.page, res.StatusCode, res.Request.URL, page)
		}
		if strings.Contains(page, "mislyktes") || strings.Contains(page, "mislukkast") || strings.Contains(page, "failed") {
			t.Errorf("cancel at %s shows a failed login", c.page)
		}
	}
}
