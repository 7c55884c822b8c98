package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/secret"
)

// The headers of a webhook delivery, as Standard Webhooks names them.
const (
	HeaderWebhookID        = "Webhook-Id"
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	HeaderWebhookSignature = "Webhook-Signature"
)

// Webhook verification errors.
var (
	ErrNotSigned        = errors.New("events: webhook is not signed")
	ErrNoValidSignature = errors.New("events: webhook signature matches no secret")
	ErrTooOld           = errors.New("events: webhook timestamp is outside the accepted window")
)

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock.
const DefaultTolerance = 5 * time.Minute

// WebhookTarget is one receiver of the fan-out.
type WebhookTarget struct {
	// URL receives a POST per event.
	URL string
	// Secret signs the deliveries: "whsec_" and base64, as Standard Webhooks
	// gives them out, or any other string, whose bytes are then the key.
	Secret secret.Value
	// Types, if any, are the only event types sent to this target.
	Types []string
}

// Webhook is the fan-out consumer: Handle POSTs each event, in CloudEvents
// structured JSON (Content-Type application/cloudevents+json), to every
// target, signed as Standard Webhooks signs: the headers Webhook-Id (the
// event id), Webhook-Timestamp (Unix seconds) and Webhook-Signature
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>". A receiver checks it with
// WebhookVerifier. A delivery that fails on the connection or with 429, 502,
// 503 or 504 is retried with backoff and jitter; one that still fails
// fails Handle, so the event comes again (the relay's or the consumer's
// redelivery). With a Ledger, a target that took an event is not sent it
// again; receivers dedupe by Webhook-Id all the same.
type Webhook struct {
	Targets []WebhookTarget
	// Ledger, if set, records each target's deliveries (consumer
	// "webhook <URL>").
	Ledger Ledger
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Attempts is the most tries of one delivery; 0 means 4.
	Attempts int
	// Now reads the clock for the timestamp; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Handle delivers e to every target it is for; it is a Handler.
func (w *Webhook) Handle(ctx context.Context, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("events: webhook: encode %s: %w", e.ID, err)
	}
	var errs []error
	for _, t := range w.Targets {
		if len(t.Types) > 0 && !contains(t.Types, e.Type) {
			continue
		}
		send := func(ctx context.Context) error { return w.deliver(ctx, t, e.ID, body) }
		if w.Ledger != nil {
			_, err = w.Ledger.Once(ctx, t.ledgerName(), e.ID, send)
		} else {
			err = send(ctx)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ledgerName is the target's name in the Ledger: a digest of its URL, which
// may carry a token in its query that must not be stored in the clear.
func (t WebhookTarget) ledgerName() string {
	sum := sha256.Sum256([]byte(t.URL))
	return "webhook " + hex.EncodeToString(sum[:12])
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deliver POSTs one signed event to one target.
func (w *Webhook) deliver(ctx context.Context, t WebhookTarget, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("events: webhook: %w", err)
	}
	for k, v := range SignWebhook(t.Secret, id, defaults.Now(w.Now), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", CloudEventsJSON)
	c := &httpx.Client{HTTPClient: w.HTTPClient, MaxAttempts: w.Attempts, Logger: w.Logger}
	resp, err := c.Do(httpx.RetrySafe(req)) // safe: the receiver dedupes by Webhook-Id
	if err != nil {
		return fmt.Errorf("events: webhook %s: %w", id, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("events: webhook %s: the receiver answered %s", id, resp.Status)
	}
	return nil
}

// webhookKey returns the HMAC key of a webhook secret.
func webhookKey(s secret.Value) []byte {
	k := s.Reveal()
	if rest, ok := strings.CutPrefix(k, "whsec_"); ok {
		if b, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return b
		}
	}
	return []byte(k)
}

// webhookMAC is the signature of one delivery.
func webhookMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignWebhook returns the headers that sign body as delivery id at time at:
// Webhook-Id, Webhook-Timestamp and Webhook-Signature. Tests of a receiver
// use it to make signed requests.
func SignWebhook(key secret.Value, id string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, ts)
	h.Set(HeaderWebhookSignature, "v1,"+base64.StdEncoding.EncodeToString(webhookMAC(webhookKey(key), id, ts, body)))
	return h
}

// WebhookVerifier checks a webhook delivery's signature, for the receiver.
type WebhookVerifier struct {
	// Secrets are the accepted secrets: more than one while rotating.
	Secrets []secret.Value
	// Tolerance is the accepted distance between the timestamp and the
	// clock, either way; 0 means DefaultTolerance.
	Tolerance time.Duration
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
}

// Verify checks that header signs body with one of the secrets, in constant
// time, and that the timestamp is within the tolerance. It returns
// ErrNotSigned, ErrNoValidSignature or ErrTooOld (wrapped).
func (v *WebhookVerifier) Verify(header http.Header, body []byte) error {
	id, ts, sigs := header.Get(HeaderWebhookID), header.Get(HeaderWebhookTimestamp), header.Get(HeaderWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrNotSigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) > 12 {
		return fmt.Errorf("%w: the timestamp is not Unix seconds", ErrNotSigned)
	}
	var given [][]byte
	for _, s := range strings.Fields(sigs) { // Standard Webhooks: space-separated "v1,<base64>"
		if b64, ok := strings.CutPrefix(s, "v1,"); ok {
			if b, err := base64.StdEncoding.DecodeString(b64); err == nil && len(b) == sha256.Size {
				given = append(given, b)
			}
		}
	}
	if len(given) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrNoValidSignature)
	}
	ok := false
	for _, s := range v.Secrets {
		mac := webhookMAC(webhookKey(s), id, ts, body)
		for _, g := range given {
			ok = hmac.Equal(mac, g) || ok
		}
	}
	if !ok {
		return ErrNoValidSignature
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if d := defaults.Now(v.Now).Sub(time.Unix(sec, 0)); d > tol || d < -tol {
		return fmt.Errorf("%w: %v away", ErrTooOld, d.Round(time.Second))
	}
	return nil
}
