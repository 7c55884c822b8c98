package vippstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/grunnmur/grunnmur/payment/vipps"
)

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
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
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
				writeProblem(w, http.StatusConflict, vipps.CodeReferenceConflict, "Conflict", "A payment with this reference already exists", nil)
				return
			}
			now := s.now()
			p := &fakePayment{
				Reference: req.Reference, PSPReference: s.psp(), Currency: "NOK", Amount: req.Amount.Value,
				State: "CREATED", Flow: req.UserFlow, ReturnURL: req.ReturnURL, Description: req.PaymentDescription,
				Token: randomHex(20), Created: now, Expires: now.Add(s.cfg.PaymentTTL),
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
		writeProblem(w, http.StatusNotFound, vipps.CodePaymentNotFound, "Not Found", "No payment with this reference", nil)
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
			var value int64
			if op != "cancel" {
				if value, ok = modificationAmount(w, p, body); !ok {
					return
				}
			}
			var done bool
			switch op {
			case "capture":
				done = s.capture(w, p, key, value)
			case "refund":
				done = s.refund(w, p, key, value)
			case "cancel":
				value, done = s.cancel(w, p, key)
			}
			if !done {
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{
				"amount": amount{p.Currency, value}, "state": p.State, "aggregate": p.aggregate(),
				"pspReference": p.PSPReference, "reference": p.Reference,
			})
		})
	}
}

// modificationAmount reads and checks a capture's or refund's amount; it
// writes the problem and returns false when the body is wrong.
func modificationAmount(w http.ResponseWriter, p *fakePayment, body []byte) (int64, bool) {
	var mod struct {
		ModificationAmount *amount `json:"modificationAmount"`
	}
	switch err := json.Unmarshal(body, &mod); {
	case err != nil || mod.ModificationAmount == nil:
		invalid(w, "modificationAmount", "The modificationAmount is required")
	case mod.ModificationAmount.Currency != p.Currency:
		invalid(w, "modificationAmount.currency", "Must be the payment's currency")
	case mod.ModificationAmount.Value < 1:
		invalid(w, "modificationAmount.value", "Must be positive")
	default:
		return mod.ModificationAmount.Value, true
	}
	return 0, false
}

// capture, refund and cancel carry out a modification, or write why not and
// return false. Called with s.mu held.
func (s *Server) capture(w http.ResponseWriter, p *fakePayment, key string, value int64) bool {
	if p.State != "AUTHORIZED" {
		s.stateConflict(w, p, key, "CAPTURED", value)
		return false
	}
	if value > p.Authorized-p.Captured-p.Cancelled {
		writeProblem(w, http.StatusBadRequest, vipps.CodeAmountTooHigh, "Bad Request", "The capture exceeds the capturable amount", nil)
		return false
	}
	p.Captured += value
	s.emit(p, "CAPTURED", value, s.psp(), key, true)
	return true
}

func (s *Server) refund(w http.ResponseWriter, p *fakePayment, key string, value int64) bool {
	if p.State != "AUTHORIZED" {
		s.stateConflict(w, p, key, "REFUNDED", value)
		return false
	}
	if value > p.Captured-p.Refunded {
		writeProblem(w, http.StatusBadRequest, vipps.CodeAmountTooHigh, "Bad Request", "The refund exceeds the captured amount", nil)
		return false
	}
	p.Refunded += value
	s.emit(p, "REFUNDED", value, s.psp(), key, true)
	return true
}

// cancel returns the amount it released.
func (s *Server) cancel(w http.ResponseWriter, p *fakePayment, key string) (int64, bool) {
	var value int64
	switch {
	case p.State == "CREATED":
		p.State = "TERMINATED"
		s.emit(p, "TERMINATED", p.Amount, s.psp(), key, true)
	case p.State == "AUTHORIZED" && p.Captured == 0 && p.Cancelled == 0:
		value = p.Authorized
		p.Cancelled = p.Authorized
		p.State = "TERMINATED"
		s.emit(p, "CANCELLED", value, s.psp(), key, true)
	case p.State == "AUTHORIZED" && p.Authorized-p.Captured-p.Cancelled > 0:
		value = p.Authorized - p.Captured - p.Cancelled
		p.Cancelled += value
		s.emit(p, "CANCELLED", value, s.psp(), key, true)
	default:
		s.stateConflict(w, p, key, "CANCELLED", 0)
		return 0, false
	}
	return value, true
}

// stateConflict answers a modification the payment's state does not allow,
// and logs it as a failed event, as Vipps does.
func (s *Server) stateConflict(w http.ResponseWriter, p *fakePayment, key, event string, value int64) {
	s.emit(p, event, value, s.psp(), key, false)
	writeProblem(w, http.StatusConflict, vipps.CodeInvalidState, "Conflict",
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
		writeProblem(w, http.StatusConflict, vipps.CodeInvalidState, "Conflict", err.Error(), nil)
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
