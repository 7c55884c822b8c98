package svarut_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/registry"
	"github.com/grunnmur/grunnmur/svarut"
)

func TestRenderSource(t *testing.T) {
	src := svarut.RenderSource{
		"vedtak": func(_ context.Context, id string) ([]byte, error) { return []byte("letter " + id), nil },
		"feil":   func(context.Context, string) ([]byte, error) { return nil, errors.New("boom") },
	}
	for _, tc := range []struct {
		ref, want string
		err       bool
		unknown   bool
	}{
		{"vedtak:2026-1", "letter 2026-1", false, false},
		{"vedtak:a:b", "letter a:b", false, false},
		{"vedtak:", "letter ", false, false},
		{"feil:1", "", true, false},
		{"soknad:1", "", true, true},
		{"12345678901", "", true, true},
		{"", "", true, true},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			rc, err := src.Open(context.Background(), svarut.Document{Ref: tc.ref})
			if (err != nil) != tc.err || errors.Is(err, svarut.ErrUnknownDocument) != tc.unknown {
				t.Fatalf("Open(%q): %v", tc.ref, err)
			}
			if err != nil {
				if strings.Contains(err.Error(), "12345678901") {
					t.Errorf("the ref is in the error: %v", err)
				}
				return
			}
			b, _ := io.ReadAll(rc)
			if string(b) != tc.want {
				t.Errorf("got %q, want %q", b, tc.want)
			}
		})
	}
}

func TestShipmentToPerson(t *testing.T) {
	pid := ident.MustParseFodselsnummer(testFnr)
	addr := registry.PostalAddress{Name: "Kari", Lines: []string{"Gate 1"}, PostalCode: "0184", PostTown: "OSLO"}
	for _, tc := range []struct {
		protected bool
		want      svarut.Address
	}{
		{false, svarut.Address{Name: "Kari", Line1: "Gate 1", PostalCode: "0184", PostTown: "OSLO"}},
		{true, svarut.Address{Name: "Kari"}},
	} {
		s := &svarut.Shipment{DigitalOnly: !tc.protected}
		s.ToPerson(pid, addr, tc.protected)
		if s.Recipient.Person != pid || s.Recipient.Address != tc.want || s.DigitalOnly != tc.protected {
			t.Errorf("protected=%v: %+v digital-only %v", tc.protected, s.Recipient.Address, s.DigitalOnly)
		}
	}
}

// A RenderSource renders each document from its reference, "scheme:id".
func ExampleRenderSource() {
	src := svarut.RenderSource{"vedtak": func(_ context.Context, id string) ([]byte, error) {
		return []byte("%PDF- decision in case " + id), nil // e.g. a site.Letter's PDF
	}}
	b, err := src.Render(context.Background(), "vedtak:2026-17")
	fmt.Println(string(b), err)
	_, err = src.Render(context.Background(), "soknad:1")
	fmt.Println(errors.Is(err, svarut.ErrUnknownDocument))
	// Output:
	// %PDF- decision in case 2026-17 <nil>
	// true
}
