package archive

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// benchCases builds n cases like the demo's: three journal entries, parties,
// one document each, a screened entry.
func benchCases(n int) []*Saksmappe {
	t0 := time.Date(2025, 3, 3, 9, 30, 0, 0, civil.Oslo)
	id := func(i, k int) string { return "6f1b0c2e-8d4a-4c1e-9a55-" + padID(i*10+k) }
	cs := make([]*Saksmappe, n)
	for i := range cs {
		c := &Saksmappe{
			SystemID: id(i, 0), ClassID: "byggesak", Title: "Storgata " + strconv.Itoa(i) + " - gnr. 12 bnr. 34 - tilbygg & garasje <2 etasjer>",
			Created: t0, CreatedBy: "kari.saksbehandler", Finished: t0.Add(48 * time.Hour), FinishedBy: "kari.saksbehandler",
			Parties: []Part{{Name: "Ola Nordmann", Role: "Tiltakshaver"}},
			Year:    2025, Sequence: i + 1, Date: civil.DateOf(t0), AdministrativeUnit: "Plan- og bygningsetaten",
			Officer: "kari.saksbehandler", Status: "Avsluttet",
		}
		for k := 1; k <= 3; k++ {
			r := Journalpost{
				SystemID: id(i, k), Created: t0, CreatedBy: "kari.saksbehandler",
				Title: "Søknad om tillatelse til tiltak - tilbygg", Year: 2025, Sequence: 3*i + k, Number: k,
				Type: "Inngående dokument", Status: "Arkivert", Date: civil.DateOf(t0),
				Parties: []Korrespondansepart{{Type: "Avsender", Name: "Ola Nordmann", Address: "Storgata 1", PostalCode: "0150", PostTown: "OSLO"}},
				Documents: []Dokument{{SystemID: id(i, k+4), ObjectID: id(i, k+7), Type: "Søknad", Title: "Søknad",
					Created: t0, CreatedBy: "kari.saksbehandler", Open: func() (io.ReadCloser, error) { return nil, nil }}},
			}
			if k == 2 {
				r.Screening = &Skjerming{Restriction: "13", Authority: "Offl. § 13 jf. fvl. § 13", Metadata: []string{"tittel"}}
				r.PublicTitle = "Uttalelse om vandel - *****"
			}
			c.Records = append(c.Records, r)
		}
		cs[i] = c
	}
	return cs
}

func padID(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}

var benchDocs = []docFile{
	{ref: "dokumenter/0000001.pdf", sum: "e44110ef58d6b941dc02b7dea95f891b72f116476a2adfb7656e420381169930", size: 17},
	{ref: "dokumenter/0000002.pdf", sum: "e44110ef58d6b941dc02b7dea95f891b72f116476a2adfb7656e420381169930", size: 17},
	{ref: "dokumenter/0000003.pdf", sum: "e44110ef58d6b941dc02b7dea95f891b72f116476a2adfb7656e420381169930", size: 17},
}

func writeWithOurs(w io.Writer, cases []*Saksmappe) {
	b := bufio.NewWriterSize(w, 64<<10)
	x := &xmlWriter{w: b, depth: 4}
	wr := &Writer{docs: benchDocs}
	for _, c := range cases {
		ids := []string{c.Records[0].SystemID, c.Records[1].SystemID, c.Records[2].SystemID}
		wr.writeMappe(x, c, c.SystemID, ids)
	}
	b.Flush()
}

