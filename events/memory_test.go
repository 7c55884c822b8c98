package events_test

import (
	"context"
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
)

func TestMemoryOutbox(t *testing.T) {
	eventstest.TestOutbox(t, func(t *testing.T) (events.Outbox, eventstest.Appender) {
		m := &events.Memory{}
		return m, func(_ context.Context, evs ...events.Event) error { m.Append(evs...); return nil }
	})
}

func TestNilMemory(t *testing.T) {
	var m *events.Memory
	m.Append(eventstest.Event(t, "a", 0)) // dropped, no panic
	if n, _ := m.Events(context.Background()); len(n) != 0 {
		t.Errorf("a nil Memory holds %d events", len(n))
	}
}

func TestMemoryLedger(t *testing.T) {
	eventstest.TestLedger(t, func(t *testing.T) events.Ledger { return &events.MemoryLedger{} })
}
