package notifytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/notify"
)

// TestStore is the conformance suite every notify.Store passes, in the style
// of testing/fstest.TestFS. newStore must return an empty store each time.
//
//	func TestMyStore(t *testing.T) {
//		notifytest.TestStore(t, func(t *testing.T) notify.Store { return newEmptyStore(t) })
//	}
func TestStore(t *testing.T, newStore func(t *testing.T) notify.Store) {
	t.Run("CreateGet", func(t *testing.T) { storeCreateGet(t, newStore) })
	t.Run("Duplicate", func(t *testing.T) { storeDuplicate(t, newStore) })
	t.Run("UpdateVersion", func(t *testing.T) { storeUpdateVersion(t, newStore) })
	t.Run("Due", func(t *testing.T) { storeDue(t, newStore) })
	t.Run("RaceCreate", func(t *testing.T) { storeRaceCreate(t, newStore) })
	t.Run("RaceUpdate", func(t *testing.T) { storeRaceUpdate(t, newStore) })
	t.Run("SendOnce", func(t *testing.T) { storeSendOnce(t, newStore) })
	t.Run("RunOnceRace", func(t *testing.T) { storeRunOnceRace(t, newStore) })
}

var t0 = time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)

func rec(key string, st notify.Status, due time.Time) *notify.Record {
	return &notify.Record{
		Key: key, Channel: notify.Email, To: notify.NewAddress("ola.nordmann@example.no"),
		ReplyTo: notify.NewAddress("postmottak@kommune.no"),
		Subject: "Søknaden er mottatt ✅", Text: "Hei Ærlige Åse\u202e\u2028, takk 👍", HTML: "<p>Hei &amp; takk</p>",
		Template: "kvittering", Lang: "nn", Status: st, Urgent: true, Condition: "unpaid", NotBefore: due,
		Created: t0, Updated: t0,
	}
}

func storeCreateGet(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	r := rec("k1", notify.Queued, t0)
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 {
		t.Fatalf("Version after Create = %d, want 1", r.Version)
	}
	got, err := s.Get(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if err := same(got, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "absent"); !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("Get(absent) = %v, want ErrNotFound", err)
	}
}

func storeDuplicate(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Create(ctx, rec("k", notify.Queued, t0)); err != nil {
		t.Fatal(err)
	}
	other := rec("k", notify.Delivered, t0)
	other.Subject = "another"
	if err := s.Create(ctx, other); !errors.Is(err, notify.ErrDuplicate) {
		t.Fatalf("second Create = %v, want ErrDuplicate", err)
	}
	got, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject == "another" || got.Status != notify.Queued {
		t.Fatal("a duplicate Create changed the stored record")
	}
}

func storeUpdateVersion(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	r := rec("k", notify.Queued, t0)
	if err := s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	stale := *r
	r.Status, r.Attempts, r.ProviderID, r.Reason, r.NotBefore = notify.Sending, 1, "shp-1", "", time.Time{}
	r.Updated = t0.Add(time.Minute)
	if err := s.Update(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.Version != 2 {
		t.Fatalf("Version after Update = %d, want 2", r.Version)
	}
	got, _ := s.Get(ctx, "k")
	if err := same(got, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, &stale); !errors.Is(err, notify.ErrConflict) {
		t.Fatalf("stale Update = %v, want ErrConflict", err)
	}
	missing := rec("absent", notify.Queued, t0)
	missing.Version = 1
	if err := s.Update(ctx, missing); !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("Update(absent) = %v, want ErrNotFound", err)
	}
}

func storeDue(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	for _, r := range []*notify.Record{
		rec("b-queued", notify.Queued, t0),
		rec("a-queued", notify.Queued, t0),
		rec("early-temp", notify.FailedTemporary, t0.Add(-time.Hour)),
		rec("lease-over", notify.Sending, t0.Add(-time.Minute)),
		rec("later", notify.Queued, t0.Add(time.Second)),
		rec("accepted", notify.Sending, time.Time{}),
		rec("delivered", notify.Delivered, time.Time{}),
		rec("failed", notify.FailedPermanent, time.Time{}),
	} {
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Due(ctx, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"early-temp", "lease-over", "a-queued", "b-queued"}
	if keys := keysOf(got); fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("Due = %v, want %v", keys, want)
	}
	got, err = s.Due(ctx, t0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if keys := keysOf(got); fmt.Sprint(keys) != fmt.Sprint(want[:2]) {
		t.Fatalf("Due limit 2 = %v, want %v", keys, want[:2])
	}
}

func storeRaceCreate(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			err := s.Create(ctx, rec("same", notify.Queued, t0))
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, notify.ErrDuplicate):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d Creates of one key succeeded, want 1", wins.Load())
	}
}

