package notify

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/internal/text"
	"github.com/grunnmur/grunnmur/secret"
)

// The SMS gateway shape: a small HTTP contract that a municipality's SMS
// vendor (Link Mobility, Sendega, ...) or an adapter in front of one
// implements, so that notify needs no code per vendor.
//
// Send: POST {BaseURL}/messages with Authorization: Bearer <token>,
// Idempotency-Key: <key> and the JSON body GatewayRequest. The answer is
// 201 (sent) or 200 (the key was seen before: nothing sent again) with the
// JSON body GatewayResponse. A 4xx answer (but 408 and 429) is a permanent
// failure, any other a temporary one.
//
// Delivery reports: the vendor POSTs a GatewayReport to the service's
// GatewayCallback handler with Authorization: Bearer <callback token>.

// GatewayRequest is the body of a send.
type GatewayRequest struct {
	IdempotencyKey string `json:"idempotencyKey"`
	To             string `json:"to"` // E.164
	Text           string `json:"text"`
	Sender         string `json:"sender,omitempty"`
}

// Format prints the request with the number masked.
func (g GatewayRequest) Format(f fmt.State, verb rune) {
	type plain GatewayRequest
	g.To = NewAddress(g.To).String()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(g))
}

// GatewayResponse is the answer to a send. Status is "accepted" (a
// delivery report follows) or "delivered".
type GatewayResponse struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// GatewayReport is a delivery report: the key of the message, the vendor's
// id, and one of "delivered", "failed-temporary", "failed-permanent".
type GatewayReport struct {
	IdempotencyKey string `json:"idempotencyKey"`
	ID             string `json:"id,omitempty"`
	Status         Status `json:"status"`
	Reason         string `json:"reason,omitempty"`
}

// GatewayConfig configures a Gateway.
type GatewayConfig struct {
	// BaseURL is the gateway's URL; /messages is added.
	BaseURL string
	// Token is the bearer token the gateway expects.
	Token secret.Value
	// Sender is the sender id shown on the phone ("Kommunen", at most 11
	// characters), if the gateway allows one.
	Sender     string
	HTTPClient *http.Client
}

// Gateway is an SMSProvider for the SMS gateway shape.
type Gateway struct {
	cfg  GatewayConfig
	url  string
	http *httpx.Client
}

var _ SMSProvider = (*Gateway)(nil)

// NewGateway checks cfg and returns the provider.
func NewGateway(cfg GatewayConfig) (*Gateway, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: the gateway's BaseURL is not an http(s) URL", ErrConfig)
	}
	if len(cfg.Sender) > 11 {
		return nil, fmt.Errorf("%w: a sender id has at most 11 characters", ErrConfig)
	}
	return &Gateway{cfg: cfg, url: strings.TrimSuffix(u.String(), "/") + "/messages",
		http: &httpx.Client{HTTPClient: cfg.HTTPClient}}, nil
}

// SendSMS implements SMSProvider.
func (g *Gateway) SendSMS(ctx context.Context, m *OutgoingSMS) (Receipt, error) {
	body, err := json.Marshal(GatewayRequest{IdempotencyKey: m.Key, To: m.To.Reveal(), Text: m.Text, Sender: g.cfg.Sender})
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpx.IdempotencyKeyHeader, m.Key)
	if tok := g.cfg.Token.Reveal(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: sms gateway: %w", ErrTemporary, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, problem.MaxBody))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return Receipt{}, maskErr(apiError("sms gateway", resp, b), m.To)
	}
	var got GatewayResponse
	if err := json.Unmarshal(b, &got); err != nil {
		return Receipt{}, fmt.Errorf("%w: sms gateway: the answer is not a GatewayResponse", ErrTemporary)
	}
	st := Sending
	if got.Status == "delivered" {
		st = Delivered
	}
	return Receipt{ProviderID: got.ID, Status: st}, nil
}

// ErrReport is a delivery report that does not parse.
var ErrReport = errors.New("notify: bad delivery report")

// ParseReport reads a GatewayReport strictly: known fields only, a key, and
// a status of delivered, failed-temporary or failed-permanent.
func ParseReport(b []byte) (GatewayReport, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var r GatewayReport
	if err := d.Decode(&r); err != nil {
		return GatewayReport{}, fmt.Errorf("%w: not a JSON report", ErrReport)
	}
	if d.More() {
		return GatewayReport{}, fmt.Errorf("%w: text after the report", ErrReport)
	}
	if r.IdempotencyKey == "" || len(r.IdempotencyKey) > MaxKey {
		return GatewayReport{}, fmt.Errorf("%w: no idempotencyKey", ErrReport)
	}
	if !text.Valid(r.IdempotencyKey) {
		return GatewayReport{}, fmt.Errorf("%w: the idempotencyKey is not text", ErrReport)
	}
	// The reason is the vendor's text: kept short and clean, with personal
	// numbers masked, as it is stored.
	r.Reason = redact.Numbers(text.Truncate(text.Clean(r.Reason), 200))
	switch r.Status {
	case Delivered, FailedTemporary, FailedPermanent:
	default:
		return GatewayReport{}, fmt.Errorf("%w: status is not delivered, failed-temporary or failed-permanent", ErrReport)
	}
	return r, nil
}

// GatewayCallback returns the handler for the gateway's delivery reports: it
// checks the bearer token in constant time, folds the report into s
// (Sender.Update) and answers 204; 401 for a wrong token, 400 for a report
// that does not parse, 404 for an unknown key, 409 for a move the state
// machine refuses. The gateway retries on 5xx.
func GatewayCallback(s *Sender, token secret.Value) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token.Reveal() == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token.Reveal())) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		rep, err := ParseReport(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		_, err = s.Update(ctx, Update{Key: rep.IdempotencyKey, Status: rep.Status, ProviderID: rep.ID, Reason: rep.Reason})
		switch {
		case errors.Is(err, ErrNotFound):
			http.Error(w, "unknown idempotencyKey", http.StatusNotFound)
		case errors.Is(err, ErrTransition):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, "could not record the report", http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}
