package fiksarkiv

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

var key = EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "7f1c2f8e-6a55-4a43-8d43-1b2b3c4d5e6f"}

// requests is one valid message of each request type of this slice.
func requests() map[string]interface{ Marshal() ([]byte, error) } {
	ref := ReferanseTilRegistrering{ReferanseEksternNoekkel: &key}
	return map[string]interface{ Marshal() ([]byte, error) }{
		"sok-noekkel":     SokEksternNoekkel("grunnmur", "saksmappe", Noekler, key),
		"sok-journalpost": SokEksternNoekkel("grunnmur", "journalpost", Utvidet, key),
		"sok-tittel": &Sok{System: "grunnmur", Take: 100, Objekt: "mappe", Responstype: Minimum,
			Parametere: []Parameter{{Operator: "wildcardquery", Felt: "mappeTittel", Strings: []string{"Test*", "🐟 עברית"}}}},
		"sok-dato": &Sok{System: "grunnmur", Take: 5, Skip: 5, Objekt: "saksmappe", Responstype: Utvidet, Inkluder: []string{"part"},
			Parametere: []Parameter{{Operator: "between", Felt: "sakSaksdato",
				Dates: []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 59, 0, civil.Oslo)}}}},
		"sok-int": &Sok{System: "grunnmur", Take: 1, Objekt: "journalpost", Responstype: Minimum,
			Parametere: []Parameter{{Operator: "equal", Felt: "journalpostJournalaar", Ints: []int{2026}}}},
		"sok-fritekst": &Sok{System: "grunnmur", Take: 10, Objekt: "journalpostMedSaksmappe", Responstype: Minimum, Soketekst: "skjenkebevilling"},
		"mappe-hent":   &MappeHent{System: "grunnmur", ReferanseTilMappe: ReferanseTilMappe{ReferanseEksternNoekkel: &key}, Inkluder: []string{"part", "klasse"}},
		"registrering-hent": &RegistreringHent{System: "grunnmur", ReferanseTilRegistrering: ReferanseTilRegistrering{
			SystemID: "6f358ced-036d-4c9b-b372-a2b7d83c5cc5"}, Inkluder: []string{"dokumentbeskrivelse", "dokumentobjekt"}},
		"dokumentfil-hent": &DokumentfilHent{System: "grunnmur", SystemID: "6f358ced-036d-4c9b-b372-a2b7d83c5cc5"},
		"dokumentobjekt": &DokumentobjektOpprett{ReferanseTilDokumentbeskrivelse: ReferanseTilDokumentbeskrivelse{ReferanseEksternNoekkel: &key},
			Dokumentobjekt: Dokumentobjekt{Versjonsnummer: 2, Variantformat: &Kode{Kode: "A"}, Format: &Kode{Kode: "RA-PDF"},
				MimeType: "application/pdf", Filnavn: "vedtak.pdf", ReferanseDokumentfil: "vedtak-v2.pdf"}},
		"dokumentobjekt-nummer": &DokumentobjektOpprett{ReferanseTilDokumentbeskrivelse: ReferanseTilDokumentbeskrivelse{
			JournalpostDokumentnummer: &JournalpostDokumentnummer{ReferanseTilJournalpost: ref, Dokumentnummer: 1}},
			Dokumentobjekt: Dokumentobjekt{Filnavn: "a.pdf", ReferanseDokumentfil: "a.pdf"}},
		"avskrivning-slett": &AvskrivningSlett{ReferanseTilJournalpost: ref, KorrespondansepartID: "kp-1"},
		"avskrivning": &Avskrivning{Avskrivningsdato: civil.NewDate(2026, 6, 1), AvskrevetAv: Identifikatorer{Navn: "Kari Saksbehandler"},
			Avskrivningsmaate:               Kode{Kode: "BU", Beskrivelse: "Besvart med utgående dokument"},
			ReferanseAvskrivesAvJournalpost: &ReferanseTilRegistrering{Journalnummer: &Journalnummer{Journalaar: 2026, Journalsekvensnummer: 12}},
			ReferanseTilJournalpost:         ref, KorrespondansepartID: "kp-1"},
	}
}

