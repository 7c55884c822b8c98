package payment_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
)

func TestMemoryStore(t *testing.T) {
	paymenttest.TestStore(t, func(t *testing.T) payment.Store { return payment.NewMemoryStore() })
}

func TestMemoryInvoiceStore(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore { return payment.NewMemoryInvoiceStore() })
}

func TestZeroMemoryInvoiceStore(t *testing.T) {
	paymenttest.TestInvoiceStore(t, func(t *testing.T) payment.InvoiceStore { return &payment.MemoryInvoiceStore{} })
}
