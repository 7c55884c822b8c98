// Package vipps is a payment.Provider for the Vipps MobilePay ePayment API v1,
// with access-token caching, idempotency keys, the Webhooks API and an
// http.Handler that verifies signed webhooks.
//
//	client, err := vipps.New(vipps.Config{
//		BaseURL:         vipps.TestBaseURL,
//		ClientID:        os.Getenv("GRUNNMUR_VIPPS_CLIENT_ID"),
//		ClientSecret:    secret.New(os.Getenv("GRUNNMUR_VIPPS_CLIENT_SECRET")),
//		SubscriptionKey: secret.New(os.Getenv("GRUNNMUR_VIPPS_SUBSCRIPTION_KEY")),
//		MSN:             os.Getenv("GRUNNMUR_VIPPS_MSN"),
//		HTTPClient:      &http.Client{Timeout: 15 * time.Second},
//	})
//	svc := &payment.Service{Provider: client, Store: store}
//
//	reg, err := client.RegisterWebhook(ctx, "https://kommune.example/betaling/vipps", vipps.AllPaymentEvents)
//	// keep reg.Secret: Vipps shows it once
//	mux.Handle("POST /betaling/vipps", &vipps.WebhookHandler{
//		WebhookVerifier: vipps.WebhookVerifier{Secrets: []secret.Value{reg.Secret}},
//		PublicURL:       "https://kommune.example/betaling/vipps",
//		OnEvent:         vipps.ApplyTo(svc),
//	})
//
// # Requests
//
// The access token (POST /accesstoken/get; expires_in arrives as a string) is
// cached until five minutes before it expires, and fetched again once if the
// API answers 401. Every request carries the subscription key, the MSN and
// the Vipps-System-* headers; every create, capture, refund and cancel an
// Idempotency-Key. References (^[a-zA-Z0-9-]{8,50}$), amounts (1 øre to
// MaxAmount) and flows are checked before sending. Problem-details answers
// become *Error, matched with errors.Is on the sentinel of their type
// (ErrPaymentNotFound, ErrInvalidState, ...) and on payment.ErrRejected when
// they say the request was not carried out.
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
// handler with payment.Service.Poll.
package vipps
