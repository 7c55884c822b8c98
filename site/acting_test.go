package site_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/vnu"
	"github.com/grunnmur/grunnmur/registry/brreg"
	"github.com/grunnmur/grunnmur/registry/registrytest"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

// servedWithBrreg is serve(t, full()) with Enhetsregisteret's authorised
// roles, and the client of the sandbox's register.
func servedWithBrreg(t *testing.T) (*site.Service, string, *brreg.Client) {
	c := full()
	c.Scopes = []string{"brreg:data:enhetsregisteret:roller"}
	svc, base := serve(t, c)
	reg, err := svc.Externals.BrregClient(svc.Config.Now, svc.Config.Logger)
	if err != nil {
		t.Fatal(err)
	}
	return svc, base, reg
}

// TestActFor: a citizen acts for an organisation only after
// Enhetsregisteret says they may; a refusal leaves them acting as before;
// ActAsSelf goes back to the person, and the logout ends it all.
func TestActFor(t *testing.T) {
	svc, base, reg := servedWithBrreg(t)
	// /party answers the owner key and the organisation, as a page would
	// read them; /act acts for the posted orgnr, or as oneself.
	svc.Mux.HandleFunc("GET /party", func(w http.ResponseWriter, r *http.Request) {
		owner, org, err := svc.Party(r)
		switch {
		case err != nil:
			fmt.Fprint(w, "error: ", err)
		case org == nil:
			fmt.Fprint(w, "person ", owner)
		default:
			fmt.Fprint(w, "org ", owner, " ", org.Orgnr, " ", org.Name, " ", org.Address.PostalCode)
		}
	})
	svc.Mux.Handle("POST /act", svc.ForCitizens(func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("orgnr") == "" {
			if err := svc.ActAsSelf(r); err != nil {
				t.Error(err)
			}
			return
		}
		_, err := svc.ActFor(r, reg, r.PostFormValue("orgnr"))
		_, code := brreg.HTTPStatus(err)
		fmt.Fprint(w, code)
	}))
	b := sitetest.NewBrowser(t)
	if _, page := b.Do("GET", base+"/party", nil); page != "error: "+auth.ErrNoSession.Error() {
		t.Errorf("without a login: %q", page)
	}
	_, page := b.Login(base+"/mine", sigrid)
	b.Token = b.CSRF(page)
	pid, _ := ident.ParseFodselsnummer(sigrid)
	person, _ := svc.OwnerKeys.Key(forms.Owner{Person: pid})
	sesam, _ := svc.OwnerKeys.Key(forms.Owner{Org: registrytest.ApplicantOrgnr})
	asPerson := "person " + person
	for _, step := range []struct{ orgnr, code, party string }{
		{"", "", asPerson},
		{"97603078", "invalid_orgnr", asPerson},
		{registrytest.NeverExistedOrgnr, "not_found", asPerson},
		{registrytest.DigdirOrgnr, "may_not_act", asPerson},
		{registrytest.DeletedOrgnr, "deleted", asPerson},
		{"976 030 788", "", "org " + sesam + " 976030788 SESAM AS "},
		{registrytest.DigdirOrgnr, "may_not_act", "org " + sesam + " 976030788 SESAM AS "},
		{"", "", asPerson},
	} {
		if step.orgnr != "" || step.code != "" {
			if _, page := b.Post(base+"/act", url.Values{"orgnr": {step.orgnr}}); page != step.code {
				t.Errorf("act for %q: %q, want %q", step.orgnr, page, step.code)
			}
		} else {
			b.Post(base+"/act", url.Values{})
		}
		if _, page := b.Do("GET", base+"/party", nil); !strings.HasPrefix(page, step.party) || strings.Contains(page, sigrid) {
			t.Errorf("after %q: %q, want %q", step.orgnr, page, step.party)
		}
	}
	b.Post(base+"/act", url.Values{"orgnr": {registrytest.ApplicantOrgnr}})
	if _, page := b.Do("GET", base+"/party", nil); !strings.HasPrefix(page, "org "+sesam) || strings.HasSuffix(page, " ") {
		t.Errorf("acting for SESAM AS, without its postal code: %q", page)
	}
}

func TestAllowList(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string { return map[string]string{"GRUNNMUR_HALL_ADMINS": v}[k] }
	}
	list, err := site.AllowList(env(" 20036914700,03851598730\n"+sigrid), "GRUNNMUR_HALL_ADMINS")
	if err != nil || len(list) != 3 || !list["20036914700"] || !list[sigrid] {
		t.Fatalf("%v %v", list, err)
	}
	if list, err := site.AllowList(env(""), "GRUNNMUR_HALL_ADMINS"); err != nil || len(list) != 0 {
		t.Errorf("unset: %v %v", list, err)
	}
	_, err = site.AllowList(env("20036914700, 12345678901"), "GRUNNMUR_HALL_ADMINS")
	if !errors.Is(err, site.ErrConfig) || !strings.Contains(err.Error(), "GRUNNMUR_HALL_ADMINS") || strings.Contains(err.Error(), "12345678901") {
		t.Errorf("a bad number: %v", err)
	}
}

