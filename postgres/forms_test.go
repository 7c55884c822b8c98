package postgres_test

import (
	"context"
	"testing"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/forms/formstest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestFormsStore(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store {
		return postgres.NewFormsStore(postgrestest.Open(t))
	})
}

func TestFormsStoreEvents(t *testing.T) {
	formstest.TestEvents(t, func(t *testing.T) (forms.Store, events.Outbox) {
		db := postgrestest.Open(t)
		return postgres.NewFormsStore(db), postgres.NewEventOutbox(db)
	})
}

// TestFormsStoreTwoPools runs the suite with reads and writes spread over two
// independent pools, so only the database keeps concurrent submits apart.
func TestFormsStoreTwoPools(t *testing.T) {
	formstest.TestStore(t, func(t *testing.T) forms.Store {
		u := postgrestest.URL(t)
		a := postgres.NewFormsStore(postgrestest.OpenURL(t, u, true))
		b := postgres.NewFormsStore(postgrestest.OpenURL(t, u, false))
		return &formsSplit{FormsStore: a, other: b}
	})
}

// formsSplit submits through one pool and everything else through the other.
type formsSplit struct {
	*postgres.FormsStore
	other *postgres.FormsStore
}

func (s *formsSplit) Submit(ctx context.Context, sub *forms.Submission, evs ...events.Event) error {
	return s.other.Submit(ctx, sub, evs...)
}
