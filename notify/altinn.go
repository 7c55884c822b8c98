package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/internal/httpx"
	"github.com/grunnmur/grunnmur/internal/problem"
	"github.com/grunnmur/grunnmur/internal/redact"
	"github.com/grunnmur/grunnmur/secret"
)

// Altinn Notifications' environments: the API's base and Altinn's token
// exchange. An empty AltinnConfig.BaseURL means TT02, the test environment.
const (
	AltinnTestBaseURL       = "https://platform.tt02.altinn.no/notifications/api/v1"
	AltinnProductionBaseURL = "https://platform.altinn.no/notifications/api/v1"
	// AltinnScope is the Maskinporten scope for ordering notifications.
	AltinnScope = "altinn:serviceowner/notifications.create"
)

// Altinn's error codes.
const (
	AltinnNoContact     = "NOT-00001" // 422: no contact information for the recipient
	AltinnClientGone    = "NOT-00002" // 499: the client went away
	AltinnShipmentGone  = "NOT-00003" // 404: shipment not found
	altinnExchangePath  = "/authentication/api/v1/exchange/maskinporten"
	altinnTokenLifetime = 30 * time.Minute
)

// ErrShipmentNotFound is Altinn's NOT-00003.
var ErrShipmentNotFound = errors.New("notify: altinn: shipment not found")

// MaskinportenSource gives Maskinporten tokens with AltinnScope; a
// *maskinporten.TokenSource is one.
type MaskinportenSource interface {
	Token(ctx context.Context) (*maskinporten.Token, error)
}

// AltinnConfig configures an Altinn provider.
type AltinnConfig struct {
	// BaseURL is the notifications API, ".../notifications/api/v1"; ""
	// means AltinnTestBaseURL.
	BaseURL string
	// ExchangeURL is Altinn's token exchange; "" means the BaseURL's host
	// with /authentication/api/v1/exchange/maskinporten.
	ExchangeURL string
	// Maskinporten gives the tokens that are exchanged for Altinn tokens.
	Maskinporten MaskinportenSource
	// SMSSender is the sender id shown on the phone; EmailSender the
	// sender's address. Both may be empty (Altinn's defaults).
	SMSSender   string
	EmailSender string
	// SMSTimeToLive is an instant SMS's time to live; 0 means 24 hours.
	SMSTimeToLive time.Duration
	HTTPClient    *http.Client
	// Now reads the clock for the token's expiry; nil means time.Now.
	Now func() time.Time
}

// AltinnConfigFromEnv reads prefix+"BASE_URL"
// (GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL with the prefix
// "GRUNNMUR_ALTINN_NOTIFICATIONS_"). Unset, the error matches
// config.ErrUnset. The Maskinporten source is left for the caller.
func AltinnConfigFromEnv(prefix string, getenv func(string) string) (AltinnConfig, error) {
	base := getenv(prefix + "BASE_URL")
	if base == "" {
		return AltinnConfig{}, fmt.Errorf("%w: %sBASE_URL", config.ErrUnset, prefix)
	}
	return AltinnConfig{BaseURL: base}, nil
}

// Altinn is a provider for Altinn Notifications' future API: instant SMS and
// e-mail (EmailProvider, SMSProvider), orders with reminders and a condition
// endpoint, shipment status and the status feed. The idempotency key is the
// idempotencyId and the sendersReference, so a send repeated after a crash
// is answered 200 and sent once.
type Altinn struct {
	cfg      AltinnConfig
	base     string
	exchange string
	http     *httpx.Client

	mu      sync.Mutex
	token   secret.Value
	expires time.Time
}

var (
	_ EmailProvider = (*Altinn)(nil)
	_ SMSProvider   = (*Altinn)(nil)
)

// NewAltinn checks cfg and returns the provider.
func NewAltinn(cfg AltinnConfig) (*Altinn, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = AltinnTestBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("%w: Altinn's BaseURL is not an http(s) URL", ErrConfig)
	}
	if cfg.Maskinporten == nil {
		return nil, fmt.Errorf("%w: Altinn needs a Maskinporten token source (scope %s)", ErrConfig, AltinnScope)
	}
	exchange := cfg.ExchangeURL
	if exchange == "" {
		exchange = base.Scheme + "://" + base.Host + altinnExchangePath
	}
	if cfg.SMSTimeToLive == 0 {
		cfg.SMSTimeToLive = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Altinn{cfg: cfg, base: strings.TrimSuffix(base.String(), "/"), exchange: exchange,
		http: &httpx.Client{HTTPClient: cfg.HTTPClient, Now: cfg.Now}}, nil
}

