package payment_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/paymenttest"
)

func TestMemoryStore(t *testing.T) {
	paymenttest.TestStore(t, func(t *testing.T) payment.Store { return payment.NewMemoryStore() })
}
