package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/grunnmur/grunnmur/booking"
	"github.com/grunnmur/grunnmur/postgres"
	"github.com/grunnmur/grunnmur/sak"
)

// Example wires one database into the domain services: opened and migrated
// once at start, with a store per domain built from it. It needs a running
// PostgreSQL, so it is compiled but not run.
func Example() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("GRUNNMUR_DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	cases := &sak.Service{Store: postgres.NewSakStore(db)}
	halls := &booking.Service{Store: postgres.NewBookingStore(db)}
	_, _ = cases, halls
}
