package adresse_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/grunnmur/grunnmur/fake"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/adresse"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func setup(t *testing.T) (*adresse.Client, *registrytest.Adresse, string) {
	t.Helper()
	reg := registrytest.NewAdresse(registrytest.AdresseConfig{})
	srv := httptest.NewServer(reg)
	t.Cleanup(srv.Close)
	base := srv.URL + "/adresser/v1"
	return must(adresse.New(adresse.Config{BaseURL: base, MaxAttempts: 1})), reg, base
}

func texts(as []adresse.Adresse) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Adressetekst)
	}
	return out
}

func TestSok(t *testing.T) {
	c, reg, _ := setup(t)
	ctx := context.Background()
	tests := []struct {
		name string
		q    adresse.Query
		want string
	}{
		{"free text", adresse.Query{Sok: "storgata 12 oslo"}, "Storgata 12A,Storgata 12B"},
		{"exact number and letter", adresse.Query{Adressenavn: "Storgata", Nummer: 12, Bokstav: "B"}, "Storgata 12B"},
		{"without letter", adresse.Query{Adressenavn: "Storgata", Nummer: 12, UtenBokstav: true}, ""},
		{"wildcard", adresse.Query{Sok: "hausm*"}, "Hausmanns gate 5"},
		{"fuzzy", adresse.Query{Sok: "kirkeveein 40", Fuzzy: true}, "Kirkeveien 40"},
		{"or", adresse.Query{Sok: "torggata elgeseter", Sokemodus: "OR"}, "Torggata 2,Elgeseter gate 5"},
		{"matrikkel", adresse.Query{Kommunenummer: "3401", Gardsnummer: 12, Bruksnummer: 3}, "Fjeldstad, 12/3"},
		{"objtype", adresse.Query{Objtype: "Matrikkeladresse"}, "Fjeldstad, 12/3"},
		{"postnummer and bruksenhet", adresse.Query{Postnummer: "0184", Bruksenhetsnummer: "H0202"}, "Storgata 12B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(texts(r.Adresser), ","); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	r, _ := c.Search(ctx, adresse.Query{Adressenavn: "Storgata", Nummer: 12, Bokstav: "B"})
	a := r.Adresser[0]
	if a.Matrikkel() != "208/211" || a.Representasjonspunkt == nil || math.Abs(a.Representasjonspunkt.Lat-59.91458) > 1e-6 ||
		a.Objtype != "Vegadresse" || a.String() != "Storgata 12B, 0184 OSLO" || len(a.Bruksenhetsnummer) != 3 || a.Oppdateringsdato.IsZero() {
		t.Errorf("address: %+v", a)
	}
	// Cached: the same query again makes no request.
	before := reg.Requests("")
	if _, err := c.Search(ctx, adresse.Query{Adressenavn: "Storgata", Nummer: 12, Bokstav: "B"}); err != nil || reg.Requests("") != before {
		t.Errorf("not cached: %v", err)
	}
}

func TestSokAllPages(t *testing.T) {
	c, reg, _ := setup(t)
	var got []string
	for a, err := range c.SearchAll(context.Background(), adresse.Query{Adressenavn: "Storgata", TreffPerSide: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.Adressetekst)
	}
	if len(got) != 7 || reg.Requests("") != 4 {
		t.Errorf("%d addresses in %d requests: %q", len(got), reg.Requests(""), got)
	}
}

func TestPunktsok(t *testing.T) {
	c, _, _ := setup(t)
	// Neighbours within 40 m of SESAM AS, Storgata 12B: a nabovarsel's list.
	var got []string
	last := -1.0
	for a, err := range c.SearchPointAll(context.Background(), adresse.PointQuery{Lat: 59.91458, Lon: 10.75590, Radius: 40, TreffPerSide: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.MeterDistanseTilPunkt < last {
			t.Errorf("not nearest first: %v after %v", a.MeterDistanseTilPunkt, last)
		}
		last = a.MeterDistanseTilPunkt
		got = append(got, a.Adressetekst)
	}
	if len(got) < 4 || got[0] != "Storgata 12B" || strings.Contains(strings.Join(got, ","), "Kirkeveien") {
		t.Errorf("neighbours: %q", got)
	}
	r, err := c.SearchPoint(context.Background(), adresse.PointQuery{Lat: 63.4266, Lon: 10.3961, Radius: 100})
	if err != nil || len(r.Adresser) != 1 || r.Adresser[0].Poststed != "TRONDHEIM" {
		t.Errorf("trondheim: %v %+v", err, r)
	}
}

func TestInvalidInputMakesNoRequest(t *testing.T) {
	c, reg, _ := setup(t)
	ctx := context.Background()
	for _, q := range []adresse.Query{{}, {Kommunenummer: "301"}, {Postnummer: "340"}, {Sok: "x", TreffPerSide: 1001}, {Sok: "x", Side: -1}, {Sok: "x", Sokemodus: "XOR"}, {Objtype: "Hus"}} {
		if _, err := c.Search(ctx, q); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%+v: %v", q, err)
		}
	}
	for _, q := range []adresse.PointQuery{{Lat: 59, Lon: 10}, {Lat: 91, Lon: 10, Radius: 5}, {Lat: math.NaN(), Lon: 10, Radius: 5}} {
		if _, err := c.SearchPoint(ctx, q); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%+v: %v", q, err)
		}
	}
	if reg.Requests("") != 0 {
		t.Errorf("%d requests", reg.Requests(""))
	}
}

func TestErrorPaths(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*registrytest.Adresse)
		want   error
	}{
		{"bad request", func(f *registrytest.Adresse) { f.Inject(fake.Fault{Status: 400}) }, registry.ErrInvalid},
		{"server error", func(f *registrytest.Adresse) { f.Inject(fake.Fault{Status: 500}) }, registry.ErrUnavailable},
		{"rate limited", func(f *registrytest.Adresse) { f.Inject(fake.Fault{Status: 429}) }, registry.ErrRateLimited},
		{"dropped", func(f *registrytest.Adresse) { f.Inject(fake.Fault{Drop: true}) }, registry.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, reg, _ := setup(t)
			tt.inject(reg)
			if _, err := c.Search(context.Background(), adresse.Query{Sok: "storgata"}); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("fake refuses another coordinate system", func(t *testing.T) {
		c, _, _ := setup(t)
		_, err := c.SearchPoint(context.Background(), adresse.PointQuery{Lat: 6643000, Lon: 597000, Radius: 10, Koordsys: 25832})
		if !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestFakeFollowsSpec checks that every field the fake sends is one the
// OpenAPI description defines.
func TestFakeFollowsSpec(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "kartverket", "openapi-swagger2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		BasePath    string `json:"basePath"`
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.BasePath+"" != "/adresser/v1" || !strings.HasSuffix(adresse.ProductionBaseURL, spec.BasePath) {
		t.Errorf("DefaultBaseURL %s vs basePath %s", adresse.ProductionBaseURL, spec.BasePath)
	}
	_, _, base := setup(t)
	for path, def := range map[string]string{"/sok?sok=storgata": "OutputAdresse", "/punktsok?lat=59.9145&lon=10.7559&radius=50": "OutputGeoPoint"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Metadata map[string]any   `json:"metadata"`
			Adresser []map[string]any `json:"adresser"`
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out.Adresser) == 0 {
			t.Fatalf("%s: %v %s", path, err, body)
		}
		for k := range out.Metadata {
			if _, ok := spec.Definitions["HitMetadata"].Properties[k]; !ok {
				t.Errorf("metadata.%s is not in the spec", k)
			}
		}
		for k := range out.Adresser[0] {
			if _, ok := spec.Definitions[def].Properties[k]; !ok {
				t.Errorf("%s: %s is not in the spec", def, k)
			}
		}
		for k := range spec.Definitions[def].Properties {
			if _, ok := out.Adresser[0][k]; !ok {
				t.Errorf("%s: the fake leaves out %s", def, k)
			}
		}
	}
}

func FuzzDecodeResult(f *testing.F) {
	f.Add([]byte(`{"metadata":{"totaltAntallTreff":1,"viserTil":1},"adresser":[{"adressetekst":"Storgata 1","representasjonspunkt":{"epsg":"EPSG:4258","lat":59.9,"lon":10.7},"oppdateringsdato":"2024-05-02T10:11:12"}]}`))
	f.Add([]byte(`{"adresser":[{"bruksenhetsnummer":null,"gardsnummer":-1,"oppdateringsdato":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r adresse.Result
		if json.Unmarshal(data, &r) != nil {
			return
		}
		for i := range r.Adresser {
			_ = r.Adresser[i].Matrikkel()
			_ = r.Adresser[i].String()
		}
	})
}
