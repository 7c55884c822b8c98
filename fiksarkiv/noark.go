package fiksarkiv

import (
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
)

// Mapper turns package archive's Noark 5 model (the one the deposit extract
// is written from) into arkivmeldinger: one for the saksmappe, then one per
// journalpost, each filed into the saksmappe by its referanseEksternNoekkel.
//
// Keys: a saksmappe's noekkel is its SystemID, a journalpost's its own
// SystemID; both under Fagsystem. They are the ids the case already has in
// the extract, so the same case is found again by search after a crash.
//
// Codes: the Noark 5 names the model holds ("Inngående dokument",
// "Arkivert", "Søknad", "Vedlegg", "Avsender") become the codes of KS'
// example code lists (I, A, SØKNAD, V, EA) with the name as beskrivelse. A
// name the lists lack is sent as its own code: each archive may have its own
// lists (protocol notes, rule 6).
type Mapper struct {
	System    string // the arkivmelding's system, e.g. "grunnmur skjenkebevilling"
	Fagsystem string // referanseEksternNoekkel/fagsystem
	// Arkivdel, when set, is sent as the saksmappe's arkivdel code.
	Arkivdel string
}

// Attachment is a file a journalpost message carries in its ASiC-E, next to
// arkivmelding.xml: the dokumentobjekt's referanseDokumentfil names it.
type Attachment struct {
	Name     string // file name in the container
	MimeType string
	Open     func() (io.ReadCloser, error)
}

// Saksmappe returns the arkivmelding that creates the case folder, without
// its journal entries.
func (m Mapper) Saksmappe(s *archive.Saksmappe) (*Arkivmelding, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if s.SystemID == "" {
		return nil, missing("saksmappe SystemID (the noekkel)")
	}
	sm := &Saksmappe{
		Tittel:                  s.Title,
		OffentligTittel:         s.PublicTitle,
		Beskrivelse:             s.Description,
		OpprettetDato:           timePtr(s.Created),
		OpprettetAv:             s.CreatedBy,
		AvsluttetDato:           timePtr(s.Finished),
		AvsluttetAv:             s.FinishedBy,
		Skjerming:               skjerming(s.Screening),
		ReferanseEksternNoekkel: &EksternNoekkel{Fagsystem: m.Fagsystem, Noekkel: s.SystemID},
		Saksdato:                datePtr(s.Date),
		Saksstatus:              code(saksstatus, s.Status),
	}
	if m.Arkivdel != "" {
		sm.Arkivdel = &Kode{Kode: m.Arkivdel}
	}
	if s.ClassID != "" {
		sm.Klassifikasjon = []Klassifikasjon{{KlasseID: s.ClassID}}
	}
	if s.AdministrativeUnit != "" {
		sm.AdministrativEnhet = &Identifikatorer{Navn: s.AdministrativeUnit}
	}
	if s.Officer != "" {
		sm.Saksansvarlig = &Identifikatorer{Navn: s.Officer}
	}
	for _, p := range s.Parties {
		sm.Part = append(sm.Part, Part{PartID: p.ID, PartNavn: p.Name, PartRolle: code(nil, p.Role)})
	}
	a := &Arkivmelding{System: m.System, Mappe: sm}
	return a, a.check()
}

