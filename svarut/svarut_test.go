package svarut_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// TestStatusesCoverSpecs reads the status enums of the v2 and v3 specs and
// checks that each is a constant here, placed in the helpers, with a description.
func TestStatusesCoverSpecs(t *testing.T) {
	seen := map[svarut.Status]bool{}
	for _, f := range [][]string{
		{"testdata", "svarut", "v2-openapi", "forsendelse-status-api-v2.json"},
		{"testdata", "svarut", "v3-openapi", "forsendelse-status-api-v3.json"},
	} {
		raw, err := os.ReadFile(filepath.Join(f...))
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Components struct {
				Schemas struct {
					ForsendelseStatus struct {
						Properties struct {
							Status struct {
								Enum []string `json:"enum"`
							} `json:"status"`
						} `json:"properties"`
					} `json:"ForsendelseStatus"`
				} `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		enum := spec.Components.Schemas.ForsendelseStatus.Properties.Status.Enum
		if len(enum) < 13 {
			t.Fatalf("%v: only %d statuses read", f, len(enum))
		}
		for _, s := range enum {
			st, err := svarut.ParseStatus(s)
			if err != nil {
				t.Errorf("%s (%s) is not a constant: %v", s, f[1], err)
				continue
			}
			seen[st] = true
		}
	}
	if len(seen) != len(svarut.Statuses()) {
		t.Errorf("the specs have %d statuses, Statuses() lists %d", len(seen), len(svarut.Statuses()))
	}
	for _, st := range svarut.Statuses() {
		if st.Description() == "" {
			t.Errorf("%s has no description", st)
		}
		if st.Delivered() && st.Failed() {
			t.Errorf("%s is both delivered and failed", st)
		}
		if (st.Delivered() || st.Failed()) && !st.Final() {
			t.Errorf("%s is delivered or failed but not final", st)
		}
	}
	for st, want := range map[svarut.Status][3]bool{ // final, delivered, failed
		svarut.StatusMottatt: {false, false, false}, svarut.StatusVarslet: {false, false, false},
		svarut.StatusSendtPrint: {false, false, false}, svarut.StatusSendtDigitalt: {false, false, false},
		svarut.StatusLest: {true, true, false}, svarut.StatusPrintet: {true, true, false},
		svarut.StatusIkkeLevert: {true, false, true}, svarut.StatusManueltHandtert: {true, false, true},
		svarut.StatusAvvist: {true, false, true}, svarut.StatusSlettet: {true, false, false},
	} {
		if got := [3]bool{st.Final(), st.Delivered(), st.Failed()}; got != want {
			t.Errorf("%s: final/delivered/failed = %v, want %v", st, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := letter("ok")
	if err := svarut.Validate(ok); err != nil {
		t.Fatalf("valid letter: %v", err)
	}
	cases := []struct {
		name, field, code string
		mod               func(s *svarut.Shipment)
	}{
		{"no title", "tittel", "required", func(s *svarut.Shipment) { s.Title = "" }},
		{"long title", "tittel", "too_long", func(s *svarut.Shipment) { s.Title = strings.Repeat("æ", 1001) }},
		{"duplicate file", "dokumenter[1].filnavn", "duplicate", func(s *svarut.Shipment) { s.Documents[1].Name = "vedtak.pdf" }},
		{"long file name", "dokumenter[0].filnavn", "too_long", func(s *svarut.Shipment) { s.Documents[0].Name = strings.Repeat("a", 223) + ".pdf" }},
		{"forbidden char", "dokumenter[0].filnavn", "forbidden_char", func(s *svarut.Shipment) { s.Documents[0].Name = "a?b.pdf" }},
		{"backslash", "dokumenter[0].filnavn", "forbidden_char", func(s *svarut.Shipment) { s.Documents[0].Name = `a\b.pdf` }},
		{"word printable", "dokumenter[1].mimeType", "not_printable", func(s *svarut.Shipment) { s.Documents[1].MimeType = "application/msword" }},
		{"too big for print", "dokumenter", "too_large_for_print", func(s *svarut.Shipment) { s.Documents[0].Size = svarut.MaxPrintSize + 1 }},
		{"six links", "lenker", "too_many", func(s *svarut.Shipment) {
			for range 6 {
				s.Links = append(s.Links, svarut.Link{URL: "https://k.no", Text: "k"})
			}
		}},
		{"konteringskode", "konteringskode", "pattern", func(s *svarut.Shipment) { s.AccountingCode = "abc def" }},
		{"long konteringskode", "konteringskode", "pattern", func(s *svarut.Shipment) { s.AccountingCode = strings.Repeat("a", 21) }},
		{"digital only without id", "mottaker.digitalId", "required", func(s *svarut.Shipment) {
			s.DigitalOnly = true
			s.Recipient.Person = ident.Fodselsnummer{}
		}},
		{"print without post town", "mottaker.poststed", "required", func(s *svarut.Shipment) { s.Recipient.Address.PostTown = "" }},
		{"two signers", "dokumenter", "too_many_signers", func(s *svarut.Shipment) { s.Documents[0].Sign, s.Documents[1].Sign = true, true }},
		{"no documents", "dokumenter", "required", func(s *svarut.Shipment) { s.Documents = nil }},
		{"level 4 unencrypted", "krevNiva4Innlogging", "requires_encryption", func(s *svarut.Shipment) { s.RequireLevel4 = true }},
		{"long eksternReferanse", "eksternReferanse", "too_long", func(s *svarut.Shipment) { s.ExternalRef = strings.Repeat("r", 101) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := letter("x")
			c.mod(s)
			err := svarut.Validate(s)
			var ve *svarut.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, svarut.ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
			found := false
			for _, f := range ve.Fields {
				if f.Field == c.field && f.Code == c.code {
					found = true
					for _, lang := range i18n.All {
						if f.Message(lang) == "" {
							t.Errorf("no %s message", lang)
						}
					}
					if f.Message(i18n.NB) == f.Message(i18n.EN) {
						t.Errorf("the English message is the bokmål one: %q", f.Message(i18n.EN))
					}
				}
			}
			if !found {
				t.Fatalf("want %s %s in %v", c.field, c.code, err)
			}
		})
	}
	// Digital only lifts the PDF and size rules.
	s := letter("digital")
	s.DigitalOnly = true
	s.Documents[1].MimeType = "application/msword"
	s.Documents[0].Size = svarut.MaxPrintSize + 1
	s.Recipient.Address = svarut.Address{Name: "Kari"}
	if err := svarut.Validate(s); err != nil {
		t.Fatalf("digital only: %v", err)
	}
}

func TestNoLeaks(t *testing.T) {
	s := letter("leak")
	cfg := svarut.Config{IntegrasjonPassord: secret.New("hemmelig-passord-123"), KontoID: testKonto}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("x", "shipment", s, "cfg", cfg, "recipient", s.Recipient)
	out := fmt.Sprintf("%v %+v %#v %v %+v %s", s, s, cfg, s.Recipient, cfg, logged.String())
	raw, _ := json.Marshal(struct{ P secret.Value }{cfg.IntegrasjonPassord})
	out += string(raw)
	for _, secret := range []string{testFnr, "hemmelig-passord-123"} {
		if strings.Contains(out, secret) {
			t.Fatalf("output leaks %q:\n%s", secret, out)
		}
	}
	// The wire form carries the number, as SvarUT needs it.
	b, err := svarut.MarshalShipment(s)
	if err != nil || !strings.Contains(string(b), `"digitalId":"`+testFnr+`"`) {
		t.Fatalf("wire form: %s, %v", b, err)
	}
}

func TestShipmentRoundTrip(t *testing.T) {
	s := letter("rt")
	s.Documents[0].Size, s.Documents[0].GiroPages = 99, []int{2}
	b, err := svarut.MarshalShipment(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svarut.UnmarshalShipment(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Recipient.Person != s.Recipient.Person || got.Documents[0].Ref != "vedtak" || got.Documents[0].Size != 99 ||
		got.Documents[0].GiroPages[0] != 2 || got.ArchiveMetadata.Sakssekvensnummer != 42 || !got.Print.TwoSided {
		t.Fatalf("round trip: %+v", got)
	}
	org := letter("org")
	org.Recipient.Person = ident.Fodselsnummer{}
	org.Recipient.Org = "974760673"
	b, _ = svarut.MarshalShipment(org)
	if got, err := svarut.UnmarshalShipment(b); err != nil || got.Recipient.Org != "974760673" {
		t.Fatalf("orgnr: %v, %v", got, err)
	}
}

// A Client printed whole shows no IntegrasjonPassord: fmt reaches the config
// through an unexported pointer, and prints an address.
func TestClientPrintsNoSecret(t *testing.T) {
	c, err := svarut.New(svarut.Config{IntegrasjonID: testIntegID, IntegrasjonPassord: secret.New("hemmelig-passord-123"), KontoID: testKonto})
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "client", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), logged.String()} {
		if strings.Contains(out, "hemmelig-passord-123") {
			t.Fatalf("output leaks the password:\n%s", out)
		}
	}
}