func requestType(name string) string {
	switch {
	case strings.HasPrefix(name, "sok"):
		return TypeSok
	case name == "mappe-hent":
		return TypeMappeHent
	case name == "registrering-hent":
		return TypeRegistreringHent
	case name == "dokumentfil-hent":
		return TypeDokumentfilHent
	case strings.HasPrefix(name, "dokumentobjekt"):
		return TypeDokumentobjektOpprett
	case name == "avskrivning-slett":
		return TypeAvskrivningSlett
	}
	return TypeAvskrivningOpprett
}

// TestRequestWritersAreValid checks every request of this slice with
// xmllint against the V1 XSD of its message type.
func TestRequestWritersAreValid(t *testing.T) {
	for name, m := range requests() {
		t.Run(name, func(t *testing.T) {
			b, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			mustLint(t, requestType(name), b)
		})
	}
}

func TestRequestWritersRefuse(t *testing.T) {
	bad := map[string]struct {
		m     interface{ Marshal() ([]byte, error) }
		field string
	}{
		"no system":         {&Sok{Take: 1, Objekt: "mappe", Responstype: Minimum, Soketekst: "x"}, "system"},
		"take 0":            {&Sok{System: "s", Objekt: "mappe", Responstype: Minimum, Soketekst: "x"}, "take"},
		"unknown objekt":    {&Sok{System: "s", Take: 1, Objekt: "arkiv", Responstype: Minimum, Soketekst: "x"}, "sokdefinisjon/@xsi:type"},
		"unknown response":  {&Sok{System: "s", Take: 1, Objekt: "mappe", Responstype: "alt", Soketekst: "x"}, "sokdefinisjon/responstype"},
		"no parameter":      {&Sok{System: "s", Take: 1, Objekt: "mappe", Responstype: Minimum}, "sokdefinisjon/parametere"},
		"two value kinds":   {&Sok{System: "s", Take: 1, Objekt: "mappe", Responstype: Minimum, Parametere: []Parameter{{Operator: "equal", Felt: "f", Strings: []string{"a"}, Ints: []int{1}}}}, "sokdefinisjon/parametere[1]/sokVerdier"},
		"bad operator":      {&Sok{System: "s", Take: 1, Objekt: "mappe", Responstype: Minimum, Parametere: []Parameter{{Operator: "like", Felt: "f", Strings: []string{"a"}}}}, "sokdefinisjon/parametere[1]/operator"},
		"empty noekkel":     {SokEksternNoekkel("s", "saksmappe", Minimum, EksternNoekkel{Fagsystem: "g"}), "sokdefinisjon/parametere[1]/sokVerdier/referanseEksternNoekkel/noekkel"},
		"hent no reference": {&MappeHent{System: "s"}, "referanseTilMappe"},
		"hent inkluder":     {&MappeHent{System: "s", ReferanseTilMappe: ReferanseTilMappe{MappeID: "1"}, Inkluder: []string{"alt"}}, "inkluder[1]"},
		"hent systemID":     {&RegistreringHent{System: "s", ReferanseTilRegistrering: ReferanseTilRegistrering{SystemID: "01019012345"}}, "referanseTilRegistrering/systemID"},
		"fil systemID":      {&DokumentfilHent{System: "s", SystemID: "x"}, "dokumentfilNoekkel/systemID"},
		"objekt no ref":     {&DokumentobjektOpprett{Dokumentobjekt: Dokumentobjekt{Filnavn: "a", ReferanseDokumentfil: "a"}}, "referanseTilDokumentbeskrivelse"},
		"objekt no file":    {&DokumentobjektOpprett{ReferanseTilDokumentbeskrivelse: ReferanseTilDokumentbeskrivelse{ReferanseEksternNoekkel: &key}, Dokumentobjekt: Dokumentobjekt{Filnavn: "a"}}, "dokumentobjekt/referanseDokumentfil"},
		"avskrivning part":  {&Avskrivning{Avskrivningsdato: civil.NewDate(2026, 1, 1), AvskrevetAv: Identifikatorer{Navn: "a"}, Avskrivningsmaate: Kode{Kode: "BU"}, ReferanseTilJournalpost: ReferanseTilRegistrering{RegistreringsID: "1"}}, "korrespondansepartID"},
		"slett part":        {&AvskrivningSlett{ReferanseTilJournalpost: ReferanseTilRegistrering{RegistreringsID: "1"}}, "korrespondansepartID"},
		"slett ref":         {&AvskrivningSlett{KorrespondansepartID: "k"}, "referanseTilJournalpost"},
		"avskrivning ref":   {&Avskrivning{Avskrivningsdato: civil.NewDate(2026, 1, 1), AvskrevetAv: Identifikatorer{Navn: "a"}, Avskrivningsmaate: Kode{Kode: "BU"}, KorrespondansepartID: "k"}, "referanseTilJournalpost"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			b, err := c.m.Marshal()
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || fe.Field != c.field || b != nil {
				t.Fatalf("got %v (%d bytes), want a FieldError on %s", err, len(b), c.field)
			}
			if strings.Contains(err.Error(), "01019012345") {
				t.Errorf("the value leaked: %v", err)
			}
		})
	}
}