// Journalpost returns the arkivmelding that creates s.Records[i] in the
// saksmappe (referred to by the saksmappe's referanseEksternNoekkel), and the
// attachments the ASiC-E must carry. Each document goes as its one
// dokumentobjekt, named "<dokumentnummer>-<journalpost SystemID><Ext>" in
// the container: unique, ASCII and free of a citizen's text, while filnavn
// keeps the document's title for people.
//
// The journalpost carries no journalaar, journalsekvensnummer or
// journalpostnummer: the archive numbers what it journals and returns its
// numbers in the kvittering, as KS' conformance cases expect. The service's
// own numbering (s.Records[i].Year, Sequence, Number) stays in the Noark 5
// deposit extract.
func (m Mapper) Journalpost(s *archive.Saksmappe, i int) (*Arkivmelding, []Attachment, error) {
	if err := m.check(); err != nil {
		return nil, nil, err
	}
	if i < 0 || i >= len(s.Records) {
		return nil, nil, &FieldError{Field: "registrering", Reason: "no journalpost " + strconv.Itoa(i) + " in the saksmappe"}
	}
	if s.SystemID == "" {
		return nil, nil, missing("saksmappe SystemID (the noekkel)")
	}
	r := &s.Records[i]
	if r.SystemID == "" {
		return nil, nil, missing("journalpost SystemID (the noekkel)")
	}
	jpType, ok := journalposttypeCode(r.Type)
	if !ok {
		return nil, nil, &FieldError{Field: "registrering/journalposttype", Reason: "not a Noark 5 journalposttype"}
	}
	arkivert, arkivertAv := r.Archived, r.ArchivedBy
	if arkivert.IsZero() {
		arkivert = r.Created
	}
	if arkivertAv == "" {
		arkivertAv = r.CreatedBy
	}
	jp := &Journalpost{
		OpprettetDato: timePtr(r.Created),
		OpprettetAv:   r.CreatedBy,
		ArkivertDato:  timePtr(arkivert),
		ArkivertAv:    arkivertAv,
		ReferanseForelderMappe: &ReferanseTilMappe{
			ReferanseEksternNoekkel: &EksternNoekkel{Fagsystem: m.Fagsystem, Noekkel: s.SystemID},
		},
		Skjerming:               skjerming(r.Screening),
		Tittel:                  r.Title,
		OffentligTittel:         r.PublicTitle,
		ReferanseEksternNoekkel: &EksternNoekkel{Fagsystem: m.Fagsystem, Noekkel: r.SystemID},
		Journalposttype:         jpType,
		Journalstatus:           code(journalstatus, r.Status),
		Journaldato:             datePtr(r.Date),
		DokumentetsDato:         datePtr(r.DocumentDate),
		MottattDato:             timePtr(r.Received),
		SendtDato:               timePtr(r.Sent),
	}
	jp.Korrespondansepart = korrespondanseparter(r.Parties)
	var files []Attachment
	jp.Dokumentbeskrivelse, files, jp.AntallVedlegg = documents(r)
	a := &Arkivmelding{System: m.System, AntallFiler: len(files), Registrering: jp}
	if err := a.check(); err != nil {
		return nil, nil, err
	}
	return a, files, nil
}

// korrespondanseparter maps the senders and recipients.
func korrespondanseparter(parties []archive.Korrespondansepart) []Korrespondansepart {
	var out []Korrespondansepart
	for _, k := range parties {
		kp := Korrespondansepart{
			Korrespondanseparttype: codeValue(korrespondanseparttype, k.Type),
			KorrespondansepartNavn: k.Name,
			Postnummer:             k.PostalCode,
			Poststed:               k.PostTown,
			Epostadresse:           k.Email,
			ErSkjermet:             k.Screened,
		}
		if k.Address != "" {
			kp.Postadresse = []string{k.Address}
		}
		out = append(out, kp)
	}
	return out
}

// documents maps a journalpost's documents, each with its one file, and
// counts the attachments (vedlegg).
func documents(r *archive.Journalpost) (docs []Dokumentbeskrivelse, files []Attachment, vedlegg int) {
	for n, d := range r.Documents {
		num := d.Number
		if num == 0 {
			num = n + 1
		}
		role := d.Role
		if role == "" {
			role = "Hoveddokument"
		}
		if role == "Vedlegg" {
			vedlegg++
		}
		status := d.Status
		if status == "" {
			status = "Dokumentet er ferdigstilt"
		}
		ext := d.Ext
		if ext == "" {
			ext = ".pdf"
		}
		format := d.Format
		if format == "" {
			format = "fmt/95"
		}
		name := strconv.Itoa(num) + "-" + r.SystemID + safeExt(ext)
		mt := mime.TypeByExtension(safeExt(ext))
		if mt == "" {
			mt = "application/octet-stream"
		}
		docs = append(docs, Dokumentbeskrivelse{
			Dokumenttype:              code(dokumenttype, d.Type),
			Dokumentstatus:            code(dokumentstatus, status),
			Tittel:                    d.Title,
			OpprettetDato:             timePtr(d.Created),
			OpprettetAv:               d.CreatedBy,
			TilknyttetRegistreringSom: codeValue(tilknyttetRegistreringSom, role),
			Dokumentnummer:            num,
			TilknyttetDato:            timePtr(d.Attached),
			TilknyttetAv:              d.AttachedBy,
			Dokumentobjekt: []Dokumentobjekt{{
				Versjonsnummer:       1,
				Variantformat:        &Kode{Kode: "A", Beskrivelse: "Arkivformat"},
				Format:               &Kode{Kode: format},
				MimeType:             mt,
				Filnavn:              fileTitle(d.Title, ext),
				ReferanseDokumentfil: name,
			}},
		})
		files = append(files, Attachment{Name: name, MimeType: mt, Open: d.Open})
	}
	return docs, files, vedlegg
}

