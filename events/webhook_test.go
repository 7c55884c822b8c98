package events_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/secret"
)

// The published vector (doc.go, "Webhook signatures").
const (
	vecSecret = "whsec_Z3J1bm5tdXItd2ViaG9vay10ZXN0LWtleQ==" // base64 of grunnmur-webhook-test-key
	vecID     = "0195e0a0-8c00-7000-8000-000000000001"
	vecTS     = "1774742400" // 2026-03-29T00:00:00Z
	vecBody   = `{"specversion":"1.0","id":"0195e0a0-8c00-7000-8000-000000000001","source":"/grunnmur/sak","type":"no.grunnmur.sak.case.decided.v1","subject":"2026-17","time":"2026-03-29T00:00:00Z","datacontenttype":"application/json","data":{"caseId":"2026-17","outcome":"granted"}}`
	vecSig    = "v1,Q8necSJwQfzGw6KrbhlFrChvM3IRgNc+y/BR9ntjGWM="
)

var vecNow = func() time.Time { return time.Unix(1774742400, 0).Add(90 * time.Second) }

func vecHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", vecID)
	h.Set("webhook-timestamp", vecTS)
	h.Set("webhook-signature", vecSig)
	return h
}

func TestWebhookVector(t *testing.T) {
	h := events.SignWebhook(secret.New(vecSecret), vecID, time.Unix(1774742400, 0), []byte(vecBody))
	if h.Get("Webhook-Signature") != vecSig || h.Get("Webhook-Timestamp") != vecTS || h.Get("Webhook-Id") != vecID {
		t.Errorf("SignWebhook = %v, want the published vector", h)
	}
	v := events.WebhookVerifier{Secrets: []secret.Value{secret.New("old"), secret.New(vecSecret)}, Now: vecNow}
	if err := v.Verify(vecHeader(), []byte(vecBody)); err != nil {
		t.Errorf("the vector does not verify: %v", err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{vecSecret, vecID, vecTS, vecSig, vecBody} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("doc.go does not publish %q", s)
		}
	}
}

// TestWebhookVectorOpenSSL: OpenSSL, computing the HMAC on its own, gets
// the vector's signature.
func TestWebhookVectorOpenSSL(t *testing.T) {
	openssl := testenv.OpenSSL(t)
	cmd := exec.Command(openssl, "dgst", "-sha256", "-mac", "HMAC", "-macopt", "key:grunnmur-webhook-test-key", "-binary")
	cmd.Stdin = strings.NewReader(vecID + "." + vecTS + "." + vecBody)
	mac, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	b64 := exec.Command(openssl, "base64", "-A")
	b64.Stdin = strings.NewReader(string(mac))
	out, err := b64.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := "v1," + strings.TrimSpace(string(out)); got != vecSig {
		t.Errorf("openssl signs the vector %s, the docs say %s", got, vecSig)
	}
}

// TestStandardWebhooksExample: the example of the Standard Webhooks
// specification verifies (a receiver may use their libraries).
func TestStandardWebhooksExample(t *testing.T) {
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm9ldHUjKzFob2xzZWlvc2VwbGU= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	v := events.WebhookVerifier{Secrets: []secret.Value{secret.New("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")},
		Now: func() time.Time { return time.Unix(1614265330, 0) }}
	if err := v.Verify(h, []byte(`{"test": 2432232314}`)); err != nil {
		t.Error(err)
	}
}

