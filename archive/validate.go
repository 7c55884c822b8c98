package archive

import (
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// IsSystemID reports whether s matches the systemID pattern of Noark 5
// and Fiks Arkiv (8-4-4-4-12 hexadecimal digits, either case).
func IsSystemID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// checker collects the first validation error for one record tree.
type checker struct {
	path []string
	err  error
}

func (c *checker) enter(s string) { c.path = append(c.path, s) }
func (c *checker) leave()         { c.path = c.path[:len(c.path)-1] }

func (c *checker) fail(field, reason string) {
	if c.err == nil {
		c.err = &FieldError{Path: strings.Join(c.path, " > "), Field: field, Reason: reason}
	}
}

// text requires a value with some non-space content: Arkade's N5.63 counts
// whitespace-only elements as empty.
func (c *checker) text(field, v string) {
	if strings.TrimSpace(v) == "" {
		c.fail(field, "missing")
	}
}

// optText refuses a value that is present but only whitespace.
func (c *checker) optText(field, v string) {
	if v != "" && strings.TrimSpace(v) == "" {
		c.fail(field, "only whitespace")
	}
}

func (c *checker) time(field string, t time.Time) {
	if t.IsZero() {
		c.fail(field, "missing")
	}
}

func (c *checker) date(field string, d civil.Date) {
	if d.IsZero() {
		c.fail(field, "missing")
		return
	}
	if !d.IsValid() {
		c.fail(field, "not a calendar date")
	}
}

func (c *checker) optDate(field string, d civil.Date) {
	if !d.IsZero() && !d.IsValid() {
		c.fail(field, "not a calendar date")
	}
}

// id accepts an empty systemID (the writer makes one) or a UUID.
func (c *checker) id(field, v string) {
	if v != "" && !IsSystemID(v) {
		c.fail(field, "not a UUID")
	}
}

func (c *checker) positive(field string, v int) {
	if v <= 0 {
		c.fail(field, "must be positive")
	}
}

func (c *checker) screening(s *Skjerming) {
	if s == nil {
		return
	}
	c.text("skjerming/tilgangsrestriksjon", s.Restriction)
	c.text("skjerming/skjermingshjemmel", s.Authority)
	if len(s.Metadata) == 0 {
		c.fail("skjerming/skjermingMetadata", "missing")
	}
	for _, m := range s.Metadata {
		c.text("skjerming/skjermingMetadata", m)
	}
}

func checkExtract(ex *Extract) error {
	c := &checker{}
	c.enter("arkiv")
	a := &ex.Archive
	c.id("systemID", a.SystemID)
	c.text("tittel", a.Title)
	c.optText("beskrivelse", a.Description)
	c.optText("arkivstatus", a.Status)
	c.time("opprettetDato", a.Created)
	c.text("opprettetAv", a.CreatedBy)
	c.time("avsluttetDato", a.Finished)
	c.text("avsluttetAv", a.FinishedBy)
	if len(a.Creators) == 0 {
		c.fail("arkivskaper", "missing")
	}
	for _, cr := range a.Creators {
		c.text("arkivskaper/arkivskaperID", cr.ID)
		c.text("arkivskaper/arkivskaperNavn", cr.Name)
	}
	c.enter("arkivdel")
	p := &ex.Part
	c.id("systemID", p.SystemID)
	c.text("tittel", p.Title)
	c.optText("beskrivelse", p.Description)
	c.optText("arkivdelstatus", p.Status)
	c.time("opprettetDato", p.Created)
	c.text("opprettetAv", p.CreatedBy)
	c.time("avsluttetDato", p.Finished)
	c.text("avsluttetAv", p.FinishedBy)
	c.optDate("arkivperiodeStartDato", p.Start)
	c.optDate("arkivperiodeSluttDato", p.End)
	if p.Start.IsZero() != p.End.IsZero() {
		c.fail("arkivperiodeSluttDato", "give both ends of the period or neither")
	} else if p.End.Before(p.Start) {
		c.fail("arkivperiodeSluttDato", "before the start date")
	}
	c.enter("klassifikasjonssystem")
	k := &ex.Classification
	c.id("systemID", k.SystemID)
	c.optText("klassifikasjonstype", k.Type)
	c.text("tittel", k.Title)
	c.time("opprettetDato", k.Created)
	c.text("opprettetAv", k.CreatedBy)
	if len(k.Classes) == 0 {
		c.fail("klasse", "missing")
	}
	seen := make(map[string]bool, len(k.Classes))
	for i, kl := range k.Classes {
		c.enter("klasse " + strconv.Itoa(i+1))
		c.id("systemID", kl.SystemID)
		c.text("klasseID", kl.ID)
		if seen[kl.ID] {
			c.fail("klasseID", "duplicate")
		}
		seen[kl.ID] = true
		c.text("tittel", kl.Title)
		c.time("opprettetDato", kl.Created)
		c.text("opprettetAv", kl.CreatedBy)
		c.leave()
	}
	return c.err
}

func checkCase(s *Saksmappe) error {
	c := &checker{}
	name := "saksmappe"
	if s.Year != 0 || s.ID != "" {
		name += " " + s.Number()
	}
	c.enter(name)
	c.id("systemID", s.SystemID)
	c.text("klasse", s.ClassID)
	c.optText("mappeID", s.ID)
	c.text("tittel", s.Title)
	c.optText("offentligTittel", s.PublicTitle)
	if s.Screening != nil && strings.TrimSpace(s.PublicTitle) == "" {
		c.fail("offentligTittel", "required when the case is screened")
	}
	c.optText("beskrivelse", s.Description)
	c.time("opprettetDato", s.Created)
	c.text("opprettetAv", s.CreatedBy)
	c.time("avsluttetDato", s.Finished)
	c.text("avsluttetAv", s.FinishedBy)
	for _, p := range s.Parties {
		c.optText("part/partID", p.ID)
		c.text("part/partNavn", p.Name)
		c.text("part/partRolle", p.Role)
	}
	c.screening(s.Screening)
	c.positive("saksaar", s.Year)
	c.positive("sakssekvensnummer", s.Sequence)
	c.date("saksdato", s.Date)
	c.text("administrativEnhet", s.AdministrativeUnit)
	c.text("saksansvarlig", s.Officer)
	c.text("saksstatus", s.Status)
	if len(s.Records) == 0 {
		c.fail("registrering", "a case needs at least one journal entry")
	}
	for i := range s.Records {
		checkRecord(c, &s.Records[i], i)
	}
	for i, e := range s.Changes {
		c.enter("endring " + strconv.Itoa(i+1))
		if !IsSystemID(e.Ref) {
			c.fail("referanseArkivenhet", "not a UUID")
		}
		c.text("referanseMetadata", e.Field)
		c.time("endretDato", e.Changed)
		c.text("endretAv", e.ChangedBy)
		c.text("tidligereVerdi", e.Previous)
		c.text("nyVerdi", e.New)
		c.leave()
	}
	return c.err
}

func checkRecord(c *checker, r *Journalpost, i int) {
	n := r.Number
	if n == 0 {
		n = i + 1
	}
	c.enter("journalpost " + strconv.Itoa(n))
	defer c.leave()
	c.id("systemID", r.SystemID)
	c.time("opprettetDato", r.Created)
	c.text("opprettetAv", r.CreatedBy)
	c.optText("arkivertAv", r.ArchivedBy)
	c.screening(r.Screening)
	c.optText("registreringsID", r.ID)
	c.text("tittel", r.Title)
	c.optText("offentligTittel", r.PublicTitle)
	if r.Screening != nil && strings.TrimSpace(r.PublicTitle) == "" {
		c.fail("offentligTittel", "required when the entry is screened")
	}
	if len(r.Parties) == 0 {
		c.fail("korrespondansepart", "the journals need at least one")
	}
	for _, p := range r.Parties {
		c.text("korrespondansepart/korrespondanseparttype", p.Type)
		c.text("korrespondansepart/korrespondansepartNavn", p.Name)
		c.optText("korrespondansepart/postadresse", p.Address)
		c.optText("korrespondansepart/postnummer", p.PostalCode)
		c.optText("korrespondansepart/poststed", p.PostTown)
		c.optText("korrespondansepart/epostadresse", p.Email)
	}
	c.positive("journalaar", r.Year)
	c.positive("journalsekvensnummer", r.Sequence)
	if r.Number < 0 {
		c.fail("journalpostnummer", "must be positive")
	}
	c.text("journalposttype", r.Type)
	c.text("journalstatus", r.Status)
	c.date("journaldato", r.Date)
	c.optDate("dokumentetsDato", r.DocumentDate)
	for j := range r.Documents {
		d := &r.Documents[j]
		c.enter("dokument " + strconv.Itoa(j+1))
		c.id("systemID", d.SystemID)
		c.id("dokumentobjekt/systemID", d.ObjectID)
		c.text("dokumenttype", d.Type)
		c.optText("dokumentstatus", d.Status)
		c.text("tittel", d.Title)
		c.time("opprettetDato", d.Created)
		c.text("opprettetAv", d.CreatedBy)
		c.optText("tilknyttetRegistreringSom", d.Role)
		c.optText("tilknyttetAv", d.AttachedBy)
		c.optText("format", d.Format)
		if d.Number < 0 {
			c.fail("dokumentnummer", "must be positive")
		}
		if d.Ext != "" && !validExt(d.Ext) {
			c.fail("referanseDokumentfil", "extension must be a dot and 1-10 letters or digits")
		}
		if d.Open == nil {
			c.fail("referanseDokumentfil", "no Open function")
		}
		c.leave()
	}
}

func validExt(ext string) bool {
	if len(ext) < 2 || len(ext) > 11 || ext[0] != '.' {
		return false
	}
	for i := 1; i < len(ext); i++ {
		b := ext[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
			return false
		}
	}
	return true
}
