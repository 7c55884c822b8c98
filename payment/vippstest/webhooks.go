package vippstest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/secret"
)

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
		"msn": s.cfg.MSN, "reference": e.Reference, "pspReference": e.PSPReference, "name": e.Name,
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
func SignRequest(req *http.Request, key secret.Value, body []byte, at time.Time) {
	sum := sha256.Sum256(body)
	contentHash := base64.StdEncoding.EncodeToString(sum[:])
	date := at.UTC().Format(http.TimeFormat)
	toSign := req.Method + "\n" + req.URL.RequestURI() + "\n" + date + ";" + req.URL.Host + ";" + contentHash
	m := hmac.New(sha256.New, []byte(key.Reveal()))
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
		SignRequest(req, secret.New(h.secret), body, now)
		d := Delivery{URL: h.URL, Event: eventType, Attempt: attempt, Body: body, Sent: now}
		resp, err := s.cfg.WebhookClient.Do(req)
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
		if d.Accepted || attempt > len(s.cfg.WebhookRetryDelays) {
			return
		}
		select {
		case <-time.After(s.cfg.WebhookRetryDelays[attempt-1]):
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
