// Package vippstest is a fake Vipps MobilePay server that follows the ePayment v1
// and Webhooks OpenAPI specs: a payment state machine, a landing page where a test
// user approves or rejects, signed webhook delivery and fault injection.
//
//	srv := vippstest.New(vippstest.Config{})
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	defer srv.Close()
//	client, _ := vipps.New(srv.ClientConfig(ts.URL))
//
//	srv.Approve(reference) // as the payer in the app
//	srv.Inject(fake.Fault{Match: vippstest.OpCapture, Status: 500, AfterEffect: true})
//	srv.SetIdempotencyReplay(false) // prove the client prevents doubles
//	n := srv.Requests(vippstest.OpCapture)
//
// What it implements: POST /accesstoken/get (with client_id, client_secret,
// subscription key; expires_in as a string); the ePayment create, get, event
// log, capture, refund, cancel and test force-approve, with bearer tokens, the
// MSN header, Idempotency-Key semantics (the same key and body replays, the
// same key with another body is a 409) and problem-details errors; the
// Webhooks API register, list and delete; and delivery of each payment event
// to the webhooks subscribed to it, signed exactly as Vipps signs
// (SignRequest), retried on a non-2xx answer. A CREATED payment expires after
// Config.PaymentTTL. The landing page (GET /landing?token=...) is accessible
// Norwegian HTML with "Godkjenn betaling" and "Avbryt betaling" buttons; it
// sends the payer back to the returnUrl.
//
// # Faults, counts and authorization
//
// The Server embeds the shared fake.Faults: Inject queues a fake.Fault (a
// status, a delay, a dropped connection, before or after the request takes
// effect), Requests counts requests, Hold gathers concurrent callers. Both
// take a net/http ServeMux pattern; the Op* constants name every operation
// (OpCapture is "POST /epayment/v1/payments/{reference}/capture"). One hook,
// Config.Authorize, can take over the fake's own credential checks.
//
// Its answers are checked against epayment.v1.yml and the Webhooks spec by
// schema validation in this package's tests. Where it knowingly differs: it
// also accepts http:// return and webhook URLs on loopback hosts, for local
// development.
package vippstest
