package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/secret"
)

// vendor is an SMS gateway as a vendor would put it up: it answers 201 for
// a new key, 200 for one seen before, and the status the test sets.
type vendor struct {
	mu     sync.Mutex
	seen   map[string]string
	sent   []notify.GatewayRequest
	status int
}

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if r.URL.Path != "/v1/messages" || r.Header.Get("Authorization") != "Bearer vendor-token" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	if v.status != 0 {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(v.status)
		json.NewEncoder(w).Encode(map[string]any{"title": "refused", "detail": "number +4791234567 is blocked"})
		return
	}
	var req notify.GatewayRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.IdempotencyKey != r.Header.Get("Idempotency-Key") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if id, ok := v.seen[req.IdempotencyKey]; ok {
		json.NewEncoder(w).Encode(notify.GatewayResponse{ID: id, Status: "accepted"})
		return
	}
	id := "v-" + req.IdempotencyKey
	v.seen[req.IdempotencyKey] = id
	v.sent = append(v.sent, req)
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(notify.GatewayResponse{ID: id, Status: "accepted"})
}

func TestGateway(t *testing.T) {
	ctx := context.Background()
	v := &vendor{seen: map[string]string{}}
	srv := httptest.NewServer(v)
	defer srv.Close()
	g, err := notify.NewGateway(notify.GatewayConfig{BaseURL: srv.URL + "/v1/", Token: secret.New("vendor-token"), Sender: "Kommunen"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := notify.New(notify.Config{SMS: g, Now: newClock("2026-06-15T10:00:00+02:00").now})
	cb := httptest.NewServer(notify.GatewayCallback(s, secret.New("callback-token")))
	defer cb.Close()
	report := func(token, body string) int {
		req, _ := http.NewRequest(http.MethodPost, cb.URL, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	r, err := s.Send(ctx, notify.Message{Key: "g1", Channel: notify.SMS, To: notify.NewAddress("912 34 567"), Text: "Hei"})
	if err != nil || r.Status != notify.Sending || r.ProviderID != "v-g1" {
		t.Fatalf("%+v %v", r, err)
	}
	if len(v.sent) != 1 || v.sent[0] != (notify.GatewayRequest{IdempotencyKey: "g1", To: "+4791234567", Text: "Hei", Sender: "Kommunen"}) {
		t.Fatalf("vendor got %+v", v.sent)
	}
	// The gateway's replay answer: nothing sent twice.
	if rc, err := g.SendSMS(ctx, &notify.OutgoingSMS{Key: "g1", To: notify.NewAddress("+4791234567"), Text: "Hei"}); err != nil || rc.ProviderID != "v-g1" || len(v.sent) != 1 {
		t.Fatalf("replay: %+v %v, %d sent", rc, err, len(v.sent))
	}
	for _, tc := range []struct {
		token, body string
		want        int
	}{
		{"wrong", `{"idempotencyKey":"g1","status":"delivered"}`, http.StatusUnauthorized},
		{"", `{"idempotencyKey":"g1","status":"delivered"}`, http.StatusUnauthorized},
		{"callback-token", `{"idempotencyKey":"g1","status":"bounced"}`, http.StatusBadRequest},
		{"callback-token", `{"idempotencyKey":"nope","status":"delivered"}`, http.StatusNotFound},
		{"callback-token", `{"idempotencyKey":"g1","status":"delivered","id":"v-g1"}`, http.StatusNoContent},
		{"callback-token", `{"idempotencyKey":"g1","status":"delivered","id":"v-g1"}`, http.StatusNoContent},
		{"callback-token", `{"idempotencyKey":"g1","status":"failed-permanent"}`, http.StatusConflict},
	} {
		if got := report(tc.token, tc.body); got != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.token, tc.body, got, tc.want)
		}
	}
	if r, _ := s.Get(ctx, "g1"); r.Status != notify.Delivered {
		t.Fatalf("after the report: %s", r.Status)
	}

	for _, tc := range []struct {
		status int
		want   error
	}{{http.StatusBadRequest, notify.ErrPermanent}, {http.StatusInternalServerError, notify.ErrTemporary}, {http.StatusTooManyRequests, notify.ErrTemporary}} {
		v.status = tc.status
		_, err := g.SendSMS(ctx, &notify.OutgoingSMS{Key: "x", To: notify.NewAddress("+4791234567"), Text: "Hei"})
		if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "91234567") {
			t.Errorf("%d: %v, want %v without the number", tc.status, err, tc.want)
		}
	}
	if out := fmt.Sprintf("%v %+v %#v", v.sent[0], v.sent[0], v.sent[0]); strings.Contains(out, "91234567") {
		t.Errorf("a request prints its number: %s", out)
	}
	for _, bad := range []string{"", "ftp://x", "http://"} {
		if _, err := notify.NewGateway(notify.GatewayConfig{BaseURL: bad}); !errors.Is(err, notify.ErrConfig) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add(`{"idempotencyKey":"k","status":"delivered"}`)
	f.Add(`{"idempotencyKey":"k","status":"failed-permanent","reason":"01019012345 ukjent","id":"x"}`)
	f.Add(`{"idempotencyKey":"","status":"queued"}`)
	f.Add(`{"idempotencyKey":"k","status":"delivered"}{}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := notify.ParseReport([]byte(s))
		if err != nil {
			if !errors.Is(err, notify.ErrReport) {
				t.Fatalf("untyped %v", err)
			}
			return
		}
		if r.IdempotencyKey == "" || !notify.CanMove(notify.Sending, r.Status) || len(r.Reason) > 200 {
			t.Fatalf("%+v", r)
		}
	})
}
