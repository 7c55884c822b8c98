package vipps

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/grunnmur/grunnmur/secret"
)

// ePayment webhook event types.
const (
	EventCreated    = "epayments.payment.created.v1"
	EventAborted    = "epayments.payment.aborted.v1"
	EventExpired    = "epayments.payment.expired.v1"
	EventCancelled  = "epayments.payment.cancelled.v1"
	EventCaptured   = "epayments.payment.captured.v1"
	EventRefunded   = "epayments.payment.refunded.v1"
	EventAuthorized = "epayments.payment.authorized.v1"
	EventTerminated = "epayments.payment.terminated.v1"
)

// AllPaymentEvents lists every ePayment event type.
var AllPaymentEvents = []string{EventCreated, EventAborted, EventExpired, EventCancelled, EventCaptured, EventRefunded, EventAuthorized, EventTerminated}

// Webhook is a registered webhook.
type Webhook struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// Registration is the answer to registering a webhook. Keep Secret: it
// verifies every event sent to this webhook, and Vipps shows it only once.
type Registration struct {
	ID     string
	Secret secret.Value
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// RegisterWebhook registers callbackURL for the given event types.
func (c *Client) RegisterWebhook(ctx context.Context, callbackURL string, events []string) (*Registration, error) {
	u, err := url.Parse(callbackURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: webhook URL %q is not an absolute http(s) URL", ErrInvalid, callbackURL)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: no event types", ErrInvalid)
	}
	var out struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	in := map[string]any{"url": callbackURL, "events": events}
	if err := c.call(ctx, "POST", "/webhooks/v1/webhooks", "", in, &out); err != nil {
		return nil, err
	}
	if out.ID == "" || out.Secret == "" {
		return nil, fmt.Errorf("vipps: register webhook: %w: no id or secret", ErrBadResponse)
	}
	return &Registration{ID: out.ID, Secret: secret.New(out.Secret)}, nil
}

// Webhooks lists the registered webhooks.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := c.call(ctx, "GET", "/webhooks/v1/webhooks", "", nil, &out); err != nil {
		return nil, err
	}
	return out.Webhooks, nil
}

// DeleteWebhook removes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if !uuidRE.MatchString(id) {
		return fmt.Errorf("%w: webhook id %q is not a UUID", ErrInvalid, id)
	}
	return c.call(ctx, "DELETE", "/webhooks/v1/webhooks/"+id, "", nil, nil)
}
