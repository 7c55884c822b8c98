package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
)

func TestCanMove(t *testing.T) {
	all := []notify.Status{notify.Queued, notify.Sending, notify.Delivered, notify.FailedTemporary, notify.FailedPermanent, notify.Cancelled}
	allowed := map[[2]notify.Status]bool{
		{notify.Queued, notify.Sending}:                  true,
		{notify.Queued, notify.FailedPermanent}:          true,
		{notify.Sending, notify.Delivered}:               true,
		{notify.Sending, notify.FailedTemporary}:         true,
		{notify.Sending, notify.FailedPermanent}:         true,
		{notify.FailedTemporary, notify.Sending}:         true,
		{notify.FailedTemporary, notify.Queued}:          true,
		{notify.FailedTemporary, notify.Delivered}:       true,
		{notify.FailedTemporary, notify.FailedPermanent}: true,
		{notify.Queued, notify.Cancelled}:                true,
		{notify.FailedTemporary, notify.Cancelled}:       true,
	}
	for _, from := range all {
		for _, to := range all {
			want := from == to || allowed[[2]notify.Status{from, to}]
			if got := notify.CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if notify.CanMove("created", notify.Sending) || notify.CanMove(notify.Sending, "") {
		t.Error("an unknown status moved")
	}
	for _, s := range all {
		if s.Final() != (s == notify.Delivered || s == notify.FailedPermanent || s == notify.Cancelled) {
			t.Errorf("%s.Final() wrong", s)
		}
	}
}

// clock is a settable clock for tests.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(s string) *clock {
	c := &clock{}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.set(t)
	return c
}
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }
func (c *clock) now() time.Time      { return *c.t.Load() }
func mail(key string) notify.Message {
	return notify.Message{Key: key, Channel: notify.Email, To: notify.NewAddress("kari.nordmann@example.no"), Subject: "Kvittering", Text: "Vi har mottatt søknaden."}
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-10-25T12:00:00+01:00")
	var results []error
	var calls int
	p := notifytest.EmailFunc(func(context.Context, *notify.OutgoingEmail) (notify.Receipt, error) {
		calls++
		err := results[0]
		results = results[1:]
		if err != nil {
			return notify.Receipt{}, err
		}
		return notify.Receipt{ProviderID: "p-1", Status: notify.Delivered}, nil
	})
	var logs bytes.Buffer
	s, err := notify.New(notify.Config{Email: p, Now: c.now, MaxAttempts: 3, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("TemporaryThenDelivered", func(t *testing.T) {
		calls = 0
		results = []error{fmt.Errorf("smtp: 451 try later: %w", notify.ErrTemporary), errors.New("connection reset"), nil}
		r, err := s.Send(ctx, mail("t1"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != notify.FailedTemporary || !r.NotBefore.Equal(c.now().Add(time.Minute)) {
			t.Fatalf("after a temporary failure: %s, due %v", r.Status, r.NotBefore)
		}
		if n, _ := s.SendDue(ctx); n != 0 {
			t.Fatal("retried before the backoff")
		}
		c.add(time.Minute)
		if n, _ := s.SendDue(ctx); n != 1 {
			t.Fatal("not retried after the backoff")
		}
		r, _ = s.Get(ctx, "t1")
		if r.Status != notify.FailedTemporary || !r.NotBefore.Equal(c.now().Add(2*time.Minute)) {
			t.Fatalf("second failure: %s due %v, want a doubled backoff", r.Status, r.NotBefore)
		}
		c.add(2 * time.Minute)
		s.RunOnce(ctx)
		r, _ = s.Get(ctx, "t1")
		if r.Status != notify.Delivered || r.Attempts != 3 || calls != 3 || !r.NotBefore.IsZero() {
			t.Fatalf("%s after %d attempts (%d calls)", r.Status, r.Attempts, calls)
		}
	})
	t.Run("Permanent", func(t *testing.T) {
		calls = 0
		results = []error{fmt.Errorf("smtp: 550 no such user: %w", notify.ErrPermanent)}
		r, err := s.Send(ctx, mail("p1"))
		if err != nil {
			t.Fatal(err)
		}
		c.add(time.Hour)
		s.RunOnce(ctx)
		if r.Status != notify.FailedPermanent || calls != 1 || !strings.Contains(r.Reason, "550") {
			t.Fatalf("%s after %d calls, reason %q", r.Status, calls, r.Reason)
		}
	})
	t.Run("AttemptsRunOut", func(t *testing.T) {
		calls = 0
		results = []error{notify.ErrTemporary, notify.ErrTemporary, notify.ErrTemporary, nil}
		s.Send(ctx, mail("a1"))
		for range 5 {
			c.add(time.Hour)
			s.RunOnce(ctx)
		}
		r, _ := s.Get(ctx, "a1")
		if r.Status != notify.FailedPermanent || calls != 3 {
			t.Fatalf("%s after %d calls, want failed-permanent after 3", r.Status, calls)
		}
	})
	if strings.Contains(logs.String(), "kari") {
		t.Fatalf("the log holds an address: %s", logs.String())
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-03-29T12:00:00+02:00")
	p := notifytest.EmailFunc(func(context.Context, *notify.OutgoingEmail) (notify.Receipt, error) {
		return notify.Receipt{ProviderID: "shipment-1", Status: notify.Sending}, nil
	})
	s, _ := notify.New(notify.Config{Email: p, Now: c.now})
	r, err := s.Send(ctx, mail("u1"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != notify.Sending || r.ProviderID != "shipment-1" || !r.NotBefore.IsZero() {
		t.Fatalf("accepted: %s %q due %v", r.Status, r.ProviderID, r.NotBefore)
	}
	c.add(time.Hour)
	if n, _ := s.SendDue(ctx); n != 0 {
		t.Fatal("an accepted send was sent again")
	}
	r, err = s.Update(ctx, notify.Update{Key: "u1", Status: notify.Delivered})
	if err != nil || r.Status != notify.Delivered {
		t.Fatalf("Update delivered: %v %v", r, err)
	}
	// A replayed callback changes nothing.
	if r, err = s.Update(ctx, notify.Update{Key: "u1", Status: notify.Delivered}); err != nil || r.Version != 4 {
		t.Fatalf("replay: %v, version %d", err, r.Version)
	}
	_, err = s.Update(ctx, notify.Update{Key: "u1", Status: notify.FailedTemporary})
	var te *notify.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, notify.ErrTransition) || te.From != notify.Delivered || te.To != notify.FailedTemporary {
		t.Fatalf("delivered → failed-temporary: %v", err)
	}
	if _, err := s.Update(ctx, notify.Update{Key: "nope", Status: notify.Delivered}); !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := s.Update(ctx, notify.Update{Key: "u1", Status: "bounced"}); !errors.Is(err, notify.ErrTransition) {
		t.Fatalf("unknown status: %v", err)
	}
}

func TestSendInvalid(t *testing.T) {
	s, _ := notify.New(notify.Config{Email: notifytest.EmailFunc(nil)})
	long := strings.Repeat("k", notify.MaxKey+1)
	for name, m := range map[string]notify.Message{
		"no key":     {Channel: notify.Email, To: notify.NewAddress("a@b.no"), Subject: "s", Text: "t"},
		"long key":   {Key: long, Channel: notify.Email, To: notify.NewAddress("a@b.no"), Subject: "s", Text: "t"},
		"bad utf8":   {Key: "\xff", Channel: notify.Email, To: notify.NewAddress("a@b.no"), Subject: "s", Text: "t"},
		"no address": {Key: "k", Channel: notify.Email, Subject: "s", Text: "t"},
		"no subject": {Key: "k", Channel: notify.Email, To: notify.NewAddress("a@b.no"), Text: "t"},
		"no text":    {Key: "k", Channel: notify.Email, To: notify.NewAddress("a@b.no"), Subject: "s"},
		"channel":    {Key: "k", Channel: "fax", To: notify.NewAddress("a@b.no"), Text: "t"},
	} {
		if _, err := s.Send(context.Background(), m); !errors.Is(err, notify.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	_, err := s.Send(context.Background(), notify.Message{Key: "k", Channel: notify.SMS, To: notify.NewAddress("+4791234567"), Text: "t"})
	if !errors.Is(err, notify.ErrNoProvider) {
		t.Fatalf("SMS without a provider: %v", err)
	}
	if _, err := notify.New(notify.Config{Window: notify.Window{Start: 17, End: 9}}); !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("bad window: %v", err)
	}
	if _, err := notify.New(notify.Config{MaxAttempts: -1}); !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("negative MaxAttempts: %v", err)
	}
}

// crashingStore fails the first write after a send, as a process killed
// between the provider's acceptance and the store's update.
type crashingStore struct {
	notify.Store
	crash   atomic.Bool
	updates atomic.Int32
}

// Update fails the second write while crash is set: the first claims the
// record, the second records the provider's answer.
func (s *crashingStore) Update(ctx context.Context, r *notify.Record) error {
	if s.updates.Add(1) == 2 && s.crash.CompareAndSwap(true, false) {
		return errors.New("killed")
	}
	return s.Store.Update(ctx, r)
}

// TestCrashAfterAcceptance: the send is taken over when its lease runs out,
// with the same key, so a provider that honours keys (Altinn's idempotencyId)
// sends once.
func TestCrashAfterAcceptance(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-03-29T12:00:00+02:00")
	seen := map[string]int{}
	p := notifytest.EmailFunc(func(_ context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
		seen[m.Key]++
		return notify.Receipt{ProviderID: "id-" + m.Key, Status: notify.Delivered}, nil
	})
	store := &crashingStore{Store: &notify.MemStore{}}
	store.crash.Store(true)
	s, _ := notify.New(notify.Config{Email: p, Store: store, Now: c.now, Lease: 10 * time.Minute})
	if _, err := s.Send(ctx, mail("c1")); err == nil {
		t.Fatal("the crash was not reported")
	}
	// A restarted process with a new Sender on the same store.
	s2, _ := notify.New(notify.Config{Email: p, Store: store, Now: c.now, Lease: 10 * time.Minute})
	if n, _ := s2.SendDue(ctx); n != 0 {
		t.Fatal("taken over inside the lease")
	}
	c.add(10 * time.Minute)
	if n, _ := s2.SendDue(ctx); n != 1 {
		t.Fatal("not taken over after the lease")
	}
	r, _ := s2.Get(ctx, "c1")
	if r.Status != notify.Delivered || r.Attempts != 2 || seen["c1"] != 2 {
		t.Fatalf("%s after %d attempts, provider saw the key %d times", r.Status, r.Attempts, seen["c1"])
	}
}

func TestAddressRedacts(t *testing.T) {
	for _, a := range []string{"kari.nordmann@example.no", "+4791234567"} {
		addr := notify.NewAddress(a)
		r := notify.Record{Key: "k", To: addr, ReplyTo: addr}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "to", addr, "rec", r)
		for _, out := range []string{fmt.Sprint(addr), fmt.Sprintf("%v %+v %#v %s %q", addr, r, r, addr, addr), buf.String()} {
			if strings.Contains(out, "nordmann") || strings.Contains(out, "912345") {
				t.Errorf("leak: %s", out)
			}
		}
		if addr.Reveal() != a {
			t.Error("Reveal changed the address")
		}
	}
	if got := notify.NewAddress("kari@example.no").String(); got != "k***@example.no" {
		t.Errorf("mask %q", got)
	}
	if got := notify.NewAddress("+4791234567").String(); got != "+47******67" {
		t.Errorf("mask %q", got)
	}
}
