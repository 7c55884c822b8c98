package vippstest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/internal/defaults"
	"github.com/grunnmur/grunnmur/internal/fakefault"
	"github.com/grunnmur/grunnmur/payment/vipps"
)

// Default credentials the fake accepts when Options leaves them empty.
const (
	DefaultClientID        = "fake-client-id"
	DefaultClientSecret    = "fake-client-secret"
	DefaultSubscriptionKey = "fake-subscription-key"
	DefaultMSN             = "123456"
)

// Options configures the fake. The zero value works.
type Options struct {
	ClientID, ClientSecret, SubscriptionKey, MSN string
	// TokenTTL is the access tokens' lifetime; 0 means one hour, as in
	// Vipps' test environment.
	TokenTTL time.Duration
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
type Server struct {
	opts Options

	mu        sync.Mutex
	tokens    map[string]time.Time
	payments  map[string]*fakePayment
	byToken   map[string]string
	idem      map[string]*idemEntry
	hooks     []*hook
	faults    []*Fault
	counts    map[string]int
	noReplay  bool
	delivered []Delivery
	nextPSP   int

	wg     sync.WaitGroup
	closed chan struct{}
	// stop cancels deliveries in flight when the server closes.
	deliveries context.Context
	stop       context.CancelFunc
	once       sync.Once
	mux        *http.ServeMux
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

// New returns a fake with its credentials and clock from o.
func New(o Options) *Server {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.SubscriptionKey == "" {
		o.SubscriptionKey = DefaultSubscriptionKey
	}
	if o.MSN == "" {
		o.MSN = DefaultMSN
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = time.Hour
	}
	if o.PaymentTTL <= 0 {
		o.PaymentTTL = 10 * time.Minute
	}
	if o.WebhookRetryDelays == nil {
		o.WebhookRetryDelays = []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second, time.Minute, 2 * time.Minute}
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts: o, tokens: map[string]time.Time{}, payments: map[string]*fakePayment{}, byToken: map[string]string{},
		idem: map[string]*idemEntry{}, counts: map[string]int{}, closed: make(chan struct{}),
	}
	s.deliveries, s.stop = context.WithCancel(context.Background())
	m := http.NewServeMux()
	m.HandleFunc("POST /accesstoken/get", s.api("token", s.token))
	m.HandleFunc("POST /epayment/v1/payments", s.api("create", s.create))
	m.HandleFunc("GET /epayment/v1/payments/{reference}", s.api("get", s.get))
	m.HandleFunc("GET /epayment/v1/payments/{reference}/events", s.api("events", s.events))
	m.HandleFunc("POST /epayment/v1/payments/{reference}/capture", s.api("capture", s.adjust("capture")))
	m.HandleFunc("POST /epayment/v1/payments/{reference}/refund", s.api("refund", s.adjust("refund")))
	m.HandleFunc("POST /epayment/v1/payments/{reference}/cancel", s.api("cancel", s.adjust("cancel")))
	m.HandleFunc("POST /epayment/v1/test/payments/{reference}/approve", s.api("approve", s.forceApprove))
	m.HandleFunc("POST /webhooks/v1/webhooks", s.api("webhooks.register", s.registerHook))
	m.HandleFunc("GET /webhooks/v1/webhooks", s.api("webhooks.list", s.listHooks))
	m.HandleFunc("DELETE /webhooks/v1/webhooks/{id}", s.api("webhooks.delete", s.deleteHook))
	m.HandleFunc("GET /landing", s.landing)
	m.HandleFunc("POST /landing", s.landingAction)
	s.mux = m
	return s
}

// ClientConfig returns a vipps.Config that talks to this fake at baseURL
// (an httptest.Server's URL, say).
func (s *Server) ClientConfig(baseURL string) vipps.Config {
	return vipps.Config{
		BaseURL: baseURL, ClientID: s.opts.ClientID, ClientSecret: vipps.NewSecret(s.opts.ClientSecret),
		SubscriptionKey: vipps.NewSecret(s.opts.SubscriptionKey), MSN: s.opts.MSN,
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops webhook retries, cancels deliveries in flight (a receiver that
// never answers does not hold it up) and waits for them.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed); s.stop() })
	s.wg.Wait()
}

// Wait blocks until every webhook delivery started so far has succeeded or
// given up.
func (s *Server) Wait() { s.wg.Wait() }

func (s *Server) now() time.Time { return defaults.Now(s.opts.Now).UTC() }

func (s *Server) logger() *slog.Logger { return defaults.Logger(s.opts.Logger) }

// ----- fault injection, counters, idempotency switch -----

// Fault is a misbehaviour for the next Times calls of an operation.
type Fault struct {
	// Op is the operation: token, create, get, events, capture, refund,
	// cancel, approve, webhooks.register, webhooks.list, webhooks.delete;
	// "" means any.
	Op string
	// Times is how many calls misbehave; 0 means 1.
	Times int
	// Latency delays the answer: before the request is carried out, or
	// after it with AfterProcessing. Either way the request is carried out
	// even if the client has given up: a timeout does not undo a capture.
	Latency time.Duration
	// Status answers with this status and a problem body instead.
	Status int
	// Drop closes the connection without an answer.
	Drop bool
	// AfterProcessing carries the request out first and then answers with
	// Status or Drop: the operation happened, but its answer is lost.
	AfterProcessing bool
}

// InjectFault adds a fault. Faults apply in the order added.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op == "" || f.Op == op {
			c := *f
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return &c
		}
	}
	return nil
}

