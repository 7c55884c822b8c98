// Package archive models Noark 5 records, writes complete Noark 5 v5.0 extracts
// (arkivuttrekk) by streaming, and verifies extracts with the Arkade 5 checks that
// can run in pure Go.
//
// # Model
//
// An [Extract] describes the archive (arkiv), its part (arkivdel) and the
// classification system with its classes. Cases are [Saksmappe] values with
// their [Journalpost] entries, correspondence parties ([Korrespondansepart]),
// documents ([Dokument], opened through a function or an fs.FS so the bytes
// stream) and change-log entries ([Endring]). Calendar dates (journaldato,
// saksdato) are [civil.Date], xs:date; the zero Date means no date: a
// required one is refused as missing, an optional one is left out. Points in
// time (opprettetDato, arkivertDato) are time.Time, xs:dateTime. SystemIDs
// are UUIDs; the writer makes the ones left empty.
//
// # Names
//
// One rule for the whole model: a type carries the Noark 5 name of the unit
// it models (Saksmappe, Journalpost, Korrespondansepart), the term of the
// standard and of every records manager; its fields are English, and the
// comment on a field names its Noark element where the name alone does not
// say it. The fields that recur on every unit are:
//
//	SystemID             systemID
//	ID                   the unit's own identifier: klasseID, mappeID, registreringsID, partID, arkivskaperID
//	Title, PublicTitle   tittel, offentligTittel
//	Description          beskrivelse
//	Created, CreatedBy   opprettetDato, opprettetAv (and Finished, Archived, Attached, Changed likewise)
//	Type, Status         <unit>type, <unit>status (journalposttype, korrespondanseparttype, saksstatus, ...)
//	Name                 <unit>Navn (korrespondansepartNavn, partNavn, arkivskaperNavn)
//	Year, Sequence, Date saksaar/journalaar, sakssekvensnummer/journalsekvensnummer, saksdato/journaldato
//	Address, PostalCode, PostTown, Email   postadresse, postnummer, poststed, epostadresse
//
// # Glossary
//
//   - arkiv, arkivdel: the archive, and the part of it that holds one period's
//     cases ([Arkiv], [Arkivdel]).
//   - arkivskaper: the organisation that created the records.
//   - arkivuttrekk: an extract, the folder of XML files and documents handed
//     over for preservation; also its ADDML description, arkivuttrekk.xml.
//   - klassifikasjonssystem, klasse: the classification system and its
//     classes, under which cases are filed.
//   - saksmappe: a case folder, the records of one case; mappeID is its
//     number, "2026/17".
//   - journalpost: a registered document exchange (a letter in or out, a
//     decision) in a case; its journal entries go to loependeJournal.xml
//     (the running journal) and offentligJournal.xml (the public journal).
//   - korrespondansepart: a sender or recipient of a journalpost, of type
//     avsender, mottaker or kopimottaker (sender, recipient, copy recipient).
//   - part: a party to a case, such as the applicant (søker).
//   - dokument: a dokumentbeskrivelse (the document's description) with its
//     one dokumentobjekt (the file in archival format, in dokumenter/).
//   - skjerming: screening of a record from public access under the Freedom
//     of Information Act (offentleglova); offentligTittel is the title the
//     public may see.
//   - endring, endringslogg: a logged change to a unit, and the change log.
//   - sjekksum: a checksum (SHA-256 here).
//   - Arkade: Arkivverket's tool that tests extracts; its test ids (N5.30)
//     name the checks of [Verify].
//
// # Writing
//
// [Create] starts an extract in an empty folder; [Writer.Add] writes one case
// at a time and [Writer.Close] finishes it. [Write] does it all from an
// iterator. Memory does not grow with the number of cases. The extract holds
// arkivstruktur.xml (elements in the schema's order by construction,
// xsi:type on mappe and registrering), loependeJournal.xml,
// offentligJournal.xml (offentligTittel only, never a screened title or
// name), endringslogg.xml, dokumenter/ (copied while their SHA-256 and size
// are computed), the official XSDs byte for byte, and last arkivuttrekk.xml,
// the official ADDML template filled with checksums, counts and the period.
//
//	w, err := archive.Create(dir, ex, archive.Options{})
//	if err != nil { ... }
//	for c := range cases {
//		if err := w.Add(ctx, c); err != nil { ... }
//	}
//	summary, err := w.Close()
//
// One case failing does not spoil the rest: a case that fails validation or
// whose document cannot be read ([ErrDocument]) is refused whole by Add,
// nothing of it kept, and the writer goes on. [Write] then returns the
// summary of an extract that is valid without those cases together with an
// [*IncompleteError] naming each one ([CaseError]: systemID, mappeID,
// reason); a full disk or a cancelled context still ends the extract.
//
// Text is escaped, and characters XML 1.0 forbids (control characters,
// U+FFFE/U+FFFF, invalid UTF-8) become U+FFFD, so every file stays valid.
//
// # Verifying
//
// [Verify] runs the checks of Arkivverket's Arkade 5 that a Go program can
// run, under Arkade's test ids: structure files and ADDML checksums (N5.01,
// N5.02), counts against ADDML (N5.04–N5.16, N5.28, N5.59, N5.61), document
// checksums (N5.30), missing, unreferenced and doubly referenced files
// (N5.32–N5.34), unique systemIDs and references (N5.47, N5.48), dates
// (N5.60), change-log references (N5.62), empty elements and files (N5.63,
// N5.64). It streams: memory grows with the number of systemIDs and document
// references (16 bytes each), not with the size of the files. Go has no XSD
// validator; N5.03 checks well-formedness only, and xmllint --schema does the
// rest (the package's tests run it on every file the writer produces).
//
//	report, err := archive.Verify(dir)
//	if err != nil { ... }            // the folder could not be read
//	report.WriteText(os.Stdout, 10)  // or json.Marshal(report)
//	if !report.OK() { ... }
//
// The change log and the two journals are scanned, and dokumenter/ walked,
// beside arkivstruktur.xml; each XML file is read and hashed a few chunks
// ahead of its scan, and the document files are hashed on worker goroutines
// while arkivstruktur.xml is read; the results still come in the order of
// one pass over the files, the same in every run. To compare the verifier's throughput with `sha256sum` over
// every file of the same extract (the goal is at least 0.9 of it), run
//
//	archive/verifybench.sh [CASES] [ROUNDS]   # defaults: 20000 cases, 5 rounds
//
// from the repository root: it writes an extract with `grunnmur archive
// demo`, runs both in turn in each round and prints the medians, their
// ratio, the CPU time of each and the verifier's peak RSS. On a shared
// machine the wall-clock ratio swings with the load; the CPU times do not.
//
// Package archivetest generates realistic synthetic cases for tests and for
// `grunnmur archive demo`.
package archive