// TestServiceAllowList reads the list from the service's variables; unset
// while the sandbox runs, the sandbox's officer is on it.
func TestServiceAllowList(t *testing.T) {
	svc, _ := serve(t, full())
	officer := svc.Fakes.Officer.PID.Reveal()
	if list, err := svc.AllowList("GRUNNMUR_HALL_ADMINS"); err != nil || len(list) != 1 || !list[officer] {
		t.Errorf("unset, with the sandbox: %v %v", list, err)
	}
	svc.Config.Getenv = func(k string) string { return map[string]string{"GRUNNMUR_HALL_ADMINS": sigrid}[k] }
	if list, err := svc.AllowList("GRUNNMUR_HALL_ADMINS"); err != nil || len(list) != 1 || !list[sigrid] {
		t.Errorf("set: %v %v", list, err)
	}
	svc.Config.Getenv = func(string) string { return "12345678901" }
	if _, err := svc.AllowList("GRUNNMUR_HALL_ADMINS"); !errors.Is(err, site.ErrConfig) {
		t.Errorf("a bad number: %v", err)
	}
}

// TestForListed lets only the listed citizen in, with the link only they
// see, and the others logged in get 403.
func TestForListed(t *testing.T) {
	svc, base := serve(t, full())
	admins := map[string]bool{sigrid: true}
	svc.Mux.Handle("GET /admin", svc.ForListed(admins, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "admin ", svc.Listed(r, admins))
	}))
	if res, page := sitetest.NewBrowser(t).Login(base+"/admin", sigrid); res.StatusCode != 200 || page != "admin true" {
		t.Errorf("listed: %d %.300s", res.StatusCode, page)
	}
	other := registrytest.Persons()[registrytest.MajaStrand].FNR.Reveal()
	if res, page := sitetest.NewBrowser(t).Login(base+"/admin?lang=en", other); res.StatusCode != http.StatusForbidden || !strings.Contains(page, "No access") {
		t.Errorf("not listed: %d %.300s", res.StatusCode, page)
	}
}

// TestActForPage: the page shows the field, refuses an organisation the
// citizen may not act for (422, in their language, with the number kept),
// acts for one they may and shows it, and goes back to the person. Each
// page is valid HTML.
func TestActForPage(t *testing.T) {
	svc, base, reg := servedWithBrreg(t)
	svc.Mux.Handle("/handle-for", svc.ForCitizens(svc.ActForPage(reg, "/mine")))
	b := sitetest.NewBrowser(t)
	res, page := b.Login(base+"/handle-for?lang=en", sigrid)
	if res.StatusCode != 200 || !strings.Contains(page, "Act for an organisation") || strings.Contains(page, `id="acting"`) {
		t.Fatalf("the page: %d %.2000s", res.StatusCode, page)
	}
	b.Token = b.CSRF(page)
	var pages []vnu.Page
	pages = append(pages, vnu.Page{Name: "en", HTML: []byte(page)})
	res, page = b.Post(base+"/handle-for?lang=nn", url.Values{"orgnr": {" " + registrytest.DigdirOrgnr}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "<title>Feil: Handle for ei verksemd") ||
		!strings.Contains(page, `id="orgnr-error">Du har ikkje ei rolle`) || !strings.Contains(page, `value="`+registrytest.DigdirOrgnr+`"`) {
		t.Errorf("refused: %d %.3000s", res.StatusCode, page)
	}
	pages = append(pages, vnu.Page{Name: "nn refused", HTML: []byte(page)})
	if res, page = b.Post(base+"/handle-for", url.Values{"orgnr": {registrytest.ApplicantOrgnr}}); res.Request.URL.Path != "/mine" {
		t.Errorf("acting: %s %.1000s", res.Request.URL, page)
	}
	_, page = b.Do("GET", base+"/handle-for?lang=nb", nil)
	if !strings.Contains(page, `id="acting">Du handler nå for <strong>SESAM AS (976030788)</strong>`) {
		t.Errorf("acting for: %.3000s", page)
	}
	pages = append(pages, vnu.Page{Name: "nb acting", HTML: []byte(page)})
	if res, _ := b.Post(base+"/handle-for", url.Values{"as": {"person"}}); res.Request.URL.Path != "/mine" {
		t.Errorf("as oneself: %s", res.Request.URL)
	}
	if _, page = b.Do("GET", base+"/handle-for", nil); strings.Contains(page, `id="acting"`) {
		t.Errorf("still acting: %.2000s", page)
	}
	if res, _ := b.Do("PUT", base+"/handle-for", url.Values{auth.CSRFFieldName: {b.Token}}); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", res.StatusCode)
	}
	vnu.Require(t, pages)
}