// Requests returns how many requests of an operation the fake has received,
// faults and replays included.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// SetIdempotencyReplay turns the Idempotency-Key replay on (the default) or
// off. Off, every request is carried out as if its key were new: tests use
// it to prove that the client, not the fake, prevents doubles.
func (s *Server) SetIdempotencyReplay(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noReplay = !on
}

// Deliveries returns every webhook delivery attempt so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.delivered...)
}

// ----- the request pipeline -----

// recorder buffers a response, so that a fault can replace it after the
// request was carried out.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (s *Server) api(op string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[op]++
		s.mu.Unlock()
		s.logger().Debug("vippstest: request", "op", op, "path", r.URL.Path)
		f := s.takeFault(op)
		wait := func() {
			if f != nil && f.Latency > 0 {
				select {
				case <-time.After(f.Latency):
				case <-s.closed:
				}
			}
		}
		if f != nil && !f.AfterProcessing {
			wait()
			if f.Drop || f.Status != 0 {
				s.fail(w, f)
				return
			}
		}
		rec := &recorder{header: http.Header{}}
		h(rec, r)
		if f != nil && f.AfterProcessing {
			wait() // carried out; the answer comes late, or never
		}
		if f != nil && f.AfterProcessing && (f.Drop || f.Status != 0) {
			s.fail(w, f)
			return
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
	}
}

