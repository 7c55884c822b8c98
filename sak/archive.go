package sak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/archive"
	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/defaults"
)

// ErrPersonalNumber means text bound for the public journal (a title, an
// unscreened party's name) holds a fødselsnummer or D-number. The error names
// the case and the field, never the value.
var ErrPersonalNumber = errors.New("sak: personal number in public text")

// ErrNoOpener means a journal entry has documents but ArchiveOptions.Open is nil.
var ErrNoOpener = errors.New("sak: ArchiveOptions.Open is needed to read documents")

// ArchiveOptions configure the mapping of cases onto archive's Noark 5 model.
// The zero value maps cases without documents; set Open to stream documents.
type ArchiveOptions struct {
	// Extract describes the archive, its part and the classification system.
	// Empty fields get defaults like DefaultExtract's; no Classes means one
	// class, "sak" (but see Service.ExportArchive).
	Extract archive.Extract
	// Class names the class (klasseID) a case is filed under. Nil means the
	// class whose ID is the case's Kind, or else the extract's only class.
	Class func(c *Case) string
	// Open returns the bytes of a document (by its Ref). It is called while
	// the extract is written, once per document, so the bytes stream.
	Open func(ctx context.Context, c *Case, e *JournalEntry, d Document) (io.ReadCloser, error)
	// AdministrativeUnit is the administrativEnhet; default the first
	// archive creator's name.
	AdministrativeUnit string
	// OfficerName turns an officer's opaque id into the name the archive
	// shows (saksansvarlig, saksbehandler). Nil keeps the id.
	OfficerName func(id string) string
	// Parties gives the case's parties (part), e.g. the applicant company
	// with its orgnr. Nil gives none. Screen private persons' names here
	// yourself: the saksmappe's parties are not in the public journal, but
	// they are in arkivstruktur.xml.
	Parties func(c *Case) []archive.Part
	// Screening is the legal basis written on screened cases and entries;
	// default offentleglova § 13 with forvaltningsloven § 13 ("13").
	Screening archive.Skjerming
	// Include selects the cases that go into an extract; nil means
	// Exportable. A Noark 5 v5.0 extract needs a closing date on every case
	// folder, so only finished cases belong in it.
	Include func(c *Case) bool
	// Now is the clock for the default archive dates; nil means time.Now.
	Now func() time.Time
	// Writer are the archive writer's options (IDs, progress, logger).
	Writer archive.Options
}

// Exportable reports whether a case is finished enough for an archive
// extract: decided (the decision ends the case's handling; an appeal reopens
// it in the case system), closed or withdrawn.
func Exportable(c *Case) bool {
	return c.State == Decided || c.State.Final()
}

