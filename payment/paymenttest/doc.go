// Package paymenttest is the conformance suite every payment.Store passes, in
// the style of testing/fstest.TestFS. Besides the Store contract it runs the
// payment Service on the store against the fake Vipps (vippstest): the full
// flow with webhooks, concurrent captures, and lost or failed answers, so that
// the never-charge-twice guarantees are proven on every store.
//
//	func TestMyStore(t *testing.T) {
//		paymenttest.TestStore(t, func(t *testing.T) payment.Store { return newEmptyStore(t) })
//	}
//
// TestInvoiceStore does the same for a payment.InvoiceStore, and runs
// payment.Invoicing on it: invoices survive a restart, and many goroutines
// issuing and booking the same invoice at once create one invoice and book
// each bank line once.
package paymenttest
