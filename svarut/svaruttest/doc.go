// Package svaruttest is a fake KS SvarUT (REST v2) and SvarInn (v2) server
// that follows the specs, for tests and local development, in the style of
// net/http/httptest.
//
//	fake, ts := svaruttest.NewServer(svaruttest.Options{KontoID: konto})
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
// Complete, SetStatus) or over time (Options.AutoAdvance, with an injected
// clock).
//
// InjectFault makes the next N matching requests fail with a status, a delay
// or a dropped connection, before or after the request took effect.
//
// The SvarInn side serves incoming shipments (AddIncoming), zipped and
// encrypted to the receiving system's certificate with Encrypt, and records
// MOTTATT or FEILET.
//
// TestStore and TestOutbox are the conformance and reliability suites every
// svarut.Store passes.
package svaruttest
