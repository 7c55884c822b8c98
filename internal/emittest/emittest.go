// Package emittest checks the domain events a store records with its state
// changes, for the stores' conformance suites (saktest, paymenttest, ...):
// each change records exactly its events, and a change that fails records
// none.
//
//	log := emittest.Log{Outbox: outbox, Forbidden: []string{title}}
//	c, _ := svc.Open(ctx, app)
//	log.Expect(t, "open", emittest.Want{Type: sak.CaseOpened.Name(), Subject: c.ID})
//	_, err := svc.Decide(ctx, officer, c.ID, ...) // fails
//	log.Expect(t, "a refused decision")           // no event
package emittest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/grunnmur/grunnmur/events"
)

// Want is an event expected next: its type's name and its subject.
type Want struct{ Type, Subject string }

// Log reads the events a store recorded, in order, and remembers how many
// its checks have seen.
type Log struct {
	// Outbox is the store's: events.Memory, postgres.EventOutbox.
	Outbox events.Outbox
	// Forbidden are strings no event may contain: the names, titles and
	// personal numbers the test's records hold.
	Forbidden []string

	seen int
}

// New returns the events recorded since the last call.
func (l *Log) New(t testing.TB) []events.Event {
	t.Helper()
	all, err := l.Outbox.Events(context.Background())
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	if len(all) < l.seen {
		return nil
	}
	out := all[l.seen:]
	l.seen = len(all)
	return out
}

// Expect fails t unless the events recorded since the last check are
// exactly want, in order, each valid and free of Forbidden strings. It
// returns them.
func (l *Log) Expect(t testing.TB, what string, want ...Want) []events.Event {
	t.Helper()
	got := l.New(t)
	if d := l.diff(got, want); d != "" {
		t.Fatalf("%s: %s", what, d)
	}
	return got
}

func (l *Log) diff(got []events.Event, want []Want) string {
	if len(got) != len(want) {
		return fmt.Sprintf("recorded %d events %s, want %d %v", len(got), Types(got), len(want), want)
	}
	for i, e := range got {
		if e.Type != want[i].Type || e.Subject != want[i].Subject {
			return fmt.Sprintf("event %d is %s about %q, want %s about %q", i, e.Type, e.Subject, want[i].Type, want[i].Subject)
		}
		if err := e.Validate(); err != nil {
			return fmt.Sprintf("event %d: %v", i, err)
		}
		for _, f := range l.Forbidden {
			if f != "" && strings.Contains(string(e.Data), f) {
				return fmt.Sprintf("event %d (%s) carries %q: %s", i, e.Type, f, e.Data)
			}
		}
	}
	return ""
}

// Count returns how many of evs are of type typ about subject.
func Count(evs []events.Event, typ, subject string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ && e.Subject == subject {
			n++
		}
	}
	return n
}

// Types lists the types of evs, for messages.
func Types(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
