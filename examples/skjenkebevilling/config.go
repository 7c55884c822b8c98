package main

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"time"
)

// Config is the service's configuration; with only PublicURL set, every
// external service runs as an in-process fake. The outside services are
// configured through Getenv's GRUNNMUR_* variables (see site.Setup).
type Config struct {
	// PublicURL is where citizens reach the service, e.g.
	// https://skjenk.kommune.no; "" means http:// and the listener's address.
	PublicURL string
	// DatabaseURL selects PostgreSQL; "" keeps everything in memory.
	DatabaseURL string
	// Getenv reads the GRUNNMUR_* variables; nil means os.Getenv.
	Getenv func(string) string
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Scopes the service asks Maskinporten for.
const (
	scopeBrregRoller = "brreg:data:enhetsregisteret:roller"
	scopeFiks        = "ks:fiks"
)

func randomSecret() string {
	return rand.Text() + rand.Text()
}

var errConfig = errors.New("skjenkebevilling: bad configuration")

func getenvOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}
