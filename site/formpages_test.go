package site_test

import (
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/site"
	"github.com/grunnmur/grunnmur/site/sitetest"
)

const testForm = `{"id": "t", "version": 1, "title": "t",
	"texts": {"t": {"nb": "Søknad", "nn": "Søknad", "en": "Application"}, "p": {"nb": "Om deg", "nn": "Om deg", "en": "About you"},
		"navn": {"nb": "Navn", "nn": "Namn", "en": "Name"}},
	"pages": [{"id": "p", "title": "p", "components": [{"id": "navn", "type": "text", "bind": "/navn", "label": "navn"}]}]}`

// TestFormPagesHeader: the form's pages carry the site's header in the
// page's language, the logout button with the form's CSRF field, and a
// service's own receipt; a service name with template and HTML syntax is
// only text.
func TestFormPagesHeader(t *testing.T) {
	c := full()
	c.Messages = site.Messages{"service": {"nb": "Prøve {{.Hidden}} <b>", "nn": "Prøveteneste", "en": "Test service"}}
	for k, v := range texts {
		if k != "service" {
			c.Messages[k] = v
		}
	}
	svc, base := serve(t, c)
	own := fstest.MapFS{"forms/receipt.html": {Data: []byte(`{{define "receipt"}}<p id="own-receipt">{{.Reference}} {{msg "received" .Lang}}</p>{{end}}`)}}
	tmpl, err := svc.FormPages("/soknad", own, "forms/*.html")
	if err != nil {
		t.Fatal(err)
	}
	svc.Form(&forms.Flow{Def: forms.MustParse([]byte(testForm)), Prefix: "/soknad", Renderer: forms.Renderer{Templates: tmpl}})
	b := sitetest.NewBrowser(t)
	b.Login(base+"/mine", sigrid)
	res, page := b.Post(base+"/soknad/?lang=nn", url.Values{})
	if res.StatusCode != 200 {
		t.Fatalf("first page: %d %.1000s", res.StatusCode, page)
	}
	for _, want := range []string{`<a class="ds-link" href="/">Prøveteneste</a>`, `aria-label="Hovudmeny"`, `href="/mine">Mi side</a>`,
		`action="/auth/logout"`, `name="csrf_token"`, `<span aria-current="true">Nynorsk</span>`, `href="?lang=en"`, `href="/static/site.css"`, `Namn`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in %.3000s", want, page)
		}
	}
	_, page = b.Do("GET", base+res.Request.URL.Path+"?lang=nb", nil)
	if !strings.Contains(page, "Prøve {{.Hidden}} &lt;b&gt;") || strings.Contains(page, "<b>") {
		t.Errorf("the service's name is not plain text: %.1500s", page)
	}
	res, page = b.Post(base+strings.TrimSuffix(res.Request.URL.Path, "/p")+"/check", url.Values{"_action": {"submit"}})
	if !strings.Contains(page, `id="own-receipt"`) {
		t.Errorf("the service's receipt: %d %.2000s", res.StatusCode, page)
	}
}
