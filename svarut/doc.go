// Package svarut sends digital mail through KS SvarUT (REST v2) with a durable
// outbox that delivers each letter exactly once, and receives mail through
// SvarInn v2 (poll, decrypt, verify, acknowledge).
//
// # Configuration
//
// The Client needs the account (kontoId), the Fiks integration's
// credentials, and an *http.Client whose transport adds a Maskinporten token
// with scope ks:fiks (auth/maskinporten provides one). ConfigFromEnv reads
// GRUNNMUR_SVARUT_BASE_URL, _KONTO_ID, _INTEGRASJON_ID and
// _INTEGRASJON_PASSORD (or _INTEGRASJON_PASSORD_FILE); New checks all of it:
//
//	cfg, err := svarut.ConfigFromEnv("GRUNNMUR_SVARUT_", os.Getenv)
//	if err != nil {
//		return err // errors.Is(err, config.ErrUnset) when none is set
//	}
//	cfg.HTTPClient = maskinportenClient
//	client, err := svarut.New(cfg)
//
// An empty BaseURL means KS's test environment, TestBaseURL
// (test.svarut.ks.no): real letters go out only when BaseURL is set to
// ProductionBaseURL. The integration's password is a secret.Value, which
// never prints.
//
// A Shipment names its recipient (a person by ident.Fodselsnummer, an
// organisation by ident.Orgnr, with a postal address for print) and its
// documents by reference; a DocumentSource opens each one when it is sent,
// so that a 350 MB PDF streams from disk or object storage through the
// request and never sits in memory or in a database. Validate checks the
// spec's limits before anything is sent, with messages in bokmål, nynorsk
// and English (FieldError.Message takes an i18n.Lang).
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
// The Outbox is a background job: Run(ctx, every) does a pass at once and
// then every interval until ctx ends; RunOnce(ctx) does one pass.
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
// streams the files to its Handler, and acknowledges MOTTATT, or FEILET with
// the permanent flag when the shipment can never be read. It is a job of
// the same shape as the Outbox: Run(ctx, every) and RunOnce(ctx).
//
// # Errors
//
// A failed call returns an *Error with the response's Status, SvarUT's Code
// and Message, and the RequestID (errorId) to quote to KS support;
// Temporary reports whether a retry could succeed. It unwraps to this
// package's sentinels (ErrNotFound, ErrUnauthorized, ErrServer, ...), so
// that errors.Is works without the type.
//
// # Glossary
//
// Identifiers are English, except the terms of KS's and Noark's own APIs,
// which keep their names:
//
//   - forsendelse: a shipment (Shipment); forsendelsestype: its type
//   - mottaker: the recipient; mottakersystem: an organisation's system that
//     receives through SvarInn (ReceivingSystem)
//   - konto, kontoId: the sending account (Config.KontoID)
//   - integrasjon, IntegrasjonID, IntegrasjonPassord: the Fiks integration
//     that calls the API, and its password
//   - eksternReferanse: the sender's own reference for a shipment (ExternalRef)
//   - SvarInn: KS's service that delivers shipments to a receiving system
//   - MOTTATT, LEST, IKKE_LEVERT, ...: the statuses (Status constants), and
//     FEILET, a receiver's report that it could not take a shipment
//   - Noark 5 metadata (ArchiveMetadata): saksmappe (MappeID), saksår and
//     sakssekvensnummer (the case number), journalpost, journalår,
//     journalsekvensnummer, journalposttype, journalstatus, journaldato,
//     saksbehandler (the case officer)
//
// svarut/svaruttest is a fake SvarUT and SvarInn for tests and local
// development.
package svarut
