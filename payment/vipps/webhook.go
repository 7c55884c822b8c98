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
	"slices"
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
	// The same in the canonical form http.Header keeps them in.
	canonicalDate    = "X-Ms-Date"
	canonicalContent = "X-Ms-Content-Sha256"
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

// appendStringToSign appends what Vipps signs to b:
// "POST\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash.
func appendStringToSign(b []byte, method, pathAndQuery, date, host, contentHash string) []byte {
	b = slices.Grow(b, len(method)+len(pathAndQuery)+len(date)+len(host)+len(contentHash)+4)
	b = append(append(b, method...), '\n')
	b = append(append(b, pathAndQuery...), '\n')
	b = append(append(b, date...), ';')
	b = append(append(b, host...), ';')
	return append(b, contentHash...)
}

// bodyHash is base64(SHA-256(body)), the x-ms-content-sha256 header.
func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func mac(key string, msg []byte) []byte {
	h := hmac.New(sha256.New, []byte(key))
	h.Write(msg)
	return h.Sum(nil)
}

// SignWebhook returns the headers Vipps would send with body to a webhook
// at pathAndQuery on host, signed with key at date. For tests.
func SignWebhook(key secret.Value, method, pathAndQuery, host string, date time.Time, body []byte) http.Header {
	d := date.UTC().Format(http.TimeFormat)
	ch := bodyHash(body)
	sig := base64.StdEncoding.EncodeToString(mac(key.Reveal(), appendStringToSign(nil, method, pathAndQuery, d, host, ch)))
	h := http.Header{}
	h.Set(headerDate, d)
	h.Set(headerContent, ch)
	h.Set("Authorization", authPrefix+sig)
	return h
}

// strictBase64 is padded standard base64 that refuses non-zero trailing bits.
var strictBase64 = base64.StdEncoding.Strict()

// decodeSHA256 decodes exactly what Vipps sends for a SHA-256 value:
// standard, padded base64 of 32 bytes, 44 characters. Anything else is
// refused before a byte is written, so a long value cannot overrun. It
// decodes on the stack: no allocation.
func decodeSHA256(s string) ([sha256.Size]byte, bool) {
	var (
		out [sha256.Size]byte
		src [44]byte              // base64.StdEncoding.EncodedLen(sha256.Size)
		dst [sha256.Size + 1]byte // base64.StdEncoding.DecodedLen(len(src))
	)
	if len(s) != len(src) {
		return out, false
	}
	copy(src[:], s)
	n, err := strictBase64.Decode(dst[:], src[:])
	if err != nil || n != sha256.Size {
		return out, false
	}
	copy(out[:], dst[:n])
	return out, true
}

// hmacSHA256 returns HMAC-SHA256 (RFC 2104) with key of the message in
// buf[sha256.BlockSize:]; buf[:sha256.BlockSize] is overwritten with the
// inner pad, so that the inner hash runs over buf in one piece. It gives what
// crypto/hmac gives (TestHMACSHA256, FuzzHMACSHA256), without allocating:
// Verify runs it for every secret on every webhook.
func hmacSHA256(key string, buf []byte) [sha256.Size]byte {
	var k [sha256.BlockSize]byte
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256([]byte(key))
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	for i, b := range k {
		buf[i] = b ^ 0x36
	}
	inner := sha256.Sum256(buf)
	var outer [sha256.BlockSize + sha256.Size]byte
	for i, b := range k {
		outer[i] = b ^ 0x5c
	}
	copy(outer[sha256.BlockSize:], inner[:])
	clear(k[:])
	clear(buf[:sha256.BlockSize])
	return sha256.Sum256(outer[:])
}

// get is header.Get for a key already in canonical form, without
// canonicalising it again on every request.
func get(header http.Header, canonicalKey string) string {
	if v := header[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Verify checks a webhook's signature over its raw body. pathAndQuery and
// host are those of the URL registered with Vipps.
func (v *WebhookVerifier) Verify(method, pathAndQuery, host string, header http.Header, body []byte) error {
	auth := get(header, "Authorization")
	date := get(header, canonicalDate)
	contentHash := get(header, canonicalContent)
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
	// The string to sign goes after a block of room for hmacSHA256's inner
	// pad, on the stack unless it is unusually long.
	var stack [512]byte
	buf := appendStringToSign(stack[:sha256.BlockSize], method, pathAndQuery, date, host, contentHash)
	matched := false
	for _, s := range v.Secrets {
		if s.IsZero() {
			continue
		}
		// Check every secret, so the time taken does not tell which matched.
		if mac := hmacSHA256(s.Reveal(), buf); hmac.Equal(mac[:], sig[:]) {
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
