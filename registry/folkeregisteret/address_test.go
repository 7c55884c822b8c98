package folkeregisteret_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/registry/folkeregisteret"
	"github.com/grunnmur/grunnmur/registry/registrytest"
)

func TestClientPostalAddress(t *testing.T) {
	c, _ := setup(t, registrytest.FolkeregisteretConfig{})
	ps := registrytest.Persons()
	tests := []struct {
		who     int
		want    registry.PostalAddress
		wantErr error
	}{
		{registrytest.SigridHaugland, registry.PostalAddress{Name: "Sigrid Haugland", Lines: []string{"Storgata 12B H0201"}, PostalCode: "0184", PostTown: "OSLO"}, nil},
		{registrytest.OlaBakken, registry.PostalAddress{Name: "Ola Bakken", Lines: []string{"Elgeseter gate 5"}, PostalCode: "7030", PostTown: "TRONDHEIM"}, nil},
		{registrytest.NilsFjeld, registry.PostalAddress{Name: "Nils Fjeld", Lines: []string{"Gnr. 12 bnr. 3"}, PostalCode: "2212", PostTown: "KONGSVINGER"}, nil},
		{registrytest.MajaStrand, registry.PostalAddress{Name: "Maja Strand", Lines: []string{"Postboks 4711"}, PostalCode: "0102", PostTown: "OSLO"}, nil},
		{registrytest.IngridSolberg, registry.PostalAddress{Name: "Ingrid Marie Solberg"}, folkeregisteret.ErrProtectedAddress},
		{registrytest.EmilNordby, registry.PostalAddress{Name: "Emil Nordby"}, folkeregisteret.ErrProtectedAddress},
	}
	for _, tt := range tests {
		t.Run(ps[tt.who].Name(), func(t *testing.T) {
			a, err := c.PostalAddress(context.Background(), ps[tt.who].FNR)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("%#v, want %#v", a, tt.want)
			}
		})
	}
	unknown, err := ident.Synthetic(ps[0].FNR.BirthDate(), 77)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := c.PostalAddress(context.Background(), unknown); !errors.Is(err, registry.ErrNotFound) || !a.IsZero() || a.Name != "" {
		t.Errorf("unknown person: %v, %v", a, err)
	}
	if _, err := c.PostalAddress(context.Background(), ident.Fodselsnummer{}); !errors.Is(err, folkeregisteret.ErrNoPerson) {
		t.Errorf("no person: %v", err)
	}
}

func TestPersonPostalAddress(t *testing.T) {
	const ugradert = `"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"ugradert"}]`
	tests := []struct {
		name    string
		doc     string
		want    registry.PostalAddress
		wantErr error
	}{
		{"postadresse before bostedsadresse", `{` + ugradert + `,"navn":[{"erGjeldende":true,"fornavn":"Kari","etternavn":"Nordmann"}],
			"postadresse":[{"erGjeldende":true,"vegadresse":{"coAdressenavn":"c/o Hansen","adressenavn":"Postveien","adressenummer":{"husnummer":"2"},"poststed":{"postnummer":"5003","poststedsnavn":"BERGEN"}}}],
			"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hjemveien","poststed":{"postnummer":"0150","poststedsnavn":"OSLO"}}}]}`,
			registry.PostalAddress{Name: "Kari Nordmann", Lines: []string{"c/o Hansen", "Postveien 2"}, PostalCode: "5003", PostTown: "BERGEN"}, nil},
		{"free format, odd postal code", `{` + ugradert + `,"postadresse":[{"erGjeldende":true,"postadresseIFrittFormat":{"adresselinje":["A"," ","B"],"postnummer":"12x4","poststed":"X"}}]}`,
			registry.PostalAddress{Lines: []string{"A", "B", "12x4 X"}}, nil},
		{"an earlier postadresse is not used", `{` + ugradert + `,"postadresse":[{"erGjeldende":false,"postboksadresse":{"postboks":"1"}}],
			"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hjemveien","poststed":{"postnummer":"0150","poststedsnavn":"OSLO"}}}]}`,
			registry.PostalAddress{Lines: []string{"Hjemveien"}, PostalCode: "0150", PostTown: "OSLO"}, nil},
		{"ukjent bosted", `{` + ugradert + `,"bostedsadresse":[{"erGjeldende":true,"ukjentBosted":{"bostedskommune":"0301"}}]}`, registry.PostalAddress{}, folkeregisteret.ErrNoAddress},
		{"no address", `{` + ugradert + `}`, registry.PostalAddress{}, folkeregisteret.ErrNoAddress},
		{"klientadresse", `{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"klientadresse"}],"navn":[{"erGjeldende":true,"fornavn":"Kari","etternavn":"Nordmann"}],
			"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hemmelig"}}]}`, registry.PostalAddress{Name: "Kari Nordmann"}, folkeregisteret.ErrProtectedAddress},
		{"protection unknown", `{"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hemmelig"}}],"adressebeskyttelse":[{"erGjeldende":false,"graderingsnivaa":"ugradert"}]}`,
			registry.PostalAddress{}, folkeregisteret.ErrProtectedAddress},
		{"graded postadresse", `{` + ugradert + `,"postadresse":[{"erGjeldende":true,"adressegradering":"fortrolig","postboksadresse":{"postboks":"1"}}]}`,
			registry.PostalAddress{}, folkeregisteret.ErrProtectedAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p folkeregisteret.Person
			if err := json.Unmarshal([]byte(tt.doc), &p); err != nil {
				t.Fatal(err)
			}
			a, err := p.PostalAddress()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("%#v, want %#v", a, tt.want)
			}
		})
	}
}