func treffSaksmappe() Treff {
	return Treff{Objekt: "saksmappe", SystemID: "45d947ed-8455-46e2-a04f-ee18da433fe0", MappeID: "2026/17", Tittel: "Skjenkebevilling 🍷",
		ReferanseEksternNoekkel: &key, Saksaar: 2026, Sakssekvensnummer: 17, Saksdato: civil.NewDate(2026, 6, 1),
		Saksstatus: &Kode{Kode: "B", Beskrivelse: "Under behandling"}, OpprettetDato: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
}

func treffJournalpost(objekt string) Treff {
	t := Treff{Objekt: objekt, SystemID: "6f358ced-036d-4c9b-b372-a2b7d83c5cc5", RegistreringsID: "2026/17-1", Tittel: "Søknad",
		ReferanseEksternNoekkel: &EksternNoekkel{Fagsystem: "grunnmur", Noekkel: "jp-1"}, Journalaar: 2026, Journalsekvensnummer: 41,
		Journalpostnummer: 1, Journalposttype: &Kode{Kode: "I"}, Journalstatus: &Kode{Kode: "J"}, Journaldato: civil.NewDate(2026, 6, 2),
		OpprettetDato: time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)}
	if objekt == "journalpostMedSaksmappe" {
		t.Saksaar, t.Sakssekvensnummer, t.Saksdato = 2026, 17, civil.NewDate(2026, 6, 1)
	}
	return t
}