// altinnToken returns a cached Altinn token, or exchanges a new
// Maskinporten token for one.
func (a *Altinn) altinnToken(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.cfg.Now()
	if tok := a.token.Reveal(); tok != "" && now.Before(a.expires) {
		return tok, nil
	}
	mp, err := a.cfg.Maskinporten.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("%w: altinn: maskinporten: %w", ErrTemporary, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.exchange, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrConfig, err)
	}
	req.Header.Set("Authorization", "Bearer "+mp.AccessToken.Reveal())
	resp, err := a.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: altinn: token exchange: %w", ErrTemporary, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, problem.MaxBody))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: altinn: token exchange: %s", ErrTemporary, resp.Status)
	}
	tok := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if tok == "" {
		return "", fmt.Errorf("%w: altinn: token exchange: an empty token", ErrTemporary)
	}
	a.token = secret.New(tok)
	a.expires = now.Add(altinnTokenLifetime)
	if exp, ok := jwtExpiry(tok); ok {
		a.expires = exp
	}
	a.expires = a.expires.Add(-time.Minute) // refresh before the server refuses it
	return tok, nil
}

// jwtExpiry reads a JWT's exp claim without checking the signature: the
// token is only carried, never trusted, by this side.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var c struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(b, &c) != nil {
		return time.Time{}, false
	}
	n, err := c.Exp.Int64()
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// Error is an error answer from a provider's HTTP API (Altinn, the SMS
// gateway): the status, the provider's error code (Altinn's NOT-00001, ...),
// the message, the request id and, for Altinn's 400, the fields at fault.
// Its text keeps no personal numbers.
type Error struct {
	Provider  string
	Status    int
	Code      string
	Message   string
	RequestID string
	Fields    map[string][]string
	temporary bool
	problem   error
}

func (e *Error) Error() string {
	s := "notify: " + e.Provider + ": " + e.problem.Error()
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	return s
}

// Temporary reports whether trying again may help: 429, 5xx, 408, 401 (an
// expired token) and Altinn's NOT-00002.
func (e *Error) Temporary() bool { return e.temporary }

// Unwrap gives ErrNoContact for NOT-00001, ErrShipmentNotFound for
// NOT-00003, and ErrTemporary or ErrPermanent.
func (e *Error) Unwrap() []error {
	errs := []error{ErrPermanent}
	if e.temporary {
		errs[0] = ErrTemporary
	}
	switch e.Code {
	case AltinnNoContact:
		errs = append(errs, ErrNoContact)
	case AltinnShipmentGone:
		errs = append(errs, ErrShipmentNotFound)
	}
	return append(errs, e.problem)
}

func (a *Altinn) do(ctx context.Context, method, path string, in, out any, key string) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", ErrPermanent, err)
		}
		body = bytes.NewReader(b)
	}
	for attempt := 0; ; attempt++ {
		tok, err := a.altinnToken(ctx)
		if err != nil {
			return 0, err
		}
		if in != nil {
			body.(*bytes.Reader).Seek(0, io.SeekStart)
		}
		req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", ErrPermanent, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			// The body's idempotencyId makes the POST safe to repeat.
			req.Header.Set(httpx.IdempotencyKeyHeader, key)
		}
		resp, err := a.http.Do(req)
		if err != nil {
			return 0, fmt.Errorf("%w: altinn: %w", ErrTemporary, err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			a.mu.Lock()
			a.token, a.expires = secret.Value{}, time.Time{}
			a.mu.Unlock()
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return resp.StatusCode, apiError("altinn", resp, b)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return resp.StatusCode, fmt.Errorf("%w: altinn: the answer to %s does not parse", ErrTemporary, path)
			}
		}
		return resp.StatusCode, nil
	}
}

func apiError(provider string, resp *http.Response, b []byte) *Error {
	p := problem.Parse(resp.StatusCode, resp.Header, b)
	// The title only: a detail may echo the address or number sent.
	e := &Error{Provider: provider, Status: resp.StatusCode, Message: redact.Numbers(p.Title), RequestID: p.RequestID, problem: p}
	var code string
	if p.Extension("errorCode", &code) {
		e.Code = code
	}
	var fields map[string][]string
	if p.Extension("errors", &fields) {
		e.Fields = fields
	}
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode == http.StatusUnauthorized, e.Code == AltinnClientGone:
		e.temporary = true
	}
	return e
}

