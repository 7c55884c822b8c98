package vipps

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/money"
	"github.com/grunnmur/grunnmur/payment"
)

// MaxAmount is the largest amount the ePayment API takes, in øre.
const MaxAmount money.Amount = 65_000_000

var (
	msnRE       = regexp.MustCompile(`^[0-9]{4,6}$`)
	referenceRE = regexp.MustCompile(`^[a-zA-Z0-9-]{8,50}$`)
	phoneRE     = regexp.MustCompile(`^\d{10,15}$`)
)

// Amount is the API's amount object: minor units and a currency.
type Amount struct {
	Currency string       `json:"currency"`
	Value    money.Amount `json:"value"` // in minor units (øre)
}

func nok(a money.Amount) Amount { return Amount{Currency: "NOK", Value: a} }

// CreatePaymentRequest is the body of a create call (the fields grunnmur uses).
type CreatePaymentRequest struct {
	Amount             Amount         `json:"amount"`
	Customer           *Customer      `json:"customer,omitempty"`
	PaymentMethod      PaymentMethod  `json:"paymentMethod"`
	Reference          string         `json:"reference"`
	ReturnURL          string         `json:"returnUrl,omitempty"`
	UserFlow           string         `json:"userFlow"`
	PaymentDescription string         `json:"paymentDescription,omitempty"`
	Metadata           map[string]any `json:"metadata,omitempty"`
}