// TestSokeresultatRoundTrip writes a result of each responstype and kind,
// checks it with xmllint, and reads it back.
func TestSokeresultatRoundTrip(t *testing.T) {
	for _, r := range []Responstype{Utvidet, Minimum, Noekler} {
		for _, tr := range []Treff{treffSaksmappe(), treffJournalpost("journalpost"), treffJournalpost("journalpostMedSaksmappe")} {
			if r != Minimum && tr.Objekt == "journalpostMedSaksmappe" {
				continue // utvidet's and noekler's forms of it are not written
			}
			t.Run(string(r)+"/"+tr.Objekt, func(t *testing.T) {
				in := &Sokeresultat{Responstype: r, System: "arkiv", Take: 10, Count: 3, Resultattype: tr.Objekt, Treff: []Treff{tr, tr}}
				b, err := in.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				mustLint(t, r.ResultType(), b)
				out, err := ParseSokeresultat(r.ResultType(), b)
				if err != nil {
					t.Fatal(err)
				}
				if out.Count != 3 || out.Take != 10 || out.Resultattype != tr.Objekt || len(out.Treff) != 2 || out.Responstype != r {
					t.Fatalf("read %+v", out)
				}
				got := out.Treff[1]
				if got.SystemID != tr.SystemID || got.Saksaar != tr.Saksaar || got.Journalpostnummer != tr.Journalpostnummer {
					t.Errorf("read %+v, wrote %+v", got, tr)
				}
				if r != Noekler && got.Tittel != tr.Tittel {
					t.Errorf("tittel %q", got.Tittel)
				}
				if (r != Minimum || tr.Objekt == "saksmappe") && (got.ReferanseEksternNoekkel == nil || *got.ReferanseEksternNoekkel != *tr.ReferanseEksternNoekkel) {
					t.Errorf("key %+v", got.ReferanseEksternNoekkel)
				}
			})
		}
	}
}

func TestHentResultatRoundTrip(t *testing.T) {
	for typ, tr := range map[string]Treff{TypeMappeHentResultat: treffSaksmappe(), TypeRegistreringHentResultat: treffJournalpost("journalpost")} {
		b, err := MarshalHentResultat(typ, &tr)
		if err != nil {
			t.Fatal(err)
		}
		mustLint(t, typ, b)
		r, err := ParseReply(typ, b)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Hentet
		if got.SystemID != tr.SystemID || *got.ReferanseEksternNoekkel != *tr.ReferanseEksternNoekkel || got.Saksdato != tr.Saksdato ||
			got.Journaldato != tr.Journaldato || got.Journalsekvensnummer != tr.Journalsekvensnummer || !got.OpprettetDato.Equal(tr.OpprettetDato) {
			t.Errorf("%s: read %+v, wrote %+v", typ, got, tr)
		}
	}
	if _, err := MarshalHentResultat(TypeMappeHentResultat, &Treff{Objekt: "journalpost"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a journalpost as a mappe: %v", err)
	}
}

const dokumentobjektKvittering = `<?xml version="1.0" encoding="utf-8"?>
<dokumentobjektOpprettKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/dokumentobjekt/opprett/kvittering/v1">
  <systemID>9a2b3c4d-1e2f-4a5b-8c7d-0e1f2a3b4c5d</systemID>
  <opprettetDato>2026-06-01T12:00:00+02:00</opprettetDato>
  <opprettetAv>arkivet</opprettetAv>
</dokumentobjektOpprettKvittering>`

func TestParseDokumentobjektKvittering(t *testing.T) {
	mustLint(t, TypeDokumentobjektOpprettKvittering, []byte(dokumentobjektKvittering))
	r, err := ParseReply(TypeDokumentobjektOpprettKvittering, []byte(dokumentobjektKvittering))
	if err != nil {
		t.Fatal(err)
	}
	k := r.DokumentobjektKvittering
	if k.SystemID != "9a2b3c4d-1e2f-4a5b-8c7d-0e1f2a3b4c5d" || k.OpprettetAv != "arkivet" || k.OpprettetDato.Hour() != 12 {
		t.Errorf("%+v", k)
	}
	for _, typ := range []string{TypeAvskrivningOpprettMottatt, TypeDokumentobjektOpprettMottatt, TypeAvskrivningSlettMottatt} {
		if r, err := ParseReply(typ, nil); err != nil || !r.Mottatt || r.Final() {
			t.Errorf("%s: %+v %v", typ, r, err)
		}
	}
	for _, typ := range []string{TypeAvskrivningOpprettKvittering, TypeAvskrivningSlettKvittering, TypeArkivmeldingOppdaterKvittering} {
		if r, err := ParseReply(typ, nil); err != nil || r.Mottatt || !r.Final() {
			t.Errorf("%s: %+v %v", typ, r, err)
		}
	}
	if r, err := ParseReply(TypeDokumentfilHentResultat, []byte("%PDF")); err != nil || string(r.Dokumentfil) != "%PDF" {
		t.Errorf("dokumentfil: %+v %v", r, err)
	}
}

func TestParseResultatRefuses(t *testing.T) {
	good, err := (&Sokeresultat{Responstype: Minimum, System: "a", Take: 1, Count: 1, Resultattype: "saksmappe", Treff: []Treff{treffSaksmappe()}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	bad := map[string]string{
		"wrong root":    strings.Replace(strings.Replace(s, "<sokeresultatMinimum", "<sokeresultat", 1), "</sokeresultatMinimum", "</sokeresultat", 1),
		"wrong ns":      strings.ReplaceAll(s, "sokeresultat/minimum/v1", "sokeresultat/utvidet/v1"),
		"foreign ns":    strings.Replace(s, `<tittel xmlns="`+NSArkivstrukturMinimum, `<tittel xmlns="urn:x`, 1),
		"no count":      strings.Replace(s, "<count xmlns=\""+NSSokResultatMinimum+"\">1</count>", "", 1),
		"bad count":     strings.Replace(s, ">1</count>", ">en</count>", 1),
		"negative skip": strings.Replace(s, ">0</skip>", ">-1</skip>", 1),
		"bad type":      strings.Replace(s, ">saksmappe</resultattype>", ">arkiv</resultattype>", 1),
		"kind mismatch": strings.Replace(s, ">saksmappe</resultattype>", ">journalpost</resultattype>", 1),
		"bad systemID":  strings.Replace(s, "45d947ed-8455-46e2-a04f-ee18da433fe0", "01019012345", 1),
		"no title":      strings.Replace(s, ">Skjenkebevilling 🍷<", "><", 1),
		"bad saksaar":   strings.Replace(s, ">2026</saksaar>", ">x01019012345</saksaar>", 1),
		"bad saksdato":  strings.Replace(s, ">2026-06-01</saksdato>", ">01019012345</saksdato>", 1),
		"not xml":       "01019012345",
		"trailing":      s + "<x/>",
		"no liste":      s[:strings.Index(s, "<resultatListe")] + "</sokeresultatMinimum>",
	}
	for name, doc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := ParseReply(TypeSokResultatMinimum, []byte(doc))
			if !errors.Is(err, ErrReply) {
				t.Fatalf("got %v, want ErrReply", err)
			}
			if strings.Contains(err.Error(), "01019012345") {
				t.Errorf("the payload leaked into %q", err)
			}
		})
	}
}

