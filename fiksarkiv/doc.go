// Package fiksarkiv is the client side (the "fagsystem") of KS Fiks Arkiv
// V1, the protocol that journals a case into the municipality's own archive
// system (Public 360, Elements, Acos WebSak) over Fiks IO.
//
// It writes the messages a fagsystem sends, reads the replies it gets, and
// sends the one and correlates the other over package fiksio:
//
//   - [Arkivmelding] is the payload of arkivmelding.opprett: one [Saksmappe]
//     or one [Journalpost] per message, never both and never nested (the
//     protocol's rule 1), each with its referanseEksternNoekkel
//     ([EksternNoekkel]: fagsystem and noekkel), so the fagsystem finds its
//     case again without storing the archive's ids. [Oppdatering] is the
//     payload of arkivmelding.oppdater.
//   - [Mapper] turns package archive's Noark 5 model, the one the deposit
//     extract is written from, into those messages: the saksmappe first, then
//     each journalpost filed into it by key. Documents travel in the ASiC-E
//     as [Attachment]s, referred to by file name.
//   - [ParseReply] reads the replies by their message type: mottatt (no
//     payload), the kvittering ([Kvittering], with the archive's systemIDs and
//     case and journal numbers), and the feilmeldinger ([Feilmelding], an
//     error; only serverfeil is Temporary), and the innsyn results
//     ([Sokeresultat], a hent's [Treff], a dokumentfil).
//   - [DokumentobjektOpprett], [Avskrivning], [AvskrivningSlett], [Sok]
//     (responstype [Utvidet], [Minimum] or [Noekler]; [SokEksternNoekkel]
//     finds a case by its key), [MappeHent], [RegistreringHent] and
//     [DokumentfilHent] are the other requests.
//   - [Sender] sends requests over Fiks IO and correlates the replies by
//     svar-til, else by klientKorrelasjonsId (set to the klientMeldingId).
//     A write gets mottatt and, possibly hours later, the kvittering: the
//     [Store] keeps each [Exchange] (new → sent → mottatt → done or failed,
//     or retry) per klientMeldingId; [NewMemoryStore] here,
//     postgres.NewFiksArkivStore for PostgreSQL.
//
// The types mirror the V1 XSDs, element for element and in their order, so
// their field names are the protocol's (Tittel, Journalposttype); the
// Noark 5 model with English fields stays in package archive. Message type
// names use ASCII "oe" (TypeUgyldigforespoersel). Every message written is
// valid against the V1 XSD of its type; the tests check it with xmllint
// against the schemas vendored in testdata, and with KS' conformance cases.
//
// # Text
//
// Text from a citizen never stops a message. Everything passes unchanged
// (emoji, right-to-left text, U+2028, "]]>") except the characters XML 1.0
// cannot carry: C0 controls other than tab, newline and carriage return,
// U+FFFE, U+FFFF and each byte of invalid UTF-8 become U+FFFD. The result is
// deterministic, and a non-empty text stays non-empty. Empty required
// fields (a title, a correspondent's name) are refused with a [FieldError]
// before a byte is written.
//
// # Usage
//
//	m := fiksarkiv.Mapper{System: "grunnmur skjenkebevilling", Fagsystem: "grunnmur"}
//	a, err := m.Saksmappe(c) // c is an *archive.Saksmappe
//	xmlBytes, err := a.Marshal() // arkivmelding.xml for TypeArkivmeldingOpprett
//	...
//	a, files, err := m.Journalpost(c, 0) // the first journalpost, with its files
//	...
//	r, err := fiksarkiv.ParseReply(msgType, payload)
//	switch {
//	case err != nil: // ErrReply: the archive's reply cannot be read
//	case r.Feil != nil: // r.Feil.Kind, r.Feil.Message for the officer
//	case r.Kvittering != nil: // r.Kvittering.Registrering.Journalpostnummer ...
//	}
//
// # Sending
//
//	s, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: fio, Arkiv: arkivKonto, Store: store, System: "grunnmur"})
//	go fio.Receive(ctx, s.Handle) // the replies
//	x, err := s.Send(ctx, fiksarkiv.OpprettRequest("sak-2026-17-jp-1", a, files...))
//	...
//	x, err = s.Wait(ctx, "sak-2026-17-jp-1") // or come back later: s.Store().Get
//	n, ok := x.Numbers() // journalpostnummer ..., once x.State is StateDone
//
// Send is idempotent by klientMeldingId, which is what a durable outbox
// needs: call it again after a crash or a timeout and it sends only when
// the exchange awaits a retry (serverfeil, Fiks IO's tidsavbrudd, a failed
// send) or a crashed sender's claim went stale; otherwise it returns the
// exchange as stored. An outbox loop calls [Sender.Due] and, per exchange,
// Send again (StateNew, StateRetry) or [Sender.Reconcile] (StateSent,
// StateMottatt past Config.Timeout), which searches the archive for the
// exchange's referanseEksternNoekkel: found, it is done with the archive's
// numbers; not found, it is to be sent again (the archive dedups by
// klientMeldingId). ugyldigforespoersel and ikkefunnet are final
// (StateFailed; [Exchange.Err] is the [*Feilmelding] for the officer).
// [Sender.Do], [Sender.Sok] and [Sender.Hent] send and wait in one call.
//
// The arkivmelding types do not model yet: korrespondansepart's
// organisasjonid, personid, kontaktperson, administrativEnhet, saksbehandler
// and erBehandlingsansvarlig; merknad, kryssreferanse, gradering, presedens
// and the plan and property references of a saksmappe; oppdater's
// klassifikasjon, skjerming, part and merknad changes. The readers keep of
// a result what a fagsystem needs to find its objects (identifiers, keys,
// numbers, titles, status codes), not every element of arkivstruktur.
package fiksarkiv
