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

// TestSakArchiver runs the Archiver's suite (crash safety, ordering,
// retries) with every store on PostgreSQL: a restart there is a new
// process on the same database.
func TestSakArchiver(t *testing.T) {
	saktest.TestArchiver(t, func(t *testing.T) saktest.ArchiveStores {
		db := postgrestest.Open(t)
		return saktest.ArchiveStores{Cases: postgres.NewSakStore(db), Queue: postgres.NewSakArchiveQueue(db),
			Exchanges: postgres.NewFiksArkivStore(db)}
	})
}
