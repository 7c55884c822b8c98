package payment

import (
	"context"
	"errors"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/money"
)

// ErrRejected marks a provider error that is a definite "no": the operation
// did not happen (a 4xx answer, say). A provider makes its errors match it
// with errors.Is. Any other error (a timeout, a 5xx, a dropped connection) is
// taken to mean the outcome is unknown.
var ErrRejected = errors.New("payment: rejected by the provider")

// Flow is how the payer is brought to approve the payment.
type Flow string

const (
	// FlowWebRedirect sends the payer's browser to the provider's landing
	// page, which returns them to ReturnURL.
	FlowWebRedirect Flow = "WEB_REDIRECT"
	// FlowPushMessage sends a push message to the payer's phone.
	FlowPushMessage Flow = "PUSH_MESSAGE"
)

// CreateRequest asks a provider to create a payment.
type CreateRequest struct {
	Reference      string
	Amount         money.Amount
	Description    string
	Flow           Flow
	ReturnURL      string // for FlowWebRedirect
	PhoneNumber    string // MSISDN ("4791234567"), for FlowPushMessage
	IdempotencyKey string
}

// CreateResponse is what a provider answers to a create.
type CreateResponse struct {
	Reference   string
	RedirectURL string
	// KID and DueDate (the last day to pay) are set by invoice providers.
	KID     string
	DueDate civil.Date
}

// Provider is a payment service: Vipps, invoices with KID, or a fake. Every
// mutating call carries an idempotency key, and the provider must treat a
// repeated key as the same request.
type Provider interface {
	// Name is a short, stable name ("vipps", "invoice") kept on each record.
	Name() string
	Create(ctx context.Context, r CreateRequest) (*CreateResponse, error)
	Get(ctx context.Context, reference string) (*Snapshot, error)
	// Events returns the provider's event log for a payment, oldest first.
	Events(ctx context.Context, reference string) ([]Event, error)
	Capture(ctx context.Context, reference string, amount money.Amount, idempotencyKey string) (*Snapshot, error)
	Refund(ctx context.Context, reference string, amount money.Amount, idempotencyKey string) (*Snapshot, error)
	Cancel(ctx context.Context, reference string, idempotencyKey string) (*Snapshot, error)
}

// uncertain reports whether err leaves the outcome of an operation unknown.
func uncertain(err error) bool {
	return err != nil && !errors.Is(err, ErrRejected) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotSupported)
}
