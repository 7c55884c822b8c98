// Package vipps is a payment.Provider for the Vipps MobilePay ePayment API v1,
// with access-token caching, idempotency keys, the Webhooks API and an
// http.Handler that verifies signed webhooks.
package vipps
