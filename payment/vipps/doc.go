// Package vipps is a payment.Provider for the Vipps MobilePay ePayment API v1,
// with access-token caching, idempotency keys, the Webhooks API and an
// http.Handler that verifies signed webhooks.
//
//	cfg, err := vipps.ConfigFromEnv("GRUNNMUR_VIPPS_", os.Getenv)
//	if err != nil {
//		return err // errors.Is(err, config.ErrUnset): nothing set, use vippstest
//	}
//	cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
//	client, err := vipps.New(cfg)
//	svc := &payment.Service{Provider: client, Store: store}
//
//	reg, err := client.RegisterWebhook(ctx, "https://kommune.example/betaling/vipps", vipps.AllPaymentEvents)
//	// keep reg.Secret (a secret.Value): Vipps shows it once
//	mux.Handle("POST /betaling/vipps", &vipps.WebhookHandler{
//		WebhookVerifier: vipps.WebhookVerifier{Secrets: []secret.Value{reg.Secret}},
//		PublicURL:       "https://kommune.example/betaling/vipps",
//		OnEvent:         vipps.ApplyTo(svc),
//	})
//
// # Configuration and environments
//
// ConfigFromEnv reads prefix+BASE_URL, CLIENT_ID, CLIENT_SECRET,
// SUBSCRIPTION_KEY and MSN (the secrets also from a file named by
// CLIENT_SECRET_FILE and SUBSCRIPTION_KEY_FILE). New checks the
// configuration and fails with ErrConfig, naming what is wrong.
//
// An empty BaseURL means Vipps' test environment (TestBaseURL). Production
// is reached only by setting BaseURL to ProductionBaseURL, so that no
// forgotten setting can move real money.
//
// # Requests
//
// The access token (POST /accesstoken/get; expires_in arrives as a string) is
// cached until five minutes before it expires, and fetched again once if the
// API answers 401. Every request carries the subscription key, the MSN and
// the Vipps-System-* headers; every create, capture, refund and cancel an
// Idempotency-Key. References (^[a-zA-Z0-9-]{8,50}$), amounts (1 øre to
// MaxAmount) and flows are checked before sending.
//
// An error answer is an *Error with Status, Code (the problem type's last
// segment, such as CodePaymentNotFound), Message, RequestID (Vipps'
// traceId) and Temporary. It matches with errors.Is the sentinel of its code
// (ErrPaymentNotFound, ErrInvalidState, ...), and payment.ErrRejected when
// it says the request was not carried out.
//
// # Webhooks
//
// Vipps signs each webhook with HMAC-SHA256, keyed by the UTF-8 bytes of the
// webhook's secret, over
//
//	"POST\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" + x-ms-content-sha256
//
// where x-ms-content-sha256 is base64(SHA-256(body)). WebhookVerifier checks
// the content hash against the raw body, the signature against every current
// secret (several during rotation) in constant time, and x-ms-date against a
// window (DefaultTolerance). WebhookHandler answers 401 to anything that
// fails, and hands verified events to OnEvent. Vipps may deliver an event
// more than once and out of order, and says to poll as well: pair the
// handler with the job payment.Service.Run.
//
// # Glossary
//
//   - MSN (Merchant Serial Number): the number of the sales unit at Vipps,
//     sent as the Merchant-Serial-Number header.
//   - PSP reference: Vipps' own id of a payment event.
//   - Subscription key: the Ocp-Apim-Subscription-Key of Vipps' API portal.
package vipps
