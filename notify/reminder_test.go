package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
)

// TestReminders: "24 hours before the booking" and "3 days before the
// deadline if the case still waits", with the condition asked when the
// reminder is due.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-03-27T12:00:00+01:00")
	var mu sync.Mutex
	var sent []string
	rec := func(key string) {
		mu.Lock()
		sent = append(sent, key+"@"+c.now().UTC().Format(time.RFC3339))
		mu.Unlock()
	}
	email := notifytest.EmailFunc(func(_ context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
		rec(m.Key)
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	sms := notifytest.SMSFunc(func(_ context.Context, m *notify.OutgoingSMS) (notify.Receipt, error) {
		rec(m.Key)
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	paid := map[string]bool{}
	var broken error
	s, err := notify.New(notify.Config{Email: email, SMS: sms, Now: c.now, Conditions: map[string]notify.Condition{
		"unpaid": func(_ context.Context, key string) (bool, error) { return !paid[key], broken },
	}})
	if err != nil {
		t.Fatal(err)
	}
	booking := newClock("2026-03-30T18:00:00+02:00").now()
	deadline := newClock("2026-04-01T00:00:00+02:00").now()
	for _, m := range []notify.Message{
		{Key: "booking-24h-email", Channel: notify.Email, To: notify.NewAddress("a@example.no"), Subject: "I morgen", Text: "kl. 18", SendAt: booking.Add(-24 * time.Hour)},
		{Key: "booking-24h-sms", Channel: notify.SMS, To: notify.NewAddress("91234567"), Text: "I morgen kl. 18", SendAt: booking.Add(-24 * time.Hour)},
		{Key: "fee-1", Channel: notify.Email, To: notify.NewAddress("b@example.no"), Subject: "Gebyr", Text: "Betal", SendAt: deadline.Add(-72 * time.Hour), Condition: "unpaid"},
		{Key: "fee-2", Channel: notify.Email, To: notify.NewAddress("c@example.no"), Subject: "Gebyr", Text: "Betal", SendAt: deadline.Add(-72 * time.Hour), Condition: "unpaid"},
	} {
		if r, err := s.Send(ctx, m); err != nil || r.Status != notify.Queued {
			t.Fatalf("%s: %v %v", m.Key, r, err)
		}
	}
	paid["fee-2"] = true
	broken = errors.New("the case system is down")
	step := func(to string) {
		c.set(newClock(to).now())
		if err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step("2026-03-29T00:00:00+01:00") // fee reminders due; the condition fails
	if r, _ := s.Get(ctx, "fee-1"); r.Status != notify.FailedTemporary || r.Attempts != 0 {
		t.Fatalf("fee-1 with a failing condition: %s %q", r.Status, r.Reason)
	}
	broken = nil
	step("2026-03-29T09:00:00+02:00") // DST; the backoff is over
	step("2026-03-29T18:00:00+02:00") // 24 h before the booking
	step("2026-03-30T09:00:00+02:00") // the SMS window opens
	want := []string{"fee-1@2026-03-29T07:00:00Z", "booking-24h-email@2026-03-29T16:00:00Z", "booking-24h-sms@2026-03-30T07:00:00Z"}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
	r, _ := s.Get(ctx, "fee-2")
	if r.Status != notify.Cancelled || !r.Status.Final() || !r.NotBefore.IsZero() {
		t.Fatalf("fee-2, paid: %s %q", r.Status, r.Reason)
	}
	if _, err := s.Send(ctx, notify.Message{Key: "x", Channel: notify.Email, To: notify.NewAddress("a@example.no"), Subject: "s", Text: "t", Condition: "nope"}); !errors.Is(err, notify.ErrInvalid) {
		t.Fatalf("unknown condition: %v", err)
	}
}