// Finished returns when the case was finished (its avsluttetDato): the time
// of the transition into Decided, Closed or Withdrawn, whichever came first,
// and false for a case still open.
func (c *Case) Finished() (time.Time, bool) {
	for _, e := range c.Events {
		if e.Type == EventTransition && (e.To == Decided || e.To.Final()) {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// defaultScreening is offentleglova § 13 (duty of confidentiality) with
// forvaltningsloven § 13: personal circumstances.
var defaultScreening = archive.Skjerming{Restriction: "13", Authority: "Offl. § 13 jf. fvl. § 13"}

// DefaultExtract returns archive metadata for an extract of the agency's
// cases: an archive with the agency (name and orgnr) as creator, one part and
// a classification system with one class per kind (kind -> title).
func DefaultExtract(agency, orgnr string, kinds map[string]string, now time.Time) archive.Extract {
	now = now.UTC().Truncate(time.Second)
	if orgnr == "" {
		orgnr = "ukjent"
	}
	ex := archive.Extract{
		Archive: archive.Arkiv{
			Title:    agency + " – sakarkiv",
			Creators: []archive.Arkivskaper{{ID: orgnr, Name: agency}},
			Created:  now, CreatedBy: "grunnmur", Finished: now, FinishedBy: "grunnmur",
		},
		Part: archive.Arkivdel{
			Title:   "Digitale tjenester",
			Created: now, CreatedBy: "grunnmur", Finished: now, FinishedBy: "grunnmur",
		},
		Classification: archive.Klassifikasjonssystem{
			Type: "Funksjonsbasert, hierarkisk", Title: "Tjenester", Created: now, CreatedBy: "grunnmur",
		},
		SystemName: "grunnmur sak",
		SoftPeriod: true,
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	})
	for _, id := range ids {
		ex.Classification.Classes = append(ex.Classification.Classes,
			archive.Klasse{ID: id, Title: kinds[id], Created: now, CreatedBy: "grunnmur"})
	}
	return ex
}

func (o *ArchiveOptions) now() time.Time { return defaults.Now(o.Now) }

// extract fills the defaults of o.Extract.
func (o *ArchiveOptions) extract() archive.Extract {
	ex := o.Extract
	d := DefaultExtract("Kommunen", "", nil, o.now())
	if ex.Archive.Title == "" {
		ex.Archive.Title = d.Archive.Title
	}
	if len(ex.Archive.Creators) == 0 {
		ex.Archive.Creators = []archive.Arkivskaper{{ID: "ukjent", Name: "Kommunen"}} // set your own
	}
	fill := func(t *time.Time, by *string) {
		if t.IsZero() {
			*t = d.Archive.Created
		}
		if *by == "" {
			*by = "grunnmur"
		}
	}
	fill(&ex.Archive.Created, &ex.Archive.CreatedBy)
	fill(&ex.Archive.Finished, &ex.Archive.FinishedBy)
	if ex.Part.Title == "" {
		ex.Part.Title = d.Part.Title
	}
	fill(&ex.Part.Created, &ex.Part.CreatedBy)
	fill(&ex.Part.Finished, &ex.Part.FinishedBy)
	if ex.Classification.Type == "" {
		ex.Classification.Type = d.Classification.Type
	}
	if ex.Classification.Title == "" {
		ex.Classification.Title = d.Classification.Title
	}
	fill(&ex.Classification.Created, &ex.Classification.CreatedBy)
	if len(ex.Classification.Classes) == 0 {
		ex.Classification.Classes = []archive.Klasse{{ID: "sak", Title: "Saker"}}
	}
	ex.Classification.Classes = slices.Clone(ex.Classification.Classes)
	for i := range ex.Classification.Classes {
		k := &ex.Classification.Classes[i]
		fill(&k.Created, &k.CreatedBy)
	}
	if ex.SystemName == "" {
		ex.SystemName = "grunnmur sak"
	}
	return ex
}

func (o *ArchiveOptions) class(ex *archive.Extract, c *Case) string {
	if o.Class != nil {
		return o.Class(c)
	}
	classes := ex.Classification.Classes
	for _, k := range classes {
		if k.ID == c.Kind {
			return k.ID
		}
	}
	if len(classes) == 1 {
		return classes[0].ID
	}
	return c.Kind // archive refuses it with ErrUnknownClass
}

func (o *ArchiveOptions) officer(id string) string {
	if id == "" {
		return "ikke fordelt"
	}
	if o.OfficerName != nil {
		if n := o.OfficerName(id); n != "" {
			return n
		}
	}
	return id
}

func (o *ArchiveOptions) screening(metadata ...string) *archive.Skjerming {
	s := o.Screening
	if s.Restriction == "" && s.Authority == "" {
		s = defaultScreening
	}
	s.Metadata = metadata
	return &s
}

// Noark 5 korrespondanseparttype for each role.
var correspondentType = map[CorrespondentRole]string{
	Sender:            "Avsender",
	Recipient:         "Mottaker",
	CopyRecipient:     "Kopimottaker",
	InternalSender:    "Intern avsender",
	InternalRecipient: "Intern mottaker",
}

// saksstatus gives the Noark 5 saksstatus of a state.
func saksstatus(s State) string {
	switch s {
	case Decided, Closed, Withdrawn:
		return "Avsluttet"
	}
	return "Under behandling"
}

// Saksmappe maps a finished case onto archive's Noark 5 model: the case
// folder with its journal entries (journalposter), their correspondents and
// documents (opened through o.Open when the extract is written), the case's
// parties, and a change-log entry (endring) per change of state. Payments,
// bookings and letters linked to the case are listed in its description
// (beskrivelse, not in the public journal); the letters themselves belong in
// the journal as outgoing entries.
//
// A screened title (PublicTitle set and different from Title) screens the
// case or entry under o.Screening, and the public journal gets PublicTitle
// only; a Screened correspondent appears there as "Unntatt offentlighet".
// Text bound for the public journal must not hold a personal number: such a
// case is refused with ErrPersonalNumber. An open case is refused with
// ErrInvalid (see Exportable).
func (o *ArchiveOptions) Saksmappe(ctx context.Context, c *Case) (*archive.Saksmappe, error) {
	ex := o.extract()
	return o.saksmappe(ctx, &ex, c)
}

// Folder maps a case onto archive's Noark 5 model as Saksmappe does, but
// an open case too: it has no closing date (avsluttetDato). This is what
// the Archiver journals into the municipality's archive while the case
// runs.
func (o *ArchiveOptions) Folder(ctx context.Context, c *Case) (*archive.Saksmappe, error) {
	ex := o.extract()
	finished, _ := c.Finished()
	return o.folder(ctx, &ex, c, finished)
}

func (o *ArchiveOptions) saksmappe(ctx context.Context, ex *archive.Extract, c *Case) (*archive.Saksmappe, error) {
	finished, ok := c.Finished()
	if !ok {
		return nil, fmt.Errorf("%w: case %s is %s: only decided, closed or withdrawn cases can be archived", ErrInvalid, c.Number(), c.State)
	}
	return o.folder(ctx, ex, c, finished)
}

func (o *ArchiveOptions) folder(ctx context.Context, ex *archive.Extract, c *Case, finished time.Time) (*archive.Saksmappe, error) {
	unit := o.AdministrativeUnit
	if unit == "" && len(ex.Archive.Creators) > 0 {
		unit = ex.Archive.Creators[0].Name
	}
	if unit == "" {
		unit = "Kommunen"
	}
	officer := o.officer(c.Officer)
	created := actorOf(c, EventOpened, "")
	m := &archive.Saksmappe{
		SystemID:           stableID(c.ID),
		ClassID:            o.class(ex, c),
		Title:              c.Title,
		Description:        describe(c),
		Created:            c.Created,
		CreatedBy:          created,
		Finished:           finished,
		Year:               c.Year,
		Sequence:           c.Sequence,
		Date:               civil.DateOf(c.Created.In(oslo)),
		AdministrativeUnit: unit,
		Officer:            officer,
		Status:             saksstatus(c.State),
	}
	if !finished.IsZero() {
		m.FinishedBy = actorOf(c, EventTransition, finishedState(c))
	}
	if c.PublicTitle != "" && c.PublicTitle != c.Title {
		m.PublicTitle = c.PublicTitle
		m.Screening = o.screening("tittel")
	}
	if err := publicText(c, "saksmappe offentligTittel", publicOf(m.Title, m.PublicTitle, m.Screening)); err != nil {
		return nil, err
	}
	if o.Parties != nil {
		m.Parties = o.Parties(c)
	}
	for i := range c.Journal {
		e := &c.Journal[i]
		jp, err := o.journalpost(ctx, c, e, unit)
		if err != nil {
			return nil, err
		}
		m.Records = append(m.Records, jp)
	}
	for _, ev := range c.Events {
		if ev.Type != EventTransition || ev.From == "" {
			continue
		}
		m.Changes = append(m.Changes, archive.Endring{
			Ref: m.SystemID, Field: "saksstatus", Changed: ev.At, ChangedBy: ev.Actor.String(),
			Previous: ev.From.Label("nb"), New: ev.To.Label("nb"),
		})
	}
	return m, nil
}

// finishedState is the state whose entry finished the case.
func finishedState(c *Case) State {
	for _, e := range c.Events {
		if e.Type == EventTransition && (e.To == Decided || e.To.Final()) {
			return e.To
		}
	}
	return ""
}

// actorOf finds who made the first event of a type (and target state).
func actorOf(c *Case, typ EventType, to State) string {
	for _, e := range c.Events {
		if e.Type == typ && (to == "" || e.To == to) {
			return e.Actor.String()
		}
	}
	return "sak"
}

// journalActor finds who journaled the entry.
func journalActor(c *Case, id string) string {
	for _, e := range c.Events {
		if e.Type == EventJournaled && strings.HasSuffix(e.Note, " "+id) {
			return e.Actor.String()
		}
	}
	return "sak"
}

func (o *ArchiveOptions) journalpost(ctx context.Context, c *Case, e *JournalEntry, unit string) (archive.Journalpost, error) {
	typ, _ := archive.JournalpostType(string(e.Type))
	by := journalActor(c, e.ID)
	if e.ID == "" { // the Service always sets one; a hand-made case may not
		cp := *e
		cp.ID = fmt.Sprintf("%s/journal/%d", c.ID, e.Number)
		e = &cp
	}
	jp := archive.Journalpost{
		SystemID:  stableID(e.ID),
		Created:   e.Date,
		CreatedBy: by,
		Title:     e.Title,
		Year:      e.Year,
		Sequence:  e.Sequence,
		Number:    e.Number,
		Type:      typ,
		Status:    "Arkivert",
		Date:      civil.DateOf(e.Date.In(oslo)),
	}
	switch e.Type {
	case Incoming:
		jp.Received = e.Date
	case Outgoing:
		jp.Sent = e.Date
	}
	var screened []string
	if e.Screened || (e.PublicTitle != "" && e.PublicTitle != e.Title) {
		jp.PublicTitle = e.PublicTitle
		if jp.PublicTitle == "" {
			return jp, fmt.Errorf("%w: case %s, journal entry %d is screened but has no public title", ErrInvalid, c.Number(), e.Number)
		}
		screened = append(screened, "tittel")
	}
	field := fmt.Sprintf("journalpost %d", e.Number)
	parties, partyScreened, err := correspondents(c, e, unit, field)
	if err != nil {
		return jp, err
	}
	jp.Parties = parties
	if partyScreened {
		screened = append(screened, "korrespondansepart")
	}
	if len(screened) > 0 {
		jp.Screening = o.screening(screened...)
	}
	if err := publicText(c, field+" offentligTittel", publicOf(jp.Title, jp.PublicTitle, jp.Screening)); err != nil {
		return jp, err
	}
	if jp.Screening != nil && jp.PublicTitle == "" {
		jp.PublicTitle = jp.Title // only the party is screened
	}
	docs, err := o.documents(ctx, c, e, by, field)
	jp.Documents = docs
	return jp, err
}

// correspondents maps the entry's parties (or its one Party) to Noark 5
// korrespondanseparter, refusing a personal number in what is not screened,
// and reports whether any party is screened.
func correspondents(c *Case, e *JournalEntry, unit, field string) ([]archive.Korrespondansepart, bool, error) {
	parties := e.Parties
	if len(parties) == 0 {
		parties = []Correspondent{{Role: defaultRole(e.Type), Name: e.Party}}
		if e.Party == "" {
			parties[0].Name = unit // an internal note, or an entry nobody named
		}
	}
	var out []archive.Korrespondansepart
	partyScreened := false
	for _, p := range parties {
		t, ok := correspondentType[p.Role]
		if !ok {
			return nil, false, fmt.Errorf("%w: case %s, %s: correspondent role %q", ErrInvalid, c.Number(), field, p.Role)
		}
		if !p.Screened {
			if err := publicText(c, field+" korrespondansepartNavn", p.Name); err != nil {
				return nil, false, err
			}
		}
		for _, s := range []string{p.Address, p.Email} {
			if err := publicText(c, field+" korrespondansepart", s); err != nil {
				return nil, false, err // never in the archive at all: no field for it is screened
			}
		}
		partyScreened = partyScreened || p.Screened
		out = append(out, archive.Korrespondansepart{
			Type: t, Name: p.Name, Address: p.Address, PostalCode: p.PostalCode, PostTown: p.PostTown,
			Email: p.Email, Screened: p.Screened,
		})
	}
	return out, partyScreened, nil
}

// documents maps the entry's documents, each opened by o.Open when the
// extract is written.
func (o *ArchiveOptions) documents(ctx context.Context, c *Case, e *JournalEntry, by, field string) ([]archive.Dokument, error) {
	var out []archive.Dokument
	for i, d := range e.Documents {
		if o.Open == nil {
			return nil, fmt.Errorf("%w (case %s, %s)", ErrNoOpener, c.Number(), field)
		}
		role := "Hoveddokument"
		if i > 0 {
			role = "Vedlegg"
		}
		kind := d.Kind
		if kind == "" {
			kind = "Brev"
		}
		format, ext := formatOf(d)
		title := d.Title
		if title == "" {
			title = e.Title
		}
		ent := *e
		out = append(out, archive.Dokument{
			SystemID: derivedID(e.ID, fmt.Sprintf("dokument/%d", i+1)),
			ObjectID: derivedID(e.ID, fmt.Sprintf("dokumentobjekt/%d", i+1)),
			Type:     kind, Title: title, Created: e.Date, CreatedBy: by,
			Role: role, Number: i + 1, Attached: e.Date, AttachedBy: by,
			Format: format, Ext: ext,
			Open: func() (io.ReadCloser, error) { return o.Open(ctx, c, &ent, d) },
		})
	}
	return out, nil
}

func defaultRole(t JournalType) CorrespondentRole {
	switch t {
	case Incoming:
		return Sender
	case Outgoing:
		return Recipient
	}
	return InternalRecipient
}

// formatOf gives the PRONOM id and file extension of a document.
func formatOf(d Document) (format, ext string) {
	ext = strings.ToLower(path.Ext(d.FileName))
	switch strings.ToLower(strings.TrimSpace(strings.Split(d.MediaType, ";")[0])) {
	case "application/pdf":
		format, ext = "fmt/95", ".pdf" // PDF/A-1a, the archival format
	case "text/plain":
		format, ext = "x-fmt/111", ".txt"
	case "application/xml", "text/xml":
		format, ext = "fmt/101", ".xml"
	case "image/png":
		format, ext = "fmt/13", ".png"
	case "image/jpeg":
		format, ext = "fmt/43", ".jpg"
	case "image/tiff":
		format, ext = "fmt/353", ".tif"
	}
	if format == "" {
		format = "UNKNOWN"
	}
	if ext == "" || len(ext) > 11 || strings.IndexFunc(ext[1:], func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) >= 0 {
		ext = ".bin"
	}
	return format, ext
}

func publicOf(title, public string, s *archive.Skjerming) string {
	if s != nil {
		return public
	}
	if public != "" {
		return public
	}
	return title
}

// describe lists the case's links and outcome for beskrivelse.
func describe(c *Case) string {
	var b strings.Builder
	if c.Outcome != "" {
		fmt.Fprintf(&b, "Vedtak: %s.", c.Outcome.Label("nb"))
	}
	for _, l := range c.Links {
		var what string
		switch l.Kind {
		case LinkSubmission:
			what = "Innsending"
		case LinkPayment:
			what = "Betaling"
		case LinkBooking:
			what = "Avtale"
		case LinkLetter:
			what = "Brev via SvarUT"
		default:
			what = string(l.Kind)
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(what + " " + l.Ref)
		if l.Label != "" {
			b.WriteString(" (" + l.Label + ")")
		}
		if l.Status != "" {
			b.WriteString(": " + l.Status)
		}
		b.WriteString(".")
	}
	return redactPersonalNumbers(b.String())
}

// publicText refuses text that holds a personal number.
func publicText(c *Case, field, s string) error {
	if containsPersonalNumber(s) {
		return fmt.Errorf("%w: case %s, %s", ErrPersonalNumber, c.Number(), field)
	}
	return nil
}

// personalNumbers yields the byte ranges of the 11-digit runs of s (also
// written "DDMMYY NNNNN") that are valid fødselsnumre or D-numbers.
func personalNumbers(s string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		isDigit := func(i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
		for i := 0; i < len(s); i++ {
			if !isDigit(i) || isDigit(i-1) {
				continue
			}
			j := i
			for isDigit(j) {
				j++
			}
			cand, end := s[i:j], j
			if j-i == 6 && j+6 <= len(s) && s[j] == ' ' {
				k := j + 1
				for isDigit(k) {
					k++
				}
				if k-j-1 == 5 {
					cand, end = s[i:j]+s[j+1:k], k
				}
			}
			if len(cand) == 11 {
				if _, err := ident.ParseFodselsnummer(cand); err == nil {
					if !yield(i, end) {
						return
					}
				}
			}
			i = j
		}
	}
}

func containsPersonalNumber(s string) bool {
	for range personalNumbers(s) {
		return true
	}
	return false
}

// redactPersonalNumbers replaces each personal number with its first six
// digits and asterisks, as ident.Fodselsnummer prints itself.
func redactPersonalNumbers(s string) string {
	var b strings.Builder
	last := 0
	for i, j := range personalNumbers(s) {
		b.WriteString(s[last:i])
		b.WriteString(s[i:i+6] + "*****")
		last = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// idNamespace derives systemIDs from ids that are not UUIDs.
var idNamespace = uuid.MustParse("5b0e6a0e-3c55-4f4e-9d0a-6a7c1e2f5a11")

// stableID is id when it is a UUID, else a UUID (version 5) derived from it,
// so that exporting the same case twice gives the same systemIDs.
func stableID(id string) string {
	if u, err := uuid.Parse(id); err == nil && len(id) == 36 {
		return u.String()
	}
	return uuid.NewSHA1(idNamespace, []byte(id)).String()
}

// derivedID is a stable UUID for a part of a journal entry.
func derivedID(entryID, part string) string {
	return uuid.NewSHA1(uuid.MustParse(stableID(entryID)), []byte(part)).String()
}

// ExportSummary describes an extract written by ExportArchive.
type ExportSummary struct {
	*archive.Summary
	// Skipped counts the cases left out by ArchiveOptions.Include (open cases
	// by default).
	Skipped int
}

// ExportArchive writes a complete Noark 5 v5.0 extract (arkivuttrekk) of the
// cases into dir, an empty or new folder, one case at a time: memory does not
// grow with the number of cases, and documents stream from o.Open into
// dokumenter/. Cases that o.Include leaves out (open ones, by default) are
// skipped and counted. Check the result with archive.Verify.
//
// A case that cannot be written (it cannot be mapped, e.g. ErrPersonalNumber,
// or one of its documents cannot be opened or read) does not stop the
// others: the extract of the rest is written, and ExportArchive returns its
// summary together with an *archive.IncompleteError that lists each case
// left out (ID, number, reason). The extract needs at least one exported
// case: archive.ErrEmpty otherwise.
func ExportArchive(ctx context.Context, dir string, cases iter.Seq2[*Case, error], o ArchiveOptions) (*ExportSummary, error) {
	ex := o.extract()
	include := o.Include
	if include == nil {
		include = Exportable
	}
	skipped := 0
	mapped := func(yield func(*archive.Saksmappe, error) bool) {
		for c, err := range cases {
			if err != nil {
				yield(nil, err)
				return
			}
			if !include(c) {
				skipped++
				continue
			}
			m, err := o.saksmappe(ctx, &ex, c)
			if err != nil && !errors.Is(err, ErrNoOpener) { // a configuration error stops it all
				err = &archive.CaseError{ID: c.ID, Number: c.Number(), Err: err}
			}
			if !yield(m, err) {
				return
			}
		}
	}
	// archive.Write leaves out a case that fails whole and abandons the
	// extract on any other error, so that a half-written folder never
	// passes for a whole one.
	sum, err := archive.Write(ctx, dir, ex, o.Writer, mapped)
	if sum == nil {
		return nil, err
	}
	return &ExportSummary{Summary: sum, Skipped: skipped}, err
}

// ExportArchive writes a Noark 5 extract of the cases matching f (see the
// function ExportArchive), oldest first, in case-number order. When
// o.Extract lists no classes, each kind of case gets a class of its own,
// titled by the kind. It reads every matching case from the Store, page by
// page, before it writes, so its memory grows with the number of cases; for
// very many, call the function ExportArchive with an iterator of your own.
func (s *Service) ExportArchive(ctx context.Context, dir string, f Filter, o ArchiveOptions) (*ExportSummary, error) {
	var cs []*Case
	for c, err := range s.Cases(ctx, f) {
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	slices.Reverse(cs) // oldest first, in case-number order
	if len(o.Extract.Classification.Classes) == 0 {
		seen := map[string]bool{}
		for _, c := range cs {
			if !seen[c.Kind] {
				seen[c.Kind] = true
				o.Extract.Classification.Classes = append(o.Extract.Classification.Classes, archive.Klasse{ID: c.Kind, Title: c.Kind})
			}
		}
	}
	return ExportArchive(ctx, dir, func(yield func(*Case, error) bool) {
		for _, c := range cs {
			if !yield(c, nil) {
				return
			}
		}
	}, o)
}
