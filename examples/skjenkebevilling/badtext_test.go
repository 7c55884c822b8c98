package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

func TestBadBytesInAnswers(t *testing.T)         { testBadBytesInAnswers(t, "") }
func TestBadBytesInAnswersPostgres(t *testing.T) { testBadBytesInAnswers(t, postgrestest.URL(t)) }

// testBadBytesInAnswers: whatever a citizen's browser posts (a NUL as %00,
// bytes that are not UTF-8, bidi overrides, emoji), the draft is saved with
// what can be kept, not answered with a 500 from the database.
func testBadBytesInAnswers(t *testing.T, databaseURL string) {
	app, base, _ := startApp(t, databaseURL, pinned(t))
	c := loginAt(t, base, "/soknad/ny", registrytest.Persons()[registrytest.SigridHaugland].FNR.Reveal())
	_, page := c.Do("GET", base+"/soknad/ny", nil)
	csrf := sitetest.Match(t, `name="csrf_token" value="([^"]+)"`, page)
	res, page := c.Do("POST", base+"/soknad/ny", url.Values{"orgnr": {registrytest.ApplicantOrgnr}, "csrf_token": {csrf}})
	if res.StatusCode != 200 || !strings.HasSuffix(res.Request.URL.Path, "/soker") {
		t.Fatalf("start: %d %s", res.StatusCode, res.Request.URL)
	}
	draftID := strings.Split(strings.TrimPrefix(res.Request.URL.Path, "/soknad/"), "/")[0]
	csrf = sitetest.Match(t, `name="csrf_token" value="([^"]+)"`, page)
	res, page = c.Do("POST", base+"/soknad/"+draftID+"/skjenkested", url.Values{
		"csrf_token":                   {csrf},
		"_action":                      {"save"},
		"/skjenkested/navn":            {"Bar\x00 🍺\xff\xfe"},
		"/skjenkested/typeBeskrivelse": {"\u202eevil\u202c\u2028a\x00b"},
		"/skjenkested/type":            {"\x00"},
		"/skjenkested/adresse/\xff":    {"\xc3\x28"},
	})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.Request.URL.Path, "/skjenkested") {
		t.Fatalf("save: %d %s %.300s", res.StatusCode, res.Request.URL, page)
	}
	if !strings.Contains(page, "Bar 🍺\uFFFD\uFFFD") {
		t.Error("the saved page does not show the cleaned name")
	}
	owner, err := app.OwnerKeys.Key(forms.Owner{Person: registrytest.Persons()[registrytest.SigridHaugland].FNR})
	if err != nil {
		t.Fatal(err)
	}
	d, err := app.Forms.GetDraft(t.Context(), draftID)
	if err != nil || d.Owner != owner {
		t.Fatalf("draft: %v", err)
	}
	sted, _ := d.Data["skjenkested"].(map[string]any)
	if sted["navn"] != "Bar 🍺\uFFFD\uFFFD" || sted["typeBeskrivelse"] != "\u202eevil\u202c\u2028ab" {
		t.Errorf("saved %q and %q", sted["navn"], sted["typeBeskrivelse"])
	}
}
