package site_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/config"
	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/site"
)

// eventService builds a service with cases on databaseURL ("" is memory)
// and the variables env, and runs its jobs until the test ends.
func eventService(t *testing.T, databaseURL string, env map[string]string) *site.Service {
	t.Helper()
	svc, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "http://127.0.0.1:1",
		DatabaseURL: databaseURL, Getenv: envOf(env), Now: fixed()}, Sandbox: devenv.Sandbox, Cases: &sak.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.RunJobs(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); svc.Close() })
	return svc
}

// outboxEvents reads the service's outbox.
func outboxEvents(t *testing.T, svc *site.Service) []events.Event {
	t.Helper()
	var o events.Outbox = svc.Events
	if svc.DB != nil {
		o = postgres.NewEventOutbox(svc.DB)
	}
	evs, err := o.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestNATSEventsMemory(t *testing.T)   { testNATSEvents(t, "") }
func TestNATSEventsPostgres(t *testing.T) { testNATSEvents(t, postgrestest.URL(t)) }

// testNATSEvents: with GRUNNMUR_NATS_URL set, the service relays its
// outbox to its own JetStream stream (a case opened is a CloudEvent on
// <prefix>.sak.case.<id> with Nats-Msg-Id = the event id) and its Min side
// is fed from that stream by a consumer: it shows the citizen's own case at
// once, and an event another instance published to the stream too.
func testNATSEvents(t *testing.T, databaseURL string) {
	url := testenv.NATSURL(t)
	nc := eventstest.Connect(t, url)
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	prefix, stream := "sitetest"+id+".svc", "SITETEST_"+strings.ToUpper(id)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = js.DeleteStream(context.Background(), stream) })
	svc := eventService(t, databaseURL, map[string]string{"GRUNNMUR_NATS_URL": url,
		"GRUNNMUR_NATS_SUBJECT_PREFIX": prefix, "GRUNNMUR_NATS_STREAM": stream, "GRUNNMUR_NATS_MAX_AGE": "1h"})
	ctx := context.Background()
	c, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: "owner-a"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.MinSideFor(ctx, "owner-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) != 1 || v.Cases[0].ID != c.ID || v.Cases[0].Number != c.Number() {
		t.Fatalf("Min side after the case was opened: %+v", v.Cases)
	}
	evs := outboxEvents(t, svc)
	if len(evs) != 1 || !sak.CaseOpened.Is(evs[0]) {
		t.Fatalf("outbox: %+v", evs)
	}
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	subject := prefix + ".sak.case." + c.ID
	msg, err := st.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		t.Fatalf("no message on %s: %v", subject, err)
	}
	got, err := events.Parse(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get(jetstream.MsgIDHeader) != evs[0].ID || got.ID != evs[0].ID || got.Type != sak.CaseOpened.Name() ||
		msg.Header.Get("Content-Type") != events.CloudEventsJSON {
		t.Fatalf("message %s %v %s, want the event %s", msg.Subject, msg.Header, msg.Data, evs[0].ID)
	}
	if lag, err := svc.EventsLag(ctx); err != nil || lag.Pending != 0 {
		t.Fatalf("lag after the relay: %+v, %v", lag, err)
	}
	// Another instance's event, on the stream only, reaches this Min side.
	other, err := sak.CaseOpened.New("other-case", time.Now(), sak.CaseOpenedData{Case: "other-case", Number: "2026/99",
		Kind: "test", Owner: "owner-b", State: sak.Received})
	if err != nil {
		t.Fatal(err)
	}
	if errs := (&events.JetStream{Conn: nc, Prefix: prefix}).Publish(ctx, []events.Event{other}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if w := svc.MinSide.For("owner-b", time.Now()); len(w.Cases) == 1 && w.Cases[0].ID == "other-case" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Min side never showed the event another instance published to the stream")
		}
	}
}

// TestMinSideWithoutNATS: with no GRUNNMUR_NATS_URL the outbox is relayed
// in process to Min side, and no stream is needed.
func TestMinSideWithoutNATS(t *testing.T) {
	svc := eventService(t, "", nil)
	ctx := context.Background()
	c, err := svc.Cases.Open(ctx, sak.Application{Kind: "test", Title: "Søknad", Owner: "owner-a"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// RunJobs' relay, not a page's catch-up, feeds it.
		if v := svc.MinSide.For("owner-a", time.Now()); len(v.Cases) == 1 && v.Cases[0].ID == c.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Min side never showed the case")
		}
	}
	if lag, err := svc.EventsLag(ctx); err != nil || lag.Pending != 0 {
		t.Fatalf("lag: %+v, %v", lag, err)
	}
}

// TestNATSConfigFromEnv: the variables' names, their checks, and a URL's
// password kept out of every error.
func TestNATSConfigFromEnv(t *testing.T) {
	var read []string
	_, err := site.NATSConfigFromEnv("GRUNNMUR_NATS_", func(k string) string { read = append(read, k); return "" })
	if !errors.Is(err, config.ErrUnset) {
		t.Fatalf("nothing set: %v", err)
	}
	want := "GRUNNMUR_NATS_URL GRUNNMUR_NATS_URL_FILE GRUNNMUR_NATS_STREAM GRUNNMUR_NATS_SUBJECT_PREFIX GRUNNMUR_NATS_MAX_AGE"
	if got := strings.Join(read, " "); got != want {
		t.Fatalf("read %s, want %s", got, want)
	}
	c, err := site.NATSConfigFromEnv("GRUNNMUR_NATS_", envOf(map[string]string{"GRUNNMUR_NATS_URL": "nats://u:hunter2@127.0.0.1:4222",
		"GRUNNMUR_NATS_MAX_AGE": "720h"}))
	if err != nil || c.MaxAge != 720*time.Hour || c.URL.Reveal() != "nats://u:hunter2@127.0.0.1:4222" {
		t.Fatalf("%+v, %v", c, err)
	}
	for _, env := range []map[string]string{
		{"GRUNNMUR_NATS_URL": "http://u:hunter2@127.0.0.1:4222"},
		{"GRUNNMUR_NATS_URL": "nats://u:hunter2@127.0.0.1:4222", "GRUNNMUR_NATS_MAX_AGE": "a month"},
		{"GRUNNMUR_NATS_STREAM": "EVENTS"},
	} {
		_, err := site.NATSConfigFromEnv("GRUNNMUR_NATS_", envOf(env))
		if err == nil || errors.Is(err, config.ErrUnset) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: %v", env, err)
		}
	}
	for _, env := range []map[string]string{
		{"GRUNNMUR_NATS_URL": "nats://u:hunter2@127.0.0.1:1"},
		{"GRUNNMUR_NATS_URL": "nats://hunter2@127.0.0.1:1"}, // a token, NATS' usual form
		{"GRUNNMUR_NATS_URL": "nats://127.0.0.1:1", "GRUNNMUR_NATS_SUBJECT_PREFIX": "a.*"},
		{"GRUNNMUR_NATS_URL": "nats://127.0.0.1:1", "GRUNNMUR_NATS_STREAM": "a.b"},
	} {
		_, err := site.New(context.Background(), site.ServiceConfig{Config: site.Config{PublicURL: "http://127.0.0.1:1",
			Getenv: envOf(env)}, Sandbox: devenv.Sandbox})
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New with %v: %v", env, err)
		}
	}
}