func storeRaceUpdate(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Create(ctx, rec("k", notify.Queued, t0)); err != nil {
		t.Fatal(err)
	}
	base, _ := s.Get(ctx, "k")
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			r := *base
			r.Status = notify.Sending
			err := s.Update(ctx, &r)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, notify.ErrConflict):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d Updates from one version succeeded, want 1", wins.Load())
	}
}

// Many goroutines send with one key: one send reaches the provider, and
// every caller gets the one record.
func storeSendOnce(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	var calls atomic.Int32
	p := EmailFunc(func(context.Context, *notify.OutgoingEmail) (notify.Receipt, error) {
		calls.Add(1)
		return notify.Receipt{ProviderID: "id-1", Status: notify.Delivered}, nil
	})
	snd, err := notify.New(notify.Config{Email: p, Store: newStore(t), Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			r, err := snd.Send(ctx, notify.Message{Key: "once", Channel: notify.Email,
				To: notify.NewAddress("kari@example.no"), Subject: "Kvittering", Text: "Mottatt"})
			if err != nil {
				t.Error(err)
				return
			}
			if r.Key != "once" {
				t.Errorf("record for %q", r.Key)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("the provider was called %d times, want 1", calls.Load())
	}
	got, err := snd.Get(ctx, "once")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != notify.Delivered || got.Attempts != 1 {
		t.Fatalf("status %s after %d attempts, want delivered after 1", got.Status, got.Attempts)
	}
	// Workers racing over the store pick nothing more up.
	for range 4 {
		wg.Go(func() {
			if _, err := snd.SendDue(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("RunOnce sent again: %d calls", calls.Load())
	}
}

// Many workers run over held messages: each goes out once.
func storeRunOnceRace(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	sent := map[string]int{}
	p := SMSFunc(func(_ context.Context, m *notify.OutgoingSMS) (notify.Receipt, error) {
		mu.Lock()
		defer mu.Unlock()
		sent[m.Key]++
		return notify.Receipt{Status: notify.Delivered}, nil
	})
	night := time.Date(2026, 3, 28, 21, 0, 0, 0, time.UTC) // 22:00 in Oslo
	var now atomic.Pointer[time.Time]
	now.Store(&night)
	snd, err := notify.New(notify.Config{SMS: p, Store: newStore(t), Now: func() time.Time { return *now.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		r, err := snd.Send(ctx, notify.Message{Key: fmt.Sprint("sms-", i), Channel: notify.SMS, To: notify.NewAddress("+4791234567"), Text: "Påminnelse"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != notify.Queued {
			t.Fatalf("an SMS at 22:00 is %s, want held in queued", r.Status)
		}
	}
	morning := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC) // 09:00 summer time
	now.Store(&morning)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				n, err := snd.SendDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(sent) != 20 {
		t.Fatalf("%d of 20 messages sent", len(sent))
	}
	for k, n := range sent {
		if n != 1 {
			t.Fatalf("%s sent %d times", k, n)
		}
	}
}

func keysOf(rs []*notify.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Key
	}
	return out
}

// same compares every field, times by instant.
func same(got, want *notify.Record) error {
	g, w := *got, *want
	for _, p := range [][2]*time.Time{{&g.NotBefore, &w.NotBefore}, {&g.Created, &w.Created}, {&g.Updated, &w.Updated}} {
		if !p[0].Equal(*p[1]) {
			return fmt.Errorf("time %v, want %v", *p[0], *p[1])
		}
		*p[0], *p[1] = time.Time{}, time.Time{}
	}
	if g.To.Reveal() != w.To.Reveal() || g.ReplyTo.Reveal() != w.ReplyTo.Reveal() {
		return fmt.Errorf("addresses differ")
	}
	if g != w {
		return fmt.Errorf("stored %+v, want %+v", g, w)
	}
	return nil
}

// EmailFunc is a notify.EmailProvider made of a function.
type EmailFunc func(context.Context, *notify.OutgoingEmail) (notify.Receipt, error)

// SendEmail calls f.
func (f EmailFunc) SendEmail(ctx context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
	return f(ctx, m)
}

// SMSFunc is a notify.SMSProvider made of a function.
type SMSFunc func(context.Context, *notify.OutgoingSMS) (notify.Receipt, error)

// SendSMS calls f.
func (f SMSFunc) SendSMS(ctx context.Context, m *notify.OutgoingSMS) (notify.Receipt, error) {
	return f(ctx, m)
}
