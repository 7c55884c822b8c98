// Package sak is the case workflow every municipal service needs: the states from
// received to decided and closed, who may act, events, deadlines, and the links
// from a case to its payment, bookings, letters and journal entries.
//
// # Workflow
//
// A [Service] runs the workflow on a [Store] ([MemoryStore] by default,
// postgres.SakStore in production):
//
//	svc := &sak.Service{Store: store, DecisionPeriod: 30} // days
//	c, err := svc.Open(ctx, sak.Application{Kind: "skjenkebevilling", Title: "...", Owner: sub, AwaitPayment: true})
//	svc.Link(ctx, vipps, c.ID, sak.Link{Kind: sak.LinkPayment, Ref: ref, Status: "CAPTURED"})
//	svc.Transition(ctx, vipps, c.ID, sak.InProgress, "fee paid")
//	svc.Journal(ctx, officer, c.ID, sak.JournalEntry{Type: sak.Outgoing, Title: "Vedtak", ...})
//	svc.Decide(ctx, officer, c.ID, sak.Approved, "")
//
// A decision that needs its letter builds it in [Service].PrepareDecision,
// before the case is saved as decided: if the letter fails, the case is
// not decided ([ErrNotDecided]) and deciding again can succeed. At the HTTP
// edge, [HTTPStatus] maps every error to a status and a stable code
// (409, "invalid_transition").
//
// State, outcome, deadline and event names come in nb, nn and en
// (State.Label(i18n.NN)); show dates and times through i18n, in Oslo.
//
// # Lists
//
// Lists are paged by keyset, newest first, with opaque cursors ([Page]), so
// that an officer's list costs one page however many cases there are, and
// cases created meanwhile are never listed twice:
//
//	cases, next, err := svc.List(ctx, sak.Filter{Kind: "skjenkebevilling"}, sak.Page{Limit: 25})
//	older, _, err := svc.List(ctx, f, sak.Page{Limit: 25, After: next})
//	newer, _, err := svc.List(ctx, f, sak.Page{Limit: 25, Before: sak.CursorOf(older[0])})
//	for c, err := range svc.Cases(ctx, f) { ... } // every case, a page at a time
//
// An officer's list takes its rows from [Service.Summaries]: the case
// number, title, applicant (never a personal number), state, next deadline
// and last change, with the cursors of the pages on either side.
//
// # Numbers
//
// A case is numbered when it is opened, "2026/17" (saksår/sakssekvensnummer),
// from the year in Oslo, and keeps that number. Each journal entry gets its
// number within the case (journalpostnummer) and its number in the journal of
// the year it is journaled (journalår/journalsekvensnummer): a letter in
// January 2027 on a case of December 2026 is [Case.EntryNumber] "2026/17-3"
// and [JournalEntry.JournalNumber] "2027/1". Every Store hands out the
// numbers of a series once, even under concurrency (Store.NextSequence).
//
// # Deadlines
//
// Deadlines are counted in calendar days ([Days]) in Oslo time, with the
// Norwegian holiday calendar of package holiday: a deadline that ends on a
// Saturday, a Sunday or a public holiday runs to the end of the next working
// day (forvaltningsloven §§ 29–30). Decide sets the appeal deadline
// ([AppealDeadline]) three weeks from the day of the decision, on the
// assumption that the letter goes out digitally that day; a case's Due is the
// last instant of its last day.
//
// # Archive
//
// [ArchiveOptions.Saksmappe] maps a finished case onto package archive's
// Noark 5 model: the case folder (saksmappe) with a journalpost per
// [JournalEntry], its [Correspondent]s (korrespondanseparter) and documents,
// which [ArchiveOptions].Open streams from wherever their bytes live; the
// case's payment, booking and letter links in its description; and a
// change-log entry (endring) per change of state. [ExportArchive] and
// [Service.ExportArchive] write a complete Noark 5 v5.0 extract of many cases
// that archive.Verify and the official schemas accept:
//
//	sum, err := svc.ExportArchive(ctx, dir, sak.Filter{Kind: "skjenkebevilling"}, sak.ArchiveOptions{
//		Extract: sak.DefaultExtract("Eksempel kommune", "974760673", kinds, time.Now()),
//		Open: func(ctx context.Context, c *sak.Case, e *sak.JournalEntry, d sak.Document) (io.ReadCloser, error) {
//			return receipts.Open(ctx, d.Ref)
//		},
//	})
//	report, err := archive.Verify(dir)
//
// Noark 5 v5.0 gives every case folder a closing date (avsluttetDato), so an
// extract holds finished cases only ([Exportable]: decided, closed or
// withdrawn; the date is when the case got there). Open cases are skipped
// and counted in [ExportSummary].Skipped. A case that cannot be written (a
// document that cannot be read, a personal number in public text) is left
// out and the rest are written: the error is then an
// *archive.IncompleteError naming each case left out, beside the summary of
// an extract that is valid without them.
//
// [Service.Extract] writes the extract into a temporary folder, with the
// cases left out in [Extract].LeftOut (see [LeftOutReason]) for the caller
// to show before it sends the rest, as a zip file, with [Extract.WriteZip].
//
// Screening follows archive's model: a journal entry or case whose
// PublicTitle differs from its Title (or an entry marked Screened) is
// screened under offentleglova § 13, and the public journal
// (offentligJournal.xml) gets the public title only; a Screened correspondent
// appears there as "Unntatt offentlighet". A fødselsnummer or D-number in
// any text bound for the public journal leaves the case out with
// [ErrPersonalNumber] (naming the case and field, never the number), and one
// in a link's label is masked in the description.
//
// # Glossary
//
// The identifiers are English, except the Noark 5 terms of package archive
// (Saksmappe). The Norwegian words, as forvaltningsloven and Noark 5 use them:
//
//	Case                sak; in the archive a saksmappe
//	Case.Number         saksnummer: saksår/sakssekvensnummer ("2026/17")
//	Case.Officer        saksbehandler
//	Decide, Decided     fatte vedtak, vedtatt; Outcome: innvilget or avslått
//	DeadlineDecision    saksbehandlingsfrist
//	DeadlineAppeal      klagefrist (forvaltningsloven § 29)
//	JournalEntry        journalpost; JournalType its journalposttype (I, U, N, X)
//	Correspondent       korrespondansepart (avsender, mottaker, kopimottaker)
//	Document            dokument (hoveddokument or vedlegg)
//	PublicTitle         offentligTittel; Screened: skjermet (offentleglova § 13)
package sak
