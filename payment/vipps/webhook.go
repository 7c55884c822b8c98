package vipps

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/secret"
)

// Webhook verification errors. Every one of them gets a 401 from
// WebhookHandler, and changes nothing.
var (
	ErrNotSigned        = errors.New("vipps: webhook is not signed")
	ErrNoValidSignature = errors.New("vipps: webhook signature matches no secret")
	ErrContentHash      = errors.New("vipps: webhook content hash does not match the body")
	ErrTooOld           = errors.New("vipps: webhook date is outside the accepted window")
	ErrBadEvent         = errors.New("vipps: webhook event does not parse")
)

// DefaultTolerance is how far x-ms-date may be from our clock. Vipps
// documents no window; five minutes is what Stripe uses.
const DefaultTolerance = 5 * time.Minute

const (
	authPrefix    = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="
	headerDate    = "x-ms-date"
	headerContent = "x-ms-content-sha256"
)

// WebhookVerifier checks the HMAC-SHA256 signature Vipps puts on webhooks.
type WebhookVerifier struct {
	// Secrets holds every secret currently valid: more than one while a
	// webhook is being re-registered (secret rotation).
	Secrets []secret.Value
	// Tolerance is the accepted distance between x-ms-date and our clock,
	// either way; 0 means DefaultTolerance.
	Tolerance time.Duration
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
}

