package registrytest_test

import (
	"context"
	"errors"
	"github.com/grunnmur/grunnmur/fake"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestPersonsAreSynthetic(t *testing.T) {
	seen := map[ident.Fodselsnummer]bool{}
	for _, p := range registrytest.Persons() {
		if !p.FNR.Synthetic() || !p.FNR.Kinds().Has(ident.KindTnr) {
			t.Errorf("%s: %v is not a Tenor synthetic number", p.Name(), p.FNR)
		}
		if b := p.FNR.BirthDate(); b != civil.DateOf(p.BirthDate) {
			t.Errorf("%s: birth date %v vs %v", p.Name(), b, p.BirthDate)
		}
		if seen[p.FNR] {
			t.Errorf("%s: duplicate number", p.Name())
		}
		seen[p.FNR] = true
	}
}

func TestOrgnrs(t *testing.T) {
	for _, o := range []string{registrytest.ApplicantOrgnr, registrytest.DigdirOrgnr, registrytest.DigdirUnderenhetOrgnr, registrytest.DeletedOrgnr,
		registrytest.DeletedUnderenhetOrgnr, registrytest.RemovedOrgnr, registrytest.NeverExistedOrgnr, registrytest.BarnehageOrgnr, registrytest.SoleProprietorshipOrgnr, registrytest.ApplicantUnderenhetOrgnr} {
		if _, err := ident.ParseOrgnr(o); err != nil {
			t.Errorf("%s: %v", o, err)
		}
	}
	if registrytest.OrgnrWithCheckDigit("1234567") != "" || registrytest.OrgnrWithCheckDigit("12a45678") != "" {
		t.Error("bad bases accepted")
	}
}

func get(t *testing.T, h http.Handler, method, path, body string, header ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func TestFakesRefuseWhatTheAPIsRefuse(t *testing.T) {
	brreg := registrytest.NewBrreg(registrytest.BrregConfig{})
	krr := registrytest.NewKRR(registrytest.KRRConfig{})
	freg := registrytest.NewFolkeregisteret(registrytest.FolkeregisteretConfig{})
	adr := registrytest.NewAdresse(registrytest.AdresseConfig{})
	many := `{"personidentifikatorer":[` + strings.Repeat(`"03851598730",`, 1000) + `"03851598730"]}`
	tests := []struct {
		name   string
		h      http.Handler
		method string
		path   string
		body   string
		header []string
		want   int
	}{
		{"brreg POST", brreg, "POST", "/enhetsregisteret/api/enheter/991825827", "", nil, 405},
		{"brreg xml", brreg, "GET", "/enhetsregisteret/api/enheter/991825827", "", []string{"Accept", "application/xml"}, 406},
		{"brreg short orgnr", brreg, "GET", "/enhetsregisteret/api/enheter/12345", "", nil, 400},
		{"brreg deep paging", brreg, "GET", "/enhetsregisteret/api/enheter?page=10&size=1000", "", nil, 400},
		{"brreg size", brreg, "GET", "/enhetsregisteret/api/oppdateringer/enheter?size=10001", "", nil, 400},
		{"brreg oppdateringsid", brreg, "GET", "/enhetsregisteret/api/oppdateringer/enheter?oppdateringsid=0", "", nil, 400},
		{"brreg roller without token", brreg, "GET", "/enhetsregisteret/autorisert-api/enheter/976030788/roller", "", nil, 401},
		{"brreg removed roller", brreg, "GET", "/enhetsregisteret/api/enheter/509100675/roller", "", nil, 410},
		{"brreg unknown path", brreg, "GET", "/enhetsregisteret/api/kommuner", "", nil, 404},
		{"krr GET", krr, "GET", "/rest/v1/personer", "", []string{"Authorization", "Bearer x"}, 405},
		{"krr no token", krr, "POST", "/rest/v1/personer", `{"personidentifikatorer":["03851598730"]}`, nil, 401},
		{"krr over 1000", krr, "POST", "/rest/v1/personer", many, []string{"Authorization", "Bearer x"}, 400},
		{"krr bad id", krr, "POST", "/rest/v1/personer", `{"personidentifikatorer":["123"]}`, []string{"Authorization", "Bearer x"}, 400},
		{"krr empty", krr, "POST", "/rest/v1/personer", `{"personidentifikatorer":[]}`, []string{"Authorization", "Bearer x"}, 400},
		{"freg unknown package", freg, "GET", "/folkeregisteret/privat/api/v1/personer/03851598730", "", []string{"Authorization", "Bearer x"}, 404},
		{"freg xml only", freg, "GET", "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/03851598730", "", []string{"Authorization", "Bearer x", "Accept", "application/xml"}, 406},
		{"freg bulk content type", freg, "POST", "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag", `{}`, []string{"Authorization", "Bearer x", "Content-Type", "text/plain"}, 415},
		{"freg bulk without hjemmel", freg, "POST", "/folkeregisteret/finans-og-begrenset/api/v1/personer/bulkoppslag", `{}`, []string{"Authorization", "Bearer x", "Content-Type", "application/json"}, 404},
		{"freg bad id", freg, "GET", "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/12345678901", "", []string{"Authorization", "Bearer x"}, 400},
		{"adresse POST", adr, "POST", "/adresser/v1/sok?sok=x", "", nil, 405},
		{"adresse per page", adr, "GET", "/adresser/v1/sok?sok=x&treffPerSide=1001", "", nil, 400},
		{"adresse punktsok without radius", adr, "GET", "/adresser/v1/punktsok?lat=59&lon=10", "", nil, 400},
		{"adresse kommunenummer", adr, "GET", "/adresser/v1/sok?kommunenummer=301", "", nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, tt.h, tt.method, tt.path, tt.body, tt.header...)
			if resp.StatusCode != tt.want {
				body, _ := io.ReadAll(resp.Body)
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := registrytest.NewAdresse(registrytest.AdresseConfig{})
		c := registrytest.InProcess(reg)
		do := func() (*http.Response, error) {
			return c.Get("http://adresse.test/adresser/v1/sok?sok=storgata")
		}
		reg.Inject(fake.Fault{Times: 2, Status: 503})
		for range 2 {
			resp, err := do()
			if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
				t.Fatalf("FailNext: %v %v", resp, err)
			}
		}
		if resp, err := do(); err != nil || resp.StatusCode != 200 {
			t.Fatalf("after the faults: %v %v", resp, err)
		}
		reg.Inject(fake.Fault{Drop: true})
		if _, err := do(); err == nil {
			t.Error("DropNext: no error")
		}
		reg.Inject(fake.Fault{Delay: 30 * time.Second})
		start := time.Now()
		if resp, err := do(); err != nil || resp.StatusCode != 200 || time.Since(start) != 30*time.Second {
			t.Errorf("DelayNext: %v %v after %v", resp, err, time.Since(start))
		}
		reg.Inject(fake.Fault{Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://adresse.test/adresser/v1/sok?sok=x", nil)
		if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a delay honours the context: %v", err)
		}
		release := reg.Hold()
		done := make(chan struct{})
		go func() { do(); close(done) }()
		synctest.Wait()
		if reg.Waiting() != 1 {
			t.Errorf("held %d", reg.Waiting())
		}
		release()
		release() // a second release is harmless
		<-done
		if reg.Requests("") != 7 || reg.Requests("/adresser/v1/sok") != 7 {
			t.Errorf("requests %d", reg.Requests(""))
		}
	})
}

func TestDropOverNetwork(t *testing.T) {
	reg := registrytest.NewBrreg(registrytest.BrregConfig{})
	srv := httptest.NewServer(reg)
	defer srv.Close()
	reg.Inject(fake.Fault{Drop: true})
	if _, err := http.Get(srv.URL + "/enhetsregisteret/api/enheter/991825827"); err == nil {
		t.Error("dropped connection gave a response")
	}
}

func TestRegistries(t *testing.T) {
	all := registrytest.NewRegistries(registrytest.RegistriesConfig{})
	srv := httptest.NewServer(all)
	defer srv.Close()
	for path, reg := range map[string]interface{ Requests(string) int }{
		"/enhetsregisteret/api/enheter/991825827":                                                          all.Brreg,
		"/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/" + registrytest.Persons()[0].FNR.Reveal(): all.Folkeregisteret,
		"/adresser/v1/sok?sok=storgata":                                                                    all.Adresse,
		"/rest/v1/personer":                                                                                all.KRR,
	} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if reg.Requests("") != 1 || resp.StatusCode >= 500 {
			t.Errorf("%s: status %d, %d requests at its fake", path, resp.StatusCode, reg.Requests(""))
		}
	}
	if resp, _ := http.Get(srv.URL + "/other"); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}
