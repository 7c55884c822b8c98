package payment_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
)

func TestMemoryStore(t *testing.T) {
	paymenttest.TestStore(t, func(t *testing.T) payment.Store { return payment.NewMemoryStore() })
}

func TestMemoryStoreEvents(t *testing.T) {
	paymenttest.TestEvents(t, func(t *testing.T) (payment.Store, events.Outbox) {
		out := &events.Memory{}
		return &payment.MemoryStore{Events: out}, out
	})
}

func TestMemoryInvoiceStore(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore { return payment.NewMemoryInvoiceStore() })
}

func TestZeroMemoryInvoiceStore(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore { return &payment.MemoryInvoiceStore{} })
}