func (s *Server) fail(w http.ResponseWriter, f *Fault) {
	if f.Drop {
		fakefault.Drop(w)
	}
	writeProblem(w, f.Status, "server-error", "Injected fault", "vippstest fault injection", nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type extra struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func writeProblem(w http.ResponseWriter, status int, typ, title, detail string, extras []extra) {
	body := map[string]any{
		"type": vipps.ProblemTypeBase + typ, "title": title, "status": status, "traceId": randomHex(16),
	}
	if detail != "" {
		body["detail"] = detail
	}
	if len(extras) > 0 {
		body["extraDetails"] = extras
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func invalid(w http.ResponseWriter, name, reason string) {
	writeProblem(w, http.StatusBadRequest, vipps.TypeValidation, "Bad Request", "One or more validation errors occurred.", []extra{{name, reason}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// authorize checks the bearer token, the subscription key and (where the
// API requires it) the MSN. It writes the error and returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, needMSN bool) bool {
	if r.Header.Get("Ocp-Apim-Subscription-Key") != s.opts.SubscriptionKey {
		writeProblem(w, http.StatusUnauthorized, vipps.TypeUnauthorized, "Unauthorized", "Missing or invalid Ocp-Apim-Subscription-Key", nil)
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[tok]
	if !ok || !known || !s.now().Before(exp) {
		writeProblem(w, http.StatusUnauthorized, vipps.TypeUnauthorized, "Unauthorized", "Missing, invalid or expired access token", nil)
		return false
	}
	msn := r.Header.Get("Merchant-Serial-Number")
	if (needMSN || msn != "") && msn != s.opts.MSN {
		writeProblem(w, http.StatusForbidden, vipps.TypeUnauthorized, "Forbidden", "Unknown Merchant-Serial-Number", nil)
		return false
	}
	return true
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("client_id") != s.opts.ClientID || r.Header.Get("client_secret") != s.opts.ClientSecret ||
		r.Header.Get("Ocp-Apim-Subscription-Key") != s.opts.SubscriptionKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Invalid client credentials or subscription key"})
		return
	}
	now := s.now()
	tok := "fake." + randomHex(24)
	exp := now.Add(s.opts.TokenTTL)
	s.tokens[tok] = exp
	ttl := strconv.Itoa(int(s.opts.TokenTTL / time.Second))
	writeJSON(w, http.StatusOK, map[string]string{
		"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl,
		"expires_on": strconv.FormatInt(exp.Unix(), 10), "not_before": strconv.FormatInt(now.Unix(), 10),
		"resource": "00000002-0000-0000-c000-000000000000", "access_token": tok,
	})
}

// idempotent runs h under the request's Idempotency-Key: the same key with
// the same request replays the first answer, with another request it is a
// conflict. Called with s.mu held.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, h func(w http.ResponseWriter)) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > 50 {
		invalid(w, "Idempotency-Key", "The Idempotency-Key header is required, at most 50 characters")
		return
	}
	fp := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	scope := r.URL.Path + "\x00" + key
	if e, ok := s.idem[scope]; ok && !s.noReplay {
		if e.fingerprint != fp {
			writeProblem(w, http.StatusConflict, vipps.TypeIdempotencyConflict, "Conflict", "The Idempotency-Key was used with another request", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(e.status)
		w.Write(e.body)
		return
	}
	rec := &recorder{header: http.Header{}}
	h(rec)
	if rec.status < 500 {
		s.idem[scope] = &idemEntry{fingerprint: fp, status: rec.status, body: rec.body.Bytes()}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

var (
	referenceRE = regexp.MustCompile(`^[a-zA-Z0-9-]{8,50}$`)
	phoneRE     = regexp.MustCompile(`^\d{10,15}$`)
)

type createRequest struct {
	Amount   *amount `json:"amount"`
	Customer *struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"customer"`
	PaymentMethod *struct {
		Type string `json:"type"`
	} `json:"paymentMethod"`
	Reference          string `json:"reference"`
	ReturnURL          string `json:"returnUrl"`
	UserFlow           string `json:"userFlow"`
	PaymentDescription string `json:"paymentDescription"`
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		invalid(w, "body", "The body is too large or unreadable")
		return nil, false
	}
	return body, true
}

func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// returnURLAllowed follows the spec (https:// or a custom scheme), and also
// lets http:// through for loopback hosts, so that local development works.
func returnURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		return h == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, true) {
		return
	}
	s.idempotent(w, r, body, func(w http.ResponseWriter) {
		var req createRequest
		if err := json.Unmarshal(body, &req); err != nil {
			invalid(w, "body", "The body is not a valid CreatePaymentRequest: "+err.Error())
			return
		}
		switch {
		case req.Amount == nil:
			invalid(w, "amount", "The amount is required")
		case req.Amount.Currency != "NOK":
			invalid(w, "amount.currency", "Only NOK is supported")
		case req.Amount.Value < 1 || req.Amount.Value > int64(vipps.MaxAmount):
			invalid(w, "amount.value", fmt.Sprintf("Must be between 1 and %d", int64(vipps.MaxAmount)))
		case req.PaymentMethod == nil || (req.PaymentMethod.Type != "WALLET" && req.PaymentMethod.Type != "CARD"):
			invalid(w, "paymentMethod.type", "Must be WALLET or CARD")
		case !referenceRE.MatchString(req.Reference):
			invalid(w, "reference", "Must match ^[a-zA-Z0-9-]{8,50}$")
		case req.PaymentDescription != "" && (utf8.RuneCountInString(req.PaymentDescription) < 3 || utf8.RuneCountInString(req.PaymentDescription) > 100):
			invalid(w, "paymentDescription", "Must be 3 to 100 characters")
		default:
			switch req.UserFlow {
			case "WEB_REDIRECT", "NATIVE_REDIRECT", "QR":
				if req.UserFlow != "QR" && !returnURLAllowed(req.ReturnURL) {
					invalid(w, "returnUrl", "Must use the https:// scheme or a custom URL scheme")
					return
				}
			case "PUSH_MESSAGE":
				if req.Customer == nil || !phoneRE.MatchString(req.Customer.PhoneNumber) {
					invalid(w, "customer.phoneNumber", "PUSH_MESSAGE requires a valid customer phone number")
					return
				}
			default:
				invalid(w, "userFlow", "Must be PUSH_MESSAGE, NATIVE_REDIRECT, WEB_REDIRECT or QR")
				return
			}
			if _, dup := s.payments[req.Reference]; dup {
				writeProblem(w, http.StatusConflict, vipps.TypeReferenceConflict, "Conflict", "A payment with this reference already exists", nil)
				return
			}
			now := s.now()
			p := &fakePayment{
				Reference: req.Reference, PSPReference: s.psp(), Currency: "NOK", Amount: req.Amount.Value,
				State: "CREATED", Flow: req.UserFlow, ReturnURL: req.ReturnURL, Description: req.PaymentDescription,
				Token: randomHex(20), Created: now, Expires: now.Add(s.opts.PaymentTTL),
			}
			if req.Customer != nil {
				p.Phone = req.Customer.PhoneNumber
			}
			s.payments[p.Reference] = p
			s.byToken[p.Token] = p.Reference
			resp := map[string]string{"reference": p.Reference}
			if req.UserFlow != "PUSH_MESSAGE" {
				p.Redirect = s.baseURL(r) + "/landing?token=" + p.Token
				resp["redirectUrl"] = p.Redirect
			}
			s.emit(p, "CREATED", p.Amount, p.PSPReference, r.Header.Get("Idempotency-Key"), true)
			writeJSON(w, http.StatusCreated, resp)
		}
	})
}

func (s *Server) psp() string {
	s.nextPSP++
	return strconv.Itoa(1000000000 + s.nextPSP)
}

// lookup finds a payment and applies lazy expiry. Called with s.mu held.
func (s *Server) lookup(w http.ResponseWriter, ref string) *fakePayment {
	p, ok := s.payments[ref]
	if !ok {
		writeProblem(w, http.StatusNotFound, vipps.TypePaymentNotFound, "Not Found", "No payment with this reference", nil)
		return nil
	}
	s.expireIfDue(p)
	return p
}

func (s *Server) expireIfDue(p *fakePayment) {
	if p.State == "CREATED" && !s.now().Before(p.Expires) {
		p.State = "EXPIRED"
		s.emit(p, "EXPIRED", p.Amount, s.psp(), "", true)
	}
}

func (p *fakePayment) aggregate() map[string]amount {
	return map[string]amount{
		"authorizedAmount": {p.Currency, p.Authorized}, "cancelledAmount": {p.Currency, p.Cancelled},
		"capturedAmount": {p.Currency, p.Captured}, "refundedAmount": {p.Currency, p.Refunded},
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, true) {
		return
	}
	p := s.lookup(w, r.PathValue("reference"))
	if p == nil {
		return
	}
	resp := map[string]any{
		"aggregate": p.aggregate(), "amount": amount{p.Currency, p.Amount}, "state": p.State,
		"paymentMethod": map[string]string{"type": "WALLET"}, "profile": map[string]string{},
		"pspReference": p.PSPReference, "reference": p.Reference,
	}
	if p.Redirect != "" {
		resp["redirectUrl"] = p.Redirect
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, true) {
		return
	}
	p := s.lookup(w, r.PathValue("reference"))
	if p == nil {
		return
	}
	writeJSON(w, http.StatusOK, append([]paymentEvent{}, p.Events...))
}

func (s *Server) adjust(op string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.authorize(w, r, true) {
			return
		}
		s.idempotent(w, r, body, func(w http.ResponseWriter) {
			p := s.lookup(w, r.PathValue("reference"))
			if p == nil {
				return
			}
			key := r.Header.Get("Idempotency-Key")
			var mod struct {
				ModificationAmount *amount `json:"modificationAmount"`
			}
			if op != "cancel" {
				if err := json.Unmarshal(body, &mod); err != nil || mod.ModificationAmount == nil {
					invalid(w, "modificationAmount", "The modificationAmount is required")
					return
				}
				if mod.ModificationAmount.Currency != p.Currency {
					invalid(w, "modificationAmount.currency", "Must be the payment's currency")
					return
				}
				if mod.ModificationAmount.Value < 1 {
					invalid(w, "modificationAmount.value", "Must be positive")
					return
				}
			}
			var modAmount int64
			switch op {
			case "capture":
				if p.State != "AUTHORIZED" {
					s.stateConflict(w, p, key, "CAPTURED", mod.ModificationAmount.Value)
					return
				}
				if v := mod.ModificationAmount.Value; v > p.Authorized-p.Captured-p.Cancelled {
					writeProblem(w, http.StatusBadRequest, vipps.TypeAmountTooHigh, "Bad Request", "The capture exceeds the capturable amount", nil)
					return
				}
				modAmount = mod.ModificationAmount.Value
				p.Captured += modAmount
				s.emit(p, "CAPTURED", modAmount, s.psp(), key, true)
			case "refund":
				if p.State != "AUTHORIZED" {
					s.stateConflict(w, p, key, "REFUNDED", mod.ModificationAmount.Value)
					return
				}
				if v := mod.ModificationAmount.Value; v > p.Captured-p.Refunded {
					writeProblem(w, http.StatusBadRequest, vipps.TypeAmountTooHigh, "Bad Request", "The refund exceeds the captured amount", nil)
					return
				}
				modAmount = mod.ModificationAmount.Value
				p.Refunded += modAmount
				s.emit(p, "REFUNDED", modAmount, s.psp(), key, true)
			case "cancel":
				switch {
				case p.State == "CREATED":
					p.State = "TERMINATED"
					s.emit(p, "TERMINATED", p.Amount, s.psp(), key, true)
				case p.State == "AUTHORIZED" && p.Captured == 0 && p.Cancelled == 0:
					modAmount = p.Authorized
					p.Cancelled = p.Authorized
					p.State = "TERMINATED"
					s.emit(p, "CANCELLED", modAmount, s.psp(), key, true)
				case p.State == "AUTHORIZED" && p.Authorized-p.Captured-p.Cancelled > 0:
					modAmount = p.Authorized - p.Captured - p.Cancelled
					p.Cancelled += modAmount
					s.emit(p, "CANCELLED", modAmount, s.psp(), key, true)
				default:
					s.stateConflict(w, p, key, "CANCELLED", 0)
					return
				}
			}
			writeJSON(w, http.StatusOK, map[string]any{
				"amount": amount{p.Currency, modAmount}, "state": p.State, "aggregate": p.aggregate(),
				"pspReference": p.PSPReference, "reference": p.Reference,
			})
		})
	}
}

// stateConflict answers a modification the payment's state does not allow,
// and logs it as a failed event, as Vipps does.
func (s *Server) stateConflict(w http.ResponseWriter, p *fakePayment, key, event string, value int64) {
	s.emit(p, event, value, s.psp(), key, false)
	writeProblem(w, http.StatusConflict, vipps.TypeInvalidState, "Conflict",
		fmt.Sprintf("The payment is %s; the operation is not allowed", p.State), nil)
}

func (s *Server) forceApprove(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, true) {
		return
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var fa map[string]any
		if err := json.Unmarshal(body, &fa); err != nil {
			invalid(w, "body", "The body is not a valid ForceApprove object")
			return
		}
	}
	p := s.lookup(w, r.PathValue("reference"))
	if p == nil {
		return
	}
	if err := s.approveLocked(p); err != nil {
		writeProblem(w, http.StatusConflict, vipps.TypeInvalidState, "Conflict", err.Error(), nil)
		return
	}
	w.WriteHeader(http.StatusOK)
}

var errNotCreated = errors.New("the payment is not waiting for approval")

func (s *Server) approveLocked(p *fakePayment) error {
	s.expireIfDue(p)
	if p.State != "CREATED" {
		return fmt.Errorf("%w (state %s)", errNotCreated, p.State)
	}
	p.State = "AUTHORIZED"
	p.Authorized = p.Amount
	s.emit(p, "AUTHORIZED", p.Amount, s.psp(), "", true)
	return nil
}

func (s *Server) rejectLocked(p *fakePayment) error {
	s.expireIfDue(p)
	if p.State != "CREATED" {
		return fmt.Errorf("%w (state %s)", errNotCreated, p.State)
	}
	p.State = "ABORTED"
	s.emit(p, "ABORTED", p.Amount, s.psp(), "", true)
	return nil
}

// Approve approves a payment as the payer would in the app.
func (s *Server) Approve(reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[reference]
	if !ok {
		return fmt.Errorf("vippstest: no payment %q", reference)
	}
	return s.approveLocked(p)
}

// Reject aborts a payment as the payer would in the app.
func (s *Server) Reject(reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[reference]
	if !ok {
		return fmt.Errorf("vippstest: no payment %q", reference)
	}
	return s.rejectLocked(p)
}

// Expire lets a waiting payment expire now.
func (s *Server) Expire(reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[reference]
	if !ok {
		return fmt.Errorf("vippstest: no payment %q", reference)
	}
	if p.State != "CREATED" {
		return fmt.Errorf("vippstest: %w (state %s)", errNotCreated, p.State)
	}
	p.Expires = s.now()
	s.expireIfDue(p)
	return nil
}

// PaymentView is the fake's record of a payment, for assertions.
type PaymentView struct {
	Reference, PSPReference, State, RedirectURL, Token, ReturnURL string
	Amount, Authorized, Captured, Refunded, Cancelled             int64
	Events                                                        []string // event names, in order
}

// Payment returns the fake's view of a payment.
func (s *Server) Payment(reference string) (PaymentView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[reference]
	if !ok {
		return PaymentView{}, false
	}
	s.expireIfDue(p)
	v := PaymentView{
		Reference: p.Reference, PSPReference: p.PSPReference, State: p.State, RedirectURL: p.Redirect, Token: p.Token,
		ReturnURL: p.ReturnURL, Amount: p.Amount, Authorized: p.Authorized, Captured: p.Captured, Refunded: p.Refunded, Cancelled: p.Cancelled,
	}
	for _, e := range p.Events {
		if e.Success {
			v.Events = append(v.Events, e.Name)
		} else {
			v.Events = append(v.Events, e.Name+"(failed)")
		}
	}
	return v, true
}

// ----- events and webhooks -----

// emit logs an event on the payment and sends it to the subscribed
// webhooks. Called with s.mu held.
func (s *Server) emit(p *fakePayment, name string, value int64, psp, key string, success bool) {
	e := paymentEvent{
		Reference: p.Reference, PSPReference: psp, Name: name, PaymentAction: name,
		Amount: amount{p.Currency, value}, Timestamp: s.now(), Success: success,
	}
	if key != "" {
		e.IdempotencyKey = &key
	}
	p.Events = append(p.Events, e)
	eventType := "epayments.payment." + strings.ToLower(name) + ".v1"
	wh := map[string]any{
		"msn": s.opts.MSN, "reference": e.Reference, "pspReference": e.PSPReference, "name": e.Name,
		"amount": e.Amount, "timestamp": e.Timestamp, "idempotencyKey": e.IdempotencyKey, "success": e.Success,
	}
	body, _ := json.Marshal(wh)
	for _, h := range s.hooks {
		for _, ev := range h.Events {
			if ev == eventType {
				s.wg.Add(1)
				go s.deliver(*h, eventType, body)
				break
			}
		}
	}
}

// SignRequest sets the headers Vipps signs a webhook with, for a request to
// the registered webhook URL. It is the fake's own implementation of the
// documented scheme, independent of package vipps.
func SignRequest(req *http.Request, secret string, body []byte, at time.Time) {
	sum := sha256.Sum256(body)
	contentHash := base64.StdEncoding.EncodeToString(sum[:])
	date := at.UTC().Format(http.TimeFormat)
	toSign := req.Method + "\n" + req.URL.RequestURI() + "\n" + date + ";" + req.URL.Host + ";" + contentHash
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(toSign))
	req.Header.Set("x-ms-date", date)
	req.Header.Set("x-ms-content-sha256", contentHash)
	req.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature="+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

func (s *Server) deliver(h hook, eventType string, body []byte) {
	defer s.wg.Done()
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(s.deliveries, http.MethodPost, h.URL, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		now := s.now()
		SignRequest(req, h.secret, body, now)
		d := Delivery{URL: h.URL, Event: eventType, Attempt: attempt, Body: body, Sent: now}
		resp, err := s.opts.WebhookClient.Do(req)
		if err != nil {
			d.Err = err
		} else {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			d.Status = resp.StatusCode
			d.Accepted = resp.StatusCode >= 200 && resp.StatusCode < 300
		}
		s.mu.Lock()
		s.delivered = append(s.delivered, d)
		s.mu.Unlock()
		s.logger().Debug("vippstest: webhook delivery", "event", eventType, "attempt", attempt, "status", d.Status)
		if d.Accepted || attempt > len(s.opts.WebhookRetryDelays) {
			return
		}
		select {
		case <-time.After(s.opts.WebhookRetryDelays[attempt-1]):
		case <-s.closed:
			return
		}
	}
}

func (s *Server) registerHook(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, false) {
		return
	}
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		webhookProblem(w, "body", "The body is not a valid RegisterRequest")
		return
	}
	u, err := url.Parse(req.URL)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && (u.Scheme != "http" || !returnURLAllowed(req.URL))) {
		webhookProblem(w, "url", "The URL must be absolute and use HTTPS")
		return
	}
	if len(req.Events) == 0 {
		webhookProblem(w, "events", "The property is required and cannot be null or empty.")
		return
	}
	for _, ev := range req.Events {
		n := 0
		for _, h := range s.hooks {
			for _, e := range h.Events {
				if e == ev {
					n++
				}
			}
		}
		if n >= 5 {
			webhookProblem(w, "events", "At most 5 webhooks can be registered per event")
			return
		}
	}
	h := &hook{ID: newUUID(), URL: req.URL, Events: append([]string(nil), req.Events...), secret: base64.RawURLEncoding.EncodeToString([]byte(randomHex(24)))}
	s.hooks = append(s.hooks, h)
	writeJSON(w, http.StatusCreated, map[string]string{"id": h.ID, "secret": h.secret})
}

func webhookProblem(w http.ResponseWriter, name, reason string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{
		"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1", "title": "Bad Request", "status": 400,
		"detail": "One or more validation errors occurred.", "instance": "/v1/webhooks", "traceId": randomHex(16),
		"extraDetails": []extra{{name, reason}},
	})
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, false) {
		return
	}
	out := []hook{}
	for _, h := range s.hooks {
		out = append(out, hook{ID: h.ID, URL: h.URL, Events: h.Events})
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r, false) {
		return
	}
	id := r.PathValue("id")
	for i, h := range s.hooks {
		if h.ID == id {
			s.hooks = append(s.hooks[:i], s.hooks[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(map[string]any{"type": "https://tools.ietf.org/html/rfc7231#section-6.5.4", "title": "Not Found", "status": 404, "traceId": randomHex(16)})
}

// RevokeTokens invalidates every access token handed out, as a key rotation
// at Vipps would: clients must fetch a new one.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}
