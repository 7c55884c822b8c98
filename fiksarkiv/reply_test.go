package fiksarkiv

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

const kvitteringJournalpost = `<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:n5mdk="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1">
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>5b1e2c4a-8f0d-4e7a-9c3b-1a2b3c4d5e6f</systemID>
    <opprettetDato>2026-03-02T10:15:00+01:00</opprettetDato>
    <dokumentbeskrivelseKvittering>
      <systemID>6c2f3d5b-9a1e-4f8b-8d4c-2b3c4d5e6f70</systemID>
      <dokumentnummer>1</dokumentnummer>
      <dokumentobjekt><systemID>7d304e6c-ab2f-4a9c-9e5d-3c4d5e6f7081</systemID></dokumentobjekt>
    </dokumentbeskrivelseKvittering>
    <referanseEksternNoekkel>
      <n5mdk:fagsystem>grunnmur</n5mdk:fagsystem>
      <n5mdk:noekkel>jp-1</n5mdk:noekkel>
    </referanseEksternNoekkel>
    <opprettetEllerEksisterende>Eksisterende</opprettetEllerEksisterende>
    <journalaar>2026</journalaar>
    <journalsekvensnummer>117</journalsekvensnummer>
    <journalpostnummer>2</journalpostnummer>
    <journalposttype><n5mdk:kode>I</n5mdk:kode></journalposttype>
    <journaldato>2026-03-02+01:00</journaldato>
  </registreringKvittering>
</arkivmeldingKvittering>
`

const kvitteringSaksmappe = `<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>8e415f7d-bc30-4bad-af6e-4d5e6f708192</systemID>
    <opprettetDato>2026-03-02T10:14:59</opprettetDato>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <saksaar>2026</saksaar>
    <sakssekvensnummer>42</sakssekvensnummer>
    <saksdato>2026-03-02</saksdato>
  </mappeKvittering>
  <registreringFeilet>
    <feilId xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">E-17</feilId>
    <feilmelding xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">journalpost not created</feilmelding>
  </registreringFeilet>
</arkivmeldingKvittering>
`