// AltinnReceipt is the answer to an order.
type AltinnReceipt struct {
	NotificationOrderID string `json:"notificationOrderId"`
	Notification        struct {
		ShipmentID       string `json:"shipmentId"`
		SendersReference string `json:"sendersReference,omitempty"`
		Reminders        []struct {
			ShipmentID       string `json:"shipmentId"`
			SendersReference string `json:"sendersReference,omitempty"`
		} `json:"reminders,omitempty"`
	} `json:"notification"`
	// Replayed is true when Altinn answered 200: the idempotencyId was used
	// before and nothing new was ordered.
	Replayed bool `json:"-"`
}

// SendEmail implements EmailProvider with POST /future/orders/instant/email.
// The HTML part is sent when there is one (contentType Html), else the text.
func (a *Altinn) SendEmail(ctx context.Context, m *OutgoingEmail) (Receipt, error) {
	settings := map[string]any{"subject": m.Subject, "body": m.Text, "contentType": "Plain"}
	if m.HTML != "" {
		settings["body"], settings["contentType"] = m.HTML, "Html"
	}
	if a.cfg.EmailSender != "" {
		settings["senderEmailAddress"] = a.cfg.EmailSender
	}
	body := map[string]any{"idempotencyId": m.Key, "sendersReference": m.Key,
		"recipientEmail": map[string]any{"emailAddress": m.To.Reveal(), "emailSettings": settings}}
	return a.instant(ctx, "/future/orders/instant/email", body, m.Key, m.To)
}

// SendSMS implements SMSProvider with POST /future/orders/instant/sms.
func (a *Altinn) SendSMS(ctx context.Context, m *OutgoingSMS) (Receipt, error) {
	settings := map[string]any{"body": m.Text}
	if a.cfg.SMSSender != "" {
		settings["sender"] = a.cfg.SMSSender
	}
	body := map[string]any{"idempotencyId": m.Key, "sendersReference": m.Key,
		"recipientSms": map[string]any{"phoneNumber": m.To.Reveal(), "timeToLiveInSeconds": int(a.cfg.SMSTimeToLive / time.Second), "smsSettings": settings}}
	return a.instant(ctx, "/future/orders/instant/sms", body, m.Key, m.To)
}

func (a *Altinn) instant(ctx context.Context, path string, body any, key string, to Address) (Receipt, error) {
	var r AltinnReceipt
	if _, err := a.do(ctx, http.MethodPost, path, body, &r, key); err != nil {
		return Receipt{}, maskErr(err, to)
	}
	return Receipt{ProviderID: r.Notification.ShipmentID, Status: Sending}, nil
}

// maskErr keeps an address out of an error's text, keeping what it matches.
func maskErr(err error, a Address) error {
	if a.IsZero() || !strings.Contains(err.Error(), a.Reveal()) {
		return err
	}
	return &maskedError{err: err, text: strings.ReplaceAll(err.Error(), a.Reveal(), a.String())}
}

type maskedError struct {
	err  error
	text string
}

func (e *maskedError) Error() string { return e.text }
func (e *maskedError) Unwrap() error { return e.err }

// AltinnOrder is a NotificationOrderChainRequestExt, POST /future/orders:
// one notification with optional reminders. Recipient must hold exactly one
// recipient.
type AltinnOrder struct {
	IdempotencyID     string           `json:"idempotencyId"`
	SendersReference  string           `json:"sendersReference,omitempty"`
	RequestedSendTime *time.Time       `json:"requestedSendTime,omitempty"`
	ConditionEndpoint string           `json:"conditionEndpoint,omitempty"`
	Recipient         AltinnRecipient  `json:"recipient"`
	Reminders         []AltinnReminder `json:"reminders,omitempty"`
}

// AltinnReminder is one reminder of an order: after DelayDays, or at
// RequestedSendTime, and only if ConditionEndpoint still answers
// {"sendNotification": true}.
type AltinnReminder struct {
	SendersReference  string          `json:"sendersReference,omitempty"`
	ConditionEndpoint string          `json:"conditionEndpoint,omitempty"`
	DelayDays         int             `json:"delayDays,omitempty"`
	RequestedSendTime *time.Time      `json:"requestedSendTime,omitempty"`
	Recipient         AltinnRecipient `json:"recipient"`
}

