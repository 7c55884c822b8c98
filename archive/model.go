package archive

import (
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// Extract describes the archive (arkiv), its part (arkivdel) and the
// classification system that every case of one extract is filed under. The
// writer puts it at the top of arkivstruktur.xml and into arkivuttrekk.xml.
type Extract struct {
	Archive        Arkiv
	Part           Arkivdel
	Classification Klassifikasjonssystem
	// SystemName and SystemType go into arkivuttrekk.xml: the system the
	// extract came from. SystemType defaults to "Sakarkiv (Noark-5)".
	SystemName string
	SystemType string
	// SoftPeriod marks the period boundaries as soft ("mykt"): cases may
	// cross them. The default, a sharp boundary ("skarpt"), makes the writer
	// refuse registrations created outside the period.
	SoftPeriod bool
}

// Arkiv is the archive: the top of arkivstruktur.xml.
type Arkiv struct {
	SystemID    string // UUID
	Title       string
	Description string
	Status      string // arkivstatus; default "Avsluttet"
	Creators    []Arkivskaper
	Created     time.Time // opprettetDato
	CreatedBy   string
	Finished    time.Time // avsluttetDato
	FinishedBy  string
}

// Arkivskaper is the organisation that created the records.
type Arkivskaper struct {
	ID   string // arkivskaperID, usually the organisasjonsnummer
	Name string // arkivskaperNavn
}

// Arkivdel is the archive part holding the extract's cases.
type Arkivdel struct {
	SystemID    string
	Title       string
	Description string
	Status      string // arkivdelstatus; default "Avsluttet periode"
	Created     time.Time
	CreatedBy   string
	Finished    time.Time
	FinishedBy  string
	// Start and End are the archival period (arkivperiodeStartDato and
	// -SluttDato, the journals' period and the ADDML archivalPeriod). When
	// zero they are the first and last registration's creation dates.
	Start, End civil.Date
}

// Klassifikasjonssystem is the classification system and its classes.
type Klassifikasjonssystem struct {
	SystemID  string
	Type      string // klassifikasjonstype, e.g. "Funksjonsbasert, hierarkisk"
	Title     string
	Created   time.Time
	CreatedBy string
	Classes   []Klasse
}

// Klasse is one class; cases name theirs by ID.
type Klasse struct {
	SystemID  string
	ID        string // klasseID, e.g. "byggesak" or "U60"
	Title     string
	Created   time.Time
	CreatedBy string
}

// Saksmappe is one case folder with its journal entries. Cases reach the
// writer one at a time, so the extract never has to fit in memory.
type Saksmappe struct {
	SystemID    string
	ClassID     string // the Klasse.ID it is filed under
	ID          string // mappeID, the case number; default "Year/Sequence"
	Title       string
	PublicTitle string // offentligTittel; required when the title is screened
	Description string
	Created     time.Time
	CreatedBy   string
	Finished    time.Time // avsluttetDato: required, an extract holds closed cases
	FinishedBy  string
	Parties     []Part
	Screening   *Skjerming

	Year               int        // saksaar
	Sequence           int        // sakssekvensnummer
	Date               civil.Date // saksdato
	AdministrativeUnit string
	Officer            string // saksansvarlig
	Status             string // saksstatus, e.g. "Avsluttet"

	Records []Journalpost
	// Changes are the logged changes to this case and its records
	// (endringslogg.xml).
	Changes []Endring
}

// Number is the case number as officers write it: "2026/17".
func (s *Saksmappe) Number() string {
	if s.ID != "" {
		return s.ID
	}
	return strconv.Itoa(s.Year) + "/" + strconv.Itoa(s.Sequence)
}

// Part is a party to a case (part).
type Part struct {
	ID   string // partID, optional
	Name string
	Role string // partRolle, e.g. "Søker"
}

// Skjerming screens a record from public access under the Freedom of
// Information Act.
type Skjerming struct {
	Restriction string   // tilgangsrestriksjon, e.g. "13"
	Authority   string   // skjermingshjemmel, e.g. "Offl. § 13 jf. fvl. § 13"
	Metadata    []string // skjermingMetadata: what is screened, e.g. "tittel", "korrespondansepart"
}

// Journalpost is one registered document exchange in a case.
type Journalpost struct {
	SystemID    string
	Created     time.Time // opprettetDato
	CreatedBy   string
	Archived    time.Time // arkivertDato; default Created
	ArchivedBy  string    // default CreatedBy
	Screening   *Skjerming
	Documents   []Dokument
	ID          string // registreringsID; default "Saksmappe.Number()-Number"
	Title       string
	PublicTitle string // offentligTittel; required when the title is screened
	Parties     []Korrespondansepart

	Year     int        // journalaar
	Sequence int        // journalsekvensnummer
	Number   int        // journalpostnummer within the case
	Type     string     // journalposttype, e.g. "Inngående dokument" (JournalpostType maps "I", "U", ...)
	Status   string     // journalstatus, e.g. "Arkivert"
	Date     civil.Date // journaldato
	// Optional dates of the document itself.
	DocumentDate civil.Date // dokumentetsDato
	Received     time.Time  // mottattDato
	Sent         time.Time  // sendtDato
}

// Korrespondansepart is a sender or recipient of a journal entry.
type Korrespondansepart struct {
	Type       string // korrespondanseparttype: "Avsender", "Mottaker", "Kopimottaker", ...
	Name       string // korrespondansepartNavn
	Address    string // postadresse
	PostalCode string // postnummer
	PostTown   string // poststed
	Email      string // epostadresse
	// Screened keeps the name out of the public journal.
	Screened bool
}

// Dokument is a document description (dokumentbeskrivelse) with its one
// archival-format file (dokumentobjekt, version 1).
type Dokument struct {
	SystemID   string // dokumentbeskrivelse
	ObjectID   string // dokumentobjekt
	Type       string // dokumenttype, e.g. "Brev", "Søknad", "Vedtak"
	Status     string // dokumentstatus; default "Dokumentet er ferdigstilt"
	Title      string
	Created    time.Time
	CreatedBy  string
	Role       string // tilknyttetRegistreringSom: "Hoveddokument" (default) or "Vedlegg"
	Number     int    // dokumentnummer; default its position, from 1
	Attached   time.Time
	AttachedBy string
	// Format is the PRONOM id; default "fmt/95" (PDF/A-1a).
	Format string
	// Ext is the file name extension, default ".pdf".
	Ext string
	// Open returns the document's bytes. The writer copies them into
	// dokumenter/, computing SHA-256 and size in the same pass.
	Open func() (io.ReadCloser, error)
}

// FromFS returns an Open function reading name from fsys.
func FromFS(fsys fs.FS, name string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return fsys.Open(name) }
}

// Endring is one entry in the change log.
type Endring struct {
	Ref       string    // referanseArkivenhet: the systemID of the changed unit
	Field     string    // referanseMetadata, e.g. "tittel"
	Changed   time.Time // endretDato
	ChangedBy string    // endretAv
	Previous  string    // tidligereVerdi
	New       string    // nyVerdi
}

// The Noark 5 journalposttype values, by their one-letter codes.
var journalpostTypes = map[string]string{
	"I": "Inngående dokument",
	"U": "Utgående dokument",
	"N": "Organinternt dokument for oppfølging",
	"X": "Organinternt dokument uten oppfølging",
	"S": "Saksframlegg",
}

// JournalpostType returns the Noark 5 journalposttype for a one-letter code
// ("I" gives "Inngående dokument"), and false for an unknown code.
func JournalpostType(code string) (string, bool) {
	t, ok := journalpostTypes[code]
	return t, ok
}
