package site

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestLang(t *testing.T) {
	for _, c := range []struct {
		query, cookie, accept, want string
	}{
		{"", "", "", "nb"},
		{"nn", "en", "en", "nn"},
		{"de", "en", "", "en"},
		{"", "", "nn-NO,nb;q=0.8", "nn"},
		{"", "", "no", "nb"},
		{"", "", "en-GB", "en"},
		{"", "xx", "fr", "nb"},
	} {
		r := httptest.NewRequest("GET", "/?lang="+c.query, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: c.cookie})
		}
		r.Header.Set("Accept-Language", c.accept)
		if got := Lang(r); string(got) != c.want {
			t.Errorf("%+v: %s", c, got)
		}
	}
}

func TestMessages(t *testing.T) {
	m := Messages{"a": {"nb": "A", "nn": "A", "en": "A"}, "b": {"nb": "B"}}
	if got := m.Missing(); strings.Join(got, " ") != "b/en b/nn" {
		t.Errorf("missing: %v", got)
	}
	if m.T("en", "b") != "B" || m.T("nn", "x") != "x" {
		t.Error("fallbacks")
	}
}

func TestHeaders(t *testing.T) {
	h := Headers{FrameAncestors: []string{"https://test.idporten.no/"}, FramePath: []string{"/auth/frontchannel-logout"},
		FormAction: []string{"https://test.idporten.no", "https://apitest.vipps.no/x"}}
	srv := h.Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://apitest.vipps.no https://test.idporten.no;") || !strings.HasSuffix(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP: %s", csp)
	}
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/auth/frontchannel-logout?sid=x", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://test.idporten.no") || rec.Header().Get("X-Frame-Options") != "" {
		t.Errorf("front-channel path: %s", csp)
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS without TLS or a trusted proxy")
	}
}

// FuzzLang feeds Lang outside input: it always answers one of Langs.
func FuzzLang(f *testing.F) {
	f.Add("nn", "en", "nb-NO,nb;q=0.9,en;q=0.5")
	f.Add("", "", ";;,,q=1,nn-")
	f.Fuzz(func(t *testing.T, query, cookie, accept string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = "lang=" + query
		r.Header.Set("Cookie", LangCookie+"="+cookie)
		r.Header.Set("Accept-Language", accept)
		if l := Lang(r); l != "nb" && l != "nn" && l != "en" {
			t.Fatalf("Lang = %q", l)
		}
	})
}

func TestCommonComplete(t *testing.T) {
	if m := Common.Missing(); len(m) > 0 {
		t.Errorf("common texts missing a language: %v", m)
	}
	m := Messages{"x": {"nb": "X"}}
	if m.T("nn", "logout") != "Logg ut" || !m.Has("err.404") || m.Has("nope") {
		t.Error("Common fallback")
	}
}

func TestPersonAddress(t *testing.T) {
	fake := registrytest.NewFolkeregisteret(registrytest.FolkeregisteretConfig{Authorize: func(*http.Request) int { return 0 }})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := folkeregisteret.New(folkeregisteret.Config{BaseURL: srv.URL, Rettighetspakke: folkeregisteret.OffentligMedHjemmel, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	persons := registrytest.Persons()
	for i, want := range map[int]struct {
		protected bool
		line1     string
	}{
		registrytest.SigridHaugland: {line1: persons[registrytest.SigridHaugland].Home.Adressenavn},
		registrytest.NilsFjeld:      {line1: "Gnr."},
		registrytest.IngridSolberg:  {protected: true},
		registrytest.EmilNordby:     {protected: true},
	} {
		p, err := c.Person(t.Context(), persons[i].FNR, folkeregisteret.PartNavn, folkeregisteret.PartPostadresse, folkeregisteret.PartBostedsadresse)
		if err != nil {
			t.Fatal(err)
		}
		a, protected, err := PersonAddress(p)
		if err != nil {
			t.Fatalf("%s: %v", persons[i].Name(), err)
		}
		if a.Name != persons[i].Name() || protected != want.protected {
			t.Errorf("%s: name %q, protected %v", persons[i].Name(), a.Name, protected)
		}
		if protected {
			if a.Line1 != "" || a.PostalCode != "" || a.PostTown != "" {
				t.Errorf("%s: a protected address leaked: %+v", persons[i].Name(), a)
			}
			continue
		}
		if !strings.HasPrefix(a.Line1, want.line1) || len(a.PostalCode) != 4 || a.PostTown == "" {
			t.Errorf("%s: %+v", persons[i].Name(), a)
		}
	}
}

// FuzzPersonAddress: whatever Folkeregisteret answers, PersonAddress never
// panics, never gives a protected person an address, and gives a postal
// code only as four digits.
func FuzzPersonAddress(f *testing.F) {
	f.Add([]byte(`{"navn":[{"erGjeldende":true,"fornavn":"Kari","etternavn":"Nordmann"}],"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Storgata","adressenummer":{"husnummer":"1"},"poststed":{"postnummer":"0155","poststedsnavn":"OSLO"}}}],"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"ugradert"}]}`))
	f.Add([]byte(`{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"fortrolig"}],"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hemmelig"}}]}`))
	f.Add([]byte(`{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"ugradert"}],"postadresse":[{"erGjeldende":true,"postadresseIFrittFormat":{"adresselinje":["c/o A","B","C","D"],"postnummer":"12x4","poststed":"X"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p folkeregisteret.Person
		if json.Unmarshal(data, &p) != nil {
			return
		}
		a, protected, err := PersonAddress(&p)
		if err != nil {
			return
		}
		if (protected || p.AddressProtected()) && (a.Line1 != "" || a.Line2 != "" || a.Line3 != "" || a.PostalCode != "" || a.PostTown != "") {
			t.Fatalf("a protected person got an address: %+v", a)
		}
		if a.PostalCode != "" && (len(a.PostalCode) != 4 || strings.Trim(a.PostalCode, "0123456789") != "") {
			t.Fatalf("postal code %q", a.PostalCode)
		}
	})
}