// AltinnRecipient holds one of the recipient kinds.
type AltinnRecipient struct {
	Email  *AltinnEmailRecipient  `json:"recipientEmail,omitempty"`
	SMS    *AltinnSMSRecipient    `json:"recipientSms,omitempty"`
	Person *AltinnPersonRecipient `json:"recipientPerson,omitempty"`
}

// AltinnEmailSettings is an e-mail's content.
type AltinnEmailSettings struct {
	SenderEmailAddress string `json:"senderEmailAddress,omitempty"`
	Subject            string `json:"subject"`
	Body               string `json:"body"`
	ContentType        string `json:"contentType,omitempty"`       // Plain or Html
	SendingTimePolicy  string `json:"sendingTimePolicy,omitempty"` // Anytime or Daytime
}

// AltinnSMSSettings is an SMS's content.
type AltinnSMSSettings struct {
	Sender            string `json:"sender,omitempty"`
	Body              string `json:"body"`
	SendingTimePolicy string `json:"sendingTimePolicy,omitempty"`
}

// AltinnEmailRecipient is an e-mail address.
type AltinnEmailRecipient struct {
	EmailAddress  string              `json:"emailAddress"`
	EmailSettings AltinnEmailSettings `json:"emailSettings"`
}

// AltinnSMSRecipient is a phone number (+47...).
type AltinnSMSRecipient struct {
	PhoneNumber string            `json:"phoneNumber"`
	SMSSettings AltinnSMSSettings `json:"smsSettings"`
}

// Format prints the recipient with the address masked.
func (r AltinnEmailRecipient) Format(f fmt.State, verb rune) {
	type plain AltinnEmailRecipient
	r.EmailAddress = NewAddress(r.EmailAddress).String()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(r))
}

// Format prints the recipient with the number masked.
func (r AltinnSMSRecipient) Format(f fmt.State, verb rune) {
	type plain AltinnSMSRecipient
	r.PhoneNumber = NewAddress(r.PhoneNumber).String()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(r))
}

// AltinnPersonRecipient is a person Altinn looks up in KRR.
type AltinnPersonRecipient struct {
	NationalIdentityNumber     string               `json:"nationalIdentityNumber"`
	ChannelSchema              string               `json:"channelSchema"` // Email, Sms, EmailPreferred, SmsPreferred, EmailAndSms
	IgnoreReservation          bool                 `json:"ignoreReservation,omitempty"`
	UseStaleContactInformation bool                 `json:"useStaleContactInformation,omitempty"`
	ResourceID                 string               `json:"resourceId,omitempty"`
	EmailSettings              *AltinnEmailSettings `json:"emailSettings,omitempty"`
	SMSSettings                *AltinnSMSSettings   `json:"smsSettings,omitempty"`
}

// Format prints the recipient with the national identity number masked.
func (p AltinnPersonRecipient) Format(f fmt.State, verb rune) {
	type plain AltinnPersonRecipient
	if n := len(p.NationalIdentityNumber); n > 6 {
		p.NationalIdentityNumber = p.NationalIdentityNumber[:6] + strings.Repeat("*", n-6)
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(p))
}

// Order places an order with POST /future/orders. A replayed idempotencyId
// comes back with Replayed set; NOT-00001 matches ErrNoContact.
func (a *Altinn) Order(ctx context.Context, o *AltinnOrder) (*AltinnReceipt, error) {
	if o.IdempotencyID == "" {
		return nil, fmt.Errorf("%w: an Altinn order needs an idempotencyId", ErrInvalid)
	}
	var r AltinnReceipt
	status, err := a.do(ctx, http.MethodPost, "/future/orders", o, &r, o.IdempotencyID)
	if err != nil {
		return nil, err
	}
	r.Replayed = status == http.StatusOK
	return &r, nil
}

