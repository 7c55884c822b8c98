package svarut_test

import (
	"fmt"
	"testing"

	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/svarut"
)

func TestAddressFrom(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  svarut.Address
	}{
		{"none", nil, svarut.Address{Name: "N", PostalCode: "0184", PostTown: "OSLO"}},
		{"one", []string{"A"}, svarut.Address{Name: "N", Line1: "A", PostalCode: "0184", PostTown: "OSLO"}},
		{"three", []string{"A", "B", "C"}, svarut.Address{Name: "N", Line1: "A", Line2: "B", Line3: "C", PostalCode: "0184", PostTown: "OSLO"}},
		{"five share the third", []string{"A", "B", "C", "D", "E"}, svarut.Address{Name: "N", Line1: "A", Line2: "B", Line3: "C, D, E", PostalCode: "0184", PostTown: "OSLO"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := registry.PostalAddress{Name: "N", Lines: tt.lines, PostalCode: "0184", PostTown: "OSLO"}
			before := fmt.Sprint(in.Lines)
			if got := svarut.AddressFrom(in); got != tt.want {
				t.Errorf("%+v, want %+v", got, tt.want)
			}
			if fmt.Sprint(in.Lines) != before {
				t.Errorf("the input's lines changed: %q", in.Lines)
			}
		})
	}
	abroad := svarut.AddressFrom(registry.PostalAddress{Name: "N", Lines: []string{"Drottninggatan 1", "111 22 STOCKHOLM"}, Country: "Sverige"})
	if abroad.Country != "Sverige" || abroad.Line2 != "111 22 STOCKHOLM" || abroad.PostalCode != "" {
		t.Errorf("abroad: %+v", abroad)
	}
}

func ExampleAddressFrom() {
	// As brreg's ActingFor.Address or folkeregisteret's PostalAddress give it.
	a := registry.PostalAddress{Name: "Nils Fjeld", Lines: []string{"c/o Fjeld", "Nordre gard", "Gnr. 12 bnr. 3", "Bygg B"}, PostalCode: "2212", PostTown: "KONGSVINGER"}
	fmt.Printf("%+v\n", svarut.AddressFrom(a))
	// Output:
	// {Name:Nils Fjeld Line1:c/o Fjeld Line2:Nordre gard Line3:Gnr. 12 bnr. 3, Bygg B PostalCode:2212 PostTown:KONGSVINGER Country:}
}