func feilmeldingXML(kind Kind, id, msg string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<` + string(kind) + ` xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/` + string(kind) + `/v1"
    xmlns:f="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">
  <f:feilId>` + id + `</f:feilId>
  <f:feilmelding>` + msg + `</f:feilmelding>
</` + string(kind) + `>
`
}

// The fixtures are themselves valid: a reader that accepts them reads what
// a conforming archive sends.
func TestReplyFixturesAreValid(t *testing.T) {
	mustLint(t, TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost))
	mustLint(t, TypeArkivmeldingOpprettKvittering, []byte(kvitteringSaksmappe))
	for typ, kind := range feilKinds {
		mustLint(t, typ, []byte(feilmeldingXML(kind, "a1", "x")))
	}
}

func TestParseKvitteringJournalpost(t *testing.T) {
	r, err := ParseReply(TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Final() || r.Mottatt || r.Feil != nil || r.Kvittering == nil {
		t.Fatalf("reply %+v", r)
	}
	k := r.Kvittering
	if k.Mappe != nil || k.MappeFeilet != nil || k.RegistreringFeilet != nil {
		t.Errorf("kvittering %+v", k)
	}
	j := k.Registrering
	want := RegistreringKvittering{
		Journalpost: true, SystemID: "5b1e2c4a-8f0d-4e7a-9c3b-1a2b3c4d5e6f", Existing: true,
		Journalaar: 2026, Journalsekvensnummer: 117, Journalpostnummer: 2,
		Journaldato: civil.NewDate(2026, 3, 2),
	}
	if j.Journalpost != want.Journalpost || j.SystemID != want.SystemID || j.Existing != want.Existing ||
		j.Journalaar != 2026 || j.Journalsekvensnummer != 117 || j.Journalpostnummer != 2 || j.Journaldato != want.Journaldato {
		t.Errorf("got %+v", j)
	}
	if j.Journalposttype == nil || j.Journalposttype.Kode != "I" {
		t.Errorf("journalposttype %+v", j.Journalposttype)
	}
	if k := j.ReferanseEksternNoekkel; k == nil || *k != (EksternNoekkel{"grunnmur", "jp-1"}) {
		t.Errorf("noekkel %+v", k)
	}
	if !j.OpprettetDato.Equal(time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)) {
		t.Errorf("opprettetDato %v", j.OpprettetDato)
	}
	if len(j.Dokumenter) != 1 || j.Dokumenter[0].Dokumentnummer != 1 || len(j.Dokumenter[0].Objekter) != 1 {
		t.Errorf("dokumenter %+v", j.Dokumenter)
	}
}

func TestParseKvitteringSaksmappeAndFailedRegistrering(t *testing.T) {
	k, err := ParseKvittering([]byte(kvitteringSaksmappe))
	if err != nil {
		t.Fatal(err)
	}
	m := k.Mappe
	if m == nil || !m.Saksmappe || m.Existing || m.Saksaar != 2026 || m.Sakssekvensnummer != 42 || m.Saksdato != civil.NewDate(2026, 3, 2) {
		t.Fatalf("mappe %+v", m)
	}
	// A dateTime without a zone is Oslo time: 10:14:59 CET is 09:14:59 UTC.
	if !m.OpprettetDato.Equal(time.Date(2026, 3, 2, 9, 14, 59, 0, time.UTC)) {
		t.Errorf("opprettetDato %v", m.OpprettetDato)
	}
	if f := k.RegistreringFeilet; f == nil || f.FeilID != "E-17" || f.Message != "journalpost not created" {
		t.Errorf("registreringFeilet %+v", f)
	}
}

func TestParseReplyWithoutPayload(t *testing.T) {
	for _, typ := range []string{TypeArkivmeldingOpprettMottatt, TypeArkivmeldingOppdaterMottatt} {
		r, err := ParseReply(typ, nil)
		if err != nil || !r.Mottatt || r.Final() {
			t.Errorf("%s: %+v %v", typ, r, err)
		}
	}
	r, err := ParseReply(TypeArkivmeldingOppdaterKvittering, nil)
	if err != nil || r.Mottatt || !r.Final() || r.Kvittering != nil {
		t.Errorf("oppdater kvittering: %+v %v", r, err)
	}
}

func TestParseFeilmeldinger(t *testing.T) {
	for typ, kind := range feilKinds {
		r, err := ParseReply(typ, []byte(feilmeldingXML(kind, "f-1", "Tittel mangler for 01019012345")))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		f := r.Feil
		if f == nil || f.Kind != kind || f.FeilID != "f-1" || !strings.Contains(f.Message, "01019012345") {
			t.Fatalf("%s: %+v", typ, f)
		}
		if !errors.Is(f, ErrFeilmelding) || f.Temporary() != (kind == Serverfeil) {
			t.Errorf("%s: Is %v Temporary %v", typ, errors.Is(f, ErrFeilmelding), f.Temporary())
		}
		if s := f.Error(); strings.Contains(s, "01019012345") || !strings.Contains(s, string(kind)) {
			t.Errorf("Error() = %q", s)
		}
	}
}

func TestParseReplyRefuses(t *testing.T) {
	kv := func(old, new string) []byte { return []byte(strings.Replace(kvitteringJournalpost, old, new, 1)) }
	for _, c := range []struct {
		name    string
		typ     string
		payload []byte
		field   string
	}{
		{"empty", TypeArkivmeldingOpprettKvittering, nil, ""},
		{"not xml", TypeArkivmeldingOpprettKvittering, []byte("{\"systemID\": \"01019012345\"}"), ""},
		{"truncated", TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost[:400]), ""},
		{"wrong root", TypeArkivmeldingOpprettKvittering, []byte(feilmeldingXML(Serverfeil, "1", "x")), ""},
		{"wrong namespace", TypeArkivmeldingOpprettKvittering, kv("opprett/kvittering/v1\"", "opprett/kvittering/v2\""), ""},
		{"missing systemID", TypeArkivmeldingOpprettKvittering, kv("<systemID>5b1e2c4a-8f0d-4e7a-9c3b-1a2b3c4d5e6f</systemID>", ""), "registreringKvittering/systemID"},
		{"systemID not a UUID", TypeArkivmeldingOpprettKvittering, kv("5b1e2c4a-8f0d-4e7a-9c3b-1a2b3c4d5e6f", "01019012345"), "registreringKvittering/systemID"},
		{"opprettetEllerEksisterende", TypeArkivmeldingOpprettKvittering, kv(">Eksisterende<", ">Kanskje<"), "registreringKvittering/opprettetEllerEksisterende"},
		{"journalaar", TypeArkivmeldingOpprettKvittering, kv(">2026</journalaar>", ">tjuesjuogtyve</journalaar>"), "registreringKvittering/journalaar"},
		{"journalaar overflow", TypeArkivmeldingOpprettKvittering, kv(">2026</journalaar>", ">99999999999</journalaar>"), "registreringKvittering/journalaar"},
		{"journaldato", TypeArkivmeldingOpprettKvittering, kv("2026-03-02+01:00", "02.03.2026"), "registreringKvittering/journaldato"},
		{"opprettetDato", TypeArkivmeldingOpprettKvittering, kv("2026-03-02T10:15:00+01:00", "i går"), "registreringKvittering/opprettetDato"},
		{"xsi:type", TypeArkivmeldingOpprettKvittering, kv("journalpostKvittering", "moetedokumentKvittering"), "registreringKvittering"},
		{"dokument systemID", TypeArkivmeldingOpprettKvittering, kv("6c2f3d5b-9a1e-4f8b-8d4c-2b3c4d5e6f70", "x"), "registreringKvittering/dokumentbeskrivelseKvittering[1]/systemID"},
		{"trailing element", TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost + "<more/>"), ""},
		{"trailing text", TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost + "01019012345"), ""},
		{"nothing in it", TypeArkivmeldingOpprettKvittering, []byte(`<arkivmeldingKvittering xmlns="` + NSKvittering + `"/>`), ""},
		{"feilId empty", TypeServerfeil, []byte(feilmeldingXML(Serverfeil, " ", "x")), "serverfeil/feilId"},
		{"feilmelding in no namespace", TypeIkkefunnet, []byte(`<ikkefunnet xmlns="` + nsIkkefunnet + `"><feilId xmlns="">1</feilId><feilmelding xmlns="">x</feilmelding></ikkefunnet>`), "ikkefunnet/feilId"},
		{"kind mismatch", TypeIkkefunnet, []byte(feilmeldingXML(Serverfeil, "1", "x")), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseReply(c.typ, c.payload)
			var re *ReplyError
			if !errors.As(err, &re) || !errors.Is(err, ErrReply) {
				t.Fatalf("got %+v, %v; want a *ReplyError", r, err)
			}
			if re.Field != c.field || re.Type != c.typ {
				t.Errorf("field %q type %q, want %q %q", re.Field, re.Type, c.field, c.typ)
			}
			if strings.Contains(err.Error(), "01019012345") {
				t.Errorf("the payload leaked into %q", err)
			}
		})
	}
}

func TestParseReplyUnknownType(t *testing.T) {
	for _, typ := range []string{"", "no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent.resultat", "no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel", "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespørsel"} {
		if _, err := ParseReply(typ, []byte(kvitteringJournalpost)); !errors.Is(err, ErrUnknownType) {
			t.Errorf("%q: %v", typ, err)
		}
	}
	if _, err := ParseFeilmelding("tidsavbrudd", nil); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown kind: %v", err)
	}
}

func FuzzParseKvittering(f *testing.F) {
	f.Add([]byte(kvitteringJournalpost))
	f.Add([]byte(kvitteringSaksmappe))
	f.Add([]byte(`<arkivmeldingKvittering xmlns="` + NSKvittering + `"><mappeFeilet/></arkivmeldingKvittering>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKvittering(b)
		if err != nil {
			if !errors.Is(err, ErrReply) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if k.Mappe == nil && k.MappeFeilet == nil && k.Registrering == nil && k.RegistreringFeilet == nil {
			t.Fatal("accepted an empty kvittering")
		}
		if k.Mappe != nil && !archive.IsSystemID(k.Mappe.SystemID) || k.Registrering != nil && !archive.IsSystemID(k.Registrering.SystemID) {
			t.Fatal("accepted a systemID that is not a UUID")
		}
	})
}

