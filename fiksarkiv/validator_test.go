package fiksarkiv

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// TestValidatorCasesSchema runs each of KS' 21 arkivmelding cases through
// xmllint against the vendored XSDs: the valid ones pass, and the two the
// notes call broken fail (NySaksmappeFX on purpose, OppdaterMappeStatusN3 by
// a space in its namespace). It checks the vendored schemas and the lint
// helper itself, which the writer tests rely on.
func TestValidatorCasesSchema(t *testing.T) {
	// NySakspartN1 (supported: false) also lacks the required system.
	invalid := map[string]bool{"NySaksmappeFX": true, "OppdaterMappeStatusN3": true, "NySakspartN1": true}
	cases := validatorCases(t)
	if len(cases) != 21 {
		t.Fatalf("%d cases, want 21", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			msg := lint(t, c.MessageType, c.Payload)
			if invalid[c.Name] != (msg != "") {
				t.Errorf("invalid=%v, xmllint: %s", invalid[c.Name], msg)
			}
		})
	}
}

// TestValidatorCasesRoundTrip reads each valid case's payload into this
// package's types, writes it again, and checks that the result is valid
// and carries nothing the case did not say (every text leaf of ours is one
// of the case's). The case with both a mappe and a registrering is refused
// as it stands (one object per message) and sent as two messages.
func TestValidatorCasesRoundTrip(t *testing.T) {
	for _, c := range validatorCases(t) {
		if c.Name == "NySaksmappeFX" || c.Name == "OppdaterMappeStatusN3" {
			continue
		}
		if c.Name == "NySakspartN1" {
			t.Run(c.Name, func(t *testing.T) {
				var x arkivmeldingXML
				if err := xml.Unmarshal(c.Payload, &x); err != nil {
					t.Fatal(err)
				}
				a := Arkivmelding{System: x.System, AntallFiler: x.AntallFiler, Mappe: x.Mappe, Registrering: x.Registrering}
				var fe *FieldError
				if _, err := a.Marshal(); !errors.As(err, &fe) || fe.Field != "system" {
					t.Errorf("a message without system: %v", err)
				}
			})
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			split := false
			var docs [][]byte
			switch {
			case strings.HasSuffix(c.MessageType, ".opprett"):
				var x arkivmeldingXML
				if err := xml.Unmarshal(c.Payload, &x); err != nil {
					t.Fatal(err)
				}
				a := Arkivmelding{System: x.System, Regel: x.Regel, AntallFiler: x.AntallFiler, Mappe: x.Mappe, Registrering: x.Registrering}
				if a.Mappe != nil && a.Registrering != nil {
					_, err := a.Marshal()
					var fe *FieldError
					if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || fe.Field != "registrering" {
						t.Fatalf("mappe and registrering in one message: %v", err)
					}
					m, r := a, a
					m.Registrering, m.AntallFiler = nil, 0
					r.Mappe = nil
					docs = append(docs, marshal(t, &m), marshal(t, &r))
					split = true
				} else {
					docs = append(docs, marshal(t, &a))
				}
			default:
				var x oppdateringXML
				if err := xml.Unmarshal(c.Payload, &x); err != nil {
					t.Fatal(err)
				}
				o := Oppdatering{Mappe: x.Mappe, Registrering: x.Registrering}
				b, err := o.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, b)
			}
			in := leaves(t, c.Payload)
			var out []string
			for _, doc := range docs {
				mustLint(t, c.MessageType, doc)
				out = append(out, leaves(t, doc)...)
			}
			if split { // each half has its own system and counts its own files
				for _, p := range []string{"arkivmelding/antallFiler=", "arkivmelding/system="} {
					in, out = withoutPrefix(in, p), withoutPrefix(out, p)
				}
			}
			if extra := subset(out, in); len(extra) > 0 {
				t.Errorf("written but not in the case: %q", extra)
			}
			for _, l := range subset(in, out) {
				if !notModelled(l) {
					t.Errorf("lost: %q", l)
				}
			}
		})
	}
}

// notModelled reports whether a leaf is under an element this slice does
// not model yet (the package doc lists them).
func notModelled(leaf string) bool {
	for _, e := range []string{
		"/avskrivningsdato=", "/offentlighetsvurdertDato=",
		"/korrespondansepart/erBehandlingsansvarlig=", "/korrespondansepart/administrativEnhet/",
		"/korrespondansepart/saksbehandler/", "/korrespondansepart/organisasjonid=",
		"/korrespondansepart/personid=", "/korrespondansepart/kontaktperson=",
		"/klassifikasjonOppdateringer/", "/skjermingOppdateringer/",
	} {
		if strings.Contains(leaf, e) {
			return true
		}
	}
	return false
}

func withoutPrefix(l []string, prefix string) []string {
	var out []string
	for _, s := range l {
		if !strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func marshal(t *testing.T, a *Arkivmelding) []byte {
	t.Helper()
	b, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
