// Package vippstest is a fake Vipps MobilePay server that follows the ePayment v1
// and Webhooks OpenAPI specs: a payment state machine, a landing page where a test
// user approves or rejects, signed webhook delivery and fault injection.
package vippstest