func (m Mapper) check() error {
	if m.System == "" {
		return missing("Mapper.System")
	}
	if m.Fagsystem == "" {
		return missing("Mapper.Fagsystem")
	}
	return nil
}

// safeExt keeps an extension of ASCII letters and digits after its dot, so
// a container name never carries odd characters; anything else is ".bin".
func safeExt(ext string) string {
	if len(ext) < 2 || len(ext) > 10 || ext[0] != '.' {
		return ".bin"
	}
	for i := 1; i < len(ext); i++ {
		c := ext[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return ".bin"
		}
	}
	return strings.ToLower(ext)
}

// fileTitle is the name a person sees: the title (as typed) and the
// extension; "dokument" when the title is empty.
func fileTitle(title, ext string) string {
	if title == "" {
		title = "dokument"
	}
	return title + safeExt(ext)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func datePtr(d civil.Date) *civil.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func skjerming(s *archive.Skjerming) *Skjerming {
	if s == nil || s.Restriction == "" || s.Authority == "" {
		return nil
	}
	return &Skjerming{Tilgangsrestriksjon: Kode{Kode: s.Restriction}, Skjermingshjemmel: s.Authority}
}

// code turns a Noark 5 name into a Kode by a code list (code → name), nil
// for an empty name. A name the list lacks is its own code.
func code(list []codeName, name string) *Kode {
	if name == "" {
		return nil
	}
	for _, c := range list {
		if strings.EqualFold(c.name, name) {
			return &Kode{Kode: c.code, Beskrivelse: c.name}
		}
	}
	return &Kode{Kode: name}
}

// codeValue is code for a required element: the zero Kode for an empty
// name, which the message's check then refuses.
func codeValue(list []codeName, name string) Kode {
	if k := code(list, name); k != nil {
		return *k
	}
	return Kode{}
}

func journalposttypeCode(name string) (Kode, bool) {
	for _, c := range journalposttype {
		if strings.EqualFold(c.name, name) || c.code == name {
			return Kode{Kode: c.code, Beskrivelse: c.name}, true
		}
	}
	return Kode{}, false
}

type codeName struct{ code, name string }

// The code lists of KS' examples (Schema/V1/kodelister), the entries the
// Noark 5 model uses; TestCodeListsMatchKS holds them to the vendored JSON.
var (
	journalposttype = []codeName{
		{"I", "Inngående dokument"}, {"U", "Utgående dokument"},
		{"N", "Organinternt dokument for oppfølging"}, {"X", "Organinternt dokument uten oppfølging"},
		{"S", "Saksframlegg"},
	}
	journalstatus = []codeName{
		{"J", "Journalført"}, {"F", "Ferdigstilt av saksbehandler"}, {"G", "Godkjent av leder"},
		{"E", "Ekspedert"}, {"A", "Arkivert"}, {"U", "Utgår"},
	}
	saksstatus = []codeName{
		{"B", "Under behandling"}, {"A", "Avsluttet"}, {"U", "Utgår"},
		{"R", "Opprettet av saksbehandler"}, {"S", "Avsluttet av saksbehandler"},
		{"F", "Ferdig fra saksbehandler"},
	}
	dokumentstatus = []codeName{{"B", "Dokumentet er under redigering"}, {"F", "Dokumentet er ferdigstilt"}}
	dokumenttype   = []codeName{
		{"SØKNAD", "Søknad"}, {"MELDING", "Melding"}, {"KORR", "Korrespondanse"},
		{"VEDTAK", "Vedtak"}, {"AVTALE", "Avtale"}, {"TILSYN", "Tilsyn"},
	}
	tilknyttetRegistreringSom = []codeName{{"H", "Hoveddokument"}, {"V", "Vedlegg"}}
	korrespondanseparttype    = []codeName{
		{"EA", "Avsender"}, {"EM", "Mottaker"}, {"EK", "Kopimottaker"}, {"GM", "Gruppemottaker"},
		{"IA", "Intern avsender"}, {"IM", "Intern mottaker"}, {"IK", "Intern kopimottaker"},
	}
)