// Customer identifies the payer for the PUSH_MESSAGE flow.
type Customer struct {
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// PaymentMethod is WALLET (the app) or CARD.
type PaymentMethod struct {
	Type string `json:"type"`
}

// CreatePaymentResponse is the answer to a create.
type CreatePaymentResponse struct {
	RedirectURL string `json:"redirectUrl,omitempty"`
	Reference   string `json:"reference"`
}

// Aggregate holds a payment's running totals.
type Aggregate struct {
	AuthorizedAmount Amount `json:"authorizedAmount"`
	CancelledAmount  Amount `json:"cancelledAmount"`
	CapturedAmount   Amount `json:"capturedAmount"`
	RefundedAmount   Amount `json:"refundedAmount"`
}

// GetPaymentResponse is a payment as the API shows it.
type GetPaymentResponse struct {
	Aggregate     Aggregate     `json:"aggregate"`
	Amount        Amount        `json:"amount"`
	State         string        `json:"state"`
	PaymentMethod PaymentMethod `json:"paymentMethod"`
	PSPReference  string        `json:"pspReference"`
	RedirectURL   string        `json:"redirectUrl,omitempty"`
	Reference     string        `json:"reference"`
}

// ModificationResponse is the answer to a capture, refund or cancel.
type ModificationResponse struct {
	Amount       Amount    `json:"amount"`
	State        string    `json:"state"`
	Aggregate    Aggregate `json:"aggregate"`
	PSPReference string    `json:"pspReference"`
	Reference    string    `json:"reference"`
}

// PaymentEvent is one line of a payment's event log, and the body of a
// webhook (which adds msn).
type PaymentEvent struct {
	MSN          string `json:"msn,omitempty"`
	Reference    string `json:"reference"`
	PSPReference string `json:"pspReference"`
	Name         string `json:"name"`
	// PaymentAction is what the spec's PaymentEvent schema requires in
	// place of name; the client reads whichever is present.
	PaymentAction  string    `json:"paymentAction,omitempty"`
	Amount         Amount    `json:"amount"`
	Timestamp      time.Time `json:"timestamp"`
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	Success        bool      `json:"success"`
}

type modification struct {
	ModificationAmount Amount `json:"modificationAmount"`
}

func checkReference(ref string) error {
	if !referenceRE.MatchString(ref) {
		return fmt.Errorf("%w: reference %q does not match ^[a-zA-Z0-9-]{8,50}$", ErrInvalid, ref)
	}
	return nil
}

func checkAmount(a money.Amount) error {
	if a <= 0 || a > MaxAmount {
		return fmt.Errorf("%w: amount %d øre is outside 1..%d", ErrInvalid, int64(a), int64(MaxAmount))
	}
	return nil
}

func checkKey(key string) error {
	if key == "" || len(key) > 50 {
		return fmt.Errorf("%w: an idempotency key of 1 to 50 characters is required", ErrInvalid)
	}
	return nil
}

// CreatePayment validates and sends a create request as it is.
func (c *Client) CreatePayment(ctx context.Context, r CreatePaymentRequest, idempotencyKey string) (*CreatePaymentResponse, error) {
	if err := checkReference(r.Reference); err != nil {
		return nil, err
	}
	if err := checkAmount(r.Amount.Value); err != nil {
		return nil, err
	}
	if err := checkKey(idempotencyKey); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(r.PaymentDescription); r.PaymentDescription != "" && (n < 3 || n > 100) {
		return nil, fmt.Errorf("%w: paymentDescription must be 3 to 100 characters", ErrInvalid)
	}
	switch r.UserFlow {
	case "WEB_REDIRECT", "NATIVE_REDIRECT":
		u, err := url.Parse(r.ReturnURL)
		if err != nil || u.Scheme == "" {
			return nil, fmt.Errorf("%w: %s needs an absolute returnUrl", ErrInvalid, r.UserFlow)
		}
	case "PUSH_MESSAGE":
		if r.Customer == nil || !phoneRE.MatchString(r.Customer.PhoneNumber) {
			return nil, fmt.Errorf("%w: PUSH_MESSAGE needs the customer's phone number as 10 to 15 digits", ErrInvalid)
		}
	case "QR":
	default:
		return nil, fmt.Errorf("%w: unknown userFlow %q", ErrInvalid, r.UserFlow)
	}
	var out CreatePaymentResponse
	if err := c.call(ctx, "POST", "/epayment/v1/payments", idempotencyKey, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetPayment returns a payment.
func (c *Client) GetPayment(ctx context.Context, reference string) (*GetPaymentResponse, error) {
	if err := checkReference(reference); err != nil {
		return nil, err
	}
	var out GetPaymentResponse
	if err := c.call(ctx, "GET", "/epayment/v1/payments/"+reference, "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EventLog returns a payment's event log.
func (c *Client) EventLog(ctx context.Context, reference string) ([]PaymentEvent, error) {
	if err := checkReference(reference); err != nil {
		return nil, err
	}
	var out []PaymentEvent
	if err := c.call(ctx, "GET", "/epayment/v1/payments/"+reference+"/events", "", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) adjust(ctx context.Context, op, reference string, amount money.Amount, key string) (*ModificationResponse, error) {
	if err := checkReference(reference); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	var body any
	if op != "cancel" {
		if err := checkAmount(amount); err != nil {
			return nil, err
		}
		body = modification{ModificationAmount: nok(amount)}
	}
	var out ModificationResponse
	if err := c.call(ctx, "POST", "/epayment/v1/payments/"+reference+"/"+op, key, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ForceApprove approves a payment without the app. Only the test
// environment (and vippstest) has it.
func (c *Client) ForceApprove(ctx context.Context, reference, phoneNumber string) error {
	if err := checkReference(reference); err != nil {
		return err
	}
	body := map[string]any{}
	if phoneNumber != "" {
		body["customer"] = Customer{PhoneNumber: phoneNumber}
	}
	return c.call(ctx, "POST", "/epayment/v1/test/payments/"+reference+"/approve", "", body, nil)
}

// Create implements payment.Provider.
func (c *Client) Create(ctx context.Context, r payment.CreateRequest) (*payment.CreateResponse, error) {
	flow := r.Flow
	if flow == "" {
		flow = payment.FlowWebRedirect
	}
	req := CreatePaymentRequest{
		Amount: nok(r.Amount), PaymentMethod: PaymentMethod{Type: "WALLET"}, Reference: r.Reference,
		UserFlow: string(flow), PaymentDescription: r.Description,
	}
	switch flow {
	case payment.FlowWebRedirect:
		req.ReturnURL = r.ReturnURL
	case payment.FlowPushMessage:
		req.Customer = &Customer{PhoneNumber: r.PhoneNumber}
	}
	resp, err := c.CreatePayment(ctx, req, r.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	return &payment.CreateResponse{Reference: resp.Reference, RedirectURL: resp.RedirectURL}, nil
}

func aggregate(a Aggregate) payment.Aggregate {
	return payment.Aggregate{
		Authorized: a.AuthorizedAmount.Value, Captured: a.CapturedAmount.Value,
		Refunded: a.RefundedAmount.Value, Cancelled: a.CancelledAmount.Value,
	}
}

func state(s string) (payment.State, error) {
	st := payment.State(s)
	switch st {
	case payment.Created, payment.Authorized, payment.Aborted, payment.Expired, payment.Terminated:
		return st, nil
	}
	return "", fmt.Errorf("%w: unknown payment state %q", ErrBadResponse, s)
}

// Get implements payment.Provider.
func (c *Client) Get(ctx context.Context, reference string) (*payment.Snapshot, error) {
	r, err := c.GetPayment(ctx, reference)
	if err != nil {
		return nil, err
	}
	st, err := state(r.State)
	if err != nil {
		return nil, err
	}
	return &payment.Snapshot{Reference: r.Reference, PSPReference: r.PSPReference, State: st, Aggregate: aggregate(r.Aggregate), RedirectURL: r.RedirectURL}, nil
}

// Events implements payment.Provider.
func (c *Client) Events(ctx context.Context, reference string) ([]payment.Event, error) {
	log, err := c.EventLog(ctx, reference)
	if err != nil {
		return nil, err
	}
	out := make([]payment.Event, 0, len(log))
	for _, e := range log {
		ev, err := e.Event()
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// Event converts to the provider-neutral event.
func (e PaymentEvent) Event() (payment.Event, error) {
	name := e.Name
	if name == "" {
		name = e.PaymentAction
	}
	n := payment.EventName(name)
	if !n.Valid() {
		return payment.Event{}, fmt.Errorf("%w: unknown event name %q", ErrBadResponse, name)
	}
	return payment.Event{
		Name: n, PSPReference: e.PSPReference, Amount: e.Amount.Value,
		Success: e.Success, Time: e.Timestamp.UTC(), IdempotencyKey: e.IdempotencyKey,
	}, nil
}

func (m *ModificationResponse) snapshot() (*payment.Snapshot, error) {
	st, err := state(m.State)
	if err != nil {
		return nil, err
	}
	return &payment.Snapshot{Reference: m.Reference, PSPReference: m.PSPReference, State: st, Aggregate: aggregate(m.Aggregate)}, nil
}

// Capture implements payment.Provider.
func (c *Client) Capture(ctx context.Context, reference string, amount money.Amount, key string) (*payment.Snapshot, error) {
	m, err := c.adjust(ctx, "capture", reference, amount, key)
	if err != nil {
		return nil, err
	}
	return m.snapshot()
}

// Refund implements payment.Provider.
func (c *Client) Refund(ctx context.Context, reference string, amount money.Amount, key string) (*payment.Snapshot, error) {
	m, err := c.adjust(ctx, "refund", reference, amount, key)
	if err != nil {
		return nil, err
	}
	return m.snapshot()
}

// Cancel implements payment.Provider.
func (c *Client) Cancel(ctx context.Context, reference string, key string) (*payment.Snapshot, error) {
	m, err := c.adjust(ctx, "cancel", reference, 0, key)
	if err != nil {
		return nil, err
	}
	return m.snapshot()
}

var _ payment.Provider = (*Client)(nil)
