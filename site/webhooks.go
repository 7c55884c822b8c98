package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/secret"
)

// WebhookPath is where a service receives Vipps' webhooks, under its public
// URL. Mount Externals.Webhook there, for POST, outside login and CSRF: the
// signature is the request's authentication.
const WebhookPath = "/vipps/webhook"

// WebhookEvents are the ePayment events a service subscribes to: all of
// them, since each one moves the payment record (created confirms our own
// create when its answer was lost; the others are the payer's and our
// changes).
var WebhookEvents = vipps.AllPaymentEvents

// ErrWebhook means the webhook could not be registered with Vipps; it wraps
// Vipps' answer.
var ErrWebhook = errors.New("site: Vipps webhook registration")

// Webhook receives a service's Vipps webhooks: it answers 401 to a forged,
// stale or unsigned one and changes nothing, and folds each verified event
// into the payment records (payment.Service.HandleEvent through
// vipps.ApplyTo). Polling stays as the safety net.
type Webhook struct {
	// URL is the callback URL registered with Vipps.
	URL string
	// ID is the registration's id at Vipps; "" when the operator registered
	// the webhook and gave its secret (GRUNNMUR_VIPPS_WEBHOOK_SECRET).
	ID string
	// After, when set, runs after a verified event is folded into its
	// payment, in its own goroutine once Vipps has its answer: a service
	// confirms what was paid for there, without waiting for the payer to
	// come back. Its failure is the service's to log.
	After   func(ctx context.Context, reference string)
	handler *vipps.WebhookHandler
}

// ServeHTTP verifies and applies one webhook. A nil Webhook (never
// registered) answers 503, so that Vipps tries again later.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if w == nil || w.handler == nil {
		http.Error(rw, "webhook not set up", http.StatusServiceUnavailable)
		return
	}
	w.handler.ServeHTTP(rw, r)
}

// NewWebhook prepares the webhook at callbackURL for pay's payments. With a
// secret, the operator registered the webhook once and it is used as it is:
// nothing is sent to Vipps. Without one, every earlier registration of the
// same URL is deleted (its secret was shown only to the process that
// registered it) and the URL registered anew for WebhookEvents; the secret
// Vipps returns this once is kept in memory only. Several instances behind
// one URL must share a secret: each registration would otherwise undo the
// previous instance's.
func NewWebhook(ctx context.Context, client *vipps.Client, callbackURL string, key secret.Value, pay *payment.Service, log *slog.Logger) (*Webhook, error) {
	log = defaults.Logger(log)
	w := &Webhook{URL: callbackURL}
	if key.IsZero() {
		hooks, err := client.Webhooks(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: list: %w", ErrWebhook, err)
		}
		for _, h := range hooks {
			if h.URL != callbackURL {
				continue
			}
			if err := client.DeleteWebhook(ctx, h.ID); err != nil {
				return nil, fmt.Errorf("%w: delete the earlier one: %w", ErrWebhook, err)
			}
			log.InfoContext(ctx, "vipps: earlier webhook registration deleted", "id", h.ID, "url", callbackURL)
		}
		reg, err := client.RegisterWebhook(ctx, callbackURL, WebhookEvents)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrWebhook, err)
		}
		w.ID, key = reg.ID, reg.Secret
		log.InfoContext(ctx, "vipps: webhook registered", "id", reg.ID, "url", callbackURL)
	}
	apply := vipps.ApplyTo(pay)
	w.handler = &vipps.WebhookHandler{
		// x-ms-date is checked against the clock the payments are dated by.
		WebhookVerifier: vipps.WebhookVerifier{Secrets: []secret.Value{key}, Now: pay.Now},
		PublicURL:       callbackURL,
		OnEvent: func(ctx context.Context, e *vipps.PaymentEvent) error {
			if err := apply(ctx, e); err != nil {
				return err
			}
			if w.After != nil {
				// Vipps is answered at once; the service's work goes on
				// after, within a minute.
				go func() {
					ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
					defer cancel()
					w.After(ctx, e.Reference)
				}()
			}
			return nil
		},
		Logger: log,
	}
	return w, nil
}

// RegisterWebhook sets x.Webhook to the service's webhook at Public +
// WebhookPath (NewWebhook), with GRUNNMUR_VIPPS_WEBHOOK_SECRET as the
// operator's secret when it is set. Call it once at start-up, before
// serving.
func (x *Externals) RegisterWebhook(ctx context.Context, client *vipps.Client, pay *payment.Service) error {
	w, err := NewWebhook(ctx, client, x.public+WebhookPath, x.VippsWebhookSecret, pay, x.log)
	if err != nil {
		return err
	}
	x.Webhook = w
	return nil
}
