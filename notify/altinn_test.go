package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/auth/maskinporten"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/secret"
)

type mpSource struct{ calls atomic.Int32 }

func (m *mpSource) Token(context.Context) (*maskinporten.Token, error) {
	m.calls.Add(1)
	return &maskinporten.Token{AccessToken: secret.New("maskinporten-token")}, nil
}

func altinnSetup(t *testing.T, c *clock) (*notifytest.Altinn, *notify.Altinn, *mpSource) {
	fake := notifytest.NewAltinn(notifytest.AltinnConfig{Now: c.now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	mp := &mpSource{}
	a, err := notify.NewAltinn(notify.AltinnConfig{BaseURL: srv.URL + "/notifications/api/v1", Maskinporten: mp, Now: c.now, SMSSender: "Kommunen"})
	if err != nil {
		t.Fatal(err)
	}
	return fake, a, mp
}

func TestAltinnInstant(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-03-29T22:00:00+02:00")
	fake, a, mp := altinnSetup(t, c)
	s, _ := notify.New(notify.Config{Email: a, SMS: a, Now: c.now})
	send := func(key string, ch notify.Channel, to string) *notify.Record {
		t.Helper()
		m := notify.Message{Key: key, Channel: ch, To: notify.NewAddress(to), Subject: "Kvittering", Text: "Mottatt ✅", Urgent: true}
		if ch == notify.Email {
			m.HTML = "<p>Mottatt ✅</p>"
		}
		r, err := s.Send(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ok := send("e1", notify.Email, "kari@example.no")
	sms := send("s1", notify.SMS, "+4791234567")
	perm := send("e2", notify.Email, notifytest.PermFailEmail)
	temp := send("e3", notify.Email, notifytest.TempFailEmail) // 503 first: retried by the client with the same key
	for _, r := range []*notify.Record{ok, sms, perm, temp} {
		if r.Status != notify.Sending || r.ProviderID == "" {
			t.Fatalf("%s: %s %q %s", r.Key, r.Status, r.ProviderID, r.Reason)
		}
	}
	seq, err := a.FoldFeed(ctx, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]notify.Status{"e1": notify.Delivered, "s1": notify.Delivered, "e2": notify.FailedPermanent, "e3": notify.Delivered}
	for k, st := range want {
		if r, _ := s.Get(ctx, k); r.Status != st {
			t.Errorf("%s: %s (%s), want %s", k, r.Status, r.Reason, st)
		}
	}
	if r, _ := s.Get(ctx, "e2"); r.Reason != "Email_Failed_Bounced" {
		t.Errorf("reason %q", r.Reason)
	}
	// Reading the feed again from where it ended finds nothing new.
	if again, err := a.FoldFeed(ctx, s, seq); err != nil || again != seq {
		t.Fatalf("second read: %d %v (was %d)", again, err, seq)
	}
	d := fake.Delivered()
	if len(d) != 3 || d[0].Subject != "Kvittering" || d[0].Body != "<p>Mottatt ✅</p>" || d[1].Channel != "sms" || d[1].To != "+4791234567" {
		t.Fatalf("delivered %+v", d)
	}
	// One exchange for all of it: the Altinn token is cached.
	if mp.calls.Load() != 1 {
		t.Fatalf("%d token exchanges", mp.calls.Load())
	}
	c.add(31 * time.Minute)
	if _, err := a.Feed(ctx, 0, 1); err != nil || mp.calls.Load() != 2 {
		t.Fatalf("after the token's expiry: %v, %d exchanges", err, mp.calls.Load())
	}
	if _, err := a.Shipment(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, notify.ErrShipmentNotFound) {
		t.Fatalf("unknown shipment: %v", err)
	}
	sh, err := a.Shipment(ctx, sms.ProviderID)
	if err != nil || sh.SendersReference != "s1" || len(sh.Recipients) != 1 || sh.Recipients[0].Status != "SMS_Delivered" {
		t.Fatalf("%+v %v", sh, err)
	}
}

// TestAltinnCrash: the process dies between Altinn's acceptance and the
// store's update; after the lease the send is repeated with the same
// idempotencyId, Altinn answers 200, and one message goes out.
func TestAltinnCrash(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-06-15T10:00:00+02:00")
	fake, a, _ := altinnSetup(t, c)
	store := &crashingStore{Store: &notify.MemStore{}}
	store.crash.Store(true)
	s, _ := notify.New(notify.Config{Email: a, Store: store, Now: c.now})
	if _, err := s.Send(ctx, mail("crash-1")); err == nil {
		t.Fatal("no crash")
	}
	c.add(10 * time.Minute)
	s2, _ := notify.New(notify.Config{Email: a, Store: store, Now: c.now})
	if n, err := s2.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunOnce: %d %v", n, err)
	}
	if _, err := a.FoldFeed(ctx, s2, 0); err != nil {
		t.Fatal(err)
	}
	r, _ := s2.Get(ctx, "crash-1")
	if r.Status != notify.Delivered || r.Attempts != 2 || len(fake.Delivered()) != 1 {
		t.Fatalf("%s after %d attempts, %d delivered", r.Status, r.Attempts, len(fake.Delivered()))
	}
}

func TestAltinnOrder(t *testing.T) {
	ctx := context.Background()
	c := newClock("2026-10-24T22:00:00+02:00")
	fake, a, _ := altinnSetup(t, c)
	var stillWaiting atomic.Bool
	stillWaiting.Store(true)
	cond := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"sendNotification": %v}`, stillWaiting.Load())
	}))
	defer cond.Close()
	fnr := person(t, 1).Reveal()
	fake.SetPerson(fnr, notifytest.AltinnPerson{Mobile: "+4791234567", Email: "kari@example.no"})
	order := &notify.AltinnOrder{
		IdempotencyID: "order-1", SendersReference: "sak-17",
		Recipient: notify.AltinnRecipient{Person: &notify.AltinnPersonRecipient{NationalIdentityNumber: fnr, ChannelSchema: "Sms",
			SMSSettings: &notify.AltinnSMSSettings{Body: "Søknaden er mottatt", SendingTimePolicy: "Daytime"}}},
		Reminders: []notify.AltinnReminder{
			{SendersReference: "sak-17-r1", DelayDays: 3, ConditionEndpoint: cond.URL + "/paid?sak=17",
				Recipient: notify.AltinnRecipient{SMS: &notify.AltinnSMSRecipient{PhoneNumber: "+4791234567", SMSSettings: notify.AltinnSMSSettings{Body: "Gebyret er ikke betalt"}}}},
			{SendersReference: "sak-17-r2", DelayDays: 5, ConditionEndpoint: cond.URL + "/paid?sak=17",
				Recipient: notify.AltinnRecipient{Email: &notify.AltinnEmailRecipient{EmailAddress: "kari@example.no", EmailSettings: notify.AltinnEmailSettings{Subject: "Påminnelse", Body: "Betal"}}}},
		},
	}
	r, err := a.Order(ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	if r.Replayed || r.NotificationOrderID == "" || r.Notification.SendersReference != "sak-17" || len(r.Notification.Reminders) != 2 {
		t.Fatalf("%+v", r)
	}
	again, err := a.Order(ctx, order)
	if err != nil || !again.Replayed || again.Notification.ShipmentID != r.Notification.ShipmentID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	// 22:00: the Daytime SMS waits for 09:00 (after the autumn DST change).
	if got := fake.Delivered(); len(got) != 0 {
		t.Fatalf("sent at night: %+v", got)
	}
	c.set(time.Date(2026, 10, 25, 7, 59, 0, 0, time.UTC)) // 08:59 CET, winter time again
	fake.Process(ctx)
	if got := fake.Delivered(); len(got) != 0 {
		t.Fatalf("sent before 09:00: %+v", got)
	}
	c.set(time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)) // 09:00 CET
	fake.Process(ctx)
	if got := fake.Delivered(); len(got) != 1 || got[0].Body != "Søknaden er mottatt" || got[0].To != "+4791234567" {
		t.Fatalf("at 09:00: %+v", got)
	}
	c.add(3 * 24 * time.Hour) // the first reminder: still waiting, so sent
	fake.Process(ctx)
	stillWaiting.Store(false)
	c.add(2 * 24 * time.Hour) // the second: paid meanwhile, so not
	sh, err := a.Shipment(ctx, r.Notification.Reminders[1].ShipmentID)
	if err != nil || sh.Status != "Order_SendConditionNotMet" || sh.Type != "Reminder" {
		t.Fatalf("second reminder: %+v %v", sh, err)
	}
	if got := fake.Delivered(); len(got) != 2 || got[1].Body != "Gebyret er ikke betalt" {
		t.Fatalf("delivered %+v", got)
	}

	// NOT-00001: a person without contact information.
	_, err = a.Order(ctx, &notify.AltinnOrder{IdempotencyID: "order-2", Recipient: notify.AltinnRecipient{Person: &notify.AltinnPersonRecipient{
		NationalIdentityNumber: person(t, 2).Reveal(), ChannelSchema: "Email", EmailSettings: &notify.AltinnEmailSettings{Subject: "s", Body: "b"}}}})
	var ae *notify.Error
	if !errors.Is(err, notify.ErrNoContact) || !errors.Is(err, notify.ErrPermanent) || !errors.As(err, &ae) || ae.Code != notify.AltinnNoContact || ae.Status != 422 {
		t.Fatalf("no contact: %v", err)
	}
	if strings.Contains(err.Error(), person(t, 2).Reveal()) {
		t.Fatal("the error names the person")
	}
	// 400: a ValidationProblemDetails naming the fields.
	_, err = a.Order(ctx, &notify.AltinnOrder{IdempotencyID: "order-3", ConditionEndpoint: "not a url",
		Recipient: notify.AltinnRecipient{SMS: &notify.AltinnSMSRecipient{PhoneNumber: "12345", SMSSettings: notify.AltinnSMSSettings{Body: "x"}}}})
	if !errors.As(err, &ae) || ae.Status != 400 || len(ae.Fields["ConditionEndpoint"]) != 1 || len(ae.Fields["Recipient.RecipientSms.PhoneNumber"]) != 1 || !errors.Is(err, notify.ErrPermanent) {
		t.Fatalf("validation: %v %+v", err, ae)
	}
	_, err = a.Order(ctx, &notify.AltinnOrder{IdempotencyID: "order-4", Recipient: notify.AltinnRecipient{
		SMS: &notify.AltinnSMSRecipient{PhoneNumber: "+4791234567", SMSSettings: notify.AltinnSMSSettings{Body: "x"}}, Email: &notify.AltinnEmailRecipient{EmailAddress: "a@b.no"}}})
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("two recipients: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %v", *order.Reminders[0].Recipient.SMS, *order.Reminders[1].Recipient.Email, sh.Recipients); strings.Contains(s, "91234567") || strings.Contains(s, "kari@") {
		t.Fatalf("the order prints an address: %s", s)
	}
	if s := fmt.Sprintf("%v %+v", *order.Recipient.Person, *order.Recipient.Person); strings.Contains(s, fnr) {
		t.Fatalf("the order prints the number: %s", s)
	}
}

func TestAltinnConfig(t *testing.T) {
	if _, err := notify.NewAltinn(notify.AltinnConfig{}); !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("no token source: %v", err)
	}
	if _, err := notify.NewAltinn(notify.AltinnConfig{BaseURL: "ftp://x", Maskinporten: &mpSource{}}); !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("bad URL: %v", err)
	}
	cfg, err := notify.AltinnConfigFromEnv("GRUNNMUR_ALTINN_NOTIFICATIONS_", func(k string) string {
		return map[string]string{"GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL": notify.AltinnProductionBaseURL}[k]
	})
	if err != nil || cfg.BaseURL != notify.AltinnProductionBaseURL {
		t.Fatalf("%+v %v", cfg, err)
	}
}

func FuzzParseFeed(f *testing.F) {
	f.Add(`[{"sequenceNumber":1,"shipmentId":"a","sendersReference":"k","status":"Order_Completed","lastUpdate":"2026-01-01T00:00:00Z","recipients":[{"destination":"+4791234567","status":"SMS_Delivered","lastUpdate":"2026-01-01T00:00:00Z"}]}]`)
	f.Add(`[]`)
	f.Add(`[{"sequenceNumber":0,"status":""}]`)
	f.Add(`{"x":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := notify.ParseFeed([]byte(s))
		if err != nil {
			if !errors.Is(err, notify.ErrTemporary) {
				t.Fatalf("untyped %v", err)
			}
			return
		}
		for _, e := range entries {
			if e.SequenceNumber <= 0 || e.Status == "" {
				t.Fatalf("%+v", e)
			}
			if st, ok := notify.AltinnStatus(e.Status); ok && !st.Valid() {
				t.Fatalf("%q maps to %q", e.Status, st)
			}
		}
	})
}