func FuzzParseSokeresultat(f *testing.F) {
	for _, r := range []Responstype{Utvidet, Minimum, Noekler} {
		b, _ := (&Sokeresultat{Responstype: r, System: "a", Take: 1, Count: 1, Resultattype: "saksmappe", Treff: []Treff{treffSaksmappe()}}).Marshal()
		f.Add(uint8(len(r)), b)
	}
	types := []string{TypeSokResultatUtvidet, TypeSokResultatMinimum, TypeSokResultatNoekler}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		typ := types[int(which)%3]
		r, err := ParseSokeresultat(typ, b)
		if err != nil {
			if !errors.Is(err, ErrReply) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, tr := range r.Treff {
			if tr.Objekt != r.Resultattype {
				t.Fatalf("a %s in a %s result", tr.Objekt, r.Resultattype)
			}
		}
		if r.Take < 0 || r.Skip < 0 || r.Count < 0 {
			t.Fatalf("negative %+v", r)
		}
	})
}

func FuzzParseHentResultat(f *testing.F) {
	s, j := treffSaksmappe(), treffJournalpost("journalpost")
	b, _ := MarshalHentResultat(TypeMappeHentResultat, &s)
	f.Add(false, b)
	b, _ = MarshalHentResultat(TypeRegistreringHentResultat, &j)
	f.Add(true, b)
	f.Fuzz(func(t *testing.T, registrering bool, b []byte) {
		typ := TypeMappeHentResultat
		if registrering {
			typ = TypeRegistreringHentResultat
		}
		tr, err := ParseHentResultat(typ, b)
		if err != nil {
			if !errors.Is(err, ErrReply) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if tr.SystemID == "" || tr.Tittel == "" {
			t.Fatalf("read %+v", tr)
		}
	})
}

func FuzzParseDokumentobjektKvittering(f *testing.F) {
	f.Add([]byte(dokumentobjektKvittering))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseDokumentobjektKvittering(b)
		if err != nil {
			if !errors.Is(err, ErrReply) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if k.SystemID == "" {
			t.Fatal("no systemID")
		}
	})
}

