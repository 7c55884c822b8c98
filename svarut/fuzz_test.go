package svarut_test

import (
	"errors"
	"testing"

	"github.com/grunnmur/grunnmur/svarut"
)

func FuzzParseStatus(f *testing.F) {
	for _, s := range svarut.Statuses() {
		f.Add(string(s))
	}
	f.Add("")
	f.Add("lest")
	f.Add("LEST\x00")
	f.Fuzz(func(t *testing.T, s string) {
		st, err := svarut.ParseStatus(s)
		if err != nil {
			if !errors.Is(err, svarut.ErrUnknownStatus) || st != "" {
				t.Fatalf("ParseStatus(%q) = %q, %v", s, st, err)
			}
			return
		}
		if string(st) != s || !st.Known() || st.Description() == "" {
			t.Fatalf("ParseStatus(%q) = %q", s, st)
		}
		if st.Delivered() && st.Failed() || (st.Delivered() || st.Failed()) && !st.Final() {
			t.Fatalf("%s placed inconsistently", st)
		}
	})
}

func FuzzUnmarshalShipment(f *testing.F) {
	b, _ := svarut.MarshalShipment(letter("fuzz"))
	f.Add(b)
	f.Add([]byte(`{"tittel":"t","mottaker":{"navn":"n","digitalId":"974760673"},"dokumenter":[]}`))
	f.Add([]byte(`{"mottaker":{"digitalId":"123"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := svarut.UnmarshalShipment(data)
		if err != nil {
			if !errors.Is(err, svarut.ErrBadShipment) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		_ = svarut.Validate(s)
		again, err := svarut.MarshalShipment(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := svarut.UnmarshalShipment(again)
		if err != nil {
			t.Fatalf("re-decoding our own encoding: %v", err)
		}
		if s2.Title != s.Title || len(s2.Documents) != len(s.Documents) || s2.Recipient.Person != s.Recipient.Person {
			t.Fatal("round trip changed the shipment")
		}
	})
}