// TestProtectedPostalAddressNeverPrinted: whatever a caller prints or logs
// of a protected person's PostalAddress answer, the address is not there.
func TestProtectedPostalAddressNeverPrinted(t *testing.T) {
	c, _ := setup(t, registrytest.FolkeregisteretConfig{})
	for _, who := range []int{registrytest.IngridSolberg, registrytest.EmilNordby} {
		pp := registrytest.Persons()[who]
		a, err := c.PostalAddress(context.Background(), pp.FNR)
		if !errors.Is(err, folkeregisteret.ErrProtectedAddress) {
			t.Fatalf("%s: %v", pp.Name(), err)
		}
		var log bytes.Buffer
		slog.New(slog.NewJSONHandler(&log, nil)).Info("letter", "address", a, "lines", a.Lines, "error", err)
		slog.New(slog.NewTextHandler(&log, nil)).Info("letter", "address", a, "error", err)
		printed := fmt.Sprintf("%v %+v %#v %s %q %v %+v", a, a, a, a, a.Lines, err, err) + log.String()
		for _, secret := range []string{pp.Home.Adressenavn, pp.Home.Postnummer, pp.Home.Poststed, pp.FNR.Reveal()} {
			if strings.Contains(printed, secret) {
				t.Errorf("%s: %q is printed: %s", pp.Name(), secret, printed)
			}
		}
	}
}

// FuzzPostalAddress: whatever Folkeregisteret answers, PostalAddress never
// panics, never gives a protected person an address, and gives a postal
// code only as four digits.
func FuzzPostalAddress(f *testing.F) {
	f.Add([]byte(`{"navn":[{"erGjeldende":true,"fornavn":"Kari","etternavn":"Nordmann"}],"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Storgata","adressenummer":{"husnummer":"1"},"poststed":{"postnummer":"0155","poststedsnavn":"OSLO"}}}],"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"ugradert"}]}`))
	f.Add([]byte(`{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"fortrolig"}],"bostedsadresse":[{"erGjeldende":true,"vegadresse":{"adressenavn":"Hemmelig"}}]}`))
	f.Add([]byte(`{"adressebeskyttelse":[{"erGjeldende":true,"graderingsnivaa":"ugradert"}],"postadresse":[{"erGjeldende":true,"postadresseIFrittFormat":{"adresselinje":["c/o A","B","C","D"],"postnummer":"12x4","poststed":"X"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p folkeregisteret.Person
		if json.Unmarshal(data, &p) != nil {
			return
		}
		a, err := p.PostalAddress()
		if (errors.Is(err, folkeregisteret.ErrProtectedAddress) || p.AddressProtected()) && !a.IsZero() {
			t.Fatalf("a protected person got an address: %#v", a)
		}
		if err == nil && p.AddressProtected() {
			t.Fatal("a protected person without an error")
		}
		if a.PostalCode != "" && (len(a.PostalCode) != 4 || strings.Trim(a.PostalCode, "0123456789") != "") {
			t.Fatalf("postal code %q", a.PostalCode)
		}
		for _, l := range a.Lines {
			if strings.TrimSpace(l) == "" {
				t.Fatalf("a blank line in %#v", a)
			}
		}
	})
}
