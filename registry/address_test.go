package registry_test

import (
	"fmt"
	"testing"

	"github.com/grunnmur/grunnmur/registry"
)

func TestPostalAddress(t *testing.T) {
	tests := []struct {
		name       string
		lines      []string
		code, town string
		want       registry.PostalAddress
		str        string
		zero       bool
	}{
		{"norwegian", []string{" Storgata 1 ", "", "  "}, "0184", " OSLO ",
			registry.PostalAddress{Name: "N", Lines: []string{"Storgata 1"}, PostalCode: "0184", PostTown: "OSLO"}, "N, Storgata 1, 0184 OSLO", false},
		{"code not four digits", []string{"A"}, "184", "OSLO",
			registry.PostalAddress{Name: "N", Lines: []string{"A", "184 OSLO"}}, "N, A, 184 OSLO", false},
		{"letters in the code", nil, "01x4", "",
			registry.PostalAddress{Name: "N", Lines: []string{"01x4"}}, "N, 01x4", false},
		{"name alone", nil, "", "", registry.PostalAddress{Name: "N"}, "N", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := registry.PostalAddress{Name: "N"}
			for _, l := range tt.lines {
				a.AddLine(l)
			}
			a.SetPostalCode(tt.code, tt.town)
			if fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("%#v, want %#v", a, tt.want)
			}
			if a.String() != tt.str || a.IsZero() != tt.zero {
				t.Errorf("String %q IsZero %v", a.String(), a.IsZero())
			}
		})
	}
	if abroad := (registry.PostalAddress{Lines: []string{"Drottninggatan 1"}, Country: "Sverige"}); abroad.IsZero() || abroad.String() != "Drottninggatan 1, Sverige" {
		t.Errorf("abroad: %q", abroad)
	}
}

func ExamplePostalAddress() {
	a := registry.PostalAddress{Name: "SESAM AS"}
	a.AddLine("Storgata 12B")
	a.AddLine("") // blank lines are left out
	a.SetPostalCode("0184", "OSLO")
	fmt.Println(a)
	fmt.Printf("%q %s %s\n", a.Lines, a.PostalCode, a.PostTown)
	// Output:
	// SESAM AS, Storgata 12B, 0184 OSLO
	// ["Storgata 12B"] 0184 OSLO
}
