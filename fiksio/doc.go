// Package fiksio sends and receives KS Fiks IO messages, the message service
// between municipal systems (Fiks Arkiv, Fiks Plan, Matrikkelføring and
// vendor integrations).
//
// A Client belongs to one account (kontoId) and its Fiks integration:
//
//	ts, _ := maskinporten.New(maskinporten.Config{ClientID: ..., Key: ..., KeyID: ..., Scopes: []string{fiksio.Scope}})
//	c, err := fiksio.New(fiksio.Config{
//		KontoID:            "7b0f...",           // this system's account
//		IntegrasjonID:      "2c1e...",           // the Fiks integration
//		IntegrasjonPassord: secret.New(passord), // never printed
//		Maskinporten:       ts,                  // scope ks:fiks
//	})
//
// Empty BaseURL and AMQPURL mean KS' test environment; production is
// reached only by naming ProductionBaseURL and ProductionAMQPURL.
//
// # Sending
//
// Send posts multipart metadata + data to POST /fiks-io/api/v1/send and
// expects 202. The payload streams from its io.Reader through the request
// (io.Pipe and a multipart.Writer); it is never held in memory. TTL goes in
// milliseconds; custom headers are named without the egendefinert-header.
// prefix (Fiks IO adds it); a reply sets SvarPaMelding (Received.Reply does).
//
// SendFiles builds the ASiC-E from files, signs it with Config.Signer,
// encrypts it to the receiver's certificate (PublicKey: the katalog, or an
// injected PublicKeyProvider; verified) and posts it, all as one stream:
//
//	sent, err := c.SendFiles(ctx, fiksio.Message{
//		Mottaker: mottaker, Type: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett",
//		TTL: 48 * time.Hour, KlientMeldingID: "sak-2026-17-1",
//	}, asice.File{Name: "arkivmelding.xml", MimeType: "application/xml", Content: xml},
//		asice.File{Name: "vedtak.pdf", MimeType: "application/pdf", Content: pdf})
//
// Send takes a payload already sealed (Message.Payload), and
// Received.Payload gives those bytes back as they came; Received.Open
// decrypts them with Config.Keys and verifies the container.
//
// # Receiving
//
// Receive consumes fiksio.konto.<kontoId> over AMQP 0-9-1 with TLS (the
// server name checked), SASL PLAIN with the integration id as the user and
// "<integrasjonspassord> <Maskinporten token>" as the password, manual acks
// and a prefetch (default 10). Each login, the first and every reconnect,
// fetches a new token: the broker checks it only at login, and a token
// kept from before may have expired (the bug of KS' Java client, issues
// #137 and #180). One connection per account lives as long as Receive
// runs; a lost one is reopened with backoff. The queue is never declared.
//
// The Handler decides each message's fate:
//
//	err := c.Receive(ctx, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
//		if seen(m.KlientMeldingID()) { // Fiks IO delivers at least once: dedup
//			return fiksio.Processed()
//		}
//		c, err := m.Open(ctx) // from the body or Dokumentlager; decrypted, verified
//		if err != nil {
//			return fiksio.Retry() // nack with requeue; three strikes end in serverfeil.v1
//		}
//		defer c.Close()
//		if err := store(ctx, m, c); err != nil {
//			return fiksio.Failed(m.Reply("no.ks.fiks.arkiv.v1.feilmelding.serverfeil", nil)) // reply, then ack
//		}
//		return fiksio.Processed() // ack once stored
//	})
//
// When ctx ends, Receive stops taking messages, lets the handlers in hand
// finish and settle, closes the connection and returns nil.
//
// # Errors
//
// Failed calls are *Error (Op, Status, Code, Message, RequestID,
// Temporary) and unwrap to a sentinel: ErrUnauthorized (401/403, or the
// broker refusing the login), ErrUnknownAccount, ErrQueueFull, ErrServer,
// ErrBadRequest, ErrBadResponse. A receiver certificate that does not
// verify is a *CertificateError (ErrCertificate); malformed headers of a
// received message a *HeaderError (ErrHeader). None holds a token or a
// password.
//
// fiksio/fiksiotest is a fake Fiks IO on a real RabbitMQ for tests.
package fiksio
