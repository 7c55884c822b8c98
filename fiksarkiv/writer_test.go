package fiksarkiv

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/archive/archivetest"
	"github.com/grunnmur/grunnmur/civil"
)

var mapper = Mapper{System: "grunnmur test", Fagsystem: "grunnmur", Arkivdel: "SAK"}

// cases are archivetest's generated cases; hostile ones carry XML-special
// and forbidden characters, invalid UTF-8, emoji and 10,000-character texts.
func cases(t *testing.T, cfg archivetest.Config) []*archive.Saksmappe {
	t.Helper()
	var out []*archive.Saksmappe
	for c, err := range archivetest.Cases(cfg) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestNoarkCasesAreValid maps generated Noark 5 cases (hostile text
// included) to arkivmeldinger and validates every message with xmllint.
func TestNoarkCasesAreValid(t *testing.T) {
	n := 0
	for _, cfg := range []archivetest.Config{
		{Cases: 4, DocsPerCase: 3, Seed: 1},
		{Cases: 8, DocsPerCase: 2, Seed: 2, Hostile: true},
	} {
		for _, c := range cases(t, cfg) {
			a, err := mapper.Saksmappe(c)
			if err != nil {
				t.Fatal(err)
			}
			mustLint(t, TypeArkivmeldingOpprett, marshal(t, a))
			n++
			for i := range c.Records {
				a, files, err := mapper.Journalpost(c, i)
				if err != nil {
					t.Fatal(err)
				}
				mustLint(t, TypeArkivmeldingOpprett, marshal(t, a))
				n++
				checkAttachments(t, a, files)
			}
		}
	}
	t.Logf("%d messages valid", n)
}

// checkAttachments: every dokumentobjekt names one attachment, by a plain
// ASCII name, and each attachment opens.
func checkAttachments(t *testing.T, a *Arkivmelding, files []Attachment) {
	t.Helper()
	if a.AntallFiler != len(files) {
		t.Errorf("antallFiler %d, %d files", a.AntallFiler, len(files))
	}
	names := map[string]bool{}
	for _, f := range files {
		names[f.Name] = true
		for _, r := range f.Name {
			if r > 0x7e || r < 0x21 || r == '/' {
				t.Errorf("attachment name %q", f.Name)
			}
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.HasPrefix(b, []byte("%PDF")) || f.MimeType != "application/pdf" {
			t.Errorf("%s: %s %.8q", f.Name, f.MimeType, b)
		}
	}
	for _, d := range a.Registrering.Dokumentbeskrivelse {
		for _, o := range d.Dokumentobjekt {
			if !names[o.ReferanseDokumentfil] {
				t.Errorf("dokumentobjekt names %q, no such attachment", o.ReferanseDokumentfil)
			}
			delete(names, o.ReferanseDokumentfil)
		}
	}
	if len(names) != 0 {
		t.Errorf("attachments no dokumentobjekt names: %v", names)
	}
}

// TestNoarkMapping checks the mapping's fields on one case: keys, the
// reference to the saksmappe, the codes, and the numbers.
func TestNoarkMapping(t *testing.T) {
	c := cases(t, archivetest.Config{Cases: 1, DocsPerCase: 3, Seed: 7})[0]
	a, err := mapper.Saksmappe(c)
	if err != nil {
		t.Fatal(err)
	}
	m := a.Mappe
	if a.Registrering != nil || a.AntallFiler != 0 || a.System != mapper.System {
		t.Errorf("saksmappe message %+v", a)
	}
	if *m.ReferanseEksternNoekkel != (EksternNoekkel{"grunnmur", c.SystemID}) || m.Tittel != c.Title ||
		m.Saksstatus.Kode != "A" || m.Arkivdel.Kode != "SAK" || m.Klassifikasjon[0].KlasseID != c.ClassID ||
		m.Saksansvarlig.Navn != c.Officer || *m.Saksdato != c.Date {
		t.Errorf("saksmappe %+v", m)
	}
	for i, r := range c.Records {
		a, files, err := mapper.Journalpost(c, i)
		if err != nil {
			t.Fatal(err)
		}
		j := a.Registrering
		if a.Mappe != nil || *j.ReferanseForelderMappe.ReferanseEksternNoekkel != *m.ReferanseEksternNoekkel {
			t.Errorf("journalpost %d not filed into the saksmappe: %+v", i, j.ReferanseForelderMappe)
		}
		if *j.ReferanseEksternNoekkel != (EksternNoekkel{"grunnmur", r.SystemID}) {
			t.Errorf("journalpost key %+v", j.ReferanseEksternNoekkel)
		}
		code, _ := journalposttypeCode(r.Type)
		if j.Journalposttype != code || j.Journalposttype.Beskrivelse != r.Type || j.Tittel != r.Title {
			t.Errorf("journalpost %+v", j)
		}
		// The archive numbers what it journals; the service's own numbers
		// stay in the deposit extract.
		if j.Journalaar != 0 || j.Journalsekvensnummer != 0 || j.Journalpostnummer != 0 {
			t.Errorf("journalpost sent with the service's own numbers %d/%d-%d", j.Journalaar, j.Journalsekvensnummer, j.Journalpostnummer)
		}
		if len(files) != len(r.Documents) || len(j.Korrespondansepart) != len(r.Parties) {
			t.Errorf("%d files for %d documents, %d parties for %d", len(files), len(r.Documents), len(j.Korrespondansepart), len(r.Parties))
		}
		for k, d := range j.Dokumentbeskrivelse {
			if d.Dokumentnummer != k+1 || d.Tittel != r.Documents[k].Title {
				t.Errorf("document %d: %+v", k, d)
			}
		}
	}
	if _, _, err := mapper.Journalpost(c, len(c.Records)); !errors.Is(err, ErrInvalid) {
		t.Errorf("journalpost out of range: %v", err)
	}
}

// TestCodeListsMatchKS holds the mapping's code tables to KS' vendored
// example lists: every code and name appears there as written.
func TestCodeListsMatchKS(t *testing.T) {
	for file, list := range map[string][]codeName{
		"journalposttype": journalposttype, "journalstatus": journalstatus, "saksstatus": saksstatus,
		"dokumentstatus": dokumentstatus, "dokumenttype": dokumenttype,
		"tilknyttetregistreringsom": tilknyttetRegistreringSom, "korrespondanseparttype": korrespondanseparttype,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "V1", "kodelister", "no.ks.fiks.arkiv.v1.kodelister."+file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var ks struct {
			Kodeliste []struct {
				Kode string `json:"kodeverdi"`
				Navn string `json:"kodebeskrivelse"`
			} `json:"kodeliste"`
		}
		if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\uFEFF")), &ks); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		have := map[codeName]bool{}
		for _, k := range ks.Kodeliste {
			have[codeName{k.Kode, k.Navn}] = true
		}
		for _, c := range list {
			if !have[c] {
				t.Errorf("%s: %v is not in KS' list", file, c)
			}
		}
	}
}

// xmlSafe is what the writer promises for text: each character XML 1.0
// cannot carry (and each invalid byte) becomes U+FFFD, all else passes.
func xmlSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1,
			r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0xFFFE, r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

const hostileText = "Søknad om skjenkebevilling 🍺🇳🇴 \u202eعربي\u202c <b>\"Tom & Jerry's\"</b> ]]> a\x00b\x01c\x1f\x7f " +
	"bad \xff\xfe utf-8 \uFFFE\uFFFF line\r\nbreak\ttab \u2028 &amp; &#0;"

// TestCitizenTextNeverStopsTheMessage: any text goes out, valid, and comes
// back as xmlSafe says, byte for byte the same each time.
func TestCitizenTextNeverStopsTheMessage(t *testing.T) {
	for _, text := range []string{hostileText, "\x00", "\x01\x02", "\xff", " ", strings.Repeat("🏠", 5000)} {
		a := citizenMessage(text)
		b, err := a.Marshal()
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		mustLint(t, TypeArkivmeldingOpprett, b)
		if again, _ := a.Marshal(); !bytes.Equal(b, again) {
			t.Errorf("%q: not deterministic", text)
		}
		got := readBack(t, b)
		want := xmlSafe(text)
		for name, v := range got {
			if v != want {
				t.Errorf("%s: got %q, want %q", name, v, want)
			}
		}
		if len(got) != 4 {
			t.Errorf("read back %d texts", len(got))
		}
	}
}

func citizenMessage(text string) *Arkivmelding {
	return &Arkivmelding{System: "grunnmur", AntallFiler: 1, Registrering: &Journalpost{
		ReferanseForelderMappe: &ReferanseTilMappe{ReferanseEksternNoekkel: &EksternNoekkel{"grunnmur", "sak-1"}},
		Dokumentbeskrivelse: []Dokumentbeskrivelse{{
			Tittel:                    text,
			TilknyttetRegistreringSom: Kode{Kode: "H"},
			Dokumentobjekt:            []Dokumentobjekt{{Filnavn: text, ReferanseDokumentfil: "1.pdf"}},
		}},
		Tittel:                  text,
		Korrespondansepart:      []Korrespondansepart{{Korrespondanseparttype: Kode{Kode: "EA"}, KorrespondansepartNavn: text}},
		ReferanseEksternNoekkel: &EksternNoekkel{"grunnmur", "jp-1"},
		Journalposttype:         Kode{Kode: "I"},
		MottattDato:             timePtr(time.Date(2026, 3, 2, 10, 0, 0, 0, civil.Oslo)),
	}}
}

// readBack decodes the texts citizenMessage puts the text into.
func readBack(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var x struct {
		Registrering struct {
			Dok struct {
				Tittel string `xml:"tittel"`
				Obj    struct {
					Filnavn string `xml:"filnavn"`
				} `xml:"dokumentobjekt"`
			} `xml:"dokumentbeskrivelse"`
			Tittel string `xml:"tittel"`
			Korr   struct {
				Navn string `xml:"korrespondansepartNavn"`
			} `xml:"korrespondansepart"`
		} `xml:"registrering"`
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	r := x.Registrering
	return map[string]string{"tittel": r.Tittel, "dokument": r.Dok.Tittel, "filnavn": r.Dok.Obj.Filnavn, "korrespondansepartNavn": r.Korr.Navn}
}

func FuzzArkivmeldingText(f *testing.F) {
	f.Add(hostileText)
	f.Add("\x00")
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" {
			return
		}
		b, err := citizenMessage(text).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got := readBack(t, b)
		for name, v := range got {
			if v != xmlSafe(text) {
				t.Fatalf("%s: got %q, want %q", name, v, xmlSafe(text))
			}
		}
	})
}

// TestMarshalRefuses: the protocol's rules and the XSD's required fields
// are checked before a byte is written.
func TestMarshalRefuses(t *testing.T) {
	key := &EksternNoekkel{"grunnmur", "k"}
	sm := func() *Saksmappe { return &Saksmappe{Tittel: "t", ReferanseEksternNoekkel: key} }
	for _, c := range []struct {
		name  string
		a     *Arkivmelding
		field string
	}{
		{"no system", &Arkivmelding{Mappe: sm()}, "system"},
		{"neither", &Arkivmelding{System: "s"}, "mappe"},
		{"both", &Arkivmelding{System: "s", Mappe: sm(), Registrering: citizenMessage("x").Registrering}, "registrering"},
		{"no key", &Arkivmelding{System: "s", Mappe: &Saksmappe{Tittel: "t"}}, "mappe/referanseEksternNoekkel"},
		{"empty noekkel", &Arkivmelding{System: "s", Mappe: &Saksmappe{Tittel: "t", ReferanseEksternNoekkel: &EksternNoekkel{Fagsystem: "g"}}}, "mappe/referanseEksternNoekkel/noekkel"},
		{"no title", &Arkivmelding{System: "s", Mappe: &Saksmappe{ReferanseEksternNoekkel: key}}, "mappe/tittel"},
		{"bad parent systemID", &Arkivmelding{System: "s", Mappe: func() *Saksmappe {
			m := sm()
			m.ReferanseForeldermappe = &ReferanseTilMappe{SystemID: "17"}
			return m
		}()}, "mappe/referanseForeldermappe/systemID"},
		{"antallFiler", func() *Arkivmelding { a := citizenMessage("x"); a.AntallFiler = 2; return a }(), "antallFiler"},
		{"same file twice", func() *Arkivmelding {
			a := citizenMessage("x")
			d := &a.Registrering.Dokumentbeskrivelse[0]
			d.Dokumentobjekt = append(d.Dokumentobjekt, d.Dokumentobjekt[0])
			return a
		}(), "registrering/dokumentbeskrivelse[1]/dokumentobjekt[2]/referanseDokumentfil"},
		{"empty name", func() *Arkivmelding {
			a := citizenMessage("x")
			a.Registrering.Korrespondansepart[0].KorrespondansepartNavn = ""
			return a
		}(), "registrering/korrespondansepart[1]/korrespondansepartNavn"},
		{"no journalposttype", func() *Arkivmelding { a := citizenMessage("x"); a.Registrering.Journalposttype = Kode{}; return a }(), "registrering/journalposttype"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := c.a.Write(&buf)
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || fe.Field != c.field {
				t.Fatalf("got %v, want a FieldError on %s", err, c.field)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
	if _, err := (&Oppdatering{}).Marshal(); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty oppdatering: %v", err)
	}
	if _, err := (&Oppdatering{Mappe: &SaksmappeOppdatering{}}).Marshal(); !errors.Is(err, ErrInvalid) {
		t.Errorf("oppdatering without reference: %v", err)
	}
	if _, err := (Mapper{}).Saksmappe(&archive.Saksmappe{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("mapper without names: %v", err)
	}
}

// TestOppdateringIsValid writes the updates a fagsystem sends most: close
// the case, and a new title for a journalpost, both addressed by key.
func TestOppdateringIsValid(t *testing.T) {
	done := time.Date(2026, 4, 1, 12, 0, 0, 0, civil.Oslo)
	for _, o := range []*Oppdatering{
		{Mappe: &SaksmappeOppdatering{
			ReferanseTilMappe: ReferanseTilMappe{ReferanseEksternNoekkel: &EksternNoekkel{"grunnmur", "sak-1"}},
			AvsluttetDato:     &done, AvsluttetAv: "kari", Saksstatus: &Kode{Kode: "A", Beskrivelse: "Avsluttet"},
			Saksansvarlig: &Identifikatorer{Navn: "Kari Nordmann"},
		}},
		{Registrering: &JournalpostOppdatering{
			ReferanseTilRegistrering: ReferanseTilRegistrering{ReferanseEksternNoekkel: &EksternNoekkel{"grunnmur", "jp-1"}},
			Tittel:                   hostileText, Journalstatus: &Kode{Kode: "J"},
		}},
	} {
		b, err := o.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		mustLint(t, TypeArkivmeldingOppdater, b)
	}
}
