package events_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/secret"
)

// ApplicationReceivedData is an example payload: ids and states, never a
// person.
type ApplicationReceivedData struct {
	ApplicationID string `json:"applicationId"`
	FormID        string `json:"formId"`
	State         string `json:"state"`
}

var ApplicationReceived = events.Define[ApplicationReceivedData]("no.grunnmur.example.application.received.v1")

func Example() {
	at := time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)
	e, err := ApplicationReceived.New("app-17", at, ApplicationReceivedData{ApplicationID: "app-17", FormID: "skjenkebevilling", State: "received"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Type)
	fmt.Println(e.Source, e.Subject, e.Time.Format(time.RFC3339))
	fmt.Println(string(e.Data))
	fmt.Println(events.Subject("grunnmur.skjenkebevilling", e))
	// Output:
	// no.grunnmur.example.application.received.v1
	// /grunnmur/example app-17 2026-03-29T10:00:00Z
	// {"applicationId":"app-17","formId":"skjenkebevilling","state":"received"}
	// grunnmur.skjenkebevilling.example.application.app-17
}

// A service without NATS: the relay hands each event from the outbox to
// in-process handlers, once each (Idempotent), in order per subject.
func ExampleLocal() {
	outbox := &events.Memory{} // a memory store appends here under its lock
	for i, state := range []string{"received", "approved"} {
		e, _ := ApplicationReceived.New("app-17", time.Date(2026, 3, 29, 10, i, 0, 0, time.UTC),
			ApplicationReceivedData{ApplicationID: "app-17", State: state})
		outbox.Append(e)
	}
	minSide := func(_ context.Context, e events.Event) error {
		d, err := ApplicationReceived.Decode(e)
		if err != nil {
			return err
		}
		fmt.Println(d.ApplicationID, d.State)
		return nil
	}
	relay := &events.Relay{Outbox: outbox, Publisher: &events.Local{
		Handlers: []events.Handler{events.Idempotent(&events.MemoryLedger{}, "minside", minSide)}}}
	if err := relay.RunOnce(context.Background()); err != nil {
		fmt.Println(err)
	}
	lag, _ := relay.Lag(context.Background())
	fmt.Println("pending:", lag.Pending)
	// Output:
	// app-17 received
	// app-17 approved
	// pending: 0
}

// A receiver checks a webhook delivery; this is the published test vector.
func ExampleWebhookVerifier_Verify() {
	body := []byte(`{"specversion":"1.0","id":"0195e0a0-8c00-7000-8000-000000000001","source":"/grunnmur/sak","type":"no.grunnmur.sak.case.decided.v1","subject":"2026-17","time":"2026-03-29T00:00:00Z","datacontenttype":"application/json","data":{"caseId":"2026-17","outcome":"granted"}}`)
	h := http.Header{}
	h.Set("Webhook-Id", "0195e0a0-8c00-7000-8000-000000000001")
	h.Set("Webhook-Timestamp", "1774742400")
	h.Set("Webhook-Signature", "v1,Q8necSJwQfzGw6KrbhlFrChvM3IRgNc+y/BR9ntjGWM=")
	v := events.WebhookVerifier{
		Secrets: []secret.Value{secret.New("whsec_Z3J1bm5tdXItd2ViaG9vay10ZXN0LWtleQ==")},
		Now:     func() time.Time { return time.Unix(1774742400, 0).Add(time.Minute) },
	}
	fmt.Println(v.Verify(h, body))
	fmt.Println(v.Verify(h, []byte(`{"forged":true}`)))
	// Output:
	// <nil>
	// events: webhook signature matches no secret
}
