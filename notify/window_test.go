package notify_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grunnmur/grunnmur/civil"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
)

func oslo(t *testing.T, s string) time.Time {
	at, err := time.ParseInLocation("2006-01-02 15:04", s, civil.Oslo)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestWindowNext(t *testing.T) {
	var w notify.Window
	for in, want := range map[string]string{
		"2026-06-15 08:59": "2026-06-15 09:00",
		"2026-06-15 09:00": "2026-06-15 09:00",
		"2026-06-15 16:59": "2026-06-15 16:59",
		"2026-06-15 17:00": "2026-06-16 09:00",
		"2026-06-15 23:30": "2026-06-16 09:00",
		"2026-03-28 22:00": "2026-03-29 09:00", // the 23-hour day
		"2026-03-29 02:30": "2026-03-29 09:00", // a time that does not exist
		"2026-10-24 22:00": "2026-10-25 09:00", // the 25-hour day
		"2026-10-25 02:30": "2026-10-25 09:00", // a time that comes twice
		"2026-12-31 20:00": "2027-01-01 09:00",
	} {
		if got := w.Next(oslo(t, in)); !got.Equal(oslo(t, want)) {
			t.Errorf("Next(%s) = %s, want %s", in, got.In(civil.Oslo), want)
		}
	}
	custom := notify.Window{Start: 8, End: 20, Location: time.UTC}
	if got := custom.Next(time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("custom window: %s", got)
	}
}

// TestDaytime: an SMS at 22:00 goes at 09:00 the next morning, across both
// DST changes, with the sender's loop running on synctest's fake clock; an
// urgent one goes at once.
func TestDaytime(t *testing.T) {
	for _, tc := range []struct{ send, want string }{
		{"2026-03-28 22:00", "2026-03-29 09:00"},
		{"2026-10-24 22:00", "2026-10-25 09:00"},
		{"2026-06-15 17:00", "2026-06-16 09:00"},
	} {
		t.Run(tc.send, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				base, start := oslo(t, tc.send), time.Now()
				now := func() time.Time { return base.Add(time.Since(start)) }
				var at []time.Time
				p := notifytest.SMSFunc(func(context.Context, *notify.OutgoingSMS) (notify.Receipt, error) {
					at = append(at, now())
					return notify.Receipt{Status: notify.Delivered}, nil
				})
				s, err := notify.New(notify.Config{SMS: p, Now: now})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error)
				go func() { done <- s.Run(ctx, time.Minute) }()
				r, err := s.Send(ctx, notify.Message{Key: "night", Channel: notify.SMS, To: notify.NewAddress("91234567"), Text: "Påminnelse"})
				if err != nil || r.Status != notify.Queued || !r.NotBefore.Equal(oslo(t, tc.want)) {
					t.Fatalf("%v %v", r, err)
				}
				if _, err := s.Send(ctx, notify.Message{Key: "urgent", Channel: notify.SMS, To: notify.NewAddress("91234567"), Text: "Kode 1234", Urgent: true}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(36 * time.Hour)
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if len(at) != 2 || !at[0].Equal(base) || !at[1].Equal(oslo(t, tc.want)) {
					t.Fatalf("sent at %v, want the urgent one at %s and the other at %s", at, tc.send, tc.want)
				}
				r, _ = s.Get(context.Background(), "night")
				if r.Status != notify.Delivered {
					t.Fatalf("%s", r.Status)
				}
			})
		})
	}
}
