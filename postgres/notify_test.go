package postgres_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestNotifyStore(t *testing.T) {
	notifytest.TestStore(t, func(t *testing.T) notify.Store {
		return postgres.NewNotifyStore(postgrestest.Open(t))
	})
}