func TestWebhookVerifyRejects(t *testing.T) {
	for _, c := range []struct {
		name   string
		header func(h http.Header)
		body   string
		now    func() time.Time
		want   error
	}{
		{name: "unsigned", header: func(h http.Header) { h.Del("webhook-signature") }, want: events.ErrNotSigned},
		{name: "no id", header: func(h http.Header) { h.Del("webhook-id") }, want: events.ErrNotSigned},
		{name: "timestamp not a number", header: func(h http.Header) { h.Set("webhook-timestamp", "2026-03-29") }, want: events.ErrNotSigned},
		{name: "other id", header: func(h http.Header) { h.Set("webhook-id", "other") }, want: events.ErrNoValidSignature},
		{name: "other timestamp", header: func(h http.Header) { h.Set("webhook-timestamp", "1774742401") }, want: events.ErrNoValidSignature},
		{name: "other body", body: strings.Replace(vecBody, "granted", "refused", 1), want: events.ErrNoValidSignature},
		{name: "not base64", header: func(h http.Header) { h.Set("webhook-signature", "v1,!!") }, want: events.ErrNoValidSignature},
		{name: "other version", header: func(h http.Header) { h.Set("webhook-signature", strings.Replace(vecSig, "v1,", "v2,", 1)) }, want: events.ErrNoValidSignature},
		{name: "too old", now: func() time.Time { return vecNow().Add(10 * time.Minute) }, want: events.ErrTooOld},
		{name: "from the future", now: func() time.Time { return vecNow().Add(-10 * time.Minute) }, want: events.ErrTooOld},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := vecHeader()
			if c.header != nil {
				c.header(h)
			}
			body := vecBody
			if c.body != "" {
				body = c.body
			}
			now := vecNow
			if c.now != nil {
				now = c.now
			}
			v := events.WebhookVerifier{Secrets: []secret.Value{secret.New(vecSecret)}, Now: now}
			if err := v.Verify(h, []byte(body)); !errors.Is(err, c.want) {
				t.Errorf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

// receiver is a webhook receiver that verifies each delivery; fail makes
// it answer 503 that many times first.
type receiver struct {
	t      *testing.T
	v      events.WebhookVerifier
	mu     sync.Mutex
	fail   int
	got    []events.Event
	status []int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.v.Verify(req.Header, body); err != nil {
		r.t.Errorf("a delivery does not verify: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.fail > 0 {
		r.fail--
		r.status = append(r.status, 503)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	e, err := events.Parse(body)
	if err != nil || req.Header.Get("Content-Type") != "application/cloudevents+json" || req.Header.Get("Webhook-Id") != e.ID {
		r.t.Errorf("delivery %s: %v, headers %v", body, err, req.Header)
	}
	r.got = append(r.got, e)
	r.status = append(r.status, 200)
}

// TestWebhookFanOut: every target gets each event it asked for, signed with
// its own secret; a 503 is retried; a target that took an event does not get
// it again when another target failed it.
func TestWebhookFanOut(t *testing.T) {
	a := &receiver{t: t, v: events.WebhookVerifier{Secrets: []secret.Value{secret.New("secret-a")}}, fail: 1}
	b := &receiver{t: t, v: events.WebhookVerifier{Secrets: []secret.Value{secret.New(vecSecret)}}}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	sa, sb := httptest.NewServer(a), httptest.NewServer(b)
	t.Cleanup(func() { sa.Close(); sb.Close(); down.Close() })
	w := &events.Webhook{Ledger: &events.MemoryLedger{}, Targets: []events.WebhookTarget{
		{URL: sa.URL, Secret: secret.New("secret-a")},
		{URL: sb.URL, Secret: secret.New(vecSecret), Types: []string{"no.grunnmur.other.thing.done.v1"}},
	}}
	e := eventstest.Event(t, "thing-1", 1)
	if err := w.Handle(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if len(a.got) != 1 || a.got[0].ID != e.ID || len(a.status) != 2 {
		t.Errorf("target a: got %d events after statuses %v", len(a.got), a.status)
	}
	if len(b.got) != 0 {
		t.Errorf("target b got an event type it did not ask for")
	}
	w.Targets = append(w.Targets, events.WebhookTarget{URL: down.URL, Secret: secret.New("x")})
	if err := w.Handle(context.Background(), e); err == nil {
		t.Error("a target answering 500 did not fail the delivery")
	}
	if len(a.got) != 1 {
		t.Errorf("target a got the event %d times, want once", len(a.got))
	}
}
