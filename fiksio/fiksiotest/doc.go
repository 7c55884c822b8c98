// Package fiksiotest is a fake KS Fiks IO for tests and local development.
// It serves send, katalog and Dokumentlager over HTTP, and uses a real
// RabbitMQ as its broker, so that a fiksio.Client meets the real thing:
// quorum queues, acks, redelivery, dead-lettering and connection loss.
//
//	mp := idportentest.New(idportentest.Config{}) // the fake Maskinporten
//	mpSrv := httptest.NewServer(mp)
//	mp.SetBaseURL(mpSrv.URL)
//	fk := fiksiotest.New(fiksiotest.Config{
//		BrokerURL:    "amqp://guest:guest@127.0.0.1:5672/",
//		Maskinporten: mp,
//	})
//	err := fk.Start(ctx) // connects to the broker, opens the AMQP listener
//	defer fk.Close()
//	api := httptest.NewServer(fk)
//	acct, err := fk.AddAccount(ctx, fiksiotest.Account{
//		IntegrasjonID: integrasjon, IntegrasjonPassord: secret.New("passord"), Certificate: cert,
//	})
//	ts, _ := mp.MaskinportenSource("fiksio-client", "974760673", nil, fiksio.Scope)
//	c, err := fiksio.New(fiksio.Config{
//		BaseURL: api.URL, AMQPURL: fk.AMQPURL(), AllowPlainAMQP: true,
//		KontoID: acct.KontoID.String(), IntegrasjonID: integrasjon.String(),
//		IntegrasjonPassord: secret.New("passord"), Maskinporten: ts,
//	})
//
// # The broker side
//
// AddAccount declares fiksio.konto.<kontoId> as a quorum queue with the
// fake's own dead-letter exchange, which gives up on a message after
// MaxDeliveries (3) failed deliveries, as Fiks IO does: x-delivery-limit 2,
// since RabbitMQ counts the returns after the first delivery. The fake
// consumes its dead-letter queue and sends the original sender Fiks IO's
// receipts: no.ks.fiks.kvittering.tidsavbrudd (with svar-til and
// svar-til-type) for a message whose TTL ran out, and
// no.ks.fiks.kvittering.serverfeil.v1 (with svar-til) for one the broker
// gave up on. RabbitMQ, like Fiks IO, expires a message only at the head
// of its queue. Payloads over InlineLimit (5 MB) are kept in Dokumentlager,
// on disk, and the message carries only dokumentlager-id.
//
// Each Server names its exchange and queues afresh (accounts are random
// UUIDs), so tests on one broker run in parallel; Close deletes them.
//
// # The login
//
// A client logs in with the password "<integrasjonspassord> <token>". The
// fake checks it in a small AMQP proxy in front of RabbitMQ (see proxy.go
// for why this rather than RabbitMQ's HTTP auth backend or per-account
// broker users): the token must come from the fake Maskinporten with scope
// ks:fiks and be unexpired. Logins records each attempt, with a hash of the
// token, so a test can prove that a reconnect used a new one.
//
// # Faults
//
//   - REST: the embedded fake.Faults (Inject, Requests) with the Op*
//     patterns, e.g. a 503 for the next send.
//   - DropConnections cuts every client connection mid-stream;
//     CloseFromBroker has RabbitMQ close them (rabbitmqctl close_connection).
//   - SetDeliveryDelay slows everything the broker sends the clients: a
//     slow consumer's link.
//   - Account.MaxMessages makes a queue fill up, so sends get 429.
//   - Config.TLS serves the broker over TLS for "localhost" only, so a
//     client that skips the server-name check is caught.
package fiksiotest
