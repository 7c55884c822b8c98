// Package fiksarkivtest is a fake archive system (as Public 360 behaves
// through KS Fiks Arkiv V1) on the Fiks IO fake and a real RabbitMQ, and
// the conformance suite of fiksarkiv.Store (TestStore).
//
//	arkiv := fiksarkivtest.New(fiksarkivtest.Config{FiksIO: arkivClient, KvitteringDelay: time.Second})
//	go arkiv.Serve(ctx) // receives on the archive's account
//	s, err := fiksarkiv.NewSender(fiksarkiv.Config{FiksIO: fagsystemClient, Arkiv: arkivClient.KontoID()})
//	...
//	jps := arkiv.Journalposter() // what it stored, with the numbers it gave
//
// The archive checks each request as far as Go sees the XSD (root element
// and namespace, required fields, the files a dokumentobjekt names) and its
// references, and answers ugyldigforespoersel or ikkefunnet. A write gets
// mottatt at once and its kvittering after KvitteringDelay, with
// saksaar/sakssekvensnummer and journalaar/journalsekvensnummer counted per
// year from Config.Now. A request whose klientMeldingId it answered before
// gets the same answer and creates nothing; a saksmappe or journalpost
// whose referanseEksternNoekkel it holds is answered "Eksisterende".
// innsyn.sok (mappeTittel, mappeEksternNoekkel, sakSaksdato,
// registreringTittel, registreringEksternId), the hent requests and
// dokumentfil.hent answer from what it stored. FailNext injects serverfeil,
// DropKvitteringer loses kvitteringer, Seed stores what a test refers to.
package fiksarkivtest