// AltinnShipment is a shipment's status (GET /future/shipment/{id}) or an
// entry of the status feed (which adds SequenceNumber).
type AltinnShipment struct {
	SequenceNumber   int64             `json:"sequenceNumber,omitempty"`
	ShipmentID       string            `json:"shipmentId"`
	SendersReference string            `json:"sendersReference,omitempty"`
	Type             string            `json:"type,omitempty"`
	ShipmentType     string            `json:"shipmentType,omitempty"`
	Status           string            `json:"status"`
	LastUpdate       time.Time         `json:"lastUpdate"`
	Recipients       []AltinnDelivered `json:"recipients,omitempty"`
}

// AltinnDelivered is one recipient's status in a shipment. Destination is
// an address: personal data.
type AltinnDelivered struct {
	Destination string    `json:"destination,omitempty"`
	Status      string    `json:"status"`
	LastUpdate  time.Time `json:"lastUpdate"`
}

// Format prints the status with the destination masked.
func (d AltinnDelivered) Format(f fmt.State, verb rune) {
	type plain AltinnDelivered
	d.Destination = NewAddress(d.Destination).String()
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(d))
}

// Shipment reads a shipment's status; NOT-00003 matches ErrShipmentNotFound.
func (a *Altinn) Shipment(ctx context.Context, id string) (*AltinnShipment, error) {
	var s AltinnShipment
	if _, err := a.do(ctx, http.MethodGet, "/future/shipment/"+url.PathEscape(id), nil, &s, ""); err != nil {
		return nil, err
	}
	return &s, nil
}

// Feed reads up to pageSize entries of the status feed after sequence
// number seq, oldest first.
func (a *Altinn) Feed(ctx context.Context, seq int64, pageSize int) ([]AltinnShipment, error) {
	q := url.Values{"seq": {strconv.FormatInt(seq, 10)}, "orderBy": {"Asc"}}
	if pageSize > 0 {
		q.Set("pageSize", strconv.Itoa(pageSize))
	}
	var out []AltinnShipment
	if _, err := a.do(ctx, http.MethodGet, "/future/shipment/feed?"+q.Encode(), nil, &out, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseFeed reads a status feed page as Altinn sends it: a JSON array of
// entries, each with a sequence number and a status.
func ParseFeed(b []byte) ([]AltinnShipment, error) {
	var out []AltinnShipment
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%w: the status feed is not an array of entries", ErrTemporary)
	}
	for _, e := range out {
		if e.SequenceNumber <= 0 || e.Status == "" {
			return nil, fmt.Errorf("%w: a status feed entry without sequence number or status", ErrTemporary)
		}
	}
	return out, nil
}

// AltinnStatus maps an Altinn status (ProcessingLifecycle) to a Status:
// delivered, a failure, or sending for all on the way. ok is false for the
// order-level statuses that say nothing of delivery. Every failure Altinn
// reports is final for this side, Email_Failed_TransientError included:
// Altinn has done its own retries, and the same idempotencyId would only be
// answered 200 again.
func AltinnStatus(s string) (st Status, ok bool) {
	switch {
	case s == "SMS_Delivered" || s == "Email_Delivered":
		return Delivered, true
	case strings.HasPrefix(s, "SMS_Failed") || strings.HasPrefix(s, "Email_Failed"):
		return FailedPermanent, true
	case strings.HasPrefix(s, "SMS_") || strings.HasPrefix(s, "Email_"):
		return Sending, true
	}
	return "", false
}

// FoldFeed reads the status feed from after seq and folds each entry whose
// sendersReference is one of s's keys into s (Sender.Update). It returns the
// last sequence number read, to start from next time. Entries for orders s
// did not place, and reports the state machine refuses, are skipped.
func (a *Altinn) FoldFeed(ctx context.Context, s *Sender, seq int64) (int64, error) {
	for {
		page, err := a.Feed(ctx, seq, 100)
		if err != nil {
			return seq, err
		}
		if len(page) == 0 {
			return seq, nil
		}
		for _, e := range page {
			if e.SequenceNumber > seq {
				seq = e.SequenceNumber
			}
			st, ok := AltinnStatus(e.Status)
			reason := e.Status
			for _, r := range e.Recipients {
				if rs, rok := AltinnStatus(r.Status); rok {
					st, ok, reason = rs, true, r.Status
				}
			}
			if !ok || e.SendersReference == "" {
				continue
			}
			if st != FailedPermanent {
				reason = ""
			}
			_, err := s.Update(ctx, Update{Key: e.SendersReference, Status: st, ProviderID: e.ShipmentID, Reason: reason})
			if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrTransition) {
				return seq, err
			}
		}
	}
}
