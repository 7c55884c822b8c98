package site

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/grunnmur/grunnmur/forms"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/secret"
)

// OwnerKeys reads GRUNNMUR_OWNER_SECRET, the key of the citizens' opaque
// owner keys (forms.OwnerKeys: an HMAC of the fødselsnummer or orgnr, so no
// store holds the number). Unset, a random key is used: fine in memory, but
// with a database citizens would not find their records after a restart,
// so the service then warns.
func OwnerKeys(c Config) (forms.OwnerKeys, error) {
	key, err := secret.FromEnv(c.Getenv, "GRUNNMUR_OWNER_SECRET")
	if err != nil {
		return forms.OwnerKeys{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if key.IsZero() {
		key = secret.New(rand.Text() + rand.Text())
		if c.DatabaseURL != "" {
			c.Logger.Warn("GRUNNMUR_OWNER_SECRET is unset: citizens will not find their records after a restart")
		}
	}
	k := forms.OwnerKeys{Secret: key}
	if err := k.Check(); err != nil {
		return k, fmt.Errorf("%w: GRUNNMUR_OWNER_SECRET: %v", ErrConfig, err)
	}
	return k, nil
}

// OpenDatabase opens the PostgreSQL database at c.DatabaseURL and brings its
// schema up to date (postgres.DB.Migrate); nil without a DatabaseURL.
func OpenDatabase(ctx context.Context, c Config) (*postgres.DB, error) {
	if c.DatabaseURL == "" {
		return nil, nil
	}
	db, err := postgres.Open(ctx, c.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
