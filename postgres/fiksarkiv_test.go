package postgres_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/fiksarkiv"
	"github.com/grunnmur/grunnmur/fiksarkiv/fiksarkivtest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestFiksArkivStore(t *testing.T) {
	fiksarkivtest.TestStore(t, func(t *testing.T) fiksarkiv.Store {
		return postgres.NewFiksArkivStore(postgrestest.Open(t))
	})
}
