package vippstest

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/secret"
)

// Default credentials the fake accepts when Config leaves them empty.
const (
	DefaultClientID        = "fake-client-id"
	DefaultClientSecret    = "fake-client-secret"
	DefaultSubscriptionKey = "fake-subscription-key"
	DefaultMSN             = "123456"
)

// Config configures the fake. The zero value works.
type Config struct {
	// The credentials the fake accepts; empty ones mean the Default* constants.
	ClientID        string
	ClientSecret    secret.Value
	SubscriptionKey secret.Value
	MSN             string
	// Authorize, when set, decides every API request in place of the fake's
	// own checks (client credentials at the token endpoint; access token,
	// subscription key and MSN elsewhere): 0 lets the request through, any
	// other status refuses it with that status. The landing page is not
	// an API request.
	Authorize func(r *http.Request) (status int)
	// ExpiresIn is the access tokens' lifetime; 0 means one hour, as in
	// Vipps' test environment.
	ExpiresIn time.Duration
	// PaymentTTL is how long a CREATED payment waits for the payer before
	// it expires; 0 means 10 minutes.
	PaymentTTL time.Duration
	// BaseURL is the fake's public URL, used in redirect URLs; "" means the
	// scheme and Host of each request.
	BaseURL string
	// Now reads the clock; nil means time.Now.
	Now func() time.Time
	// WebhookClient delivers webhooks; nil means a client with the 10 s
	// timeout Vipps uses.
	WebhookClient *http.Client
	// WebhookRetryDelays are the waits between delivery attempts; nil means
	// Vipps' first six: 2 s four times, then 60 s and 120 s. (Vipps then
	// goes on hourly for a week; the fake stops.)
	WebhookRetryDelays []time.Duration
	// Logger receives a line per request and delivery; nil discards.
	Logger *slog.Logger
}

// Server is the fake Vipps MobilePay: the Access token, ePayment v1 and
// Webhooks APIs, and the landing page. It is an http.Handler.
//
// Its embedded fake.Faults injects faults into its requests and counts them
// (Inject, Requests, Pending, Hold), matched by the Op* patterns.
type Server struct {
	fake.Faults
	cfg Config

	mu        sync.Mutex
	tokens    map[string]time.Time
	payments  map[string]*fakePayment
	byToken   map[string]string
	idem      map[string]*idemEntry
	hooks     []*hook
	noReplay  bool
	delivered []Delivery
	nextPSP   int

	wg     sync.WaitGroup
	closed chan struct{}
	// stop cancels deliveries in flight when the server closes.
	deliveries context.Context
	stop       context.CancelFunc
	once       sync.Once
	handler    http.Handler
}

type fakePayment struct {
	Reference, PSPReference, Currency                    string
	Amount                                               int64
	State                                                string
	Authorized, Captured, Refunded, Cancelled            int64
	Flow, ReturnURL, Description, Phone, Token, Redirect string
	Created, Expires                                     time.Time
	Events                                               []paymentEvent
}

type paymentEvent struct {
	Reference      string    `json:"reference"`
	PSPReference   string    `json:"pspReference"`
	Name           string    `json:"name"`
	PaymentAction  string    `json:"paymentAction"`
	Amount         amount    `json:"amount"`
	Timestamp      time.Time `json:"timestamp"`
	IdempotencyKey *string   `json:"idempotencyKey"`
	Success        bool      `json:"success"`
}

type amount struct {
	Currency string `json:"currency"`
	Value    int64  `json:"value"`
}

type hook struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	secret string
}

type idemEntry struct {
	fingerprint [32]byte
	status      int
	body        []byte
}

// Delivery is one webhook delivery attempt.
type Delivery struct {
	URL      string
	Event    string // the event type, e.g. epayments.payment.captured.v1
	Attempt  int
	Status   int   // 0 when no answer came
	Err      error // the transport error, if any
	Body     []byte
	Sent     time.Time
	Accepted bool
}

// New returns a fake with its credentials and clock from cfg.
func New(cfg Config) *Server {
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret.IsZero() {
		cfg.ClientSecret = secret.New(DefaultClientSecret)
	}
	if cfg.SubscriptionKey.IsZero() {
		cfg.SubscriptionKey = secret.New(DefaultSubscriptionKey)
	}
	if cfg.MSN == "" {
		cfg.MSN = DefaultMSN
	}
	if cfg.ExpiresIn <= 0 {
		cfg.ExpiresIn = time.Hour
	}
	if cfg.PaymentTTL <= 0 {
		cfg.PaymentTTL = 10 * time.Minute
	}
	if cfg.WebhookRetryDelays == nil {
		cfg.WebhookRetryDelays = []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, time.Minute, 2 * time.Minute}
	}
	if cfg.WebhookClient == nil {
		cfg.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		cfg: cfg, tokens: map[string]time.Time{}, payments: map[string]*fakePayment{}, byToken: map[string]string{},
		idem: map[string]*idemEntry{}, closed: make(chan struct{}),
	}
	s.deliveries, s.stop = context.WithCancel(context.Background())
	m := http.NewServeMux()
	m.HandleFunc(OpToken, s.token)
	m.HandleFunc(OpCreate, s.create)
	m.HandleFunc(OpGet, s.get)
	m.HandleFunc(OpEvents, s.events)
	m.HandleFunc(OpCapture, s.adjust("capture"))
	m.HandleFunc(OpRefund, s.adjust("refund"))
	m.HandleFunc(OpCancel, s.adjust("cancel"))
	m.HandleFunc(OpApprove, s.forceApprove)
	m.HandleFunc(OpRegisterWebhook, s.registerHook)
	m.HandleFunc(OpListWebhooks, s.listHooks)
	m.HandleFunc(OpDeleteWebhook, s.deleteHook)
	m.HandleFunc("GET /landing", s.landing)
	m.HandleFunc("POST /landing", s.landingAction)
	s.handler = s.Faults.Handler(m, func(w http.ResponseWriter, r *http.Request, status int) {
		writeProblem(w, status, "server-error", "Injected fault", "vippstest fault injection", nil)
	})
	return s
}

// ClientConfig returns a vipps.Config that talks to this fake at baseURL
// (an httptest.Server's URL, say).
func (s *Server) ClientConfig(baseURL string) vipps.Config {
	return vipps.Config{
		BaseURL: baseURL, ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
		SubscriptionKey: s.cfg.SubscriptionKey, MSN: s.cfg.MSN,
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.logger().Debug("vippstest: request", "method", r.Method, "path", r.URL.Path)
	s.handler.ServeHTTP(w, r)
}

// Close stops webhook retries, cancels deliveries in flight (a receiver that
// never answers does not hold it up) and waits for them.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed); s.stop() })
	s.wg.Wait()
}

// Wait blocks until every webhook delivery started so far has succeeded or
// given up.
func (s *Server) Wait() { s.wg.Wait() }

func (s *Server) now() time.Time { return defaults.Now(s.cfg.Now).UTC() }

func (s *Server) logger() *slog.Logger { return defaults.Logger(s.cfg.Logger) }
