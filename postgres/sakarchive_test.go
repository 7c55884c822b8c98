package postgres_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
	"github.com/grunnmur/grunnmur/sak"
	"github.com/grunnmur/grunnmur/sak/saktest"
)

func TestSakArchiveQueue(t *testing.T) {
	saktest.TestArchiveQueue(t, func(t *testing.T) sak.ArchiveQueue {
		return postgres.NewSakArchiveQueue(postgrestest.Open(t))
	})
}
