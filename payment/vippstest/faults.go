package vippstest

// The operations of the fake's API, as net/http ServeMux patterns. A test
// names one in a fake.Fault's Match, and counts its requests with
// Server.Requests:
//
//	srv.Inject(fake.Fault{Match: vippstest.OpCapture, Status: 500, AfterEffect: true})
//	n := srv.Requests(vippstest.OpCapture)
const (
	OpToken           = "POST /accesstoken/get"
	OpCreate          = "POST /epayment/v1/payments"
	OpGet             = "GET /epayment/v1/payments/{reference}"
	OpEvents          = "GET /epayment/v1/payments/{reference}/events"
	OpCapture         = "POST /epayment/v1/payments/{reference}/capture"
	OpRefund          = "POST /epayment/v1/payments/{reference}/refund"
	OpCancel          = "POST /epayment/v1/payments/{reference}/cancel"
	OpApprove         = "POST /epayment/v1/test/payments/{reference}/approve"
	OpRegisterWebhook = "POST /webhooks/v1/webhooks"
	OpListWebhooks    = "GET /webhooks/v1/webhooks"
	OpDeleteWebhook   = "DELETE /webhooks/v1/webhooks/{id}"
)

// SetIdempotencyReplay turns the Idempotency-Key replay on (the default) or
// off. Off, every request is carried out as if its key were new: tests use
// it to prove that the client, not the fake, prevents doubles.
func (s *Server) SetIdempotencyReplay(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReplay = !on
}

// Deliveries returns every webhook delivery attempt so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}
