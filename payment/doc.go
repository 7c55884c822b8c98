// Package payment is the provider-neutral core of fee payment: Amount in øre,
// Payment and its state machine, the Provider interface, and a Service that keeps
// local payment records in a Store and reconciles them with the provider, so that
// nothing is charged twice and no payment is lost.
package payment
