// Package svarut sends digital mail through KS SvarUT (REST v2) with a durable
// outbox that delivers each letter exactly once, and receives mail through
// SvarInn v2 (poll, decrypt, verify, acknowledge).
//
// # Sending
//
// The Client needs the account (kontoId), the Fiks integration's credentials,
// and an *http.Client whose transport adds a Maskinporten token with scope
// ks:fiks (auth/maskinporten provides one):
//
//	client, err := svarut.New(svarut.Config{
//		BaseURL:            svarut.TestURL,
//		KontoID:            os.Getenv("GRUNNMUR_SVARUT_KONTO_ID"),
//		IntegrasjonID:      os.Getenv("GRUNNMUR_SVARUT_INTEGRASJON_ID"),
//		IntegrasjonPassord: svarut.Secret(os.Getenv("GRUNNMUR_SVARUT_INTEGRASJON_PASSORD")),
//		HTTPClient:         maskinportenClient,
//	})
//
// A Shipment names its recipient (a person by ident.Fodselsnummer, an
// organisation by ident.Orgnr, with a postal address for print) and its
// documents by reference; a DocumentSource opens each one when it is sent,
// so that a 350 MB PDF streams from disk or object storage through the
// request and never sits in memory or in a database. Validate checks the
// spec's limits before anything is sent.
//
// # Exactly once
//
// Client.Send is one attempt; when it fails without an answer, the letter may
// still have arrived. The Outbox makes sending safe: it stores the shipment
// first (Store: MemoryStore here, postgres.NewSvarUTStore in production),
// sends it, and records SvarUT's id. An entry whose earlier attempt got no
// answer is looked up by its eksternReferanse before it is sent again, so a
// crash between the send and the record never yields two letters. It then
// polls the status until it is final and hands the entry to OnFinal:
// delivered (LEST, PRINTET, ...), or failed (IKKE_LEVERT, MANUELT_HANDTERT,
// AVVIST), which the caller must act on.
//
//	ob := &svarut.Outbox{Client: client, Store: store, Documents: docs, OnFinal: notify}
//	_, err := ob.Enqueue(ctx, "sak-2026-42-vedtak", shipment)
//	go ob.Run(ctx, 30*time.Second)
//
// A letter can also be prepared where its recipient is known and released
// where the event happens: Prepare stores it held back, Release lets it go
// (from a payment's webhook, say, which knows nothing of the recipient), and
// Withdraw ends it unsent, as RunOnce does when it is not released by its
// deadline. Release and Withdraw may race; each entry ends one way.
//
// # Receiving
//
// A Receiver polls SvarInn, downloads each shipment to a temporary file,
// decrypts the CMS EnvelopedData (RSA-OAEP key wrap, AES-256-CBC) as a stream with the
// receiving system's key, checks every file's SHA-256 against the metadata,
// streams the files to a Handler, and acknowledges MOTTATT, or FEILET with
// the permanent flag when the shipment can never be read.
//
// svarut/svaruttest is a fake SvarUT and SvarInn for tests and local
// development.
package svarut
