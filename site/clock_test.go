package site

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/internal/testclock"
	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/secret"
)

// TestWebhookUsesThePaymentsClock: a webhook's x-ms-date is checked against
// the clock the payments are dated by (pinned here weeks or months away from
// the machine's).
func TestWebhookUsesThePaymentsClock(t *testing.T) {
	v := newVippsFake(t)
	at := testclock.Oslo(t, "2026-10-25T02:30:00+01:00")
	v.pay.Now = testclock.Advancing(at)
	key := secret.New("operator-registered-once")
	wh, err := NewWebhook(context.Background(), v.client, "http://127.0.0.1:1"+WebhookPath, key, v.pay, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := v.start(t, "hall-3/leie")
	body := eventBody(p.Reference, "AUTHORIZED", 15000)
	for _, c := range []struct {
		name string
		date time.Time
		want int
	}{{"signed a day off the service's clock", v.pay.Now().Add(24 * time.Hour), 401}, {"signed by the service's clock", v.pay.Now(), 200}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "http://127.0.0.1:1"+WebhookPath, bytes.NewReader(body))
		for k, vs := range vipps.SignWebhook(key, "POST", WebhookPath, "127.0.0.1:1", c.date, body) {
			req.Header[k] = vs
		}
		wh.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.want)
		}
	}
	waitState(t, v.pay, p.Reference, payment.Authorized)
}