func FuzzParseFeilmelding(f *testing.F) {
	for _, kind := range []Kind{Ugyldigforespoersel, Serverfeil, Ikkefunnet} {
		f.Add(string(kind), []byte(feilmeldingXML(kind, "id", "melding")))
	}
	f.Fuzz(func(t *testing.T, kind string, b []byte) {
		fm, err := ParseFeilmelding(Kind(kind), b)
		if err != nil {
			if !errors.Is(err, ErrReply) && !errors.Is(err, ErrUnknownType) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if fm.Kind != Kind(kind) || strings.TrimSpace(fm.FeilID) == "" {
			t.Fatalf("accepted %+v", fm)
		}
	})
}

func FuzzParseReply(f *testing.F) {
	f.Add(TypeArkivmeldingOpprettKvittering, []byte(kvitteringJournalpost))
	f.Add(TypeUgyldigforespoersel, []byte(feilmeldingXML(Ugyldigforespoersel, "1", "x")))
	f.Add(TypeArkivmeldingOpprettMottatt, []byte(nil))
	f.Fuzz(func(t *testing.T, typ string, b []byte) {
		r, err := ParseReply(typ, b)
		if err != nil {
			if !errors.Is(err, ErrReply) && !errors.Is(err, ErrUnknownType) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		n := 0
		for _, set := range []bool{r.Mottatt, r.Kvittering != nil, r.Feil != nil, r.Sokeresultat != nil, r.Hentet != nil,
			r.DokumentobjektKvittering != nil, r.Dokumentfil != nil} {
			if set {
				n++
			}
		}
		if n > 1 || n == 0 && typ != TypeArkivmeldingOppdaterKvittering && typ != TypeAvskrivningOpprettKvittering {
			t.Fatalf("reply %+v", r)
		}
	})
}
