package postgres_test

import (
	"testing"

	"github.com/grunnmur/grunnmur/auth"
	"github.com/grunnmur/grunnmur/auth/authtest"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/postgres/postgrestest"
)

func TestAuthStore(t *testing.T) {
	authtest.TestStore(t, func(t *testing.T) auth.Store {
		return postgres.NewAuthStore(postgrestest.Open(t))
	})
}