// stringToSign is what Vipps signs:
// "POST\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash.
func stringToSign(method, pathAndQuery, date, host, contentHash string) string {
	return method + "\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// bodyHash is base64(SHA-256(body)), the x-ms-content-sha256 header.
func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func mac(key string, msg string) []byte {
	h := hmac.New(sha256.New, []byte(key))
	io.WriteString(h, msg)
	return h.Sum(nil)
}

// SignWebhook returns the headers Vipps would send with body to a webhook
// at pathAndQuery on host, signed with key at date. For tests.
func SignWebhook(key secret.Value, method, pathAndQuery, host string, date time.Time, body []byte) http.Header {
	d := date.UTC().Format(http.TimeFormat)
	ch := bodyHash(body)
	sig := base64.StdEncoding.EncodeToString(mac(key.Reveal(), stringToSign(method, pathAndQuery, d, host, ch)))
	h := http.Header{}
	h.Set(headerDate, d)
	h.Set(headerContent, ch)
	h.Set("Authorization", authPrefix+sig)
	return h
}

// decodeSHA256 decodes exactly what Vipps sends for a SHA-256 value:
// standard, padded base64 of 32 bytes, 44 characters. Anything else is
// refused before a byte is written, so a long value cannot overrun.
func decodeSHA256(s string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	if len(s) != base64.StdEncoding.EncodedLen(sha256.Size) {
		return out, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

// Verify checks a webhook's signature over its raw body. pathAndQuery and
// host are those of the URL registered with Vipps.
func (v *WebhookVerifier) Verify(method, pathAndQuery, host string, header http.Header, body []byte) error {
	auth := header.Get("Authorization")
	date := header.Get(headerDate)
	contentHash := header.Get(headerContent)
	if auth == "" || date == "" || contentHash == "" {
		return ErrNotSigned
	}
	sigText, ok := strings.CutPrefix(auth, authPrefix)
	if !ok {
		return fmt.Errorf("%w: the Authorization header is not HMAC-SHA256 over x-ms-date;host;x-ms-content-sha256", ErrNoValidSignature)
	}
	sig, ok := decodeSHA256(sigText)
	if !ok {
		return fmt.Errorf("%w: the signature is not padded base64 of 32 bytes", ErrNoValidSignature)
	}
	got, ok := decodeSHA256(contentHash)
	if !ok {
		return fmt.Errorf("%w: x-ms-content-sha256 is not padded base64 of 32 bytes", ErrContentHash)
	}
	if sum := sha256.Sum256(body); !hmac.Equal(got[:], sum[:]) {
		return ErrContentHash
	}
	msg := stringToSign(method, pathAndQuery, date, host, contentHash)
	matched := false
	for _, s := range v.Secrets {
		if s.IsZero() {
			continue
		}
		// Check every secret, so the time taken does not tell which matched.
		if hmac.Equal(mac(s.Reveal(), msg), sig[:]) {
			matched = true
		}
	}
	if !matched {
		return ErrNoValidSignature
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return fmt.Errorf("%w: x-ms-date does not parse", ErrTooOld)
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if d := now.Sub(t); d > tol || d < -tol {
		return ErrTooOld
	}
	return nil
}

// ParseWebhookEvent decodes and checks a webhook body.
func ParseWebhookEvent(body []byte) (*PaymentEvent, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var e PaymentEvent
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadEvent)
	}
	switch {
	case !referenceRE.MatchString(e.Reference):
		return nil, fmt.Errorf("%w: invalid reference", ErrBadEvent)
	case e.PSPReference == "" || len(e.PSPReference) > 100:
		return nil, fmt.Errorf("%w: missing pspReference", ErrBadEvent)
	case e.Amount.Value < 0 || e.Amount.Currency == "":
		return nil, fmt.Errorf("%w: invalid amount", ErrBadEvent)
	case e.Timestamp.IsZero():
		return nil, fmt.Errorf("%w: missing timestamp", ErrBadEvent)
	case e.MSN != "" && !msnRE.MatchString(e.MSN):
		return nil, fmt.Errorf("%w: invalid msn", ErrBadEvent)
	}
	if _, err := e.Event(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	return &e, nil
}

// WebhookHandler is an http.Handler for Vipps webhooks. It verifies the
// signature over the raw body before reading anything from it, answers 401
// to anything forged, stale or unsigned, and hands each verified event to
// OnEvent. Vipps retries a webhook that does not get a 2xx, so OnEvent must
// be idempotent (payment.Service.HandleEvent is).
type WebhookHandler struct {
	WebhookVerifier
	// PublicURL is the URL registered with Vipps. Vipps signs its host and
	// path, so set it when a proxy changes either; "" means the request's
	// own Host and path.
	PublicURL string
	// OnEvent receives each verified event. An error answers 500, so that
	// Vipps retries later.
	OnEvent func(ctx context.Context, e *PaymentEvent) error
	// MaxBody caps the body; 0 means 64 KiB.
	MaxBody int64
	// Logger receives a line per rejected or failed webhook; nil discards.
	Logger *slog.Logger
}

func (h *WebhookHandler) logger() *slog.Logger { return defaults.Logger(h.Logger) }

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = 64 << 10
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	host, pathAndQuery := r.Host, r.URL.RequestURI()
	if h.PublicURL != "" {
		if u, err := url.Parse(h.PublicURL); err == nil {
			host, pathAndQuery = u.Host, u.RequestURI()
		}
	}
	if err := h.Verify(r.Method, pathAndQuery, host, r.Header, body); err != nil {
		h.logger().WarnContext(r.Context(), "vipps: webhook rejected", "error", err.Error())
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	ev, err := ParseWebhookEvent(body)
	if err != nil {
		h.logger().WarnContext(r.Context(), "vipps: webhook body", "error", err.Error())
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if h.OnEvent != nil {
		if err := h.OnEvent(r.Context(), ev); err != nil {
			h.logger().ErrorContext(r.Context(), "vipps: webhook not processed", "reference", ev.Reference, "event", ev.Name, "error", err.Error())
			http.Error(w, "not processed; retry later", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// ApplyTo returns an OnEvent that applies each event to its payment in s.
// An event for a payment s does not know is acknowledged (and logged by the
// handler's caller if it wishes): retrying it would never succeed.
func ApplyTo(s *payment.Service) func(ctx context.Context, e *PaymentEvent) error {
	return func(ctx context.Context, e *PaymentEvent) error {
		ev, err := e.Event()
		if err != nil {
			return err
		}
		_, err = s.HandleEvent(ctx, e.Reference, ev)
		if errors.Is(err, payment.ErrNotFound) || errors.Is(err, payment.ErrOtherProvider) || errors.Is(err, payment.ErrInvalidTransition) {
			// A retry would never succeed: not ours, or contradicting what
			// the provider already told. Reconciliation settles the latter.
			return nil
		}
		return err
	}
}