func TestReplyWritersAreValid(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	k := &Kvittering{Mappe: &MappeKvittering{Saksmappe: true, SystemID: "45d947ed-8455-46e2-a04f-ee18da433fe0", MappeID: "2026/1",
		OpprettetDato: at, ReferanseEksternNoekkel: &key, Saksaar: 2026, Sakssekvensnummer: 1, Saksdato: civil.NewDate(2026, 6, 1)},
		Registrering: &RegistreringKvittering{Journalpost: true, SystemID: "6f358ced-036d-4c9b-b372-a2b7d83c5cc5", OpprettetDato: at,
			Existing: true, Dokumenter: []DokumentKvittering{{SystemID: "9a2b3c4d-1e2f-4a5b-8c7d-0e1f2a3b4c5d", Dokumentnummer: 1,
				Objekter: []string{"9a2b3c4d-1e2f-4a5b-8c7d-0e1f2a3b4c5e"}}}, Journalaar: 2026, Journalsekvensnummer: 7, Journalpostnummer: 1,
			Journaldato: civil.NewDate(2026, 6, 1)}}
	b, err := k.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	mustLint(t, TypeArkivmeldingOpprettKvittering, b)
	got, err := ParseKvittering(b)
	if err != nil || got.Mappe.Sakssekvensnummer != 1 || !got.Registrering.Existing || got.Registrering.Journalsekvensnummer != 7 ||
		len(got.Registrering.Dokumenter[0].Objekter) != 1 || !got.Mappe.Saksmappe || !got.Registrering.Journalpost {
		t.Errorf("read %+v %v", got, err)
	}
	for _, kind := range []Kind{Ugyldigforespoersel, Serverfeil, Ikkefunnet} {
		f := &Feilmelding{Kind: kind, FeilID: "f-1", Message: "🐟 mangler"}
		b, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		mustLint(t, f.Type(), b)
		if r, err := ParseReply(f.Type(), b); err != nil || *r.Feil != *f {
			t.Errorf("%s: %+v %v", kind, r, err)
		}
	}
	d := &DokumentobjektKvittering{SystemID: "9a2b3c4d-1e2f-4a5b-8c7d-0e1f2a3b4c5d", OpprettetDato: at, OpprettetAv: "arkiv"}
	if b, err = d.Marshal(); err != nil {
		t.Fatal(err)
	}
	mustLint(t, TypeDokumentobjektOpprettKvittering, b)
}

func TestExchangeFormatHidesThePayload(t *testing.T) {
	f, _ := (&Feilmelding{Kind: Ugyldigforespoersel, FeilID: "1", Message: "ugyldig fødselsnummer 01019012345"}).Marshal()
	e := &Exchange{KlientMeldingID: "sak-1", State: StateFailed, ReplyType: TypeUgyldigforespoersel, ReplyPayload: f}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{e, *e} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "01019012345") || !strings.Contains(s, "sak-1") {
				t.Errorf("%s: %s", verb, s)
			}
		}
	}
	if err := e.Err(); err == nil || strings.Contains(err.Error(), "01019012345") {
		t.Errorf("Err() = %v", err)
	}
}