// writeWithEncodingXML writes the same elements with encoding/xml's token
// encoder: the baseline.
func writeWithEncodingXML(w io.Writer, cases []*Saksmappe) {
	b := bufio.NewWriterSize(w, 64<<10)
	enc := xml.NewEncoder(b)
	enc.Indent("        ", "  ")
	start := func(name string, attr ...xml.Attr) {
		enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: name}, Attr: attr})
	}
	end := func(name string) { enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}}) }
	elem := func(name, v string) {
		start(name)
		enc.EncodeToken(xml.CharData(v))
		end(name)
	}
	opt := func(name, v string) {
		if v != "" {
			elem(name, v)
		}
	}
	dt := func(name string, t time.Time) { elem(name, t.Format(time.RFC3339)) }
	for _, c := range cases {
		start("mappe", xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: "saksmappe"})
		elem("systemID", c.SystemID)
		elem("mappeID", c.Number())
		elem("tittel", c.Title)
		opt("offentligTittel", c.PublicTitle)
		opt("beskrivelse", c.Description)
		dt("opprettetDato", c.Created)
		elem("opprettetAv", c.CreatedBy)
		dt("avsluttetDato", c.Finished)
		elem("avsluttetAv", c.FinishedBy)
		for _, p := range c.Parties {
			start("part")
			opt("partID", p.ID)
			elem("partNavn", p.Name)
			elem("partRolle", p.Role)
			end("part")
		}
		for i := range c.Records {
			r := &c.Records[i]
			start("registrering", xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: "journalpost"})
			elem("systemID", r.SystemID)
			dt("opprettetDato", r.Created)
			elem("opprettetAv", r.CreatedBy)
			dt("arkivertDato", orTime(r.Archived, r.Created))
			elem("arkivertAv", or(r.ArchivedBy, r.CreatedBy))
			if s := r.Screening; s != nil {
				start("skjerming")
				elem("tilgangsrestriksjon", s.Restriction)
				elem("skjermingshjemmel", s.Authority)
				for _, m := range s.Metadata {
					elem("skjermingMetadata", m)
				}
				end("skjerming")
			}
			for j := range r.Documents {
				d := &r.Documents[j]
				start("dokumentbeskrivelse")
				elem("systemID", d.SystemID)
				elem("dokumenttype", d.Type)
				elem("dokumentstatus", or(d.Status, "Dokumentet er ferdigstilt"))
				elem("tittel", d.Title)
				dt("opprettetDato", d.Created)
				elem("opprettetAv", d.CreatedBy)
				elem("tilknyttetRegistreringSom", or(d.Role, "Hoveddokument"))
				elem("dokumentnummer", strconv.Itoa(j+1))
				dt("tilknyttetDato", orTime(d.Attached, d.Created))
				elem("tilknyttetAv", or(d.AttachedBy, d.CreatedBy))
				start("dokumentobjekt")
				elem("systemID", d.ObjectID)
				elem("versjonsnummer", "1")
				elem("variantformat", "Arkivformat")
				elem("format", or(d.Format, "fmt/95"))
				dt("opprettetDato", d.Created)
				elem("opprettetAv", d.CreatedBy)
				elem("referanseDokumentfil", benchDocs[i].ref)
				elem("sjekksum", benchDocs[i].sum)
				elem("sjekksumAlgoritme", "SHA256")
				elem("filstoerrelse", strconv.FormatInt(benchDocs[i].size, 10))
				end("dokumentobjekt")
				end("dokumentbeskrivelse")
			}
			elem("registreringsID", registrationID(c, r, i))
			elem("tittel", r.Title)
			opt("offentligTittel", r.PublicTitle)
			for _, p := range r.Parties {
				start("korrespondansepart")
				elem("korrespondanseparttype", p.Type)
				elem("korrespondansepartNavn", p.Name)
				opt("postadresse", p.Address)
				opt("postnummer", p.PostalCode)
				opt("poststed", p.PostTown)
				opt("epostadresse", p.Email)
				end("korrespondansepart")
			}
			elem("journalaar", strconv.Itoa(r.Year))
			elem("journalsekvensnummer", strconv.Itoa(r.Sequence))
			elem("journalpostnummer", strconv.Itoa(recordNumber(r, i)))
			elem("journalposttype", r.Type)
			elem("journalstatus", r.Status)
			elem("journaldato", r.Date.String())
			end("registrering")
		}
		elem("saksaar", strconv.Itoa(c.Year))
		elem("sakssekvensnummer", strconv.Itoa(c.Sequence))
		elem("saksdato", c.Date.String())
		elem("administrativEnhet", c.AdministrativeUnit)
		elem("saksansvarlig", c.Officer)
		elem("saksstatus", c.Status)
		end("mappe")
	}
	enc.Flush()
	b.Flush()
}

// TestBenchmarkWritesSameElements keeps the comparison honest: both writers
// produce the same elements and text (whitespace between tags aside).
func TestBenchmarkWritesSameElements(t *testing.T) {
	cases := benchCases(3)
	var a, b bytes.Buffer
	writeWithOurs(&a, cases)
	writeWithEncodingXML(&b, cases)
	ws := regexp.MustCompile(`>\s+<`)
	// encoding/xml escapes '>' too, as &gt;; both are the same XML text.
	ours := strings.TrimSpace(ws.ReplaceAllString(a.String(), "><"))
	theirs := strings.TrimSpace(ws.ReplaceAllString(b.String(), "><"))
	if ours != theirs {
		i := 0
		for i < len(ours) && i < len(theirs) && ours[i] == theirs[i] {
			i++
		}
		t.Errorf("outputs differ at %d\nours:   %.300s\ntheirs: %.300s", i, ours[max(0, i-100):], theirs[max(0, i-100):])
	}
}

func benchmarkWriter(b *testing.B, write func(io.Writer, []*Saksmappe)) {
	cases := benchCases(1000)
	var cw countWriter
	write(&cw, cases)
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		write(io.Discard, cases)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWriteArkivstruktur writes 1,000 saksmapper (3 journalposter with
// a document each) with the extract writer's XML encoder.
func BenchmarkWriteArkivstruktur(b *testing.B) { benchmarkWriter(b, writeWithOurs) }

// BenchmarkWriteArkivstruktur_encodingXML is the baseline: the same elements
// through encoding/xml's token encoder.
func BenchmarkWriteArkivstruktur_encodingXML(b *testing.B) { benchmarkWriter(b, writeWithEncodingXML) }
