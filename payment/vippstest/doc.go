// Package vippstest is a fake Vipps MobilePay server that follows the ePayment v1
// and Webhooks OpenAPI specs: a payment state machine, a landing page where a test
// user approves or rejects, signed webhook delivery and fault injection.
//
//	fake := vippstest.New(vippstest.Config{})
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	defer fake.Close()
//	client, _ := vipps.New(fake.ClientConfig(srv.URL))
//
//	fake.Approve(reference)                                   // as the payer in the app
//	fake.InjectFault(vippstest.Fault{Op: "capture", Status: 500, AfterProcessing: true})
//	fake.SetIdempotencyReplay(false)                          // prove the client prevents doubles
//	n := fake.Requests("capture")
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
// Its answers are checked against epayment.v1.yml and the Webhooks spec by
// schema validation in this package's tests. Where it knowingly differs: it
// also accepts http:// return and webhook URLs on loopback hosts, for local
// development.
package vippstest
