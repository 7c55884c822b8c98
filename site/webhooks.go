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
// vipps.ApplyTo). When the payment service is Settling (it has Wanted or
// OnSettled), it then settles the payment (payment.Service.SettleEvent) in
// its own goroutine once Vipps has its answer: what was paid for is
// confirmed without waiting for the payer to come back, routed by the
// payment's Metadata. Polling stays as the safety net.
type Webhook struct {
	// URL is the callback URL registered with Vipps.
	URL string
	// ID is the registration's id at Vipps; "" when the operator registered
	// the webhook and gave its secret (GRUNNMUR_VIPPS_WEBHOOK_SECRET).
	ID      string
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
			if pay.Settling() {
				// Vipps is answered at once; settling goes on after, within
				// a minute. A failure is retried by the reconciliation job.
				go func() {
					ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
					defer cancel()
					if _, err := pay.SettleEvent(ctx, e.Reference); err != nil {
						log.WarnContext(ctx, "vipps webhook: settle", "reference", e.Reference, "error", err)
					}
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
