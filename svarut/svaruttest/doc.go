// Package svaruttest is a fake KS SvarUT (REST v2) and SvarInn (v2) server
// that follows the specs, for tests and local development, in the style of
// net/http/httptest.
//
//	srv := svaruttest.New(svaruttest.Config{KontoID: konto})
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	client, _ := svarut.New(svarut.Config{BaseURL: ts.URL, KontoID: konto, ...})
//
// The fake reads a multipart shipment as a stream (a 200 MB file passes in
// a few MiB of memory), checks it as SvarUT does (metadata, file names in
// order, PDF for print, the 350 MB print limit), and assigns an id. Each
// shipment then follows a route: MOTTATT, AKSEPTERT, VARSLET, LEST for a
// recipient with a digital mailbox; AKSEPTERT, SENDT_PRINT, PRINTET for paper;
// AKSEPTERT, IKKE_LEVERT for a digital-only letter that no mailbox took;
// AVVIST for a "PDF" that is not one. Statuses move on command (Advance,
// Complete, SetStatus) or over time (Config.AutoAdvance, read from
// Config.Now or a testing/synctest bubble's clock).
//
// Requests need a bearer token and the integration's headers; Config.Authorize
// replaces the token check (a Maskinporten token's scope, say).
//
// The Server embeds fake.Faults: Inject makes the next N requests that match
// a ServeMux pattern fail with a status, a delay or a dropped connection,
// before or after the request took effect, and Requests counts them.
//
//	srv.Inject(fake.Fault{Match: "POST /api/v2/kontoer/{konto}/forsendelser", Status: 503, AfterEffect: true})
//
// The SvarInn side serves incoming shipments (AddIncoming), zipped and
// encrypted to the receiving system's certificate with Encrypt, and records
// MOTTATT or FEILET.
//
// TestStore and TestOutbox are the conformance and reliability suites every
// svarut.Store passes.
package svaruttest
