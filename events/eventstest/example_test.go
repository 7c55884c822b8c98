package eventstest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
)

// A Recorder stands in for NATS: it records what a relay publishes, here
// with the first publish of each event failing, so the relay retries it.
func ExampleRecorder() {
	m := &events.Memory{}
	for i := range 3 {
		e, _ := eventstest.Changed.New("thing-1", time.Date(2026, 10, 25, 1, i, 0, 0, time.UTC), eventstest.ChangedData{ThingID: "thing-1", State: i})
		m.Append(e)
	}
	tried := map[string]bool{}
	rec := &eventstest.Recorder{Fail: func(e events.Event) bool {
		first := !tried[e.ID]
		tried[e.ID] = true
		return first
	}}
	r := &events.Relay{Outbox: m, Publisher: rec}
	for r.RunOnce(context.Background()) != nil {
	}
	for _, e := range rec.Accepted() {
		d, _ := eventstest.Changed.Decode(e)
		fmt.Println(e.Subject, d.State)
	}
	// Output:
	// thing-1 0
	// thing-1 1
	// thing-1 2
}
